//! Builds the example's guest, `examples/guests/lookup`, into a component (installing the
//! `wasm32-wasip2` target when it is missing).

fn main() {
    let wasm = tairitsu_build::Guest::new("../guests/lookup")
        .watch("../../wit/lookup")
        .build()
        .unwrap_or_else(|e| {
            eprintln!("error: {e}");
            std::process::exit(1);
        });
    println!("cargo:rustc-env=LOOKUP_WASM={}", wasm.display());
}
