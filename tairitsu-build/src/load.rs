//! Loading WIT: a directory (with its `deps/`) or a single file, through wit-parser, plus the list
//! of files read so that a build script can watch them.

use std::path::{Path, PathBuf};

use wit_parser::{PackageId, Resolve};

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
}

/// Loads `path`, a directory laid out as wit-parser expects (`*.wit` plus `deps/`) or one file.
///
/// # Errors
///
/// [`Error::Io`] when the path does not exist, [`Error::Wit`] when the WIT does not parse or
/// resolve (the message has the file, line and column).
pub fn load(path: &Path) -> Result<Loaded> {
    if let Err(source) = std::fs::metadata(path) {
        return Err(Error::Io {
            action: "read WIT at",
            path: path.to_path_buf(),
            source,
        });
    }
    let mut resolve = Resolve::default();
    let (package, sources) = match resolve.push_path(path) {
        Ok(loaded) => loaded,
        Err(e) => return Err(Error::wit(resolve.render_error(&e))),
    };
    let files = sources.paths().map(Path::to_path_buf).collect();
    Ok(Loaded {
        resolve,
        package,
        files,
    })
}

/// Parses WIT held in memory as one file named `name` (used by tests and by the macro's inline
/// form).
///
/// # Errors
///
/// [`Error::Wit`] when the text does not parse or resolve.
pub fn load_str(name: &str, text: &str) -> Result<Loaded> {
    let mut resolve = Resolve::default();
    let package = match resolve.push_str(name, text) {
        Ok(package) => package,
        Err(e) => return Err(Error::wit(resolve.render_error(&e))),
    };
    Ok(Loaded {
        resolve,
        package,
        files: Vec::new(),
    })
}
