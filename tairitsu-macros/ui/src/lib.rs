//! Compile-error tests of `tairitsu-macros`; see `tests/ui.rs`.
