//! Loading WIT: a directory (with its `deps/`) or a single file, through wit-parser, plus the list
//! of files read so that a build script can watch them; and choosing the world to generate.

use std::path::{Path, PathBuf};

use wit_parser::{PackageId, Resolve, Stability, WorldId};

use crate::error::{Error, Result};

/// WIT loaded from disk: the resolved packages, the main package and every file read.
#[derive(Debug)]
pub struct Loaded {
    /// Every package, the main one and its dependencies.
    pub resolve: Resolve,
    /// The package of the directory or file that was loaded.
    pub package: PackageId,
    /// Every WIT file read, in the order wit-parser read them.
    pub files: Vec<PathBuf>,
    /// Where the WIT came from, to load it again with every feature when a world is gated.
    origin: Origin,
}

#[derive(Debug, Clone)]
enum Origin {
    Path(PathBuf),
    Text { name: String, text: String },
}

/// Which `@unstable(feature = …)` items to keep, as `bindgen!`'s `features` and
/// `all_features` say.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Features {
    /// The features enabled by name.
    pub enabled: Vec<String>,
    /// Every feature enabled.
    pub all: bool,
}

impl Features {
    fn apply(&self, resolve: &mut Resolve) {
        resolve.all_features = self.all;
        resolve.features.extend(self.enabled.iter().cloned());
    }
}

/// Loads `path`, a directory laid out as wit-parser expects (`*.wit` plus `deps/`) or one file,
/// with no unstable feature enabled.
///
/// # Errors
///
/// [`Error::Io`] when the path does not exist, [`Error::Wit`] when the WIT does not parse or
/// resolve (with the file, line and column).
pub fn load(path: &Path) -> Result<Loaded> {
    load_with(path, &Features::default())
}

/// [`load`] with the unstable `features` enabled.
///
/// # Errors
///
/// As [`load`].
pub fn load_with(path: &Path, features: &Features) -> Result<Loaded> {
    if let Err(source) = std::fs::metadata(path) {
        return Err(Error::Io {
            action: "read WIT at",
            path: path.to_path_buf(),
            source,
        });
    }
    let mut resolve = Resolve::default();
    features.apply(&mut resolve);
    let (package, sources) = match resolve.push_path(path) {
        Ok(loaded) => loaded,
        Err(e) => return Err(Error::wit(&resolve, e)),
    };
    let files = sources.paths().map(Path::to_path_buf).collect();
    Ok(Loaded {
        resolve,
        package,
        files,
        origin: Origin::Path(path.to_path_buf()),
    })
}

/// Parses WIT held in memory as one file named `name` (used by tests and by the macro's inline
/// form), with no unstable feature enabled.
///
/// # Errors
///
/// [`Error::Wit`] when the text does not parse or resolve.
pub fn load_str(name: &str, text: &str) -> Result<Loaded> {
    load_str_with(name, text, &Features::default())
}

/// [`load_str`] with the unstable `features` enabled.
///
/// # Errors
///
/// As [`load_str`].
pub fn load_str_with(name: &str, text: &str, features: &Features) -> Result<Loaded> {
    let mut resolve = Resolve::default();
    features.apply(&mut resolve);
    let package = match resolve.push_str(name, text) {
        Ok(package) => package,
        Err(e) => return Err(Error::wit(&resolve, e)),
    };
    Ok(Loaded {
        resolve,
        package,
        files: Vec::new(),
        origin: Origin::Text {
            name: name.to_string(),
            text: text.to_string(),
        },
    })
}

impl Loaded {
    /// The world `name` names: a world of the main package (`my-world`), a qualified one
    /// (`wasi:http/proxy@0.2.12`), or a bare name found in exactly one dependency package.
    /// With `None`, the main package's only world.
    ///
    /// # Errors
    ///
    /// [`Error::UnknownWorld`] (listing the worlds), [`Error::AmbiguousWorld`] for a bare name in
    /// several dependencies ("did you mean …"), [`Error::UnstableWorld`] for a world gated by a
    /// feature that is not enabled, and [`Error::NoWorldSelected`] for `None` when the main
    /// package has no world or several.
    pub fn select_world(&self, name: Option<&str>) -> Result<WorldId> {
        let resolve = &self.resolve;
        let Some(name) = name else {
            return resolve.select_world(&[self.package], None).map_err(|e| {
                match self.gated(None) {
                    Some(error) => error,
                    None => Error::NoWorldSelected {
                        reason: format!("{e:#}"),
                        available: self.main_worlds(),
                    },
                }
            });
        };
        let error = match resolve.select_world(&[self.package], Some(name)) {
            Ok(id) => return Ok(id),
            Err(e) => e,
        };
        if is_bare(name) {
            let candidates: Vec<WorldId> = resolve
                .worlds
                .iter()
                .filter(|(_, w)| w.name == name && w.package != Some(self.package))
                .map(|(id, _)| id)
                .collect();
            match candidates.as_slice() {
                [one] => return Ok(*one),
                [] => {}
                several => {
                    return Err(Error::AmbiguousWorld {
                        world: name.to_string(),
                        candidates: several.iter().map(|id| self.qualified(*id)).collect(),
                    });
                }
            }
        }
        Err(self
            .gated(Some(name))
            .unwrap_or_else(|| Error::UnknownWorld {
                world: name.to_string(),
                reason: format!("{error:#}"),
                available: resolve
                    .worlds
                    .iter()
                    .map(|(id, _)| self.qualified(id))
                    .collect::<Vec<_>>()
                    .join(", "),
            }))
    }

    /// `ns:pkg/world@version` of `id`.
    pub fn qualified(&self, id: WorldId) -> String {
        let w = &self.resolve.worlds[id];
        match w.package {
            Some(p) => self.resolve.id_of_name(p, &w.name),
            None => w.name.clone(),
        }
    }

    fn main_worlds(&self) -> Vec<String> {
        self.resolve.packages[self.package]
            .worlds
            .values()
            .map(|id| self.qualified(*id))
            .collect()
    }

    /// When the world `name` (or, for `None`, the main package's only world) exists with every
    /// feature on but not with the features given: the error naming the feature.
    fn gated(&self, name: Option<&str>) -> Option<Error> {
        let every = Features {
            enabled: Vec::new(),
            all: true,
        };
        if self.resolve.all_features {
            return None;
        }
        let again = match &self.origin {
            Origin::Path(path) => load_with(path, &every).ok()?,
            Origin::Text { name, text } => load_str_with(name, text, &every).ok()?,
        };
        let id = match name {
            Some(name) => again.select_world(Some(name)).ok()?,
            None => {
                let worlds = &again.resolve.packages[again.package].worlds;
                let gated: Vec<WorldId> = worlds
                    .values()
                    .copied()
                    .filter(|id| {
                        matches!(
                            again.resolve.worlds[*id].stability,
                            Stability::Unstable { .. }
                        )
                    })
                    .collect();
                *gated.first()?
            }
        };
        match &again.resolve.worlds[id].stability {
            Stability::Unstable { feature, .. } if !self.resolve.features.contains(feature) => {
                Some(Error::UnstableWorld {
                    world: again.qualified(id),
                    feature: feature.clone(),
                })
            }
            _ => None,
        }
    }
}

/// A world name with no package (`proxy`, not `wasi:http/proxy`).
fn is_bare(name: &str) -> bool {
    !name.contains([':', '/', '@'])
}
