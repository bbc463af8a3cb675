//! Generates the host bindings of `wit/ecosystem` (the host every plugin is checked by), and
//! builds the Rust plugin and the Rust proxy. The Python and JavaScript components are built by
//! `build-components.sh` (their toolchains come from PyPI and npm), not here.

fn main() {
    tairitsu_build::Builder::new()
        .wit_dir("../../wit/ecosystem")
        .world("plugin-world")
        .compile_or_exit();
    let exit = |e: tairitsu_build::GuestError| -> std::path::PathBuf {
        eprintln!("error: {e}");
        std::process::exit(1)
    };
    let plugin = tairitsu_build::Guest::new("plugins/rust")
        .target_dir(
            std::path::Path::new(&std::env::var("CARGO_MANIFEST_DIR").unwrap_or_default())
                .join("../../target/ecosystem/rust-target"),
        )
        .watch("../../wit/ecosystem")
        .build()
        .unwrap_or_else(exit);
    println!("cargo:rustc-env=RUST_PLUGIN_WASM={}", plugin.display());
    let proxy = tairitsu_build::Guest::new("../../examples/guests/http-proxy")
        .build()
        .unwrap_or_else(exit);
    println!("cargo:rustc-env=RUST_PROXY_WASM={}", proxy.display());
}
