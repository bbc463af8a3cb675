// A type that is neither built in nor defined in the interface.
tairitsu_macros::wit_interface! {
    interface files {
        record entry { name: string, size: u64 }
        stat: func(path: string) -> option<file-info>;
    }
}

fn main() {}
