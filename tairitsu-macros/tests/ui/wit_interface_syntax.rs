// A function without its `;`, and Rust's `fn` syntax.
tairitsu::wit_interface! {
    interface files {
        read: func(path: String) -> Result<Vec<u8>, String>
        write: func(path: String);
    }
}

tairitsu::wit_interface! {
    interface other {
        fn read(path: String) -> String;
    }
}

fn main() {}
