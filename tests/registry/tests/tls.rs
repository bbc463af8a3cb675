//! A registry that only serves HTTPS, with a self-signed certificate made by the test
//! (`tairitsu_fixtures::TestRegistry::start_tls`), on 127.0.0.1; the client is told to use TLS
//! for it (`RegistryClient::tls_on_loopback`), since a registry on this machine is otherwise
//! reached over plain HTTP. Untrusted, the pull is a TLS error and stores nothing; with the
//! certificate added as a root, the same pull works.

use std::path::Path;
use std::sync::Arc;

use tairitsu_fixtures::{RegistryAuth, TestRegistry};
use tairitsu_runtime::oci::{RegistryClient, RegistryError, RemoteRef};
use tairitsu_runtime::{CacheDir, Container, Engine, EngineConfig, Image, ImageStore, Registry};

#[path = "support/outcome.rs"]
mod outcome;
use outcome::{leftovers, registry_error};

fn block_on<F: std::future::Future>(future: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime")
        .block_on(future)
}

fn empty_store(dir: &Path) -> ImageStore {
    let engine = Engine::new(EngineConfig::new().cache(CacheDir::Path(dir.join("cache"))))
        .expect("an engine");
    ImageStore::with_registry(dir.join("store"), Arc::new(Registry::with_engine(engine)))
        .expect("a store")
}

#[test]
fn an_untrusted_certificate_is_a_tls_error_and_a_trusted_one_works() {
    let registry = TestRegistry::start_tls(RegistryAuth::Anonymous)
        .expect("the registry runs over TLS (apt-get install docker-registry openssl)");
    let tmp = tempfile::tempdir().unwrap();
    let pem = std::fs::read(registry.tls_certificate().unwrap()).unwrap();
    let root = Image::from_bytes(tairitsu_fixtures::root()).unwrap();
    let reference = format!("{}/secure/root:1.0", registry.host());

    let untrusted = RegistryClient::new().tls_on_loopback(true);
    assert!(!untrusted.uses_plain_http(&RemoteRef::parse(&reference).unwrap()));
    let store = empty_store(tmp.path());
    let err = registry_error(block_on(store.pull(&reference, &untrusted)).unwrap_err());
    assert!(matches!(err, RegistryError::Tls { .. }), "{err:?}");
    assert!(
        err.to_string().starts_with("TLS with the registry"),
        "{err}"
    );
    assert!(err.to_string().contains(&registry.host()), "{err}");
    let err = registry_error(block_on(untrusted.push(&root, &reference)).unwrap_err());
    assert!(matches!(err, RegistryError::Tls { .. }), "{err:?}");
    assert!(store.list().unwrap().is_empty());
    assert!(leftovers(&store).is_empty(), "{:?}", leftovers(&store));

    // The registry's certificate as a root: push, pull into the same (empty) store, call.
    let trusted = RegistryClient::new()
        .tls_on_loopback(true)
        .root_certificate(pem);
    let pushed = block_on(trusted.push(&root, &reference)).unwrap();
    let stored = block_on(store.pull(&reference, &trusted)).unwrap();
    assert_eq!(stored.digest, root.digest());
    assert_eq!(stored.repo_digests, vec![pushed.repo_digest()]);
    let mut container = Container::builder(store.image(&reference).unwrap())
        .build()
        .unwrap();
    assert_eq!(container.call_ron("add(40, 2)").unwrap(), "42");

    // Now that the registry holds the image, an untrusted pull still gets nothing of it.
    let other = empty_store(&tmp.path().join("b"));
    let err = registry_error(block_on(other.pull(&reference, &untrusted)).unwrap_err());
    assert!(matches!(err, RegistryError::Tls { .. }), "{err:?}");
    assert!(other.list().unwrap().is_empty());

    // A root certificate that is not PEM is a TLS error too, before anything is sent.
    let broken = RegistryClient::new()
        .tls_on_loopback(true)
        .root_certificate(b"not a certificate".to_vec());
    let err = registry_error(block_on(other.pull(&reference, &broken)).unwrap_err());
    assert!(matches!(err, RegistryError::Tls { .. }), "{err:?}");

    // Plain HTTP to a server that only speaks HTTPS is an answer the spec does not allow.
    let plain = RegistryClient::new();
    let err = registry_error(block_on(other.pull(&reference, &plain)).unwrap_err());
    assert!(matches!(err, RegistryError::Protocol { .. }), "{err:?}");
    assert!(other.list().unwrap().is_empty());
}
