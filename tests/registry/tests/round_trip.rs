//! Push and pull against a real registry: the CNCF distribution registry (`docker-registry`)
//! started by each test on 127.0.0.1 with a free port and a temporary storage directory, once
//! without authentication and once with htpasswd basic auth. Components come from
//! `tairitsu-fixtures`, and every pulled one is called.

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use tairitsu_fixtures::{RegistryAuth, TestRegistry};
use tairitsu_runtime::oci::{
    Credentials, DockerConfig, RegistryClient, RegistryError, WASM_CONFIG_MEDIA_TYPE,
    WASM_LAYER_MEDIA_TYPE,
};
use tairitsu_runtime::{
    CacheDir, Container, Engine, EngineConfig, Error, Image, ImageStore, Registry,
};

fn block_on<F: std::future::Future>(future: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime")
        .block_on(future)
}

/// A fresh, empty store with its own artifact cache, on a fresh engine (as a new process).
fn empty_store(dir: &Path) -> ImageStore {
    let engine = Engine::new(EngineConfig::new().cache(CacheDir::Path(dir.join("cache"))))
        .expect("an engine");
    ImageStore::with_registry(dir.join("store"), Arc::new(Registry::with_engine(engine)))
        .expect("a store")
}

fn registry() -> TestRegistry {
    TestRegistry::start()
        .expect("the CNCF distribution registry runs (apt-get install docker-registry)")
}

fn call(image: Image, call: &str) -> String {
    let mut container = Container::builder(image).build().unwrap();
    container.call_ron(call).unwrap()
}

/// Files in the store directory that are not the store's own: temporary leftovers.
fn leftovers(store: &ImageStore) -> Vec<String> {
    std::fs::read_dir(store.dir())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.starts_with(".tmp-"))
        .collect()
}

fn registry_error(error: Error) -> RegistryError {
    match error {
        Error::Registry(e) => e,
        other => panic!("not a registry error: {other:?}"),
    }
}

#[test]
fn push_pull_call_and_pull_by_digest() {
    let registry = registry();
    let tmp = tempfile::tempdir().unwrap();
    let client = RegistryClient::new();
    let root = Image::from_bytes(tairitsu_fixtures::root()).unwrap();
    let reference = format!("{}/fixtures/root:1.0", registry.host());

    let pushed = block_on(client.push(&root, &reference)).unwrap();
    assert_eq!(pushed.layer_digest, root.digest());
    assert_eq!(pushed.layer_size, root.size());
    assert!(!pushed.layer_existed);
    assert!(pushed.manifest_digest.starts_with("sha256:"));

    // Into an empty store, then called.
    let store = empty_store(&tmp.path().join("a"));
    let stored = block_on(store.pull(&reference, &client)).unwrap();
    assert_eq!(
        stored.digest,
        root.digest(),
        "the layer's digest is the image's"
    );
    assert_eq!(stored.references, std::slice::from_ref(&reference));
    assert_eq!(stored.repo_digests, [pushed.repo_digest()]);
    assert_eq!(
        std::fs::read(&stored.path).unwrap(),
        tairitsu_fixtures::root()
    );
    assert_eq!(call(store.image(&reference).unwrap(), "add(40, 2)"), "42");
    assert!(leftovers(&store).is_empty());

    // By manifest digest, into another empty store: no tag, the registry digest as its name.
    let store = empty_store(&tmp.path().join("b"));
    let by_digest = pushed.repo_digest();
    let stored = block_on(store.pull(&by_digest, &client)).unwrap();
    assert_eq!(stored.digest, root.digest());
    assert!(stored.references.is_empty());
    assert_eq!(stored.repo_digests, std::slice::from_ref(&by_digest));
    assert_eq!(store.get(&by_digest).unwrap().digest, root.digest());
    assert_eq!(
        call(store.image(&by_digest).unwrap(), "greet(\"OCI\")"),
        "\"Hello, OCI!\""
    );

    // A second push of the same component finds the layer there.
    let again = block_on(client.push(&root, &reference)).unwrap();
    assert!(again.layer_existed);

    // Registry::pull: into the store, then into this registry, by tag.
    let host = Registry::new().unwrap();
    let store = empty_store(&tmp.path().join("c"));
    let image = block_on(host.pull(&store, &reference, &client)).unwrap();
    assert_eq!(image.digest(), root.digest());
    assert_eq!(call(host.image(&reference).unwrap(), "add(1, 2)"), "3");
    assert_eq!(store.list().unwrap().len(), 1);
}

#[test]
fn two_tags_of_one_digest_are_one_image() {
    let registry = registry();
    let tmp = tempfile::tempdir().unwrap();
    let client = RegistryClient::new();
    let calc = Image::from_bytes(tairitsu_fixtures::calc()).unwrap();
    let one = format!("{}/calc:1.0", registry.host());
    let stable = format!("{}/calc:stable", registry.host());
    let first = block_on(client.push(&calc, &one)).unwrap();
    let second = block_on(client.push(&calc, &stable)).unwrap();
    assert_eq!(first.layer_digest, second.layer_digest);

    let store = empty_store(tmp.path());
    block_on(store.pull(&one, &client)).unwrap();
    block_on(store.pull(&stable, &client)).unwrap();
    let rows = store.list().unwrap();
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(rows[0].references, [one.clone(), stable.clone()]);
    assert_eq!(
        call(store.image(&stable).unwrap(), "test:calc/api.mul(6, 7)"),
        "42"
    );
}

#[test]
fn a_tampered_layer_or_manifest_is_refused_and_nothing_is_stored() {
    let registry = registry();
    let tmp = tempfile::tempdir().unwrap();
    let client = RegistryClient::new();
    let root = Image::from_bytes(tairitsu_fixtures::root()).unwrap();
    let reference = format!("{}/root:1.0", registry.host());
    let pushed = block_on(client.push(&root, &reference)).unwrap();

    // Change one byte of the layer in the registry's storage (same size, so only the digest
    // tells).
    let blob = registry.blob_file(&pushed.layer_digest);
    let mut bytes = std::fs::read(&blob).unwrap();
    let last = bytes.len() - 1;
    bytes[last] ^= 0xff;
    std::fs::write(&blob, &bytes).unwrap();

    let store = empty_store(tmp.path());
    let err = registry_error(block_on(store.pull(&reference, &client)).unwrap_err());
    assert!(
        matches!(
            err,
            RegistryError::DigestMismatch {
                what: "component layer",
                ..
            }
        ),
        "{err:?}"
    );
    assert!(err.to_string().contains(&pushed.layer_digest), "{err}");
    assert!(store.list().unwrap().is_empty());
    assert!(leftovers(&store).is_empty());

    // The manifest, pulled by its digest: the registry answers with the changed bytes under
    // the old digest.
    let manifest = registry.blob_file(&pushed.manifest_digest);
    let text = std::fs::read_to_string(&manifest).unwrap();
    std::fs::write(&manifest, text.replace("\"size\"", "\"size\" ")).unwrap();
    let err = registry_error(block_on(store.pull(&pushed.repo_digest(), &client)).unwrap_err());
    assert!(
        matches!(
            err,
            RegistryError::DigestMismatch {
                what: "manifest",
                ..
            }
        ),
        "{err:?}"
    );
    assert!(store.list().unwrap().is_empty());
}

#[test]
fn basic_auth_anonymous_wrong_and_right_credentials() {
    let registry = TestRegistry::start_with(RegistryAuth::Basic {
        username: "ada".into(),
        password: "s3cret".into(),
    })
    .expect("the registry runs with htpasswd auth (apt-get install docker-registry apache2-utils)");
    let tmp = tempfile::tempdir().unwrap();
    let root = Image::from_bytes(tairitsu_fixtures::root()).unwrap();
    let reference = format!("{}/private/root:1.0", registry.host());

    let anonymous = RegistryClient::new();
    let err = registry_error(block_on(anonymous.push(&root, &reference)).unwrap_err());
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

    let wrong = RegistryClient::new().credentials(Credentials::basic("ada", "wrong"));
    let err = registry_error(block_on(wrong.push(&root, &reference)).unwrap_err());
    assert!(
        matches!(
            err,
            RegistryError::Unauthorized {
                with_credentials: true,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(err.to_string().contains("not accepted"), "{err}");

    let right = RegistryClient::new().credentials(Credentials::basic("ada", "s3cret"));
    block_on(right.push(&root, &reference)).unwrap();

    let store = empty_store(tmp.path());
    let err = registry_error(block_on(store.pull(&reference, &anonymous)).unwrap_err());
    assert!(err.is_unauthorized(), "{err:?}");
    let err = registry_error(block_on(store.pull(&reference, &wrong)).unwrap_err());
    assert!(err.is_unauthorized(), "{err:?}");
    assert!(store.list().unwrap().is_empty());

    // The credentials of a Docker configuration's `auths`.
    let config = tmp.path().join("config.json");
    std::fs::write(
        &config,
        format!(
            r#"{{"auths": {{"{}": {{"auth": "YWRhOnMzY3JldA=="}}}}}}"#,
            registry.host()
        ),
    )
    .unwrap();
    let docker = RegistryClient::new().docker_config(DockerConfig::read(&config).unwrap());
    let stored = block_on(store.pull(&reference, &docker)).unwrap();
    assert_eq!(stored.digest, root.digest());
    assert_eq!(
        call(store.image(&reference).unwrap(), "version()"),
        "\"1.0.0\""
    );
}

#[test]
fn a_registry_stopped_mid_way_is_a_clear_error_and_leaves_the_store_unchanged() {
    let registry = registry();
    let tmp = tempfile::tempdir().unwrap();
    // Larger than what the loopback socket buffers hold, so the kill lands mid-transfer.
    let size = 40 << 20;
    let large = Image::from_bytes(tairitsu_fixtures::large(size)).unwrap();
    let reference = format!("{}/large:1.0", registry.host());
    block_on(RegistryClient::new().push(&large, &reference)).unwrap();

    let store = empty_store(tmp.path());
    store.load("kept:1.0", &tairitsu_fixtures::root()).unwrap();
    let before = store.list().unwrap();
    let refs_before = std::fs::read(store.dir().join("refs")).unwrap();

    let stop = registry.stopper();
    let stopped = Arc::new(AtomicBool::new(false));
    let seen = stopped.clone();
    let client = RegistryClient::new().on_progress(move |progress| {
        if progress.done > 0 && !seen.swap(true, Ordering::SeqCst) {
            stop();
        }
    });
    let err = registry_error(block_on(store.pull(&reference, &client)).unwrap_err());
    assert!(stopped.load(Ordering::SeqCst), "the download started");
    assert!(
        matches!(
            err,
            RegistryError::Interrupted { .. } | RegistryError::Unreachable { .. }
        ),
        "{err:?}"
    );
    assert_eq!(store.list().unwrap(), before);
    assert_eq!(
        std::fs::read(store.dir().join("refs")).unwrap(),
        refs_before
    );
    assert!(leftovers(&store).is_empty());
    assert_eq!(call(store.image("kept:1.0").unwrap(), "add(2, 2)"), "4");

    // And with the registry gone entirely.
    let err = registry_error(block_on(store.pull(&reference, &RegistryClient::new())).unwrap_err());
    assert!(matches!(err, RegistryError::Unreachable { .. }), "{err:?}");
    assert!(err.to_string().contains(&registry.host()), "{err}");
}

#[test]
fn a_missing_image_names_the_repository_and_tag() {
    let registry = registry();
    let tmp = tempfile::tempdir().unwrap();
    let store = empty_store(tmp.path());
    let err = registry_error(
        block_on(store.pull(
            &format!("{}/nothing:2.0", registry.host()),
            &RegistryClient::new(),
        ))
        .unwrap_err(),
    );
    assert!(matches!(err, RegistryError::NotFound { .. }), "{err:?}");
    let text = err.to_string();
    assert!(
        text.contains("nothing:2.0") && text.contains(&registry.host()),
        "{text}"
    );
}

/// The artifact of the spec's example manifest, written with plain HTTP requests (not with
/// Tairitsu's push): config, layer, manifest.
#[test]
fn an_artifact_written_by_hand_from_the_spec_example_is_pulled_and_called() {
    let registry = registry();
    let tmp = tempfile::tempdir().unwrap();
    let component = tairitsu_fixtures::root();
    let layer = registry.upload_blob("spec/root", &component).unwrap();
    let config = format!(
        r#"{{
  "created": "2024-01-10T14:26:00Z",
  "author": "Wasm Working Group",
  "architecture": "wasm",
  "os": "wasip2",
  "layerDigests": ["{layer}"],
  "component": {{
    "exports": ["add", "greet", "sum", "version", "count"],
    "imports": []
  }}
}}"#
    );
    let config_digest = registry
        .upload_blob("spec/root", config.as_bytes())
        .unwrap();
    let manifest = format!(
        r#"{{
  "schemaVersion": 2,
  "mediaType": "application/vnd.oci.image.manifest.v1+json",
  "config": {{
    "mediaType": "{WASM_CONFIG_MEDIA_TYPE}",
    "digest": "{config_digest}",
    "size": {config_size}
  }},
  "layers": [
    {{
      "mediaType": "{WASM_LAYER_MEDIA_TYPE}",
      "digest": "{layer}",
      "size": {layer_size}
    }}
  ],
  "annotations": {{
    "org.opencontainers.image.created": "2024-01-10T14:26:00Z"
  }}
}}"#,
        config_size = config.len(),
        layer_size = component.len(),
    );
    let manifest_digest = registry
        .put_manifest(
            "spec/root",
            "0.1.0",
            "application/vnd.oci.image.manifest.v1+json",
            manifest.as_bytes(),
        )
        .unwrap();

    let store = empty_store(tmp.path());
    let reference = format!("{}/spec/root:0.1.0", registry.host());
    let stored = block_on(store.pull(&reference, &RegistryClient::new())).unwrap();
    assert_eq!(stored.digest, layer);
    assert_eq!(
        stored.repo_digests,
        [format!("{}/spec/root@{manifest_digest}", registry.host())]
    );
    assert_eq!(
        call(store.image(&reference).unwrap(), "sum([1, 2, 3])"),
        "6"
    );
}

#[test]
fn a_container_image_is_refused_as_not_a_wasm_component() {
    let registry = registry();
    let tmp = tempfile::tempdir().unwrap();
    // A Docker image's shape: an image config and a gzipped tar layer.
    let layer = registry
        .upload_blob(
            "busybox",
            b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03\x03\x00\x00\x00\x00\x00\x00\x00\x00\x00",
        )
        .unwrap();
    let config =
        br#"{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}"#;
    let config_digest = registry.upload_blob("busybox", config).unwrap();
    let manifest = format!(
        r#"{{"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.v2+json","config":{{"mediaType":"application/vnd.docker.container.image.v1+json","digest":"{config_digest}","size":{}}},"layers":[{{"mediaType":"application/vnd.docker.image.rootfs.diff.tar.gzip","digest":"{layer}","size":20}}]}}"#,
        config.len()
    );
    registry
        .put_manifest(
            "busybox",
            "latest",
            "application/vnd.docker.distribution.manifest.v2+json",
            manifest.as_bytes(),
        )
        .unwrap();
    let store = empty_store(tmp.path());
    let err = registry_error(
        block_on(store.pull(
            &format!("{}/busybox", registry.host()),
            &RegistryClient::new(),
        ))
        .unwrap_err(),
    );
    assert!(
        matches!(err, RegistryError::NotAWasmArtifact { .. }),
        "{err:?}"
    );
    assert!(err.to_string().contains("container image"), "{err}");
    assert!(store.list().unwrap().is_empty());
}

/// A second OCI implementation reads what Tairitsu pushed, with the right media types.
#[test]
fn skopeo_reads_the_pushed_artifact() {
    let registry = registry();
    let calc = Image::from_bytes(tairitsu_fixtures::calc()).unwrap();
    let reference = format!("{}/calc:1.0", registry.host());
    let pushed = block_on(RegistryClient::new().push(&calc, &reference)).unwrap();

    let skopeo = |args: &[&str]| {
        let out = std::process::Command::new("skopeo")
            .args(args)
            .output()
            .expect("skopeo runs (apt-get install skopeo)");
        assert!(
            out.status.success(),
            "skopeo {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        out.stdout
    };
    let target = format!("docker://{reference}");
    let raw = skopeo(&["inspect", "--raw", "--tls-verify=false", &target]);
    assert_eq!(
        format!(
            "sha256:{}",
            hex::encode(<sha2::Sha256 as sha2::Digest>::digest(&raw))
        ),
        pushed.manifest_digest,
        "skopeo sees the manifest Tairitsu reported"
    );
    let manifest: serde_json::Value = serde_json::from_slice(&raw).unwrap();
    assert_eq!(manifest["schemaVersion"], 2);
    assert_eq!(
        manifest["mediaType"],
        "application/vnd.oci.image.manifest.v1+json"
    );
    assert_eq!(manifest["config"]["mediaType"], WASM_CONFIG_MEDIA_TYPE);
    assert_eq!(manifest["layers"].as_array().unwrap().len(), 1);
    assert_eq!(manifest["layers"][0]["mediaType"], WASM_LAYER_MEDIA_TYPE);
    assert_eq!(manifest["layers"][0]["digest"], calc.digest());
    assert_eq!(manifest["layers"][0]["size"], calc.size());
    let created = manifest["annotations"]["org.opencontainers.image.created"]
        .as_str()
        .unwrap();
    assert!(created.ends_with('Z') && created.len() == 20, "{created}");

    // The config, fetched by skopeo through its own client.
    let config = skopeo(&[
        "inspect",
        "--config",
        "--raw",
        "--tls-verify=false",
        &target,
    ]);
    let config: serde_json::Value = serde_json::from_slice(&config).unwrap();
    assert_eq!(config["architecture"], "wasm");
    assert_eq!(config["os"], "wasip2");
    assert_eq!(config["created"], created);
    assert_eq!(config["layerDigests"][0], calc.digest());
    assert_eq!(
        config["component"]["exports"],
        serde_json::json!(["version", "test:calc/api@0.1.0", "test:calc/extra@0.1.0"])
    );
}
