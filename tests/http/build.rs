//! Builds the HTTP guests, `examples/guests/http-client` and `examples/guests/http-proxy`, into
//! components (installing the `wasm32-wasip2` target when it is missing).

fn main() {
    for (package, var) in [
        ("http-client", "HTTP_CLIENT_WASM"),
        ("http-proxy", "HTTP_PROXY_WASM"),
    ] {
        let mut guest = tairitsu_build::Guest::new(format!("../../examples/guests/{package}"));
        if package == "http-client" {
            guest = guest.watch("../../wit/http-client");
        }
        let wasm = guest.build().unwrap_or_else(|e| {
            eprintln!("error: {e}");
            std::process::exit(1);
        });
        println!("cargo:rustc-env={var}={}", wasm.display());
    }
}
