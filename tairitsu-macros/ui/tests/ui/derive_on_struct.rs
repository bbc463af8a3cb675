// `WitCommand` is for enums.
#[derive(tairitsu_macros::WitCommand)]
#[wit(response = ())]
struct Read {
    path: String,
}

fn main() {}
