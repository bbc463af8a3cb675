//! The ecosystem plugin (`wit/ecosystem`) in Rust: the same behaviour as the Python and
//! JavaScript versions beside it, checked by the same host (`tests/ecosystem`).

wit_bindgen::generate!({
    path: "../../../../wit/ecosystem",
    world: "plugin-world",
});

use std::cell::Cell;

use exports::tairitsu::ecosystem::plugin::{Guest, GuestCounter};
use tairitsu::ecosystem::host;
use tairitsu::ecosystem::types::{Color, Item, Perms, Point, Shape};

struct Plugin;

const PERMS: [(Perms, &str); 3] = [
    (Perms::READ, "read"),
    (Perms::WRITE, "write"),
    (Perms::EXEC, "exec"),
];

fn color_name(c: Color) -> &'static str {
    match c {
        Color::Red => "red",
        Color::Green => "green",
        Color::Blue => "blue",
    }
}

impl Guest for Plugin {
    type Counter = Counter;

    fn area(s: Shape) -> f64 {
        match s {
            Shape::Circle(r) => 3.0 * r * r,
            Shape::Rectangle(p) => f64::from((p.x * p.y).abs()),
            Shape::Dot => 0.0,
        }
    }

    fn translate(p: Point, dx: i32, dy: i32) -> Point {
        Point {
            x: p.x + dx,
            y: p.y + dy,
        }
    }

    fn next_color(c: Color) -> Color {
        match c {
            Color::Red => Color::Green,
            Color::Green => Color::Blue,
            Color::Blue => Color::Red,
        }
    }

    fn grant(p: Perms, extra: Perms) -> Perms {
        p | extra
    }

    fn describe(it: Item) -> String {
        let score = it.score.map_or_else(|| "none".to_string(), |s| s.to_string());
        let perms: Vec<&str> = PERMS
            .iter()
            .filter(|(flag, _)| (it.perms & *flag) == *flag)
            .map(|(_, name)| *name)
            .collect();
        let perms = if perms.is_empty() {
            "-".to_string()
        } else {
            perms.join("+")
        };
        format!(
            "{} [{}] score={score} {} {perms}",
            it.name,
            it.tags.join(","),
            color_name(it.color)
        )
    }

    fn checked_div(a: i32, b: i32) -> Result<i32, String> {
        if b == 0 {
            Err("division by zero".into())
        } else {
            Ok(a / b)
        }
    }

    fn stats(values: Vec<f64>) -> (f64, f64, u32) {
        let min = values.iter().copied().fold(f64::INFINITY, f64::min);
        let max = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        (min, max, values.len() as u32)
    }

    fn find(items: Vec<Item>, name: String) -> Option<Item> {
        items.into_iter().find(|it| it.name == name)
    }

    fn greet() -> String {
        let name = host::lookup("name").unwrap_or_else(|| "stranger".into());
        host::log(1, &format!("greeted {name}"));
        format!("hello, {name}")
    }
}

struct Counter(Cell<u32>);

impl GuestCounter for Counter {
    fn new(start: u32) -> Self {
        Counter(Cell::new(start))
    }

    fn add(&self, n: u32) -> u32 {
        self.0.set(self.0.get() + n);
        self.0.get()
    }

    fn value(&self) -> u32 {
        self.0.get()
    }
}

export!(Plugin);
