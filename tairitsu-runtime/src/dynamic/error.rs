//! Errors of value conversion, with the place and the expected WIT type.

use std::fmt;

/// A value that does not fit its WIT type, or text that does not parse.
///
/// The message names the place (``argument `b` of `add` ``, a field path, a list index), what was
/// expected and what was found, and for text input the line and column:
/// ``argument `b` of `add`: 300 does not fit u8``.
///
/// [`ValueError::kind`] says what sort of mistake it is, for callers that react to it (a CLI
/// that adds a hint, a host that retries with other text); the message is for people.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValueError {
    kind: ValueErrorKind,
    place: String,
    message: String,
    position: Option<Position>,
}

/// What sort of mistake a [`ValueError`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ValueErrorKind {
    /// The text is not well-formed RON or WAVE: a stray character, an unclosed bracket, a bad
    /// escape, text after the value.
    Syntax,
    /// A value of another kind than the type wants, or out of its range: a string for a
    /// record, `300` for a `u8`, a `Val` of the wrong variant.
    Mismatch,
    /// A name the type does not have (a record field, a case, a flag, a parameter, a named
    /// record's type name), or a field given twice or missing.
    Name,
    /// Arguments or results in the wrong number.
    Arity,
    /// Beyond a [`ValueLimits`](super::ValueLimits) bound: nesting depth, text length, value
    /// count, result size.
    Limit,
    /// A resource handle that is unknown, of another resource type, or where no handle table
    /// is.
    Resource,
    /// A type the dynamic path does not read or write (`future`, `stream`, `map`, …).
    Unsupported,
    /// A call that names no function or is not written `name(arguments)`.
    Call,
    /// Anything else (errors made with [`ValueError::new`] and no kind).
    Other,
}

/// A line and column in text input, both starting at 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Position {
    /// Line, from 1.
    pub line: usize,
    /// Column in characters, from 1.
    pub column: usize,
}

impl ValueError {
    /// An error with no place yet; callers add it with [`ValueError::at`].
    pub fn new(message: impl Into<String>) -> Self {
        Self {
            kind: ValueErrorKind::Other,
            place: String::new(),
            message: message.into(),
            position: None,
        }
    }

    /// Prefixes the place: `at("argument `b` of `add`")`, then `at(".x")`, and so on outward.
    #[must_use]
    pub fn at(mut self, place: impl AsRef<str>) -> Self {
        let place = place.as_ref();
        if self.place.is_empty() {
            self.place = place.to_string();
        } else if self.place.starts_with(['.', '[']) {
            self.place = format!("{place}{}", self.place);
        } else {
            self.place = format!("{place}: {}", self.place);
        }
        self
    }

    /// An error of `kind` with no place yet.
    pub fn of(kind: ValueErrorKind, message: impl Into<String>) -> Self {
        Self::new(message).with_kind(kind)
    }

    /// Sets what sort of mistake this is.
    #[must_use]
    pub fn with_kind(mut self, kind: ValueErrorKind) -> Self {
        self.kind = kind;
        self
    }

    /// What sort of mistake this is.
    pub fn kind(&self) -> ValueErrorKind {
        self.kind
    }

    /// Sets the position in the input text.
    #[must_use]
    pub fn with_position(mut self, position: Position) -> Self {
        self.position = Some(position);
        self
    }

    /// Where the error is, if known (for example ``argument `b` of `add` ``).
    pub fn place(&self) -> &str {
        &self.place
    }

    /// What is wrong.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The line and column in the input text, if the error came from text.
    pub fn position(&self) -> Option<Position> {
        self.position
    }
}

impl fmt::Display for ValueError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !self.place.is_empty() {
            write!(f, "{}: ", self.place)?;
        }
        f.write_str(&self.message)?;
        if let Some(Position { line, column }) = self.position {
            write!(f, " (line {line}, column {column})")?;
        }
        Ok(())
    }
}

impl std::error::Error for ValueError {}
