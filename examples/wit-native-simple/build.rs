//! Builds the example's guest, `examples/guests/wordcount`, into a component. The host's
//! bindings come from `tairitsu::bindings!` reading `wit/simple` at compile time.

fn main() {
    let wasm = tairitsu_build::Guest::new("../guests/wordcount")
        .watch("../../wit/simple")
        .build()
        .unwrap_or_else(|e| {
            eprintln!("error: {e}");
            std::process::exit(1);
        });
    println!("cargo:rustc-env=WORDCOUNT_WASM={}", wasm.display());
}
