//! See `benches/default_config.rs`.
