//! Image loading and discovery on damaged components: the input picks one of the fixture
//! components and a list of byte edits (and maybe a truncation) to apply to it, so that most
//! inputs get past the header into wasmtime's validation and, when they still validate, into
//! the WIT decoding of `Image::world` (imports and exports as WIT text). Nothing may panic.
//!
//! Edits of real components reach much deeper than random bytes, which fail at the magic number;
//! no corpus needs to be kept for it.

#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use tairitsu_runtime::{CacheDir, Engine, EngineConfig, Image};

fn engine() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(|| {
        Engine::new(EngineConfig::new().cache(CacheDir::Disabled)).expect("an engine")
    })
}

fn fixtures() -> &'static [Vec<u8>] {
    static FIXTURES: OnceLock<Vec<Vec<u8>>> = OnceLock::new();
    FIXTURES.get_or_init(|| {
        vec![
            tairitsu_fixtures::root(),
            tairitsu_fixtures::calc(),
            tairitsu_fixtures::host_import(),
            tairitsu_fixtures::faults(),
            tairitsu_fixtures::kitchen(),
        ]
    })
}

fuzz_target!(|data: &[u8]| {
    let Some((&pick, edits)) = data.split_first() else {
        return;
    };
    let fixtures = fixtures();
    let mut bytes = fixtures[usize::from(pick) % fixtures.len()].clone();
    // Each edit is three bytes: a little-endian offset and the byte to put there.
    let mut chunks = edits.chunks_exact(3);
    for edit in &mut chunks {
        let at = usize::from(u16::from_le_bytes([edit[0], edit[1]])) % bytes.len();
        bytes[at] = edit[2];
    }
    // A leftover of two bytes truncates at that offset.
    if let [lo, hi] = chunks.remainder() {
        let len = usize::from(u16::from_le_bytes([*lo, *hi])) % bytes.len();
        bytes.truncate(len);
    }
    let Ok(image) = Image::from_bytes_with(engine(), &bytes) else {
        return;
    };
    let world = image.world();
    for function in world.exports.iter().chain(&world.imports) {
        let _ = function.to_string();
        let _ = function.qualified_name();
    }
});
