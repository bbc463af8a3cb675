//! The exported functions of a component, and how names find them.
//!
//! A call names a function as a root export (`version`), qualified (`test:pkg/api@0.1.0#add`
//! or `test:pkg/api.add`, with or without the version), by interface and function
//! (`api.add`), or bare (`add`) when exactly one exported interface has it. The table is built
//! once per image from the component's types.

use std::collections::HashMap;

use wasmtime::component::types::{ComponentFunc, ComponentItem};
use wasmtime::component::{Component, ComponentExportIndex};

use crate::Error;
use crate::dynamic::{FuncType, ValueError};

/// One exported function.
#[derive(Clone)]
pub(crate) struct ExportedFunc {
    /// `iface#func` or `func`.
    pub(crate) qualified: String,
    /// The WIT function name (`add`, `[method]counter.get`).
    pub(crate) name: String,
    pub(crate) index: ComponentExportIndex,
    pub(crate) ty: ComponentFunc,
    /// How many parameters and results it has (read on every call; wasmtime's accessors walk
    /// the type).
    pub(crate) params: usize,
    pub(crate) results: usize,
    /// The dynamic path's model of the type, or why the dynamic path cannot call it.
    pub(crate) func_type: std::result::Result<FuncType, ValueError>,
}

/// All exported functions of a component, with every name each can be called by.
pub(crate) struct ExportTable {
    funcs: Vec<ExportedFunc>,
    by_name: HashMap<String, Vec<usize>, BuildFnv>,
}

/// FNV-1a: names are short and come from the host, so a cheap hash beats SipHash here (the
/// lookup is on every dynamic call).
#[derive(Clone, Copy, Default)]
struct BuildFnv;

struct Fnv(u64);

impl std::hash::BuildHasher for BuildFnv {
    type Hasher = Fnv;
    fn build_hasher(&self) -> Fnv {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
}

impl std::hash::Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
    }
}

impl ExportTable {
    pub(crate) fn new(component: &Component) -> Self {
        let engine = component.engine();
        let mut funcs = Vec::new();
        for (name, item) in component.component_type().exports(engine) {
            match item.ty {
                ComponentItem::ComponentFunc(ty) => {
                    let (params, results) = (ty.params().len(), ty.results().len());
                    if let Some(index) = component.get_export_index(None, name) {
                        funcs.push(ExportedFunc {
                            qualified: name.to_string(),
                            name: name.to_string(),
                            index,
                            func_type: FuncType::from_wasmtime(name, &ty),
                            params,
                            results,
                            ty,
                        });
                    }
                }
                ComponentItem::ComponentInstance(instance) => {
                    let Some(parent) = component.get_export_index(None, name) else {
                        continue;
                    };
                    for (fname, fitem) in instance.exports(engine) {
                        if let ComponentItem::ComponentFunc(ty) = fitem.ty
                            && let Some(index) = component.get_export_index(Some(&parent), fname)
                        {
                            let (params, results) = (ty.params().len(), ty.results().len());
                            funcs.push(ExportedFunc {
                                qualified: format!("{name}#{fname}"),
                                name: fname.to_string(),
                                index,
                                func_type: FuncType::from_wasmtime(fname, &ty),
                                params,
                                results,
                                ty,
                            });
                        }
                    }
                }
                _ => {}
            }
        }
        let mut by_name: HashMap<String, Vec<usize>, BuildFnv> = HashMap::default();
        for (i, f) in funcs.iter().enumerate() {
            let mut names = vec![f.qualified.clone()];
            if let Some((iface, func)) = f.qualified.split_once('#') {
                let unversioned = iface.split_once('@').map_or(iface, |(i, _)| i);
                let short = unversioned.rsplit(['/', ':']).next().unwrap_or(unversioned);
                for base in [iface, unversioned, short] {
                    names.push(format!("{base}#{func}"));
                    names.push(format!("{base}.{func}"));
                }
                names.push(func.to_string());
            }
            names.sort();
            names.dedup();
            for n in names {
                by_name.entry(n).or_default().push(i);
            }
        }
        Self { funcs, by_name }
    }

    /// Finds the function `name` refers to. Costs one hash lookup; allocates only on error.
    pub(crate) fn resolve(&self, name: &str) -> std::result::Result<usize, NameError> {
        match self.by_name.get(name).map(Vec::as_slice) {
            Some([one]) => Ok(*one),
            Some(many) => {
                // A root export wins over interface functions of the same bare name.
                if let Some(&root) = many.iter().find(|&&i| self.funcs[i].qualified == name) {
                    return Ok(root);
                }
                Err(NameError::Ambiguous(
                    many.iter()
                        .map(|&i| self.funcs[i].qualified.clone())
                        .collect(),
                ))
            }
            None => {
                // Similar names first (a typo, a prefix), else every export.
                let bare = name.rsplit(['#', '.']).next().unwrap_or(name);
                let mut similar: Vec<(usize, &ExportedFunc)> = self
                    .funcs
                    .iter()
                    .map(|f| (edit_distance(&f.name, bare), f))
                    .filter(|(d, f)| {
                        *d <= 2.max(bare.len() / 3)
                            || f.name.contains(bare)
                            || bare.contains(&*f.name)
                    })
                    .collect();
                similar.sort_by_key(|(d, _)| *d);
                let candidates = if similar.is_empty() {
                    self.funcs.iter().map(|f| f.qualified.clone()).collect()
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

    /// The function with this number (from [`ExportTable::resolve`]).
    pub(crate) fn func(&self, number: usize) -> &ExportedFunc {
        &self.funcs[number]
    }
}

/// The Levenshtein distance between two names, for "did you mean" lists.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = (diagonal + usize::from(ca != *cb))
                .min(above + 1)
                .min(row[j] + 1);
            diagonal = above;
        }
    }
    row[b.len()]
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
    /// `name` refers to, by the rules of the dynamic calls: a root export, a qualified name
    /// (`test:pkg/api@0.1.0#add`, `test:pkg/api.add`, with or without the version), an
    /// interface and a function (`api.add`), or a bare name that exactly one exported interface
    /// has. A host checks a name with it before starting a container.
    ///
    /// # Errors
    ///
    /// [`Error::UnknownExport`] (with similar names) and [`Error::AmbiguousExport`] (with every
    /// match).
    pub fn resolve_export(&self, name: &str) -> Result<String, Error> {
        let table = self.export_table();
        table
            .resolve(name.trim())
            .map(|number| table.func(number).qualified.clone())
            .map_err(|e| e.into_error(self.display_name(), name.trim()))
    }
}

#[cfg(test)]
mod tests {
    use crate::{Error, Image};

    #[test]
    fn edit_distances() {
        assert_eq!(super::edit_distance("analyse", "analyze"), 1);
        assert_eq!(super::edit_distance("", "abc"), 3);
        assert_eq!(super::edit_distance("add", "add"), 0);
    }

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
