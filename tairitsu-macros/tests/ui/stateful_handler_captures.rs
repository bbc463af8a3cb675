// A stateful handler keeps its state in the state, not in captures.
use tairitsu::{WitCommand, stateful_handler};

#[derive(Debug, WitCommand)]
#[wit(response = u32)]
enum CounterCommand {
    Add { n: u32 },
}

fn main() {
    let step = 2;
    let _handler = stateful_handler!(u32, CounterCommand, |total, CounterCommand::Add { n }| {
        *total += n * step;
        Ok(*total)
    });
}
