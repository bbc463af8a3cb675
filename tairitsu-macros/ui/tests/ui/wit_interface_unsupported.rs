// Resources need a WIT file and `bindings!`.
tairitsu_macros::wit_interface! {
    interface files {
        resource handle {
            read: func() -> string;
        }
    }
}

fn main() {}
