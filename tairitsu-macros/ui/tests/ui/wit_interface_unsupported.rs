// `use` of another interface's types needs a WIT file and `bindings!`.
tairitsu_macros::wit_interface! {
    interface files {
        use types.{handle};
        read: func(h: handle) -> string;
    }
}

fn main() {}
