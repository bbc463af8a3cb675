//! The same checks on the same plugin world, written in Rust (wit-bindgen), Python
//! (componentize-py) and JavaScript (componentize-js): typed calls through the bindings
//! `tairitsu-build` generated, the two host imports served by the host, the exported resource,
//! and the dynamic path (RON and WAVE) on the same container.
//!
//! The Rust plugin is built by this crate's build script, so its test always runs; the Python
//! and JavaScript components come from `build-components.sh`, so their tests are ignored in a
//! plain `cargo test` and run by `just ecosystem` (`--include-ignored`), where a missing
//! component fails them.

use std::path::Path;

use tairitsu::Format;
use tairitsu_ecosystem::bindings::PluginWorld;
use tairitsu_ecosystem::bindings::tairitsu::ecosystem::types::{Color, Item, Perms, Point, Shape};
use tairitsu_ecosystem::{RUST_PLUGIN_WASM, built, plugin};

fn item(name: &str, tags: &[&str], score: Option<u32>, color: Color, perms: Perms) -> Item {
    Item {
        name: name.into(),
        tags: tags.iter().map(|t| t.to_string()).collect(),
        score,
        color,
        perms,
    }
}

/// Every check, on the plugin at `wasm`.
fn check(wasm: &Path) {
    let mut c = plugin(wasm, &[("name", "Ada")]);
    macro_rules! call {
        ($method:ident($($arg:expr),*)) => {
            c.invoke(|g: &PluginWorld, store| g.plugin().$method(store, $($arg),*))
                .unwrap_or_else(|e| panic!("{}: {}: {e}", wasm.display(), stringify!($method)))
        };
    }

    // Variants, records.
    assert_eq!(call!(call_area(&Shape::Circle(2.0))), 12.0);
    assert_eq!(
        call!(call_area(&Shape::Rectangle(Point { x: 3, y: -4 }))),
        12.0
    );
    assert_eq!(call!(call_area(&Shape::Dot)), 0.0);
    assert_eq!(
        call!(call_translate(&Point { x: 1, y: 2 }, 3, -4)),
        Point { x: 4, y: -2 }
    );
    // Enums, flags.
    assert_eq!(call!(call_next_color(Color::Red)), Color::Green);
    assert_eq!(call!(call_next_color(Color::Blue)), Color::Red);
    assert_eq!(
        call!(call_grant(Perms::READ, Perms::WRITE | Perms::EXEC)),
        Perms::READ | Perms::WRITE | Perms::EXEC
    );
    assert_eq!(
        call!(call_grant(Perms::empty(), Perms::empty())),
        Perms::empty()
    );
    // Records with lists, options, enums and flags inside.
    let ada = item(
        "ada",
        &["x", "y"],
        Some(7),
        Color::Green,
        Perms::READ | Perms::WRITE,
    );
    let bob = item("bob", &[], None, Color::Blue, Perms::empty());
    assert_eq!(
        call!(call_describe(&ada)),
        "ada [x,y] score=7 green read+write"
    );
    assert_eq!(call!(call_describe(&bob)), "bob [] score=none blue -");
    // Results.
    assert_eq!(call!(call_checked_div(7, 2)), Ok(3));
    assert_eq!(call!(call_checked_div(-7, 2)), Ok(-3));
    assert_eq!(
        call!(call_checked_div(1, 0)),
        Err("division by zero".to_string())
    );
    // Lists, tuples.
    assert_eq!(call!(call_stats(&[1.5, -2.0, 3.25])), (-2.0, 3.25, 3));
    // Options of records.
    let items = [ada.clone(), bob.clone()];
    assert_eq!(call!(call_find(&items, "bob")), Some(bob));
    assert_eq!(call!(call_find(&items, "zed")), None);
    // Both host imports.
    assert_eq!(call!(call_greet()), "hello, Ada");
    assert_eq!(
        c.data().map(|h| h.log.clone()),
        Some(vec![(1, "greeted Ada".to_string())])
    );
    // The exported resource: two counters, each with its own state.
    let a = call!(call_counter_new(5));
    let b = call!(call_counter_new(100));
    assert_eq!(call!(call_counter_add(a, 3)), 8);
    assert_eq!(call!(call_counter_add(a, 4)), 12);
    assert_eq!(call!(call_counter_add(b, 1)), 101);
    assert_eq!(call!(call_counter_value(a)), 12);

    // The dynamic path on the same container agrees.
    assert_eq!(
        c.call_text("describe((name: \"ada\", tags: [\"x\", \"y\"], score: Some(7), color: Green, perms: [Read, Write]))", Format::Ron, Format::Ron).unwrap(),
        "\"ada [x,y] score=7 green read+write\""
    );
    assert_eq!(
        c.call_text("checked-div(1, 0)", Format::Wave, Format::Wave)
            .unwrap(),
        "err(\"division by zero\")"
    );
    assert_eq!(
        c.call_text("translate({x: 1, y: 2}, 3, -4)", Format::Wave, Format::Wave)
            .unwrap(),
        "{x: 4, y: -2}"
    );
    assert_eq!(
        c.call_text("stats([1.5, -2.0, 3.25])", Format::Ron, Format::Ron)
            .unwrap(),
        "(-2.0,3.25,3)"
    );

    // Without the setting, the other branch of the host import.
    let mut c = plugin(wasm, &[]);
    let greeting = c
        .invoke(|g: &PluginWorld, store| g.plugin().call_greet(store))
        .unwrap();
    assert_eq!(greeting, "hello, stranger");
}

#[test]
fn the_rust_plugin_passes_every_check() {
    check(Path::new(RUST_PLUGIN_WASM));
}

#[test]
#[ignore = "needs componentize-py: run `just ecosystem`"]
fn the_python_plugin_passes_every_check() {
    check(&built("python-plugin.wasm"));
}

#[test]
#[ignore = "needs componentize-js: run `just ecosystem`"]
fn the_javascript_plugin_passes_every_check() {
    check(&built("js-plugin.wasm"));
}
