//! The one error type of the generator.

use std::path::PathBuf;

/// Everything that can go wrong while loading WIT, generating bindings or writing them.
///
/// Messages say what went wrong, where, and when it is known, how to fix it. The generator never
/// panics on bad input: every problem with the WIT or the options comes back as one of these,
/// and callers tell them apart by variant, never by message.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Reading or writing a file failed.
    #[error("cannot {action} `{}`: {source}", path.display())]
    Io {
        /// What was being done: `read`, `write`, `create directory`.
        action: &'static str,
        /// The file or directory.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },

    /// The WIT does not parse or does not resolve. The message is wit-parser's, with the file,
    /// line and column and a caret under the offending text.
    #[error("invalid WIT: {message}")]
    Wit {
        /// wit-parser's rendered message.
        message: String,
        /// Where in the WIT the error is, when wit-parser says.
        location: Option<WitLocation>,
        /// wit-parser's error.
        #[source]
        source: WitError,
    },

    /// The WIT uses something the generator cannot bind yet.
    #[error("unsupported WIT: {item}: {reason}")]
    Unsupported {
        /// The item, as `package/interface.item` or similar.
        item: String,
        /// What is unsupported.
        reason: String,
    },

    /// A world given to [`Builder::world`](crate::Builder::world) does not exist.
    #[error("world `{world}` does not exist: {reason}; the worlds are: {available}")]
    UnknownWorld {
        /// The world as given.
        world: String,
        /// Why it could not be selected, as wit-parser says it.
        reason: String,
        /// The worlds that do exist, qualified (`ns:pkg/world`), comma separated.
        available: String,
    },

    /// A bare world name found in more than one dependency package (and not in the main one).
    #[error(
        "world `{world}` is in several packages: did you mean {}?",
        quoted(candidates, " or ")
    )]
    AmbiguousWorld {
        /// The world as given.
        world: String,
        /// The qualified worlds of that name (`wasi:http/proxy@0.2.12`).
        candidates: Vec<String>,
    },

    /// No world was selected and the main package does not have exactly one.
    #[error(
        "no world selected ({reason}); call `.world(\"name\")` or `.all_worlds()`{}",
        if available.is_empty() { String::new() } else { format!("; the worlds are: {}", available.join(", ")) }
    )]
    NoWorldSelected {
        /// Why none could be chosen, as wit-parser says it.
        reason: String,
        /// The worlds of the main package.
        available: Vec<String>,
    },

    /// A world, or everything in it, is gated by `@unstable(feature = …)` and the feature is
    /// not enabled.
    #[error(
        "world `{world}` is unstable: it needs the feature `{feature}`; enable it with \
         `.features([\"{feature}\"])` (or `.all_features()`)"
    )]
    UnstableWorld {
        /// The world, qualified.
        world: String,
        /// The feature it is gated by.
        feature: String,
    },

    /// [`Options::runtime_path`](crate::Options::runtime_path) is not a Rust path.
    #[error("invalid option: runtime path `{path}` is not a Rust path: {reason}")]
    InvalidRuntimePath {
        /// The path as given.
        path: String,
        /// What syn says about it.
        reason: String,
    },

    /// An [`additional_derive`](crate::Builder::additional_derive) is not a Rust path.
    #[error("invalid option: additional derive `{derive}` is not a Rust path: {reason}")]
    InvalidDerive {
        /// The derive as given.
        derive: String,
        /// What syn says about it.
        reason: String,
    },

    /// A [`with_resource`](crate::Builder::with_resource) names no resource of the world.
    #[error(
        "invalid option: `with_resource(\"{resource}\", …)` names no resource of the world; {}",
        if imported.is_empty() { "the world imports no resource".to_string() } else { format!("the world imports {}", quoted(imported, ", ")) }
    )]
    UnknownResource {
        /// The resource as given.
        resource: String,
        /// The resources the world imports (`pkg:ns/iface/name`).
        imported: Vec<String>,
    },

    /// A [`with_resource`](crate::Builder::with_resource) names a resource the guest exports.
    #[error(
        "invalid option: `with_resource(\"{resource}\", …)`: `{resource}` is a resource of the \
         guest (exported), which the host holds as `ResourceAny`; only imported resources take a \
         host type"
    )]
    ExportedResource {
        /// The resource as given.
        resource: String,
    },

    /// The Rust type of a [`with_resource`](crate::Builder::with_resource) is not a path.
    #[error(
        "invalid option: `with_resource(\"{resource}\", \"{path}\")`: `{path}` is not a Rust path: {reason}"
    )]
    InvalidResourcePath {
        /// The resource as given.
        resource: String,
        /// The Rust path as given.
        path: String,
        /// What syn says about it.
        reason: String,
    },

    /// The same resource is bound twice.
    #[error("invalid option: `with_resource`: `{resource}` is given twice")]
    DuplicateResource {
        /// The resource as given.
        resource: String,
    },

    /// An [`async_import`](crate::Builder::async_import) or
    /// [`async_export`](crate::Builder::async_export) names no function of the world.
    #[error(
        "invalid option: `{option}(\"{function}\")` names no {side} function of the world; {}",
        if functions.is_empty() { format!("the world has no {side} function") } else { format!("the {side} functions are {}", quoted(functions, ", ")) }
    )]
    UnknownAsyncFunction {
        /// `async_import` or `async_export`.
        option: &'static str,
        /// `imported` or `exported`.
        side: &'static str,
        /// The function as given.
        function: String,
        /// The functions of that side (`pkg:ns/iface#f`, `f` for the world's own).
        functions: Vec<String>,
    },

    /// No output directory is set and `OUT_DIR` is not either (outside a build script).
    #[error("invalid option: `OUT_DIR` is not set (not in a build script?); set `.out_dir(..)`")]
    NoOutDir,

    /// The generated tokens do not parse as Rust: a bug in the generator.
    #[error(
        "unsupported WIT: {world}: the generated code does not parse ({reason}); this is a bug in tairitsu-build"
    )]
    GeneratedCode {
        /// The world being generated.
        world: String,
        /// What syn says.
        reason: String,
    },
}

/// Where a WIT error is: file, line and column (1-based), as wit-parser's message shows them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WitLocation {
    /// The file as wit-parser names it (the path read, or the name given to inline WIT).
    pub file: PathBuf,
    /// The line, from 1.
    pub line: usize,
    /// The column, from 1.
    pub column: usize,
}

/// wit-parser's error, kept as the cause of [`Error::Wit`].
#[derive(Debug)]
pub struct WitError(anyhow::Error);

impl std::fmt::Display for WitError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:#}", self.0)
    }
}

impl std::error::Error for WitError {}

impl WitError {
    /// wit-parser's error itself.
    pub fn inner(&self) -> &anyhow::Error {
        &self.0
    }
}

fn quoted(names: &[String], sep: &str) -> String {
    names
        .iter()
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(sep)
}

impl Error {
    /// [`Error::Wit`] for wit-parser's `error`, rendered and located with the source map of
    /// `resolve`.
    pub(crate) fn wit(resolve: &wit_parser::Resolve, error: anyhow::Error) -> Self {
        // `Resolve::render_error` gives file:line:col and the source line with a caret.
        let message = resolve.render_error(&error);
        let location = locate(resolve, &error);
        Error::Wit {
            message,
            location,
            source: WitError(error),
        }
    }

    pub(crate) fn unsupported(item: impl Into<String>, reason: impl Into<String>) -> Self {
        Error::Unsupported {
            item: item.into(),
            reason: reason.into(),
        }
    }
}

/// The location of the first error in `error`'s chain that carries a span.
fn locate(resolve: &wit_parser::Resolve, error: &anyhow::Error) -> Option<WitLocation> {
    let span = error.chain().find_map(|layer| {
        if let Some(e) = layer.downcast_ref::<wit_parser::ParseError>() {
            Some(e.kind().span())
        } else {
            layer
                .downcast_ref::<wit_parser::ResolveError>()
                .map(|e| e.kind().span())
        }
    })?;
    let file = resolve.source_map.resolve_span(span)?.path.to_string();
    // `render_location` is `file:line:col`; the file is known, so take the two numbers after it.
    let rendered = resolve.source_map.render_location(span);
    let rest = rendered.strip_prefix(&file)?.strip_prefix(':')?;
    let (line, column) = rest.split_once(':')?;
    Some(WitLocation {
        file: PathBuf::from(file),
        line: line.parse().ok()?,
        column: column.parse().ok()?,
    })
}

/// The result type of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;
