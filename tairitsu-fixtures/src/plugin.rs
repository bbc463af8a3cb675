//! Versions of one small plugin, for hot-reload tests: two that answer differently, one that
//! fails its health check, one that traps on its first call, one with an incompatible export.

use crate::{Bodies, generate};

/// The WIT of [`plugin`] and its variants: worlds `test:plugin/plugin` and
/// `test:plugin/plugin-changed`.
pub const PLUGIN_WIT: &str = include_str!("../wit/plugin/plugin.wit");

const COUNTER: &str = "(global $count (mut i32) (i32.const 0))";

const BUMP: &str = "(global.set $count (i32.add (global.get $count) (i32.const 1)))
(global.get $count)";

const SAVE: &str = "(local $p i32)
(local.set $p (call $alloc (i32.const 4) (i32.const 4)))
(i32.store (local.get $p) (global.get $count))
(i32.store (global.get $ret_area) (local.get $p))
(i32.store offset=4 (global.get $ret_area) (i32.const 4))
(global.get $ret_area)";

const LOAD: &str = "(if (i32.ge_u (local.get 1) (i32.const 4))
  (then (global.set $count (i32.load (local.get 0)))))";

fn bodies(version: &str, bump: &str, healthy: bool) -> Bodies {
    Bodies::new()
        .wat("version", version)
        .wat("bump", bump)
        .wat(
            "healthy",
            if healthy {
                "i32.const 1"
            } else {
                "i32.const 0"
            },
        )
        .wat("save", SAVE)
        .wat("load", LOAD)
        .extra(COUNTER)
}

/// World `test:plugin/plugin`, version `answer`: `version()` returns `answer`, `bump()` counts
/// 1, 2, 3… in one instance, `healthy()` is `true`, `save()` returns the counter as 4
/// little-endian bytes and `load(state)` sets it from them.
pub fn plugin(answer: u32) -> Vec<u8> {
    generate(
        PLUGIN_WIT,
        "plugin",
        &bodies(&format!("i32.const {answer}"), BUMP, true),
    )
    .expect("the plugin fixture builds")
}

/// [`plugin`] whose `healthy()` answers `false`.
pub fn plugin_unhealthy(answer: u32) -> Vec<u8> {
    generate(
        PLUGIN_WIT,
        "plugin",
        &bodies(&format!("i32.const {answer}"), BUMP, false),
    )
    .expect("the unhealthy plugin fixture builds")
}

/// [`plugin`] whose `version()` and `bump()` trap (`unreachable`), so its first call fails;
/// `healthy()`, `save()` and `load()` work.
pub fn plugin_trapping() -> Vec<u8> {
    generate(
        PLUGIN_WIT,
        "plugin",
        &bodies("unreachable", "unreachable", true),
    )
    .expect("the trapping plugin fixture builds")
}

/// World `test:plugin/plugin-changed`: `version(x)` takes a parameter (and returns it), so it
/// cannot replace [`plugin`]; the other exports are as in [`plugin`].
pub fn plugin_incompatible() -> Vec<u8> {
    generate(
        PLUGIN_WIT,
        "plugin-changed",
        &bodies("local.get 0", BUMP, true),
    )
    .expect("the incompatible plugin fixture builds")
}
