//! Images from and to OCI registries, as Wasm OCI artifacts (the CNCF TAG Runtime layout that
//! `wkg`, `wash` and Spin use): a manifest whose config is `application/vnd.wasm.config.v0+json`
//! and whose one `application/wasm` layer is the component, so that the layer's digest is the
//! image's [`digest`](crate::Image::digest).
//!
//! [`ImageStore::pull`](crate::ImageStore::pull) and [`ImageStore::push`](crate::ImageStore::push)
//! (and [`Registry::pull`](crate::Registry::pull)) do the work, with a [`RegistryClient`] that
//! says how to reach registries. Enabled by the `oci` feature.
//!
//! ```no_run
//! use tairitsu_runtime::ImageStore;
//! use tairitsu_runtime::oci::{DockerConfig, RegistryClient};
//!
//! # async fn run() -> Result<(), tairitsu_runtime::Error> {
//! let store = ImageStore::open(ImageStore::default_dir().expect("a home directory"))?;
//! let client = RegistryClient::new().docker_config(DockerConfig::load_default()?);
//! store.push("calc:1.0", "localhost:5000/calc:1.0", &client).await?;
//! let stored = store.pull("localhost:5000/calc:1.0", &client).await?;
//! let image = store.image(&stored.digest)?;
//! # Ok(())
//! # }
//! ```

mod artifact;
mod auth;
mod client;
mod error;
mod pull;
mod push;
mod reference;

pub use artifact::{
    CREATED_ANNOTATION, ComponentSummary, LEGACY_WASM_LAYER_MEDIA_TYPE, OCI_MANIFEST_MEDIA_TYPE,
    WASM_CONFIG_MEDIA_TYPE, WASM_LAYER_MEDIA_TYPE, WasmConfig,
};
pub use auth::{Credentials, DockerConfig};
pub use client::{Direction, Progress, RegistryClient};
pub use error::{BoxError, RegistryError};
pub use push::Pushed;
pub use reference::{DOCKER_HUB, RemoteRef};
