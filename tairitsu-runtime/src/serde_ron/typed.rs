use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::dynamic::{Position, ValueError};

/// Writes `value` as compact RON (`(x_pos:1,y:2)`, `Some(1)`, `Circle(1.0)`).
///
/// # Errors
///
/// When the value's `Serialize` implementation fails (it does not for generated types).
pub fn to_string<T: Serialize + ?Sized>(value: &T) -> Result<String, ValueError> {
    ron::to_string(value).map_err(|e| ValueError::new(e.to_string()))
}

/// Reads a `T` from RON text.
///
/// # Errors
///
/// When the text is not RON or does not fit `T`; the error has the line and column.
pub fn from_str<T: DeserializeOwned>(text: &str) -> Result<T, ValueError> {
    ron::from_str(text).map_err(|e| {
        ValueError::new(e.code.to_string()).with_position(Position {
            line: e.span.start.line,
            column: e.span.start.col,
        })
    })
}
