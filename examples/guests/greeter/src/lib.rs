//! A plugin written in Rust: the guest of the quick start and of `wit-runtime`.

wit_bindgen::generate!({
    path: "../../../wit/greeter",
    world: "plugin",
});

use exports::tairitsu::greeter::greeter::{Greeting, Guest};
use tairitsu::greeter::host;

struct Plugin;

impl Guest for Plugin {
    fn greet(name: String) -> String {
        host::log(&format!("greet called with {name:?}"));
        format!("Hello, {name}!")
    }

    fn describe(name: String, loud: bool) -> Greeting {
        let text = if loud {
            format!("HELLO, {}!", name.to_uppercase())
        } else {
            format!("Hello, {name}!")
        };
        Greeting {
            length: text.chars().count() as u32,
            text,
            shouted: loud,
        }
    }

    fn add(a: u32, b: u32) -> u32 {
        a.wrapping_add(b)
    }

    fn min_max(values: Vec<f64>) -> Option<(f64, f64)> {
        let first = *values.first()?;
        Some(
            values
                .iter()
                .fold((first, first), |(lo, hi), &v| (lo.min(v), hi.max(v))),
        )
    }
}

export!(Plugin);
