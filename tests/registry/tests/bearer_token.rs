//! A registry that hands out bearer tokens: the CNCF distribution registry in its `auth: token`
//! mode, with a token server of the test's own (`tairitsu_fixtures::TestRegistry` with
//! `RegistryAuth::Token`) that checks Basic credentials and signs ES256 JWTs with the key of the
//! certificate in the registry's `rootcertbundle`. The registry verifies every token's
//! signature, issuer, audience, expiry and `access` claims; nothing here is mocked.

use std::path::Path;
use std::sync::Arc;

use tairitsu_fixtures::{RegistryAuth, TestRegistry, TokenRequest};
use tairitsu_runtime::oci::{Credentials, RegistryClient, RegistryError};
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

fn token_registry() -> TestRegistry {
    TestRegistry::start_with(RegistryAuth::Token {
        username: "ada".into(),
        password: "s3cret".into(),
    })
    .expect("the registry runs with token auth (apt-get install docker-registry openssl)")
}

fn granted(requests: &[TokenRequest], scope: &str) -> bool {
    requests.iter().any(|r| {
        r.status == 200 && r.user.as_deref() == Some("ada") && r.scopes.iter().any(|s| s == scope)
    })
}

#[test]
fn push_pull_and_call_through_the_token_flow() {
    let registry = token_registry();
    let tmp = tempfile::tempdir().unwrap();
    let root = Image::from_bytes(tairitsu_fixtures::root()).unwrap();
    let reference = format!("{}/team/root:1.0", registry.host());
    let client = RegistryClient::new().credentials(Credentials::basic("ada", "s3cret"));

    let pushed = block_on(client.push(&root, &reference)).unwrap();
    assert_eq!(pushed.layer_digest, root.digest());
    assert!(
        granted(&registry.token_requests(), "repository:team/root:pull,push"),
        "{:?}",
        registry.token_requests()
    );

    // The registry itself wants a token: without one, the manifest is refused with the
    // challenge that sends clients to the token server.
    let bare = registry
        .request("GET", "/v2/team/root/manifests/1.0", &[], &[])
        .unwrap();
    assert_eq!(bare.status, 401, "{}", bare.text());
    let challenge = bare.header("www-authenticate").unwrap_or_default();
    assert!(
        challenge.starts_with("Bearer realm=\"http://127.0.0.1:"),
        "{challenge}"
    );
    assert!(
        challenge.contains("service=\"tairitsu-test-registry\""),
        "{challenge}"
    );

    let store = empty_store(tmp.path());
    let stored = block_on(store.pull(&reference, &client)).unwrap();
    assert_eq!(stored.digest, root.digest());
    assert_eq!(stored.repo_digests, vec![pushed.repo_digest()]);
    assert!(granted(
        &registry.token_requests(),
        "repository:team/root:pull"
    ));
    let mut container = Container::builder(store.image(&reference).unwrap())
        .build()
        .unwrap();
    assert_eq!(container.call_ron("add(40, 2)").unwrap(), "42");

    // By digest too, into another store, through `Registry::pull`.
    let other = empty_store(&tmp.path().join("b"));
    let image = block_on(
        other
            .registry()
            .pull(&other, &pushed.repo_digest(), &client),
    )
    .unwrap();
    let mut container = Container::builder(image).build().unwrap();
    assert_eq!(
        container.call_ron(r#"greet(name: "token")"#).unwrap(),
        r#""Hello, token!""#
    );
}

#[test]
fn wrong_or_no_credentials_are_unauthorized_and_store_nothing() {
    let registry = token_registry();
    let tmp = tempfile::tempdir().unwrap();
    let root = Image::from_bytes(tairitsu_fixtures::root()).unwrap();
    let reference = format!("{}/team/root:1.0", registry.host());
    let right = RegistryClient::new().credentials(Credentials::basic("ada", "s3cret"));
    block_on(right.push(&root, &reference)).unwrap();

    let wrong = RegistryClient::new().credentials(Credentials::basic("ada", "wrong"));
    let store = empty_store(tmp.path());
    let err = registry_error(block_on(store.pull(&reference, &wrong)).unwrap_err());
    assert!(
        matches!(
            err,
            RegistryError::Unauthorized {
                status: 401,
                with_credentials: true,
                operation: "pulling",
                ..
            }
        ),
        "{err:?}"
    );
    assert!(err.to_string().contains("not accepted"), "{err}");
    // The token server was asked, with the credentials, and refused them.
    assert!(
        registry
            .token_requests()
            .iter()
            .any(|r| r.with_credentials && r.status == 401 && r.user.is_none()),
        "{:?}",
        registry.token_requests()
    );
    assert!(store.list().unwrap().is_empty());
    assert!(leftovers(&store).is_empty(), "{:?}", leftovers(&store));

    let err = registry_error(
        block_on(wrong.push(&root, &format!("{}/team/other:1.0", registry.host()))).unwrap_err(),
    );
    assert!(
        matches!(
            err,
            RegistryError::Unauthorized {
                with_credentials: true,
                operation: "pushing to",
                ..
            }
        ),
        "{err:?}"
    );

    // Anonymous: the token server hands out a token that grants nothing, which the registry
    // refuses.
    let anonymous = RegistryClient::new();
    let err = registry_error(block_on(store.pull(&reference, &anonymous)).unwrap_err());
    assert!(
        matches!(
            err,
            RegistryError::Unauthorized {
                status: 401,
                with_credentials: false,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(err.to_string().contains("none were given"), "{err}");
    assert!(
        registry
            .token_requests()
            .iter()
            .any(|r| !r.with_credentials && r.status == 200),
        "{:?}",
        registry.token_requests()
    );
    let err = registry_error(block_on(anonymous.push(&root, &reference)).unwrap_err());
    assert!(err.is_unauthorized(), "{err:?}");
    assert!(store.list().unwrap().is_empty());
    assert!(leftovers(&store).is_empty());

    // Nothing of the refused push reached the registry's storage.
    let repositories = registry
        .storage()
        .join("docker/registry/v2/repositories/team");
    assert!(repositories.join("root").is_dir());
    assert!(!repositories.join("other").exists());
}

#[test]
fn a_token_server_that_is_down_is_unreachable_not_a_refusal() {
    let mut registry = token_registry();
    let tmp = tempfile::tempdir().unwrap();
    let root = Image::from_bytes(tairitsu_fixtures::root()).unwrap();
    let reference = format!("{}/team/root:1.0", registry.host());
    let client = RegistryClient::new().credentials(Credentials::basic("ada", "s3cret"));
    block_on(client.push(&root, &reference)).unwrap();

    // Each pull and push asks for its own token.
    registry.stop_token_server();
    let store = empty_store(tmp.path());
    let err = registry_error(block_on(store.pull(&reference, &client)).unwrap_err());
    assert!(matches!(err, RegistryError::Unreachable { .. }), "{err:?}");
    let err = registry_error(block_on(client.push(&root, &reference)).unwrap_err());
    assert!(matches!(err, RegistryError::Unreachable { .. }), "{err:?}");
    assert!(store.list().unwrap().is_empty());
    assert!(leftovers(&store).is_empty());
}
