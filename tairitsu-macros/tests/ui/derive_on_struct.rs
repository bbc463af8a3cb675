// `WitCommand` is for enums.
#[derive(tairitsu::WitCommand)]
#[wit(response = ())]
struct Read {
    path: String,
}

fn main() {}
