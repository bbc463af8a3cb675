//! The Wasm OCI artifact (CNCF TAG Runtime "Wasm OCI Artifact layout", as `wkg`, `wash` and
//! Spin write it): a manifest whose config is `application/vnd.wasm.config.v0+json`, with one
//! `application/wasm` layer holding the component.

use std::collections::BTreeMap;

use oci_client::manifest::{OciDescriptor, OciImageManifest};
use serde::{Deserialize, Serialize};

use crate::Image;

/// The media type of the artifact's config.
pub const WASM_CONFIG_MEDIA_TYPE: &str = "application/vnd.wasm.config.v0+json";
/// The media type of the layer holding the component.
pub const WASM_LAYER_MEDIA_TYPE: &str = "application/wasm";
/// The layer media type of the older `wasm-to-oci` layout, still accepted when pulling.
pub const LEGACY_WASM_LAYER_MEDIA_TYPE: &str = "application/vnd.wasm.content.layer.v1+wasm";
/// The media type of the manifest Tairitsu pushes.
pub const OCI_MANIFEST_MEDIA_TYPE: &str = "application/vnd.oci.image.manifest.v1+json";
/// The annotation holding the creation time (RFC 3339).
pub const CREATED_ANNOTATION: &str = "org.opencontainers.image.created";

/// The manifest media types a pull accepts (an index or a Docker image is accepted only to be
/// refused with a clear error).
pub(crate) const ACCEPTED_MANIFESTS: &[&str] = &[
    OCI_MANIFEST_MEDIA_TYPE,
    "application/vnd.oci.image.index.v1+json",
    "application/vnd.docker.distribution.manifest.v2+json",
    "application/vnd.docker.distribution.manifest.list.v2+json",
];

/// The config of a Wasm artifact (`application/vnd.wasm.config.v0+json`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WasmConfig {
    /// When the artifact was made, RFC 3339.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created: Option<String>,
    /// Who made it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub author: Option<String>,
    /// Always `wasm`.
    pub architecture: String,
    /// `wasip2` for a component, `wasip1` for a core module.
    pub os: String,
    /// The digests of the layers, in order.
    pub layer_digests: Vec<String>,
    /// What the component imports and exports.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub component: Option<ComponentSummary>,
}

/// The WIT world summary of a component: the interfaces (and world functions) it imports and
/// exports, qualified (`wasi:io/streams@0.2.0`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ComponentSummary {
    /// Exported interfaces and functions.
    #[serde(default)]
    pub exports: Vec<String>,
    /// Imported interfaces and functions.
    #[serde(default)]
    pub imports: Vec<String>,
    /// The world it targets, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
}

impl WasmConfig {
    /// The config of `image`, made at `created`: its layer and its world's imports and exports
    /// (interfaces by qualified name, world functions by name, each once, in the world's order).
    pub fn for_image(image: &Image, created: &str) -> WasmConfig {
        let world = image.world();
        let names = |functions: &[crate::FunctionSignature]| {
            let mut names: Vec<String> = Vec::new();
            for f in functions {
                let name = match &f.interface {
                    Some(interface) => interface.to_string(),
                    None => f.name.to_string(),
                };
                if !names.contains(&name) {
                    names.push(name);
                }
            }
            names
        };
        WasmConfig {
            created: Some(created.to_string()),
            author: None,
            architecture: "wasm".into(),
            os: "wasip2".into(),
            layer_digests: vec![image.digest()],
            component: Some(ComponentSummary {
                exports: names(&world.exports),
                imports: names(&world.imports),
                target: None,
            }),
        }
    }
}

/// The manifest of an artifact with this config and one component layer.
pub(crate) fn manifest(
    config: &[u8],
    layer_digest: &str,
    layer_size: usize,
    created: &str,
) -> OciImageManifest {
    let descriptor = |media_type: &str, digest: String, size: usize| OciDescriptor {
        media_type: media_type.to_string(),
        digest,
        size: i64::try_from(size).unwrap_or(i64::MAX),
        urls: None,
        annotations: None,
        artifact_type: None,
    };
    OciImageManifest {
        schema_version: 2,
        media_type: Some(OCI_MANIFEST_MEDIA_TYPE.to_string()),
        config: descriptor(WASM_CONFIG_MEDIA_TYPE, sha256(config), config.len()),
        layers: vec![descriptor(
            WASM_LAYER_MEDIA_TYPE,
            layer_digest.to_string(),
            layer_size,
        )],
        subject: None,
        artifact_type: None,
        annotations: Some(BTreeMap::from([(
            CREATED_ANNOTATION.to_string(),
            created.to_string(),
        )])),
    }
}

/// `sha256:` and the hex sha256 of `bytes`.
pub(crate) fn sha256(bytes: &[u8]) -> String {
    use sha2::Digest;
    format!("sha256:{}", hex::encode(sha2::Sha256::digest(bytes)))
}

/// The component layer of a pulled manifest, or what the manifest is instead.
pub(crate) fn component_layer(body: &[u8]) -> Result<OciDescriptor, String> {
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Kind {
        media_type: Option<String>,
        manifests: Option<serde_json::Value>,
    }
    let kind: Kind =
        serde_json::from_slice(body).map_err(|e| format!("its manifest is not JSON: {e}"))?;
    if kind.manifests.is_some()
        || kind
            .media_type
            .as_deref()
            .is_some_and(|m| m.contains("index") || m.contains("list"))
    {
        return Err(
            "it is an image index (a multi-platform container image), not a Wasm artifact".into(),
        );
    }
    let manifest: OciImageManifest = serde_json::from_slice(body)
        .map_err(|e| format!("its manifest is not an OCI image manifest: {e}"))?;
    let config = manifest.config.media_type.as_str();
    let wasm: Vec<&OciDescriptor> = manifest
        .layers
        .iter()
        .filter(|l| {
            l.media_type == WASM_LAYER_MEDIA_TYPE || l.media_type == LEGACY_WASM_LAYER_MEDIA_TYPE
        })
        .collect();
    match wasm.as_slice() {
        [one] if manifest.layers.len() == 1 => Ok((*one).clone()),
        [] => {
            let layers: Vec<&str> = manifest
                .layers
                .iter()
                .map(|l| l.media_type.as_str())
                .collect();
            let what = if config.contains("docker.container.image")
                || config == "application/vnd.oci.image.config.v1+json"
            {
                "it is a container image (a Docker or OCI image with a file system), not a Wasm \
                 component"
            } else {
                "it has no `application/wasm` layer"
            };
            Err(format!(
                "{what}: config `{config}`, layers [{}]",
                layers.join(", ")
            ))
        }
        _ => Err(format!(
            "it has {} layers, {} of them Wasm; a Wasm component artifact has one layer",
            manifest.layers.len(),
            wasm.len()
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_config_summarises_the_world() {
        let image = Image::from_bytes(tairitsu_fixtures::calc()).unwrap();
        let config = WasmConfig::for_image(&image, "2026-01-02T03:04:05Z");
        let json: serde_json::Value = serde_json::to_value(&config).unwrap();
        assert_eq!(json["architecture"], "wasm");
        assert_eq!(json["os"], "wasip2");
        assert_eq!(json["created"], "2026-01-02T03:04:05Z");
        assert_eq!(json["layerDigests"][0], image.digest());
        let exports: Vec<&str> = json["component"]["exports"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap())
            .collect();
        assert_eq!(
            exports,
            ["version", "test:calc/api@0.1.0", "test:calc/extra@0.1.0"]
        );
        let host = Image::from_bytes(tairitsu_fixtures::host_import()).unwrap();
        let config = WasmConfig::for_image(&host, "2026-01-02T03:04:05Z");
        let imports = config.component.unwrap().imports;
        assert!(
            imports.iter().any(|i| i.starts_with("test:host/math")),
            "{imports:?}"
        );
    }

    #[test]
    fn only_a_one_layer_wasm_manifest_is_a_component() {
        let layer = |media: &str| {
            format!(
                r#"{{"mediaType": "{media}", "digest": "sha256:{}", "size": 3}}"#,
                "a".repeat(64)
            )
        };
        let manifest = |config: &str, layers: &[String]| {
            format!(
                r#"{{"schemaVersion": 2, "config": {{"mediaType": "{config}", "digest": "sha256:{}", "size": 2}}, "layers": [{}]}}"#,
                "b".repeat(64),
                layers.join(",")
            )
        };
        let ok = manifest(WASM_CONFIG_MEDIA_TYPE, &[layer(WASM_LAYER_MEDIA_TYPE)]);
        assert_eq!(component_layer(ok.as_bytes()).unwrap().size, 3);
        let docker = manifest(
            "application/vnd.docker.container.image.v1+json",
            &[layer("application/vnd.docker.image.rootfs.diff.tar.gzip")],
        );
        let err = component_layer(docker.as_bytes()).unwrap_err();
        assert!(err.contains("container image"), "{err}");
        let two = manifest(
            WASM_CONFIG_MEDIA_TYPE,
            &[layer(WASM_LAYER_MEDIA_TYPE), layer(WASM_LAYER_MEDIA_TYPE)],
        );
        assert!(
            component_layer(two.as_bytes())
                .unwrap_err()
                .contains("one layer")
        );
        let index = r#"{"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json", "manifests": []}"#;
        assert!(
            component_layer(index.as_bytes())
                .unwrap_err()
                .contains("index")
        );
        assert!(component_layer(b"<html>").unwrap_err().contains("not JSON"));
    }
}
