//! Builds the example's guest, `examples/guests/notes`, into a component. The host side needs
//! no build step: its bindings come from `wit_interface!`.

fn main() {
    let wasm = tairitsu_build::Guest::new("../guests/notes")
        .watch("../../wit/notes")
        .build()
        .unwrap_or_else(|e| {
            eprintln!("error: {e}");
            std::process::exit(1);
        });
    println!("cargo:rustc-env=NOTES_WASM={}", wasm.display());
}
