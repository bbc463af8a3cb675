// A Rust type with no WIT equivalent.
tairitsu_macros::wit_interface! {
    interface counter {
        add: func(by: usize) -> u64;
    }
}

fn main() {}
