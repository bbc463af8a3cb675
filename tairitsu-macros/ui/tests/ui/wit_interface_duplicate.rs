// The same name twice, in both spellings: `read_file` is `read-file`.
tairitsu_macros::wit_interface! {
    interface files {
        read-file: func(path: string) -> string;
        read_file: func(path: String) -> String;
    }
}

fn main() {}
