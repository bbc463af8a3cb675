//! The one error type of the generator.

use std::path::PathBuf;

/// Everything that can go wrong while loading WIT, generating bindings or writing them.
///
/// Messages say what went wrong, where, and when it is known, how to fix it. The generator never
/// panics on bad input: every problem with the WIT or the options comes back as one of these.
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

    /// An option of the [`Builder`](crate::Builder) is invalid or matches nothing.
    #[error("invalid option: {0}")]
    Option(String),
}

impl Error {
    pub(crate) fn wit(error: impl std::fmt::Display) -> Self {
        // `Resolve::render_error` gives file:line:col and the source line with a caret.
        Error::Wit {
            message: error.to_string(),
        }
    }

    pub(crate) fn unsupported(item: impl Into<String>, reason: impl Into<String>) -> Self {
        Error::Unsupported {
            item: item.into(),
            reason: reason.into(),
        }
    }
}

/// The result type of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;
