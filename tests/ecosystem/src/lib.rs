//! The ecosystem suite's host: the bindings `tairitsu-build` generates for `wit/ecosystem`, the
//! host side of its two imports, and where each toolchain's component is. The checks are in
//! `tests/`.

use std::path::PathBuf;

use tairitsu::{Container, HostState, Image};

/// The generated bindings of the `plugin-world` world.
#[allow(missing_docs)]
pub mod bindings {
    ::tairitsu::include_bindings!("plugin-world");
}

use bindings::PluginWorld;
use bindings::tairitsu::ecosystem::host::HostHandler;

/// The Rust plugin (`plugins/rust`), built by this crate's build script.
pub const RUST_PLUGIN_WASM: &str = env!("RUST_PLUGIN_WASM");

/// The Rust `wasi:http/proxy` component (`examples/guests/http-proxy`).
pub const RUST_PROXY_WASM: &str = env!("RUST_PROXY_WASM");

/// A component `build-components.sh` builds (`python-plugin.wasm`, `js-plugin.wasm`,
/// `js-proxy.wasm`), from `$TAIRITSU_ECOSYSTEM_DIR/components` (default
/// `target/ecosystem/components`).
///
/// # Panics
///
/// When it is not there: these tests run from `just ecosystem`, which builds it first.
pub fn built(name: &str) -> PathBuf {
    let dir = std::env::var_os("TAIRITSU_ECOSYSTEM_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/../../target/ecosystem"
            ))
        });
    let path = dir.join("components").join(name);
    assert!(
        path.is_file(),
        "{} is missing: run `just ecosystem` (tests/ecosystem/run.sh), which installs \
         componentize-py and componentize-js and builds it",
        path.display()
    );
    path
}

/// The host's side of the `host` import: settings to look up, and the log lines received.
#[derive(Debug, Default)]
pub struct Host {
    /// What `lookup` answers.
    pub settings: Vec<(String, String)>,
    /// What `log` received.
    pub log: Vec<(u8, String)>,
}

impl HostHandler for Host {
    fn log(&mut self, level: u8, message: String) {
        self.log.push((level, message));
    }

    fn lookup(&mut self, key: String) -> Option<String> {
        self.settings
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, v)| v.clone())
    }
}

/// A container of the plugin at `wasm`, its imports served by a [`Host`] with `settings`, its
/// exports loaded as typed [`PluginWorld`] bindings.
///
/// # Panics
///
/// When the component does not load or start: that is what the tests check.
pub fn plugin(wasm: impl AsRef<std::path::Path>, settings: &[(&str, &str)]) -> Container<Host> {
    let image = Image::from_file(wasm.as_ref())
        .unwrap_or_else(|e| panic!("{}: {e}", wasm.as_ref().display()));
    let host = Host {
        settings: settings
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        log: Vec::new(),
    };
    Container::builder(image)
        .with_host_state(host)
        .with_linker(|linker| PluginWorld::add_to_linker(linker, HostState::data_mut))
        .with_bindings::<PluginWorld>()
        .build()
        .unwrap_or_else(|e| panic!("{}: {e}", wasm.as_ref().display()))
}
