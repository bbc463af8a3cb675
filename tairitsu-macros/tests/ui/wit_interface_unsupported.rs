// Resources need a WIT file and `bindings!`.
tairitsu::wit_interface! {
    interface files {
        resource handle {
            read: func() -> string;
        }
    }
}

fn main() {}
