//! Generates the typed host bindings of the `analytics` world into `$OUT_DIR`, and builds the
//! Rust guest that implements it.

fn main() {
    // The host side: plain Rust in $OUT_DIR/analytics.rs, included by `include_bindings!`.
    tairitsu_build::Builder::new()
        .wit_dir("../../wit/analytics")
        .world("analytics")
        .compile_or_exit();

    // The guest side: `examples/guests/analytics`, a wit-bindgen component.
    let wasm = tairitsu_build::Guest::new("../guests/analytics")
        .watch("../../wit/analytics")
        .build()
        .unwrap_or_else(|e| {
            eprintln!("error: {e}");
            std::process::exit(1);
        });
    println!("cargo:rustc-env=ANALYTICS_WASM={}", wasm.display());
}
