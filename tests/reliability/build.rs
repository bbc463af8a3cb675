//! Builds the sandbox probe guest, `examples/guests/sandbox-probe`, into a component (installing
//! the `wasm32-wasip2` target when it is missing).

fn main() {
    let wasm = tairitsu_build::Guest::new("../../examples/guests/sandbox-probe")
        .watch("../../wit/sandbox-probe")
        .build()
        .unwrap_or_else(|e| {
            eprintln!("error: {e}");
            std::process::exit(1);
        });
    println!("cargo:rustc-env=SANDBOX_PROBE_WASM={}", wasm.display());
}
