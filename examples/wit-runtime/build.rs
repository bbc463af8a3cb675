//! Builds the example's guest, `examples/guests/greeter`, into a component (installing the
//! `wasm32-wasip2` target when it is missing).

fn main() {
    let wasm = tairitsu_build::Guest::new("../guests/greeter")
        .watch("../../wit/greeter")
        .build()
        .unwrap_or_else(|e| {
            eprintln!("error: {e}");
            std::process::exit(1);
        });
    println!("cargo:rustc-env=GREETER_WASM={}", wasm.display());
}
