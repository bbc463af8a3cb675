//! From WIT text and a core module to component bytes.

use anyhow::{Context, Result};
use wit_component::{ComponentEncoder, StringEncoding};
use wit_parser::{Resolve, WorldId};

/// Builds a component from WIT text and a complete core module written in WAT.
///
/// * `wit` is one WIT package (it may hold several interfaces and worlds);
/// * `world` names the world the component targets (`"root"`, or a full `"test:root/root"`);
/// * `core_wat` is the core module. It follows the conventions wit-component expects: it
///   exports `memory` and `cabi_realloc` (when any function passes strings or lists), interface
///   functions as `pkg:ns/iface@ver#func`, root functions by their plain name, optional
///   post-return functions as `cabi_post_<export>`; it imports interface functions from module
///   `pkg:ns/iface@ver` and root functions from module `$root`. Values follow the canonical ABI.
///
/// The component is validated before it is returned.
///
/// # Errors
///
/// Fails when the WIT does not parse, the world does not exist, the WAT does not parse, or the
/// module does not match the world (a missing export, a wrong signature, an unknown import…).
///
/// # Example
///
/// ```
/// let wit = "package test:one; world one { export one: func() -> u32; }";
/// let wat = r#"(module (func (export "one") (result i32) i32.const 1))"#;
/// let component = tairitsu_fixtures::build(wit, "one", wat)?;
/// assert_eq!(&component[..4], b"\0asm");
/// # Ok::<(), anyhow::Error>(())
/// ```
pub fn build(wit: &str, world: &str, core_wat: &str) -> Result<Vec<u8>> {
    let (resolve, world) = load(wit, world)?;
    encode(&resolve, world, core_wat)
}

/// Parses one WIT package and selects `world` in it.
pub(crate) fn load(wit: &str, world: &str) -> Result<(Resolve, WorldId)> {
    let mut resolve = Resolve::default();
    let package = resolve
        .push_str("fixture.wit", wit)
        .context("failed to parse the WIT")?;
    let world = resolve
        .select_world(&[package], Some(world))
        .with_context(|| format!("no world `{world}` in the WIT"))?;
    Ok((resolve, world))
}

/// Parses `core_wat`, embeds the world's metadata and encodes a validated component.
pub(crate) fn encode(resolve: &Resolve, world: WorldId, core_wat: &str) -> Result<Vec<u8>> {
    let mut module = wat::parse_str(core_wat).context("failed to parse the core module WAT")?;
    wit_component::embed_component_metadata(&mut module, resolve, world, StringEncoding::UTF8)
        .context("failed to embed the component metadata")?;
    ComponentEncoder::default()
        .module(&module)
        .context("the core module does not fit the world")?
        .validate(true)
        .encode()
        .context("failed to encode the component")
}
