//! Builds the example's guest, `examples/guests/analytics`, into a component.

fn main() {
    let wasm = tairitsu_build::Guest::new("../guests/analytics")
        .watch("../../wit/analytics")
        .build()
        .unwrap_or_else(|e| {
            eprintln!("error: {e}");
            std::process::exit(1);
        });
    println!("cargo:rustc-env=ANALYTICS_WASM={}", wasm.display());
}
