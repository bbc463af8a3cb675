//! A component's surface: what it imports and exports, built once per image and read by
//! everything that asks.
//!
//! The [`Surface`] joins two views of a component. wasmtime's types say what lowers and lifts
//! (and give the export indices calls use); the WIT world embedded in the component, when it
//! decodes, gives the names wasmtime does not keep (`point` rather than `record { x: s32 }`)
//! and the type definitions. Export resolution, the missing-import report, [`HostImports`]
//! linking, discovery ([`Image::exports`](crate::Image::exports), [`Image::world`]) and the
//! RON and WAVE readers and writers all read this one model.
//!
//! [`HostImports`]: crate::dynamic::HostImports
//! [`Image::world`]: crate::Image::world

mod build;
mod exports;
mod imports;
mod provider;
mod world;

pub use exports::Export;
pub use imports::{Import, ImportKind};
pub use provider::Provider;
pub use world::{TypeDef, WorldInfo, decode_world, wit_type_text};

pub(crate) use exports::NameError;
pub(crate) use imports::{link_traps, missing, provided_instance_name};

use std::collections::HashMap;

use wasmtime::component::Component;

/// What a component imports and exports: every function with its wasmtime type, the dynamic
/// path's model of it ([`FuncType`](crate::dynamic::FuncType), with WIT names where the
/// component's WIT has them) and its WIT signature, plus the imported resource types and the
/// named type definitions.
///
/// An [`Image`](crate::Image) builds its surface once, on first use ([`Image::surface`]);
/// cloning the image shares it. [`Surface::new`] and [`Surface::from_component`] build one for
/// a plain wasmtime [`Component`].
///
/// [`Image::surface`]: crate::Image::surface
///
/// # Examples
///
/// ```
/// use tairitsu_runtime::Image;
///
/// let image = Image::from_bytes(tairitsu_fixtures::calc())?;
/// let surface = image.surface();
/// let mul = surface.export("mul")?;
/// assert_eq!(mul.qualified(), "test:calc/api@0.1.0#mul");
/// assert_eq!(mul.signature().to_wit(), "mul: func(a: s32, b: s32) -> s32");
/// assert!(surface.export("add").is_err(), "`add` is in two interfaces");
/// # Ok::<(), tairitsu_runtime::Error>(())
/// ```
pub struct Surface {
    component: Component,
    exports: Vec<Export>,
    /// Every name each export answers to, to its index in `exports`.
    names: HashMap<Box<str>, Vec<usize>, foldhash::fast::RandomState>,
    imports: Vec<Import>,
    world: WorldInfo,
    named: bool,
}

impl Surface {
    /// The surface of `component`, with names from the WIT world embedded in `bytes` (the
    /// component's own bytes); when that does not decode, as [`Surface::from_component`].
    pub fn new(component: &Component, bytes: &[u8]) -> Surface {
        build::build(component, Some(bytes))
    }

    /// The surface of `component` from wasmtime's types alone: records, variants, enums and
    /// flags are anonymous (`record { x: s32 }`), and there are no type definitions.
    pub fn from_component(component: &Component) -> Surface {
        build::build(component, None)
    }

    /// Every exported function, in the component's order.
    pub fn exports(&self) -> &[Export] {
        &self.exports
    }

    /// Every imported function and resource type, in the component's order.
    pub fn imports(&self) -> &[Import] {
        &self.imports
    }

    /// The same as WIT signatures and type definitions.
    pub fn world(&self) -> &WorldInfo {
        &self.world
    }

    /// The component this is the surface of.
    pub fn component(&self) -> &Component {
        &self.component
    }

    /// Whether names came from the component's WIT (else from wasmtime's types alone).
    pub fn has_wit_names(&self) -> bool {
        self.named
    }

    /// The export `name` refers to, by the rules of the dynamic calls: a root export
    /// (`version`), a qualified name (`test:pkg/api@0.1.0#add`, `test:pkg/api.add`, with or
    /// without the version), an interface and a function (`api.add`), or a bare name that
    /// exactly one exported interface has.
    ///
    /// # Errors
    ///
    /// [`Error::UnknownExport`](crate::Error::UnknownExport) (with similar names) and
    /// [`Error::AmbiguousExport`](crate::Error::AmbiguousExport) (with every match); the
    /// image in them is `component`.
    pub fn export(&self, name: &str) -> crate::Result<&Export> {
        let name = name.trim();
        self.resolve(name)
            .map(|n| &self.exports[n])
            .map_err(|e| e.into_error("component".to_string(), name))
    }

    /// The number of the export `name` refers to. One hash lookup; allocates only on error.
    pub(crate) fn resolve(&self, name: &str) -> Result<usize, NameError> {
        exports::resolve(&self.exports, &self.names, name)
    }

    /// The export with this number (from [`Surface::resolve`]).
    #[inline]
    pub(crate) fn export_at(&self, number: usize) -> &Export {
        &self.exports[number]
    }
}

impl std::fmt::Debug for Surface {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Surface")
            .field("exports", &self.exports.len())
            .field("imports", &self.imports.len())
            .field("named", &self.named)
            .finish()
    }
}
