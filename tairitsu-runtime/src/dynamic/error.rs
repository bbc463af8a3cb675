//! Errors of value conversion, with the place and the expected WIT type.

use std::fmt;

/// A value that does not fit its WIT type, or text that does not parse.
///
/// The message names the place (``argument `b` of `add` ``, a field path, a list index), what was
/// expected and what was found, and for text input the line and column:
/// ``argument `b` of `add`: 300 does not fit u8``.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValueError {
    place: String,
    message: String,
    position: Option<Position>,
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
