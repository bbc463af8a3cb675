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

use std::fmt::Write as _;

use wasmtime::component::Val;

use super::error::{Position, ValueError};
use super::handles::{HandleTable, NoHandles};
use super::limits::ValueLimits;
use super::names::{self, Name};
use super::value_type::{RecordType, ValueType};

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

// ---------------------------------------------------------------------------------------------
// Reading
// ---------------------------------------------------------------------------------------------

/// A type-directed RON reader over one text.
pub(crate) struct Reader<'a, 'h> {
    src: &'a str,
    pos: usize,
    depth: usize,
    /// Values read so far, against `limits.max_values`.
    values: usize,
    limits: &'a ValueLimits,
    handles: &'h mut dyn HandleTable,
}

/// The line and column of byte offset `pos` in `src`.
pub(crate) fn position_of(src: &str, pos: usize) -> Position {
    let before = &src[..floor_char_boundary(src, pos)];
    let line = before.bytes().filter(|&b| b == b'\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before[line_start..].chars().count() + 1;
    Position { line, column }
}

fn floor_char_boundary(s: &str, mut pos: usize) -> usize {
    if pos >= s.len() {
        return s.len();
    }
    while !s.is_char_boundary(pos) {
        pos -= 1;
    }
    pos
}

impl<'a, 'h> Reader<'a, 'h> {
    /// A reader at the start of `src`.
    pub(crate) fn new(
        src: &'a str,
        limits: &'a ValueLimits,
        handles: &'h mut dyn HandleTable,
    ) -> Result<Self, ValueError> {
        limits.check_len(src.len())?;
        Ok(Self {
            src,
            pos: 0,
            depth: 0,
            values: 0,
            limits,
            handles,
        })
    }

    /// The byte offset of the cursor.
    pub(crate) fn pos(&self) -> usize {
        self.pos
    }

    /// Moves the cursor to byte offset `pos` (a character boundary).
    pub(crate) fn rewind(&mut self, pos: usize) {
        self.pos = pos;
    }

    /// The line and column of byte offset `pos`.
    pub(crate) fn position(&self, pos: usize) -> Position {
        position_of(self.src, pos)
    }

    /// An error at byte offset `pos`.
    pub(crate) fn error_at(&self, pos: usize, message: impl Into<String>) -> ValueError {
        ValueError::new(message).with_position(position_of(self.src, pos))
    }

    /// An error at the cursor.
    pub(crate) fn error(&self, message: impl Into<String>) -> ValueError {
        self.error_at(self.pos, message)
    }

    fn rest(&self) -> &'a str {
        &self.src[self.pos..]
    }

    pub(crate) fn peek(&self) -> Option<u8> {
        self.src.as_bytes().get(self.pos).copied()
    }

    fn peek_at(&self, offset: usize) -> Option<u8> {
        self.src.as_bytes().get(self.pos + offset).copied()
    }

    fn starts_with(&self, s: &str) -> bool {
        self.rest().starts_with(s)
    }

    /// Consumes `b` if it is next.
    pub(crate) fn eat(&mut self, b: u8) -> bool {
        if self.peek() == Some(b) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    /// What is at the cursor, for messages: `` `abc` `` or `end of input`.
    pub(crate) fn found(&self) -> String {
        const MAX: usize = 24;
        let rest = self.rest();
        let Some(first) = rest.chars().next() else {
            return "the end of the input".to_string();
        };
        let is_delimiter = |c: char| {
            matches!(c, ',' | ')' | ']' | '(' | '[' | ':' | '{' | '}') || c.is_whitespace()
        };
        let mut end = first.len_utf8();
        let mut cut = false;
        if first == '"' {
            // A string: up to its closing quote.
            let mut escaped = false;
            for (i, c) in rest.char_indices().skip(1) {
                if i >= MAX {
                    cut = true;
                    break;
                }
                end = i + c.len_utf8();
                if c == '"' && !escaped {
                    break;
                }
                escaped = c == '\\' && !escaped;
            }
        } else if !is_delimiter(first) {
            // A word or a number: up to the next delimiter.
            for (i, c) in rest.char_indices().skip(1) {
                if is_delimiter(c) {
                    break;
                }
                if i >= MAX {
                    cut = true;
                    break;
                }
                end = i + c.len_utf8();
            }
        }
        format!("`{}{}`", &rest[..end], if cut { "…" } else { "" })
    }

    /// Expects `b` (after whitespace), else an error saying what was expected.
    pub(crate) fn expect(&mut self, b: u8, expected: &str) -> Result<(), ValueError> {
        self.expect_with(b, || expected.to_string())
    }

    /// As [`Reader::expect`], with the expectation written only on error.
    pub(crate) fn expect_with(
        &mut self,
        b: u8,
        expected: impl FnOnce() -> String,
    ) -> Result<(), ValueError> {
        self.skip_ws()?;
        if self.eat(b) {
            Ok(())
        } else {
            Err(self.error(format!("expected {}, found {}", expected(), self.found())))
        }
    }

    /// Skips whitespace and comments (`//…`, nested `/* … */`).
    pub(crate) fn skip_ws(&mut self) -> Result<(), ValueError> {
        let bytes = self.src.as_bytes();
        if bytes
            .get(self.pos)
            .is_none_or(|&b| b.is_ascii_graphic() && b != b'/')
        {
            return Ok(());
        }
        loop {
            while let Some(&b) = bytes.get(self.pos) {
                match b {
                    b' ' | b'\t' | b'\n' | b'\r' | 0x0B | 0x0C => self.pos += 1,
                    b if b >= 0x80 => {
                        let c = self.rest().chars().next().unwrap_or(' ');
                        if matches!(
                            c,
                            '\u{85}' | '\u{200E}' | '\u{200F}' | '\u{2028}' | '\u{2029}'
                        ) {
                            self.pos += c.len_utf8();
                        } else {
                            break;
                        }
                    }
                    _ => break,
                }
            }
            if self.starts_with("//") {
                match self.rest().find('\n') {
                    Some(i) => self.pos += i + 1,
                    None => self.pos = self.src.len(),
                }
            } else if self.starts_with("/*") {
                let start = self.pos;
                self.pos += 2;
                let mut level = 1usize;
                while level > 0 {
                    let rest = self.rest();
                    let Some(i) = rest.find(['/', '*']) else {
                        return Err(self.error_at(start, "unclosed block comment"));
                    };
                    self.pos += i;
                    if self.starts_with("/*") {
                        level += 1;
                        self.pos += 2;
                    } else if self.starts_with("*/") {
                        level -= 1;
                        self.pos += 2;
                    } else {
                        self.pos += 1;
                    }
                }
            } else {
                return Ok(());
            }
        }
    }

    /// Fails unless only whitespace and comments are left.
    pub(crate) fn finish(&mut self) -> Result<(), ValueError> {
        self.skip_ws()?;
        if self.pos < self.src.len() {
            Err(self.error(format!("unexpected {} after the value", self.found())))
        } else {
            Ok(())
        }
    }

    /// Reads an identifier: `name`, `r#name`, or a WIT name with dashes (`dark-magenta`).
    /// Returns `None` (consuming nothing) when there is none.
    pub(crate) fn ident(&mut self) -> Option<&'a str> {
        let rest = self.rest();
        let (body, prefix) = match rest.strip_prefix("r#") {
            Some(body) => (body, 2),
            None => (rest, 0),
        };
        let mut chars = body.char_indices();
        match chars.next() {
            Some((_, c)) if names::is_ident_first_char(c) => {}
            _ => return None,
        }
        let mut end = body.len();
        for (i, c) in chars {
            if !(names::is_ident_continue_char(c) || c == '-') {
                end = i;
                break;
            }
        }
        // A trailing `-` belongs to what follows (`a-` is not a WIT name).
        while end > 0 && body.as_bytes()[end - 1] == b'-' {
            end -= 1;
        }
        self.pos += prefix + end;
        Some(&body[..end])
    }

    /// Reads the next value, of type `ty`.
    ///
    /// Every kind has its own small function, so that each level of nesting costs little
    /// stack even in a debug build; the depth is checked before descending.
    pub(crate) fn value(&mut self, ty: &ValueType) -> Result<Val, ValueError> {
        self.skip_ws()?;
        if self.depth >= self.limits.max_depth {
            return Err(self
                .limits
                .too_deep()
                .with_position(position_of(self.src, self.pos)));
        }
        self.count_value()?;
        self.depth += 1;
        let val = match ty {
            ValueType::List(elem) => self.list(elem),
            ValueType::Tuple(elems) => self.tuple(elems),
            ValueType::Record(record) => self.record(record, ty),
            ValueType::Variant(_) => self.variant(ty),
            ValueType::Option(payload) => self.option(payload, ty),
            ValueType::Result(_) => self.result(ty),
            _ => self.leaf(ty),
        };
        self.depth -= 1;
        val
    }

    /// Counts one more value read, against `max_values`.
    fn count_value(&mut self) -> Result<(), ValueError> {
        self.values += 1;
        if self.values > self.limits.max_values {
            return Err(self
                .limits
                .too_many_values()
                .with_position(position_of(self.src, self.pos)));
        }
        Ok(())
    }

    /// A value with no values inside.
    #[inline(never)]
    fn leaf(&mut self, ty: &ValueType) -> Result<Val, ValueError> {
        Ok(match ty {
            ValueType::Bool => Val::Bool(self.bool()?),
            ValueType::S8 => Val::S8(self.integer(ty, "i8")? as i8),
            ValueType::U8 => Val::U8(self.integer(ty, "u8")? as u8),
            ValueType::S16 => Val::S16(self.integer(ty, "i16")? as i16),
            ValueType::U16 => Val::U16(self.integer(ty, "u16")? as u16),
            ValueType::S32 => Val::S32(self.integer(ty, "i32")? as i32),
            ValueType::U32 => Val::U32(self.integer(ty, "u32")? as u32),
            ValueType::S64 => Val::S64(self.integer(ty, "i64")? as i64),
            ValueType::U64 => Val::U64(self.integer(ty, "u64")? as u64),
            ValueType::F32 => Val::Float32(self.float(ty, |s| s.parse::<f32>().ok())?),
            ValueType::F64 => Val::Float64(self.float(ty, |s| s.parse::<f64>().ok())?),
            ValueType::Char => Val::Char(self.char()?),
            ValueType::String => Val::String(self.string()?),
            ValueType::Enum(e) => {
                let start = self.pos;
                let ident = self.ident().ok_or_else(|| self.expected(ty))?;
                let index = find_name(e.cases.iter(), ident)
                    .ok_or_else(|| self.unknown_name(start, "case", ident, ty, e.cases.iter()))?;
                Val::Enum(e.cases[index].wit().to_string())
            }
            ValueType::Flags(flags) => {
                if !self.eat(b'[') {
                    return Err(self.expected(ty));
                }
                let mut set = vec![false; flags.flags.len()];
                loop {
                    self.skip_ws()?;
                    if self.eat(b']') {
                        break;
                    }
                    let start = self.pos;
                    let ident = self.ident().ok_or_else(|| {
                        self.error(format!("expected a flag of {ty}, found {}", self.found()))
                    })?;
                    let index = find_name(flags.flags.iter(), ident).ok_or_else(|| {
                        self.unknown_name(start, "flag", ident, ty, flags.flags.iter())
                    })?;
                    set[index] = true;
                    if !self.comma_or_end(b']')? {
                        break;
                    }
                }
                Val::Flags(
                    flags
                        .flags
                        .iter()
                        .zip(set)
                        .filter(|(_, on)| *on)
                        .map(|(name, _)| name.wit().to_string())
                        .collect(),
                )
            }
            ValueType::Own(_) | ValueType::Borrow(_) => {
                let start = self.pos;
                if self.ident() != Some("Handle") {
                    self.pos = start;
                    return Err(self.expected(ty));
                }
                self.expect(b'(', "`(` after `Handle`")?;
                self.skip_ws()?;
                let handle_start = self.pos;
                let handle = self.integer(&ValueType::U64, "u64")? as u64;
                self.expect(b')', "`)`")?;
                let resource = self
                    .handles
                    .resource(handle, ty)
                    .map_err(|e| e.with_position(position_of(self.src, handle_start)))?;
                Val::Resource(resource)
            }
            ValueType::List(_)
            | ValueType::Tuple(_)
            | ValueType::Record(_)
            | ValueType::Variant(_)
            | ValueType::Option(_)
            | ValueType::Result(_) => return Err(self.expected(ty)),
        })
    }

    #[inline(never)]
    fn variant(&mut self, ty: &ValueType) -> Result<Val, ValueError> {
        let ValueType::Variant(variant) = ty else {
            return Err(self.expected(ty));
        };
        let start = self.pos;
        let ident = self.ident().ok_or_else(|| self.expected(ty))?;
        let index = find_name(variant.cases.iter().map(|c| &c.name), ident).ok_or_else(|| {
            self.unknown_name(
                start,
                "case",
                ident,
                ty,
                variant.cases.iter().map(|c| &c.name),
            )
        })?;
        let case = &variant.cases[index];
        let payload = match &case.ty {
            Some(payload_ty) => {
                self.open_payload(case.name.rust())?;
                let payload = self
                    .value(payload_ty)
                    .map_err(|e| e.at(format!(".{}", case.name.rust())))?;
                self.expect(b')', "`)`")?;
                Some(Box::new(payload))
            }
            None => None,
        };
        Ok(Val::Variant(case.name.wit().to_string(), payload))
    }

    #[inline(never)]
    fn open_payload(&mut self, case: &str) -> Result<(), ValueError> {
        self.expect_with(b'(', || format!("`(` and the payload of `{case}`"))
    }

    #[inline(never)]
    fn option(&mut self, payload_ty: &ValueType, ty: &ValueType) -> Result<Val, ValueError> {
        let start = self.pos;
        match self.ident() {
            Some("None") => Ok(Val::Option(None)),
            Some("Some") => {
                self.open_payload("Some")?;
                let payload = self.value(payload_ty)?;
                self.expect(b')', "`)`")?;
                Ok(Val::Option(Some(Box::new(payload))))
            }
            _ => {
                self.pos = start;
                Err(self.expected(ty))
            }
        }
    }

    #[inline(never)]
    fn result(&mut self, ty: &ValueType) -> Result<Val, ValueError> {
        let ValueType::Result(result) = ty else {
            return Err(self.expected(ty));
        };
        let start = self.pos;
        let (is_ok, payload_ty) = match self.ident() {
            Some("Ok") => (true, &result.ok),
            Some("Err") => (false, &result.err),
            _ => {
                self.pos = start;
                return Err(self.expected(ty));
            }
        };
        let side = if is_ok { "Ok" } else { "Err" };
        self.open_payload(side)?;
        let payload = match payload_ty {
            Some(payload_ty) => Some(Box::new(
                self.value(payload_ty)
                    .map_err(|e| e.at(format!(".{side}")))?,
            )),
            None => {
                self.skip_ws()?;
                self.unit(|| format!("`()`: `{side}` of {ty} has no payload"))?;
                None
            }
        };
        self.expect(b')', "`)`")?;
        Ok(Val::Result(if is_ok { Ok(payload) } else { Err(payload) }))
    }

    /// After an element: consumes `,` (returns `true`: more may follow) or the closing `end`
    /// (returns `false`).
    pub(crate) fn comma_or_end(&mut self, end: u8) -> Result<bool, ValueError> {
        self.skip_ws()?;
        if self.eat(b',') {
            Ok(true)
        } else if self.eat(end) {
            Ok(false)
        } else {
            Err(self.error(format!(
                "expected `,` or `{}`, found {}",
                end as char,
                self.found()
            )))
        }
    }

    fn expected(&self, ty: &ValueType) -> ValueError {
        self.error(format!("expected {}, found {}", describe(ty), self.found()))
    }

    fn unknown_name<'n>(
        &self,
        start: usize,
        what: &str,
        ident: &str,
        ty: &ValueType,
        names: impl Iterator<Item = &'n Name>,
    ) -> ValueError {
        let list: Vec<&str> = names.map(Name::rust).collect();
        self.error_at(
            start,
            format!(
                "unknown {what} `{ident}` of {ty}; expected one of {}",
                list.join(", ")
            ),
        )
    }

    fn unit(&mut self, expected: impl FnOnce() -> String) -> Result<(), ValueError> {
        if self.eat(b'(') {
            self.skip_ws()?;
            if self.eat(b')') {
                return Ok(());
            }
        }
        Err(self.error(format!("expected {}, found {}", expected(), self.found())))
    }

    fn bool(&mut self) -> Result<bool, ValueError> {
        let start = self.pos;
        match self.ident() {
            Some("true") => Ok(true),
            Some("false") => Ok(false),
            _ => {
                self.pos = start;
                Err(self.expected(&ValueType::Bool))
            }
        }
    }

    /// Reads an integer of type `ty` (with RON suffix `suffix`) and checks its range.
    fn integer(&mut self, ty: &ValueType, suffix: &str) -> Result<i128, ValueError> {
        let (min, max): (i128, i128) = match ty {
            ValueType::S8 => (i8::MIN.into(), i8::MAX.into()),
            ValueType::U8 => (0, u8::MAX.into()),
            ValueType::S16 => (i16::MIN.into(), i16::MAX.into()),
            ValueType::U16 => (0, u16::MAX.into()),
            ValueType::S32 => (i32::MIN.into(), i32::MAX.into()),
            ValueType::U32 => (0, u32::MAX.into()),
            ValueType::S64 => (i64::MIN.into(), i64::MAX.into()),
            _ => (0, u64::MAX.into()),
        };
        // Fast path: plain decimal digits, as a writer writes them, then a delimiter.
        let bytes = self.src.as_bytes();
        let negative = bytes.get(self.pos) == Some(&b'-');
        let digits_start = self.pos + usize::from(negative);
        let mut end = digits_start;
        let mut magnitude: u64 = 0;
        while let Some(&b) = bytes.get(end)
            && b.is_ascii_digit()
            && end - digits_start < 19
        {
            magnitude = magnitude * 10 + u64::from(b - b'0');
            end += 1;
        }
        if end > digits_start
            && !bytes
                .get(end)
                .is_some_and(|&b| b.is_ascii_alphanumeric() || b == b'_' || b == b'.' || b >= 0x80)
        {
            let value = if negative {
                -i128::from(magnitude)
            } else {
                i128::from(magnitude)
            };
            if value >= min && value <= max {
                self.pos = end;
                return Ok(value);
            }
        }

        let start = self.pos;
        if self.starts_with("b'") {
            if *ty != ValueType::U8 {
                return Err(self.error(format!("a byte literal is a u8, expected {ty}")));
            }
            self.pos += 2;
            let c = self
                .next_char()
                .ok_or_else(|| self.error("unclosed byte literal"))?;
            let byte = if c == '\\' {
                let c = self.escape(true)?;
                if !c.is_ascii() {
                    return Err(self.error("a byte literal takes an ASCII character"));
                }
                c as u8
            } else if c.is_ascii() {
                c as u8
            } else {
                return Err(self.error_at(start, "a byte literal takes an ASCII character"));
            };
            if !self.eat(b'\'') {
                return Err(self.error("expected `'` closing the byte literal"));
            }
            return Ok(byte.into());
        }
        let negative = match self.peek() {
            Some(b'-') => {
                self.pos += 1;
                true
            }
            Some(b'+') => {
                self.pos += 1;
                false
            }
            _ => false,
        };
        let base: u32 = if self.starts_with("0x") {
            self.pos += 2;
            16
        } else if self.starts_with("0o") {
            self.pos += 2;
            8
        } else if self.starts_with("0b") {
            self.pos += 2;
            2
        } else {
            10
        };
        let digits_start = self.pos;
        let bytes = self.src.as_bytes();
        while bytes
            .get(self.pos)
            .is_some_and(|b| b.is_ascii_hexdigit() || *b == b'_')
        {
            self.pos += 1;
        }
        let digits = &self.src[digits_start..self.pos];
        if digits.is_empty() {
            self.pos = start;
            return Err(self.expected(ty));
        }
        if digits.starts_with('_') {
            return Err(self.error_at(digits_start, "a number cannot start with `_`"));
        }
        let mut magnitude: u128 = 0;
        let mut overflow = false;
        for (i, b) in digits.bytes().enumerate() {
            if b == b'_' {
                continue;
            }
            let digit = (b as char).to_digit(16).unwrap_or(16);
            if digit >= base {
                return Err(self.error_at(
                    digits_start + i,
                    format!("invalid digit `{}` in a base {base} number", b as char),
                ));
            }
            match magnitude
                .checked_mul(base.into())
                .and_then(|m| m.checked_add(digit.into()))
            {
                Some(m) => magnitude = m,
                None => overflow = true,
            }
        }
        // A suffix (`1u8`) must name this very type, as in `ron`.
        if matches!(self.peek(), Some(b'i' | b'u')) {
            let suffix_start = self.pos;
            if let Some(found) = self.ident()
                && found != suffix
            {
                return Err(self.error_at(
                    suffix_start,
                    format!("expected {ty}, found a `{found}` literal"),
                ));
            }
        }
        if matches!(self.peek(), Some(b'.'))
            || self
                .rest()
                .chars()
                .next()
                .is_some_and(names::is_ident_continue_char)
        {
            // `1.5` or `12abc` where an integer is expected.
            while self
                .rest()
                .chars()
                .next()
                .is_some_and(|c| names::is_ident_continue_char(c) || c == '.')
            {
                self.pos += self.rest().chars().next().map_or(1, char::len_utf8);
            }
            return Err(self.error_at(
                start,
                format!("expected {ty}, found `{}`", &self.src[start..self.pos]),
            ));
        }
        let literal = &self.src[start..self.pos];
        let value = if overflow {
            None
        } else if negative {
            i128::try_from(magnitude).ok().map(|m| -m)
        } else {
            i128::try_from(magnitude).ok()
        };
        match value {
            Some(v) if v >= min && v <= max => Ok(v),
            _ => Err(self.error_at(start, format!("{literal} does not fit {ty}"))),
        }
    }

    /// Reads a float as `ron` does: `inf`, `NaN` with signs, or a run of float characters, with
    /// an optional `f32`/`f64` suffix.
    fn float<F: FloatLike>(
        &mut self,
        ty: &ValueType,
        parse: impl Fn(&str) -> Option<F>,
    ) -> Result<F, ValueError> {
        let start = self.pos;
        for (literal, value) in [
            ("inf", F::INFINITY),
            ("+inf", F::INFINITY),
            ("-inf", F::NEG_INFINITY),
            ("NaN", F::NAN),
            ("+NaN", F::NAN),
            ("-NaN", F::NEG_NAN),
        ] {
            if let Some(after) = self.rest().strip_prefix(literal) {
                let suffix_len = if after.starts_with("f32") || after.starts_with("f64") {
                    3
                } else {
                    0
                };
                let after_suffix = &after[suffix_len..];
                if !after_suffix
                    .chars()
                    .next()
                    .is_some_and(names::is_ident_continue_char)
                {
                    self.pos += literal.len() + suffix_len;
                    return Ok(value);
                }
            }
        }
        let bytes = self.src.as_bytes();
        while bytes.get(self.pos).is_some_and(|b| {
            b.is_ascii_digit() || matches!(b, b'e' | b'E' | b'.' | b'+' | b'-' | b'_')
        }) {
            self.pos += 1;
        }
        let raw = &self.src[start..self.pos];
        if raw.is_empty() {
            return Err(self.expected(ty));
        }
        let mut text = String::with_capacity(raw.len());
        let mut allow_underscore = false;
        for (i, c) in raw.char_indices() {
            match c {
                '_' if allow_underscore => continue,
                '_' => {
                    return Err(self.error_at(start + i, "misplaced `_` in a float"));
                }
                '0'..='9' | 'e' | 'E' => allow_underscore = true,
                '.' => allow_underscore = false,
                _ => {}
            }
            text.push(c);
        }
        if self.starts_with("f32") || self.starts_with("f64") {
            let after = &self.rest()[3..];
            if !after
                .chars()
                .next()
                .is_some_and(names::is_ident_continue_char)
            {
                self.pos += 3;
            }
        }
        if self
            .rest()
            .chars()
            .next()
            .is_some_and(names::is_ident_continue_char)
        {
            while self
                .rest()
                .chars()
                .next()
                .is_some_and(names::is_ident_continue_char)
            {
                self.pos += self.rest().chars().next().map_or(1, char::len_utf8);
            }
            return Err(self.error_at(
                start,
                format!("expected {ty}, found `{}`", &self.src[start..self.pos]),
            ));
        }
        parse(&text).ok_or_else(|| self.error_at(start, format!("expected {ty}, found `{raw}`")))
    }

    fn next_char(&mut self) -> Option<char> {
        let c = self.rest().chars().next()?;
        self.pos += c.len_utf8();
        Some(c)
    }

    fn char(&mut self) -> Result<char, ValueError> {
        if !self.eat(b'\'') {
            return Err(self.expected(&ValueType::Char));
        }
        let c = match self.next_char() {
            Some('\\') => self.escape(true)?,
            Some(c) => c,
            None => return Err(self.error("unclosed char literal")),
        };
        if !self.eat(b'\'') {
            return Err(self.error(format!(
                "expected `'` closing the char, found {}",
                self.found()
            )));
        }
        Ok(c)
    }

    /// Reads an escape after its `\` (RON's set: `\'`, `\"`, `\\`, `\n`, `\r`, `\t`, `\0`,
    /// `\xNN` (several for one UTF-8 character in strings), `\u{…}`).
    fn escape(&mut self, is_char: bool) -> Result<char, ValueError> {
        let start = self.pos - 1;
        let c = self
            .next_char()
            .ok_or_else(|| self.error("unfinished escape"))?;
        Ok(match c {
            '\'' => '\'',
            '"' => '"',
            '\\' => '\\',
            'n' => '\n',
            'r' => '\r',
            't' => '\t',
            '0' => '\0',
            'x' => {
                let mut buf = [self.hex_byte()?, 0, 0, 0];
                if let Ok(s) = std::str::from_utf8(&buf[..1]) {
                    return s
                        .chars()
                        .next()
                        .ok_or_else(|| self.error_at(start, "invalid `\\x` escape"));
                }
                if is_char {
                    return Err(self.error_at(start, "a char takes one `\\x` escape below 0x80"));
                }
                for i in 1..4 {
                    if !self.starts_with("\\x") {
                        break;
                    }
                    self.pos += 2;
                    buf[i] = self.hex_byte()?;
                    if let Some(c) = std::str::from_utf8(&buf[..=i])
                        .ok()
                        .and_then(|s| s.chars().next())
                    {
                        return Ok(c);
                    }
                }
                return Err(self.error_at(start, "`\\x` escapes that are not UTF-8"));
            }
            'u' => {
                if !self.eat(b'{') {
                    return Err(self.error_at(start, "expected `{` in a `\\u{…}` escape"));
                }
                let digits_start = self.pos;
                while self.peek().is_some_and(|b| b.is_ascii_hexdigit()) {
                    self.pos += 1;
                }
                let digits = &self.src[digits_start..self.pos];
                if digits.is_empty() || digits.len() > 6 || !self.eat(b'}') {
                    return Err(self.error_at(start, "expected 1 to 6 hex digits in `\\u{…}`"));
                }
                u32::from_str_radix(digits, 16)
                    .ok()
                    .and_then(char::from_u32)
                    .ok_or_else(|| {
                        self.error_at(start, format!("`\\u{{{digits}}}` is not a char"))
                    })?
            }
            other => {
                return Err(self.error_at(start, format!("unknown escape `\\{other}`")));
            }
        })
    }

    fn hex_byte(&mut self) -> Result<u8, ValueError> {
        let digits = self.src.get(self.pos..self.pos + 2).unwrap_or("");
        match u8::from_str_radix(digits, 16) {
            Ok(b) if digits.bytes().all(|b| b.is_ascii_hexdigit()) => {
                self.pos += 2;
                Ok(b)
            }
            _ => Err(self.error("expected two hex digits in a `\\x` escape")),
        }
    }

    fn string(&mut self) -> Result<String, ValueError> {
        if self.eat(b'"') {
            let mut out = String::new();
            loop {
                let rest = self.rest();
                let Some(i) = rest.find(['"', '\\']) else {
                    return Err(self.error("unclosed string"));
                };
                out.push_str(&rest[..i]);
                self.pos += i + 1;
                if rest.as_bytes()[i] == b'"' {
                    return Ok(out);
                }
                // A `\` then a line break: a continuation, which skips the break and the
                // indentation after it.
                if self.starts_with("\n") || self.starts_with("\r\n") {
                    while self
                        .peek()
                        .is_some_and(|b| matches!(b, b' ' | b'\t' | b'\n' | b'\r'))
                    {
                        self.pos += 1;
                    }
                    continue;
                }
                let c = self.escape(false)?;
                out.push(c);
            }
        }
        if self.peek() == Some(b'r') && matches!(self.peek_at(1), Some(b'"' | b'#')) {
            let start = self.pos;
            self.pos += 1;
            let hashes = self.rest().bytes().take_while(|&b| b == b'#').count();
            self.pos += hashes;
            if !self.eat(b'"') {
                return Err(self.error_at(start, "expected `\"` in a raw string"));
            }
            let mut ending = String::from("\"");
            ending.push_str(&"#".repeat(hashes));
            let Some(i) = self.rest().find(&ending) else {
                return Err(self.error_at(start, "unclosed raw string"));
            };
            let s = self.rest()[..i].to_string();
            self.pos += i + ending.len();
            return Ok(s);
        }
        Err(self.expected(&ValueType::String))
    }

    #[inline(never)]
    fn list(&mut self, elem: &ValueType) -> Result<Val, ValueError> {
        if !self.eat(b'[') {
            return Err(self.expected(&ValueType::List(Box::new(elem.clone()))));
        }
        let mut items = Vec::new();
        // Lists of integers (bytes, ids, samples) are the big ones: read them in a tight loop
        // that skips the per-element dispatch. The elements are one level deeper than the list.
        if let Some((make, suffix)) = integer_val(elem)
            && self.depth < self.limits.max_depth
        {
            loop {
                self.skip_ws()?;
                if self.eat(b']') {
                    break;
                }
                let index = items.len();
                self.count_value()?;
                let n = self
                    .integer(elem, suffix)
                    .map_err(|e| e.at(format!("[{index}]")))?;
                items.push(make(n));
                if !self.comma_or_end(b']')? {
                    break;
                }
            }
            return Ok(Val::List(items));
        }
        loop {
            self.skip_ws()?;
            if self.eat(b']') {
                break;
            }
            let index = items.len();
            items.push(self.value(elem).map_err(|e| e.at(format!("[{index}]")))?);
            if !self.comma_or_end(b']')? {
                break;
            }
        }
        Ok(Val::List(items))
    }

    #[inline(never)]
    fn tuple(&mut self, elems: &[ValueType]) -> Result<Val, ValueError> {
        if !self.eat(b'(') {
            return Err(self.expected(&ValueType::Tuple(elems.to_vec())));
        }
        let mut items = Vec::with_capacity(elems.len());
        loop {
            self.skip_ws()?;
            if self.eat(b')') {
                break;
            }
            let index = items.len();
            let Some(elem) = elems.get(index) else {
                return Err(self.error(format!(
                    "too many elements: {} has {}",
                    ValueType::Tuple(elems.to_vec()),
                    elems.len()
                )));
            };
            items.push(self.value(elem).map_err(|e| e.at(format!("[{index}]")))?);
            if !self.comma_or_end(b')')? {
                break;
            }
        }
        if items.len() != elems.len() {
            return Err(self.error_at(
                self.pos - 1,
                format!(
                    "{} has {} elements, found {}",
                    ValueType::Tuple(elems.to_vec()),
                    elems.len(),
                    items.len()
                ),
            ));
        }
        Ok(Val::Tuple(items))
    }

    #[inline(never)]
    fn record(&mut self, record: &RecordType, ty: &ValueType) -> Result<Val, ValueError> {
        let start = self.pos;
        if let Some(name) = self.ident() {
            if let Some(expected) = &record.name
                && !expected.matches(name)
            {
                return Err(
                    self.error_at(start, format!("expected {}, found `{name}`", describe(ty)))
                );
            }
            self.skip_ws()?;
        }
        if !self.eat(b'(') {
            self.pos = start;
            return Err(self.expected(ty));
        }
        let mut slots: Vec<Option<Val>> = vec![None; record.fields.len()];
        let mut next = 0usize;
        loop {
            self.skip_ws()?;
            if self.eat(b')') {
                break;
            }
            let name_start = self.pos;
            let Some(name) = self.ident() else {
                return Err(self.error(format!(
                    "expected a field name of {ty}, found {}",
                    self.found()
                )));
            };
            // Fields usually come in order: try the next one first.
            let index = match record.fields.get(next) {
                Some(f) if f.name.rust() == name => next,
                _ => find_name(record.fields.iter().map(|f| &f.name), name).ok_or_else(|| {
                    self.error_at(
                        name_start,
                        format!(
                            "unknown field `{name}` of {ty}; its fields are {}",
                            field_list(record)
                        ),
                    )
                })?,
            };
            let field = &record.fields[index];
            if slots[index].is_some() {
                return Err(self.error_at(
                    name_start,
                    format!("field `{}` of {ty} given twice", field.name.rust()),
                ));
            }
            self.expect_with(b':', || format!("`:` after `{name}`"))?;
            let val = self
                .value(&field.ty)
                .map_err(|e| e.at(format!(".{}", field.name.rust())))?;
            slots[index] = Some(val);
            next = index + 1;
            if !self.comma_or_end(b')')? {
                break;
            }
        }
        record
            .fields
            .iter()
            .zip(slots)
            .map(|(field, slot)| {
                let val = match slot {
                    Some(val) => val,
                    // serde's derive reads a missing `Option` field as `None`.
                    None if matches!(field.ty, ValueType::Option(_)) => Val::Option(None),
                    None => {
                        return Err(self.error_at(
                            self.pos.saturating_sub(1),
                            format!(
                                "missing field `{}` of {ty}; its fields are {}",
                                field.name.rust(),
                                field_list(record)
                            ),
                        ));
                    }
                };
                Ok((field.name.wit().to_string(), val))
            })
            .collect::<Result<_, _>>()
            .map(Val::Record)
    }
}

/// The index of the name `ident` designates: its Rust spelling first, then its WIT spelling.
pub(crate) fn find_name<'n>(
    names: impl Iterator<Item = &'n Name> + Clone,
    ident: &str,
) -> Option<usize> {
    names
        .clone()
        .position(|n| n.rust() == ident)
        .or_else(|| names.clone().position(|n| n.wit() == ident))
}

fn field_list(record: &RecordType) -> String {
    record
        .fields
        .iter()
        .map(|f| format!("{}: {}", f.name.rust(), f.ty))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `point` or `list<u8>` for messages, with the shape for records (`point (x: s32, y: s32)`).
fn describe(ty: &ValueType) -> String {
    match ty {
        ValueType::Record(r) if r.name.is_some() => {
            format!("{ty} `({})`", field_list(r))
        }
        _ => ty.to_string(),
    }
}

/// The float types `Reader::float` reads.
trait FloatLike: Copy {
    const INFINITY: Self;
    const NEG_INFINITY: Self;
    const NAN: Self;
    const NEG_NAN: Self;
}

/// Makes the `Val` of an integer type from a value already checked against its range.
type MakeInteger = fn(i128) -> Val;

/// For an integer type: how to make its `Val` from the checked value, and its Rust suffix.
fn integer_val(ty: &ValueType) -> Option<(MakeInteger, &'static str)> {
    // The value is range-checked by `Reader::integer` against `ty`, so the casts are exact.
    Some(match ty {
        ValueType::S8 => (|n| Val::S8(n as i8), "i8"),
        ValueType::U8 => (|n| Val::U8(n as u8), "u8"),
        ValueType::S16 => (|n| Val::S16(n as i16), "i16"),
        ValueType::U16 => (|n| Val::U16(n as u16), "u16"),
        ValueType::S32 => (|n| Val::S32(n as i32), "i32"),
        ValueType::U32 => (|n| Val::U32(n as u32), "u32"),
        ValueType::S64 => (|n| Val::S64(n as i64), "i64"),
        ValueType::U64 => (|n| Val::U64(n as u64), "u64"),
        _ => return None,
    })
}

impl FloatLike for f32 {
    const INFINITY: Self = f32::INFINITY;
    const NEG_INFINITY: Self = f32::NEG_INFINITY;
    const NAN: Self = f32::NAN;
    const NEG_NAN: Self = -f32::NAN;
}

impl FloatLike for f64 {
    const INFINITY: Self = f64::INFINITY;
    const NEG_INFINITY: Self = f64::NEG_INFINITY;
    const NAN: Self = f64::NAN;
    const NEG_NAN: Self = -f64::NAN;
}

// ---------------------------------------------------------------------------------------------
// Writing
// ---------------------------------------------------------------------------------------------

/// A type-directed RON writer.
pub(crate) struct Writer<'o, 'h> {
    pub(crate) out: &'o mut String,
    pub(crate) depth: usize,
    pub(crate) limits: &'o ValueLimits,
    pub(crate) handles: &'h mut dyn HandleTable,
}

/// What kind of `Val` this is, for messages.
pub(crate) fn val_kind(val: &Val) -> &'static str {
    match val {
        Val::Bool(_) => "a bool",
        Val::S8(_) => "an s8",
        Val::U8(_) => "a u8",
        Val::S16(_) => "an s16",
        Val::U16(_) => "a u16",
        Val::S32(_) => "an s32",
        Val::U32(_) => "a u32",
        Val::S64(_) => "an s64",
        Val::U64(_) => "a u64",
        Val::Float32(_) => "an f32",
        Val::Float64(_) => "an f64",
        Val::Char(_) => "a char",
        Val::String(_) => "a string",
        Val::List(_) => "a list",
        Val::Map(_) => "a map",
        Val::Record(_) => "a record",
        Val::Tuple(_) => "a tuple",
        Val::Variant(..) => "a variant",
        Val::Enum(_) => "an enum",
        Val::Option(_) => "an option",
        Val::Result(_) => "a result",
        Val::Flags(_) => "flags",
        Val::Resource(_) => "a resource",
        Val::Future(_) => "a future",
        Val::Stream(_) => "a stream",
        Val::ErrorContext(_) => "an error-context",
        Val::FixedLengthList(_) => "a fixed-length list",
    }
}

fn mismatch(val: &Val, ty: &ValueType) -> ValueError {
    ValueError::new(format!("expected {ty}, found {} value", val_kind(val)))
}

impl Writer<'_, '_> {
    /// Writes one value of type `ty`.
    ///
    /// As in the reader, each compound kind has its own small function, so that a level of
    /// nesting costs little stack; the depth is checked before descending.
    pub(crate) fn value(&mut self, val: &Val, ty: &ValueType) -> Result<(), ValueError> {
        if self.depth >= self.limits.max_depth {
            return Err(self.limits.too_deep());
        }
        self.depth += 1;
        let result = match (val, ty) {
            (Val::List(items), ValueType::List(elem)) => self.list(items, elem),
            (Val::Tuple(items), ValueType::Tuple(elems)) => self.tuple(items, elems, ty),
            (Val::Record(fields), ValueType::Record(_)) => self.record(fields, ty),
            (Val::Variant(name, payload), ValueType::Variant(_)) => {
                self.variant(name, payload.as_deref(), ty)
            }
            (Val::Option(payload), ValueType::Option(payload_ty)) => {
                self.option(payload.as_deref(), payload_ty)
            }
            (Val::Result(result), ValueType::Result(_)) => self.result(result, ty),
            _ => self.leaf(val, ty),
        };
        self.depth -= 1;
        if self.out.len() > self.limits.max_text_len {
            return Err(ValueError::new(format!(
                "the text grows past the limit of {} bytes",
                self.limits.max_text_len
            )));
        }
        result
    }

    #[inline(never)]
    fn leaf(&mut self, val: &Val, ty: &ValueType) -> Result<(), ValueError> {
        // `write!` to a `String` cannot fail.
        match (val, ty) {
            (Val::Bool(b), ValueType::Bool) => {
                self.out.push_str(if *b { "true" } else { "false" });
            }
            (Val::S8(v), ValueType::S8) => self.out.push_str(itoa::Buffer::new().format(*v)),
            (Val::U8(v), ValueType::U8) => self.out.push_str(itoa::Buffer::new().format(*v)),
            (Val::S16(v), ValueType::S16) => self.out.push_str(itoa::Buffer::new().format(*v)),
            (Val::U16(v), ValueType::U16) => self.out.push_str(itoa::Buffer::new().format(*v)),
            (Val::S32(v), ValueType::S32) => self.out.push_str(itoa::Buffer::new().format(*v)),
            (Val::U32(v), ValueType::U32) => self.out.push_str(itoa::Buffer::new().format(*v)),
            (Val::S64(v), ValueType::S64) => self.out.push_str(itoa::Buffer::new().format(*v)),
            (Val::U64(v), ValueType::U64) => self.out.push_str(itoa::Buffer::new().format(*v)),
            (Val::Float32(v), ValueType::F32) => {
                if v.is_nan() && v.is_sign_negative() {
                    self.out.push('-');
                }
                _ = write!(self.out, "{v:?}");
            }
            (Val::Float64(v), ValueType::F64) => {
                if v.is_nan() && v.is_sign_negative() {
                    self.out.push('-');
                }
                _ = write!(self.out, "{v:?}");
            }
            (Val::Char(c), ValueType::Char) => {
                self.out.push('\'');
                if matches!(c, '\\' | '\'') {
                    self.out.push('\\');
                }
                self.out.push(*c);
                self.out.push('\'');
            }
            (Val::String(s), ValueType::String) => write_escaped_str(self.out, s),
            (Val::Enum(name), ValueType::Enum(e)) => {
                let case = e
                    .cases
                    .iter()
                    .find(|c| c.wit() == name)
                    .ok_or_else(|| ValueError::new(format!("{ty} has no case `{name}`")))?;
                case.write_ron(self.out);
            }
            (Val::Flags(set), ValueType::Flags(flags)) => {
                if let Some(unknown) = set
                    .iter()
                    .find(|name| !flags.flags.iter().any(|f| f.wit() == name.as_str()))
                {
                    return Err(ValueError::new(format!("{ty} has no flag `{unknown}`")));
                }
                self.out.push('[');
                let mut first = true;
                for flag in &flags.flags {
                    if set.iter().any(|name| name == flag.wit()) {
                        if !first {
                            self.out.push(',');
                        }
                        first = false;
                        flag.write_ron(self.out);
                    }
                }
                self.out.push(']');
            }
            (Val::Resource(resource), ValueType::Own(_) | ValueType::Borrow(_)) => {
                let handle = self.handles.handle(*resource, ty)?;
                _ = write!(self.out, "Handle({handle})");
            }
            _ => return Err(mismatch(val, ty)),
        }
        Ok(())
    }

    #[inline(never)]
    fn list(&mut self, items: &[Val], elem: &ValueType) -> Result<(), ValueError> {
        self.out.push('[');
        for (i, item) in items.iter().enumerate() {
            if i > 0 {
                self.out.push(',');
            }
            self.value(item, elem).map_err(|e| e.at(format!("[{i}]")))?;
        }
        self.out.push(']');
        Ok(())
    }

    #[inline(never)]
    fn tuple(
        &mut self,
        items: &[Val],
        elems: &[ValueType],
        ty: &ValueType,
    ) -> Result<(), ValueError> {
        if items.len() != elems.len() {
            return Err(ValueError::new(format!(
                "expected {ty}, found a tuple of {} elements",
                items.len()
            )));
        }
        self.out.push('(');
        for (i, (item, elem)) in items.iter().zip(elems).enumerate() {
            if i > 0 {
                self.out.push(',');
            }
            self.value(item, elem).map_err(|e| e.at(format!("[{i}]")))?;
        }
        self.out.push(')');
        Ok(())
    }

    #[inline(never)]
    fn record(&mut self, fields: &[(String, Val)], ty: &ValueType) -> Result<(), ValueError> {
        let ValueType::Record(record) = ty else {
            return Err(ValueError::new(format!(
                "expected {ty}, found a record value"
            )));
        };
        if fields.len() != record.fields.len() {
            return Err(ValueError::new(format!(
                "expected {ty} with {} fields, found a record of {}",
                record.fields.len(),
                fields.len()
            )));
        }
        self.out.push('(');
        for (i, field) in record.fields.iter().enumerate() {
            let val = match fields.get(i) {
                Some((name, val)) if name == field.name.wit() => val,
                _ => fields
                    .iter()
                    .find(|(name, _)| name == field.name.wit())
                    .map(|(_, val)| val)
                    .ok_or_else(|| {
                        ValueError::new(format!(
                            "the record has no field `{}` of {ty}",
                            field.name.wit()
                        ))
                    })?,
            };
            if i > 0 {
                self.out.push(',');
            }
            field.name.write_ron(self.out);
            self.out.push(':');
            self.value(val, &field.ty)
                .map_err(|e| e.at(format!(".{}", field.name.rust())))?;
        }
        self.out.push(')');
        Ok(())
    }

    #[inline(never)]
    fn variant(
        &mut self,
        name: &str,
        payload: Option<&Val>,
        ty: &ValueType,
    ) -> Result<(), ValueError> {
        let ValueType::Variant(variant) = ty else {
            return Err(ValueError::new(format!(
                "expected {ty}, found a variant value"
            )));
        };
        let case = variant
            .cases
            .iter()
            .find(|c| c.name.wit() == name)
            .ok_or_else(|| ValueError::new(format!("{ty} has no case `{name}`")))?;
        case.name.write_ron(self.out);
        match (payload, &case.ty) {
            (Some(payload), Some(payload_ty)) => {
                self.out.push('(');
                self.value(payload, payload_ty)
                    .map_err(|e| e.at(format!(".{}", case.name.rust())))?;
                self.out.push(')');
                Ok(())
            }
            (None, None) => Ok(()),
            (Some(_), None) => Err(ValueError::new(format!(
                "case `{name}` of {ty} has no payload, but the value has one"
            ))),
            (None, Some(_)) => Err(ValueError::new(format!(
                "case `{name}` of {ty} needs a payload"
            ))),
        }
    }

    #[inline(never)]
    fn option(&mut self, payload: Option<&Val>, payload_ty: &ValueType) -> Result<(), ValueError> {
        match payload {
            Some(payload) => {
                self.out.push_str("Some(");
                self.value(payload, payload_ty)?;
                self.out.push(')');
            }
            None => self.out.push_str("None"),
        }
        Ok(())
    }

    #[inline(never)]
    fn result(
        &mut self,
        result: &Result<Option<Box<Val>>, Option<Box<Val>>>,
        ty: &ValueType,
    ) -> Result<(), ValueError> {
        let ValueType::Result(result_ty) = ty else {
            return Err(ValueError::new(format!(
                "expected {ty}, found a result value"
            )));
        };
        let (side, payload, payload_ty) = match result {
            Ok(payload) => ("Ok", payload, &result_ty.ok),
            Err(payload) => ("Err", payload, &result_ty.err),
        };
        self.out.push_str(side);
        self.out.push('(');
        match (payload, payload_ty) {
            (Some(payload), Some(payload_ty)) => self
                .value(payload, payload_ty)
                .map_err(|e| e.at(format!(".{side}")))?,
            (None, None) => self.out.push_str("()"),
            (Some(_), None) => {
                return Err(ValueError::new(format!(
                    "`{side}` of {ty} has no payload, but the value has one"
                )));
            }
            (None, Some(_)) => {
                return Err(ValueError::new(format!("`{side}` of {ty} needs a payload")));
            }
        }
        self.out.push(')');
        Ok(())
    }
}

/// Appends `s` as a RON string, escaped as `ron` does (`char::escape_debug` per character).
fn write_escaped_str(out: &mut String, s: &str) {
    out.push('"');
    let plain = |b: u8| (0x20..0x7f).contains(&b) && !matches!(b, b'"' | b'\\' | b'\'');
    if s.bytes().all(plain) {
        out.push_str(s);
    } else {
        for c in s.chars() {
            if c.is_ascii() && plain(c as u8) {
                out.push(c);
            } else {
                out.extend(c.escape_debug());
            }
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dynamic::DEFAULT_MAX_DEPTH;

    fn point() -> ValueType {
        ValueType::record(
            Some("point"),
            [("x-pos", ValueType::S32), ("y", ValueType::S32)],
        )
    }

    fn round_trip(text: &str, ty: &ValueType) -> String {
        let val = parse(text, ty).unwrap_or_else(|e| panic!("{text}: {e}"));
        to_string(&val, ty).unwrap()
    }

    #[test]
    fn scalars() {
        assert_eq!(round_trip(" 0x1F ", &ValueType::U8), "31");
        assert_eq!(round_trip("-128", &ValueType::S8), "-128");
        assert_eq!(round_trip("1_000u32", &ValueType::U32), "1000");
        assert_eq!(round_trip("b'a'", &ValueType::U8), "97");
        assert_eq!(
            round_trip("18446744073709551615", &ValueType::U64),
            "18446744073709551615"
        );
        assert_eq!(
            round_trip("-9223372036854775808", &ValueType::S64),
            "-9223372036854775808"
        );
        assert_eq!(round_trip("1", &ValueType::F64), "1.0");
        assert_eq!(round_trip("-.5e1", &ValueType::F64), "-5.0");
        assert_eq!(round_trip("-NaN", &ValueType::F64), "-NaN");
        assert_eq!(round_trip("+inf", &ValueType::F32), "inf");
        assert_eq!(round_trip("1e300", &ValueType::F64), "1e300");
        assert_eq!(round_trip("0.1f32", &ValueType::F32), "0.1");
        assert_eq!(round_trip("'\\''", &ValueType::Char), "'\\''");
        assert_eq!(round_trip("'\\u{fc}'", &ValueType::Char), "'ü'");
        assert_eq!(round_trip("true", &ValueType::Bool), "true");
    }

    #[test]
    fn strings() {
        assert_eq!(
            round_trip(
                r#""a\x41\u{301}\
                 b""#,
                &ValueType::String
            ),
            r#""aA\u{301}b""#
        );
        assert_eq!(
            round_trip(r###"r#"a"b"#"###, &ValueType::String),
            r#""a\"b""#
        );
        assert_eq!(round_trip(r#""it's""#, &ValueType::String), r#""it\'s""#);
        assert_eq!(round_trip("\"\\xc3\\xbc\"", &ValueType::String), "\"ü\"");
    }

    #[test]
    fn records_in_every_form() {
        let ty = point();
        for text in [
            "(x_pos:1,y:2)",
            "Point(x_pos: 1, y: 2,)",
            "point(y: 2, x-pos: 1)",
            "/* c */ ( // line\n x_pos : 1 , y : 2 )",
        ] {
            assert_eq!(round_trip(text, &ty), "(x_pos:1,y:2)", "{text}");
        }
    }

    #[test]
    fn record_errors_list_the_fields() {
        let ty = point();
        let err = parse("(x_pos: 1)", &ty).unwrap_err().to_string();
        assert!(err.contains("missing field `y` of point"), "{err}");
        let err = parse("(x_pos: 1, z: 2)", &ty).unwrap_err().to_string();
        assert!(
            err.contains("unknown field `z`") && err.contains("x_pos: s32, y: s32"),
            "{err}"
        );
        let err = parse("(x_pos: 1, x_pos: 2)", &ty).unwrap_err().to_string();
        assert!(err.contains("given twice"), "{err}");
        let err = parse("Line(x_pos: 1, y: 2)", &ty).unwrap_err().to_string();
        assert!(err.contains("expected point"), "{err}");
        let err = parse("(x_pos: 1, y: 300000000000)", &ty)
            .unwrap_err()
            .to_string();
        assert_eq!(err, ".y: 300000000000 does not fit s32 (line 1, column 15)");
    }

    #[test]
    fn missing_option_field_is_none() {
        let ty = ValueType::record(
            None,
            [
                ("a", ValueType::U8),
                ("b", ValueType::option(ValueType::U8)),
            ],
        );
        assert_eq!(round_trip("(a: 1)", &ty), "(a:1,b:None)");
    }

    #[test]
    fn variants_enums_flags() {
        let shape = ValueType::variant(
            Some("shape"),
            [
                ("circle", Some(ValueType::F64)),
                ("rectangle", Some(point())),
                ("empty", None),
                ("none", None),
            ],
        );
        assert_eq!(round_trip("Circle(1)", &shape), "Circle(1.0)");
        assert_eq!(
            round_trip("rectangle(Point(x_pos:1,y:2))", &shape),
            "Rectangle((x_pos:1,y:2))"
        );
        assert_eq!(round_trip("Empty", &shape), "Empty");
        assert_eq!(round_trip("None", &shape), "r#None");
        assert_eq!(round_trip("r#None", &shape), "r#None");
        let err = parse("Square(1)", &shape).unwrap_err().to_string();
        assert!(
            err.contains("unknown case `Square` of shape; expected one of Circle"),
            "{err}"
        );

        let color = ValueType::enumeration(Some("color"), ["red", "dark-magenta"]);
        assert_eq!(round_trip("dark-magenta", &color), "DarkMagenta");
        let perms = ValueType::flags(Some("permissions"), ["read", "write", "exec"]);
        assert_eq!(round_trip("[Exec, read, Exec]", &perms), "[Read,Exec]");
        assert_eq!(round_trip("[]", &perms), "[]");
    }

    #[test]
    fn options_results_tuples_lists() {
        let ty = ValueType::option(ValueType::option(ValueType::U32));
        assert_eq!(round_trip("Some(None)", &ty), "Some(None)");
        assert_eq!(round_trip("Some ( Some ( 3 ) )", &ty), "Some(Some(3))");
        let ty = ValueType::result(None, Some(ValueType::String));
        assert_eq!(round_trip("Ok( () )", &ty), "Ok(())");
        assert_eq!(round_trip("Err(\"e\")", &ty), "Err(\"e\")");
        assert!(parse("Ok()", &ty).is_err());
        let ty = ValueType::tuple([ValueType::U8, ValueType::String]);
        assert_eq!(round_trip("(1, \"a\",)", &ty), "(1,\"a\")");
        assert!(
            parse("(1)", &ty)
                .unwrap_err()
                .to_string()
                .contains("has 2 elements, found 1")
        );
        assert!(
            parse("(1, \"a\", 2)", &ty)
                .unwrap_err()
                .to_string()
                .contains("too many")
        );
        let ty = ValueType::list(ValueType::U8);
        assert_eq!(round_trip("[1, 2, 3,]", &ty), "[1,2,3]");
        let err = parse("[1, 2, 300]", &ty).unwrap_err().to_string();
        assert_eq!(err, "[2]: 300 does not fit u8 (line 1, column 8)");
    }

    #[test]
    fn bad_input_is_an_error() {
        let cases: &[(&str, ValueType)] = &[
            ("", ValueType::U8),
            ("-1", ValueType::U8),
            ("1.5", ValueType::U32),
            ("1u8", ValueType::U32),
            ("\"abc", ValueType::String),
            ("'ab'", ValueType::Char),
            ("[1 2]", ValueType::list(ValueType::U8)),
            ("1 2", ValueType::U8),
            ("/* open", ValueType::U8),
            ("\"\\q\"", ValueType::String),
            ("\"\\u{110000}\"", ValueType::String),
            ("Some(1", ValueType::option(ValueType::U8)),
            ("Handle(1)", ValueType::Own(Default::default())),
            ("truex", ValueType::Bool),
            ("é", ValueType::U8),
        ];
        for (text, ty) in cases {
            assert!(
                parse(text, ty).is_err(),
                "{text:?} should not parse as {ty}"
            );
        }
    }

    #[test]
    fn depth_is_bounded_without_recursion_on_input() {
        let mut ty = ValueType::U8;
        for _ in 0..200 {
            ty = ValueType::list(ty);
        }
        let text = format!("{}1{}", "[".repeat(10_000), "]".repeat(10_000));
        let err = parse(&text, &ty).unwrap_err().to_string();
        assert!(err.contains("deeper than 128 levels"), "{err}");
    }

    #[test]
    fn the_deepest_value_allowed_fits_a_small_stack() {
        // 127 nested lists around a record inside options: the whole depth budget, read and
        // written on a thread with a 512 KiB stack (a debug build, where frames are largest: about
        // 2.3 KiB a level when reading, 1.2 KiB when writing).
        let leaf = ValueType::option(ValueType::record(Some("p"), [("x", ValueType::U8)]));
        let mut ty = leaf;
        for _ in 0..(DEFAULT_MAX_DEPTH - 3) {
            ty = ValueType::list(ty);
        }
        let text = format!(
            "{}Some((x:1)){}",
            "[".repeat(DEFAULT_MAX_DEPTH - 3),
            "]".repeat(DEFAULT_MAX_DEPTH - 3)
        );
        let written = std::thread::Builder::new()
            .stack_size(512 << 10)
            .spawn(move || {
                let val = parse(&text, &ty).unwrap();
                to_string(&val, &ty).unwrap() == text
            })
            .unwrap()
            .join()
            .unwrap();
        assert!(written);
    }

    #[test]
    fn size_is_bounded() {
        let limits = ValueLimits {
            max_text_len: 8,
            ..ValueLimits::default()
        };
        let ty = ValueType::String;
        assert!(parse_with("\"0123456789\"", &ty, &limits, &mut NoHandles).is_err());
        let val = Val::String("0123456789".into());
        assert!(to_string_with(&val, &ty, &limits, &mut NoHandles).is_err());
    }

    #[test]
    fn writer_checks_the_value_against_the_type() {
        let err = to_string(&Val::U32(1), &ValueType::U8)
            .unwrap_err()
            .to_string();
        assert_eq!(err, "expected u8, found a u32 value");
        let val = Val::List(vec![Val::U8(1), Val::String("x".into())]);
        let err = to_string(&val, &ValueType::list(ValueType::U8))
            .unwrap_err()
            .to_string();
        assert_eq!(err, "[1]: expected u8, found a string value");
    }
}
