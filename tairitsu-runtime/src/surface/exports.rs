//! The exported functions of a surface, and how names find them.
//!
//! A call names a function as a root export (`version`), qualified (`test:pkg/api@0.1.0#add`
//! or `test:pkg/api.add`, with or without the version), by interface and function
//! (`api.add`), or bare (`add`) when exactly one exported interface has it. Every such name of
//! every export goes into one hash map when the surface is built, so resolving a name costs one
//! lookup.

use std::collections::HashMap;
use std::hash::BuildHasher;

use wasmtime::component::ComponentExportIndex;
use wasmtime::component::types::ComponentFunc;

use crate::dynamic::{FuncType, ValueError};
use crate::{Error, FunctionSignature};

/// One exported function of a [`Surface`](super::Surface).
#[derive(Clone)]
pub struct Export {
    /// `iface#func` or `func`.
    pub(crate) qualified: String,
    pub(crate) interface: Option<String>,
    /// The WIT function name (`add`, `[method]counter.get`).
    pub(crate) name: String,
    pub(crate) index: ComponentExportIndex,
    pub(crate) ty: ComponentFunc,
    /// How many parameters and results it has (read on every call; wasmtime's accessors walk
    /// the type).
    pub(crate) params: usize,
    pub(crate) results: usize,
    /// The dynamic path's model of the type (with WIT names), or why the dynamic path cannot
    /// call it.
    pub(crate) func_type: Result<FuncType, ValueError>,
    pub(crate) signature: FunctionSignature,
}

impl Export {
    /// `pkg:ns/iface@ver#func`, or `func` at the root.
    pub fn qualified(&self) -> &str {
        &self.qualified
    }

    /// The qualified interface (`test:pkg/api@0.1.0`), `None` for a root export.
    pub fn interface(&self) -> Option<&str> {
        self.interface.as_deref()
    }

    /// The WIT function name (`add`, `[method]counter.get`).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// wasmtime's type of the function.
    pub fn ty(&self) -> &ComponentFunc {
        &self.ty
    }

    /// The index to look the function up in an instance of the component.
    pub fn index(&self) -> ComponentExportIndex {
        self.index
    }

    /// The dynamic path's model of the function: parameter and result types with their WIT
    /// names where the component's WIT has them.
    ///
    /// # Errors
    ///
    /// When the dynamic path cannot call it (a `future`, `stream` or `map` in its signature):
    /// the error names the kind and where it is.
    pub fn func_type(&self) -> Result<&FuncType, &ValueError> {
        self.func_type.as_ref()
    }

    /// The function as WIT (`add: func(a: u32, b: u32) -> u32`).
    pub fn signature(&self) -> &FunctionSignature {
        &self.signature
    }
}

impl std::fmt::Debug for Export {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Export")
            .field("qualified", &self.qualified)
            .field("signature", &self.signature.to_wit())
            .finish_non_exhaustive()
    }
}

/// Every name `export` answers to.
pub(crate) fn names(export: &Export) -> Vec<String> {
    let mut names = vec![export.qualified.clone()];
    if let Some(iface) = &export.interface {
        let func = &export.name;
        let unversioned = iface.split_once('@').map_or(iface.as_str(), |(i, _)| i);
        let short = unversioned.rsplit(['/', ':']).next().unwrap_or(unversioned);
        for base in [iface.as_str(), unversioned, short] {
            names.push(format!("{base}#{func}"));
            names.push(format!("{base}.{func}"));
        }
        names.push(func.clone());
    }
    names.sort();
    names.dedup();
    names
}

/// Finds the export `name` refers to among `exports`, through their `names`.
pub(crate) fn resolve<S: BuildHasher>(
    exports: &[Export],
    names: &HashMap<Box<str>, Vec<usize>, S>,
    name: &str,
) -> Result<usize, NameError> {
    match names.get(name).map(Vec::as_slice) {
        Some([one]) => Ok(*one),
        Some(many) => {
            // A root export wins over interface functions of the same bare name.
            if let Some(&root) = many.iter().find(|&&i| exports[i].qualified == name) {
                return Ok(root);
            }
            Err(NameError::Ambiguous(
                many.iter().map(|&i| exports[i].qualified.clone()).collect(),
            ))
        }
        None => {
            // Similar names first (a typo, a prefix), else every export.
            let bare = name.rsplit(['#', '.']).next().unwrap_or(name);
            let mut similar: Vec<(usize, &Export)> = exports
                .iter()
                .map(|f| (strsim::levenshtein(&f.name, bare), f))
                .filter(|(d, f)| {
                    *d <= 2.max(bare.len() / 3) || f.name.contains(bare) || bare.contains(&*f.name)
                })
                .collect();
            similar.sort_by_key(|(d, _)| *d);
            let candidates = if similar.is_empty() {
                exports.iter().map(|f| f.qualified.clone()).collect()
            } else {
                similar
                    .into_iter()
                    .map(|(_, f)| f.qualified.clone())
                    .collect()
            };
            Err(NameError::Unknown(candidates))
        }
    }
}

/// Why a name found no single function.
pub(crate) enum NameError {
    /// No function has that name; the candidates are similar ones, or all of them.
    Unknown(Vec<String>),
    /// Several functions have that name.
    Ambiguous(Vec<String>),
}

impl NameError {
    pub(crate) fn into_error(self, image: String, name: &str) -> Error {
        match self {
            NameError::Unknown(candidates) => Error::UnknownExport {
                image,
                name: name.to_string(),
                candidates,
            },
            NameError::Ambiguous(candidates) => Error::AmbiguousExport {
                image,
                name: name.to_string(),
                candidates,
            },
        }
    }
}

impl crate::Image {
    /// The qualified name (`pkg:ns/iface@ver#func`, or `func` at the root) of the export that
    /// `name` refers to, by the rules of [`Surface::export`](super::Surface::export). A host
    /// checks a name with it before starting a container.
    ///
    /// # Errors
    ///
    /// [`Error::UnknownExport`] (with similar names) and [`Error::AmbiguousExport`] (with every
    /// match).
    pub fn resolve_export(&self, name: &str) -> Result<String, Error> {
        let name = name.trim();
        let surface = self.surface();
        surface
            .resolve(name)
            .map(|number| surface.export_at(number).qualified.clone())
            .map_err(|e| e.into_error(self.display_name(), name))
    }
}

#[cfg(test)]
mod tests {
    use crate::{Error, Image};

    #[test]
    fn resolve_export_names_the_function_or_explains() {
        let image = Image::from_bytes(tairitsu_fixtures::calc()).unwrap();
        assert_eq!(
            image.resolve_export("mul").unwrap(),
            "test:calc/api@0.1.0#mul"
        );
        assert_eq!(
            image.resolve_export(" extra.add ").unwrap(),
            "test:calc/extra@0.1.0#add"
        );
        assert_eq!(image.resolve_export("version").unwrap(), "version");
        match image.resolve_export("add").unwrap_err() {
            Error::AmbiguousExport { candidates, .. } => assert_eq!(
                candidates,
                ["test:calc/api@0.1.0#add", "test:calc/extra@0.1.0#add"]
            ),
            other => panic!("{other}"),
        }
        assert!(matches!(
            image.resolve_export("nope"),
            Err(Error::UnknownExport { .. })
        ));
    }
}
