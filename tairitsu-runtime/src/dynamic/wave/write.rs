//! Writing WAVE: the text of wasm-wave's writer, written straight into a `String` and bounded
//! as it grows.
//!
//! wasm-wave's writer formats every character of a string through `core::fmt`, about a hundred
//! instructions each; here runs of characters that need no escape are copied at once, and only
//! the others go through the same `char` escapes wasm-wave uses, so the text is the same
//! (`tests/dynamic_random.rs` compares the two on random values of random types). The length
//! bound is checked per run, not per character.

use std::fmt::{Display, Write as _};

use wasmtime::component::Val;
use wasmtime::component::wasm_wave::lex::Keyword;

use super::super::error::{ValueError, ValueErrorKind};
use super::super::value_limits::ValueLimits;

/// Writes `val` as WAVE.
///
/// # Errors
///
/// When the value holds a resource (WAVE has no syntax for one) or another kind WAVE cannot
/// write.
pub fn to_string(val: &Val) -> Result<String, ValueError> {
    to_string_with(val, &ValueLimits::default())
}

/// Writes `val` as WAVE, stopping with a [`Limit`](ValueErrorKind::Limit) error as soon as the
/// text passes `limits.max_text_len` (a string of control characters takes up to ten times its
/// size as WAVE escapes, so the text is bounded as it is written, not after).
///
/// # Errors
///
/// As [`to_string`], and when the text grows past the limit.
pub fn to_string_with(val: &Val, limits: &ValueLimits) -> Result<String, ValueError> {
    let mut text = Text {
        out: String::new(),
        max: limits.max_text_len,
    };
    match text.value(val) {
        Ok(()) => Ok(text.out),
        Err(Stop::Full) => Err(limits.text_too_long()),
        Err(Stop::Unwritable(kind)) => Err(ValueError::of(
            ValueErrorKind::Unsupported,
            format!(
                "cannot write WAVE: the value holds a {kind}, which WAVE has no syntax for; use \
                 RON, where a resource is an opaque `Handle(n)`"
            ),
        )),
    }
}

/// Why writing stopped.
enum Stop {
    /// The text would pass the limit.
    Full,
    /// A kind WAVE has no syntax for (wasm-wave's writer panics on these).
    Unwritable(&'static str),
}

/// The text being written, and its bound.
struct Text {
    out: String,
    max: usize,
}

impl Text {
    fn value(&mut self, val: &Val) -> Result<(), Stop> {
        match val {
            Val::Bool(b) => self.push(if *b { "true" } else { "false" }),
            Val::S8(v) => self.display(v),
            Val::U8(v) => self.display(v),
            Val::S16(v) => self.display(v),
            Val::U16(v) => self.display(v),
            Val::S32(v) => self.display(v),
            Val::U32(v) => self.display(v),
            Val::S64(v) => self.display(v),
            Val::U64(v) => self.display(v),
            // `Display` says `NaN`; WAVE says `nan`.
            Val::Float32(f) if f.is_nan() => self.push("nan"),
            Val::Float64(f) if f.is_nan() => self.push("nan"),
            Val::Float32(f) => self.display(f),
            Val::Float64(f) => self.display(f),
            Val::Char(c) => self.quoted("'", c.encode_utf8(&mut [0; 4])),
            Val::String(s) => self.quoted("\"", s),
            Val::List(vals) | Val::FixedLengthList(vals) => self.sequence("[", vals, "]"),
            Val::Tuple(vals) => self.sequence("(", vals, ")"),
            Val::Record(fields) => {
                self.push("{")?;
                let mut first = true;
                // wasm-wave leaves out the fields that are `none`.
                for (name, val) in fields {
                    if matches!(val, Val::Option(None)) {
                        continue;
                    }
                    if !first {
                        self.push(", ")?;
                    }
                    first = false;
                    self.push(name)?;
                    self.push(": ")?;
                    self.value(val)?;
                }
                if first {
                    self.push(":")?;
                }
                self.push("}")
            }
            Val::Variant(case, payload) => {
                self.label(case)?;
                self.payload(payload.as_deref())
            }
            Val::Enum(case) => self.label(case),
            Val::Option(Some(val)) => {
                self.push("some(")?;
                self.value(val)?;
                self.push(")")
            }
            Val::Option(None) => self.push("none"),
            Val::Result(Ok(payload)) => {
                self.push("ok")?;
                self.payload(payload.as_deref())
            }
            Val::Result(Err(payload)) => {
                self.push("err")?;
                self.payload(payload.as_deref())
            }
            Val::Flags(names) => {
                self.push("{")?;
                for (i, name) in names.iter().enumerate() {
                    if i != 0 {
                        self.push(", ")?;
                    }
                    self.push(name)?;
                }
                self.push("}")
            }
            Val::Resource(_) => Err(Stop::Unwritable("resource")),
            Val::Future(_) => Err(Stop::Unwritable("future")),
            Val::Stream(_) => Err(Stop::Unwritable("stream")),
            Val::ErrorContext(_) => Err(Stop::Unwritable("error-context")),
            // wasmtime's WAVE conversion has no map kind either.
            Val::Map(_) => Err(Stop::Unwritable("map")),
        }
    }

    /// Appends `s`, unless the text would pass the limit.
    #[inline]
    fn push(&mut self, s: &str) -> Result<(), Stop> {
        if self.out.len().saturating_add(s.len()) > self.max {
            return Err(Stop::Full);
        }
        self.out.push_str(s);
        Ok(())
    }

    /// Appends `d`'s `Display` text (short: a number or one escaped character).
    fn display(&mut self, d: impl Display) -> Result<(), Stop> {
        // Writing into a `String` does not fail.
        let _ = write!(self.out, "{d}");
        if self.out.len() > self.max {
            return Err(Stop::Full);
        }
        Ok(())
    }

    /// A case name, with `%` before one that is a WAVE keyword.
    fn label(&mut self, name: &str) -> Result<(), Stop> {
        if Keyword::decode(name).is_some() {
            self.push("%")?;
        }
        self.push(name)
    }

    fn payload(&mut self, payload: Option<&Val>) -> Result<(), Stop> {
        match payload {
            Some(val) => {
                self.push("(")?;
                self.value(val)?;
                self.push(")")
            }
            None => Ok(()),
        }
    }

    fn sequence(&mut self, open: &str, vals: &[Val], close: &str) -> Result<(), Stop> {
        self.push(open)?;
        for (i, val) in vals.iter().enumerate() {
            if i != 0 {
                self.push(", ")?;
            }
            self.value(val)?;
        }
        self.push(close)
    }

    /// `s` between `quote`s, each character escaped as wasm-wave's writer escapes it (in a
    /// string and in a char alike).
    fn quoted(&mut self, quote: &str, s: &str) -> Result<(), Stop> {
        self.push(quote)?;
        let bytes = s.as_bytes();
        let mut plain = 0;
        let mut i = 0;
        while let Some(&b) = bytes.get(i) {
            if matches!(b, b' '..=b'~') && !matches!(b, b'\\' | b'"' | b'\'') {
                i += 1;
                continue;
            }
            // `i` is at a character boundary: it only moves by whole characters.
            let Some(c) = s[i..].chars().next() else {
                break;
            };
            self.push(&s[plain..i])?;
            self.escaped(c)?;
            i += c.len_utf8();
            plain = i;
        }
        self.push(&s[plain..])?;
        self.push(quote)
    }

    /// wasm-wave's escape of one character that is not printable ASCII, or is a quote or a
    /// backslash. Most non-ASCII characters come out as they are.
    fn escaped(&mut self, c: char) -> Result<(), Stop> {
        if matches!(c, '\\' | '"' | '\'' | '\t' | '\r' | '\n') {
            self.display(c.escape_default())
        } else if c.is_control() {
            self.display(c.escape_unicode())
        } else {
            self.display(c.escape_debug())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasmtime::component::wasm_wave;

    /// The text is wasm-wave's, byte for byte, on the corners of every kind (random values of
    /// random types are compared in `tests/dynamic_random.rs`).
    #[test]
    fn writes_what_wasm_wave_writes() {
        let values = [
            Val::Bool(false),
            Val::S8(i8::MIN),
            Val::S64(i64::MIN),
            Val::U64(u64::MAX),
            Val::Float32(f32::NAN),
            Val::Float32(-0.0),
            Val::Float64(f64::INFINITY),
            Val::Float64(-f64::MIN_POSITIVE),
            Val::Char('\''),
            Val::Char('"'),
            Val::Char('\u{1f}'),
            Val::Char('\u{301}'),
            Val::Char('é'),
            Val::String(
                "plain, then \\ \" ' \t\r\n \u{0}\u{7f}\u{85}\u{200b}\u{301}é 日本 🦀".into(),
            ),
            Val::String(String::new()),
            Val::Enum("type".into()),
            Val::Enum("nan".into()),
            Val::Variant("some".into(), Some(Box::new(Val::String("x".into())))),
            Val::Variant("plain".into(), None),
            Val::Option(None),
            Val::Option(Some(Box::new(Val::Option(None)))),
            Val::Result(Err(None)),
            Val::Result(Ok(Some(Box::new(Val::U8(255))))),
            Val::Flags(vec!["a".into(), "bb".into()]),
            Val::Flags(vec![]),
            Val::Record(vec![]),
            Val::Record(vec![("x".into(), Val::Option(None))]),
            Val::Record(vec![
                ("x".into(), Val::Option(None)),
                ("y".into(), Val::U8(1)),
                ("z".into(), Val::Option(Some(Box::new(Val::U8(2))))),
            ]),
            Val::Tuple(vec![]),
            Val::Tuple(vec![Val::U8(1), Val::Char('x')]),
            Val::List(vec![Val::S8(-1); 3]),
            Val::FixedLengthList(vec![Val::U16(7); 2]),
        ];
        for val in &values {
            let ours = to_string(val).unwrap();
            let theirs = wasm_wave::to_string(val).unwrap();
            assert_eq!(ours, theirs, "{val:?}");
        }
    }

    #[test]
    fn maps_are_refused_not_panicked_on() {
        // wasm-wave's writer panics on a map.
        let map = Val::Map(vec![(Val::U8(1), Val::U8(2))]);
        let err = to_string(&Val::List(vec![map])).unwrap_err();
        assert_eq!(err.kind(), ValueErrorKind::Unsupported, "{err}");
        assert!(err.to_string().contains("map"), "{err}");
    }

    #[test]
    fn text_stops_at_the_limit() {
        let limits = ValueLimits {
            max_text_len: 64,
            ..ValueLimits::default()
        };
        // Twelve control characters are 62 bytes of text (`"` and twelve `\u{1}`)...
        let short = Val::String("\u{1}".repeat(12));
        assert_eq!(to_string_with(&short, &limits).unwrap().len(), 62);
        // ...thirteen are 67, and so are 67 plain ones.
        for long in ["\u{1}".repeat(13), "x".repeat(65)] {
            let err = to_string_with(&Val::String(long), &limits).unwrap_err();
            assert_eq!(err.kind(), ValueErrorKind::Limit, "{err}");
        }
        let list = Val::List(vec![Val::U32(1_000_000); 10]);
        let err = to_string_with(&list, &limits).unwrap_err();
        assert_eq!(err.kind(), ValueErrorKind::Limit, "{err}");
    }
}
