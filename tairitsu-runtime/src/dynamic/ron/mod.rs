//! RON text to and from wasmtime [`Val`]s, directed by a [`ValueType`].
//!
//! The rule is the one of `DESIGN.md`: *the dynamic RON of a value is the RON that serde writes
//! for the generated Rust type of that value*. [`to_string`] writes exactly what
//! `ron::to_string` (compact) writes for the serde-derived type:
//!
//! | WIT | RON |
//! | --- | --- |
//! | `bool`, integers, floats | `true`, `-3`, `18446744073709551615`, `1.0`, `1e300`, `NaN`, `-inf` |
//! | `char`, `string` | `'ü'`, `"a\"b\n"` (strings escaped as `char::escape_debug`) |
//! | `list`, `tuple` | `[1,2]`, `(1,"a")` |
//! | record | `(x_pos:1,y:2)`: snake_case field names, no type name |
//! | variant, enum | `Circle(1.0)`, `Rectangle((x:1,y:2))`, `Empty`, `DarkMagenta` |
//! | `option`, `result` | `Some(1)`, `None`, `Ok(())`, `Err("e")` |
//! | flags | `[Read,Write]` in declaration order |
//! | `own<r>`, `borrow<r>` | `Handle(3)`, a number issued by a [`HandleTable`] |
//!
//! [`parse`] reads what `ron` reads for those types: whitespace and comments (`//`, nested
//! `/* */`), trailing commas, `+`/`-` signs, `0x`/`0o`/`0b` integers with `_` separators and
//! matching type suffixes (`1u8`), `b'a'` for a `u8`, integers where a float is expected,
//! `inf`/`NaN` with signs, every RON string escape, raw strings `r#"…"#`, raw identifiers
//! (`r#None`), record fields in any order, and a missing `option` field as `None`. It also
//! accepts the named record form `Point(x_pos: 1)` (when the type's name is known it must
//! match) and the WIT spellings of names (`x-pos: 1`, `dark-magenta`). It rejects unknown record
//! fields instead of skipping them, so a misspelt field is an error that lists the fields; the
//! types `tairitsu-build` generates do the same (`#[serde(deny_unknown_fields)]`).
//!
//! Errors name the place (field path, list index) and the expected WIT type, with the line and
//! column: ``[2].x: 300 does not fit s8 (line 1, column 19)``. Input is bounded by [`ValueLimits`]:
//! the nesting depth is checked before each descent, so no input can overflow the stack.
//!
//! # Examples
//!
//! ```
//! use tairitsu_runtime::dynamic::{ron, ValueType};
//! use tairitsu_runtime::wasmtime::component::Val;
//!
//! let point = ValueType::record(Some("point"), [("x-pos", ValueType::S32), ("y", ValueType::S32)]);
//! let val = ron::parse("Point(y: 2, x-pos: 1)", &point)?;
//! assert_eq!(
//!     val,
//!     Val::Record(vec![("x-pos".into(), Val::S32(1)), ("y".into(), Val::S32(2))])
//! );
//! assert_eq!(ron::to_string(&val, &point)?, "(x_pos:1,y:2)");
//! # Ok::<(), tairitsu_runtime::dynamic::ValueError>(())
//! ```

mod lex;
mod read;
mod write;

#[cfg(test)]
mod tests;

pub(crate) use lex::{Reader, position_of};
pub(crate) use read::find_name;

use wasmtime::component::Val;

use super::error::ValueError;
use super::handles::{HandleTable, NoHandles};
use super::value_limits::ValueLimits;
use super::value_type::ValueType;
use write::Writer;

/// Reads a value of type `ty` from RON text, with the default [`ValueLimits`] and no resources.
///
/// # Errors
///
/// When the text is not RON for `ty`: the error has the place, the expected type, and the line
/// and column.
pub fn parse(text: &str, ty: &ValueType) -> Result<Val, ValueError> {
    parse_with(text, ty, &ValueLimits::default(), &mut NoHandles)
}

/// Reads a value of type `ty` from RON text, resolving resource handles with `handles`.
///
/// # Errors
///
/// As [`parse`], and when the text exceeds `limits` or names a handle `handles` does not know.
pub fn parse_with(
    text: &str,
    ty: &ValueType,
    limits: &ValueLimits,
    handles: &mut dyn HandleTable,
) -> Result<Val, ValueError> {
    let mut reader = Reader::new(text, limits, handles)?;
    let val = reader.value(ty)?;
    reader.finish()?;
    Ok(val)
}

/// Writes `val`, of type `ty`, as compact RON, with the default [`ValueLimits`] and no resources.
///
/// # Errors
///
/// When `val` does not fit `ty` (the error names the place), or holds a resource.
pub fn to_string(val: &Val, ty: &ValueType) -> Result<String, ValueError> {
    to_string_with(val, ty, &ValueLimits::default(), &mut NoHandles)
}

/// Writes `val`, of type `ty`, as compact RON, issuing resource handles from `handles`.
///
/// # Errors
///
/// As [`to_string`], and when the output would exceed `limits`.
pub fn to_string_with(
    val: &Val,
    ty: &ValueType,
    limits: &ValueLimits,
    handles: &mut dyn HandleTable,
) -> Result<String, ValueError> {
    let mut out = String::new();
    write(&mut out, val, ty, limits, handles)?;
    Ok(out)
}

/// Appends `val`, of type `ty`, to `out` as compact RON.
///
/// # Errors
///
/// As [`to_string_with`].
pub fn write(
    out: &mut String,
    val: &Val,
    ty: &ValueType,
    limits: &ValueLimits,
    handles: &mut dyn HandleTable,
) -> Result<(), ValueError> {
    Writer {
        out,
        depth: 0,
        limits,
        handles,
    }
    .value(val, ty)
}
