// A Rust type with no WIT equivalent.
tairitsu::wit_interface! {
    interface counter {
        add: func(by: usize) -> u64;
    }
}

fn main() {}
