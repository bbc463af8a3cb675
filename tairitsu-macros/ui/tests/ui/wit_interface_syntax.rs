// A function without its `;`, and Rust's `fn` syntax.
tairitsu_macros::wit_interface! {
    interface files {
        read: func(path: String) -> Result<Vec<u8>, String>
        write: func(path: String);
    }
}

tairitsu_macros::wit_interface! {
    interface other {
        fn read(path: String) -> String;
    }
}

fn main() {}
