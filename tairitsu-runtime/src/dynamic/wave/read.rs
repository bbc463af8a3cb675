//! Reading WAVE: wasm-wave's parser, behind a scan that bounds depth and value count.

use wasmtime::component::wasm_wave::parser::ParserErrorKind;
use wasmtime::component::{Type, Val, wasm_wave};

use super::super::error::{ValueError, ValueErrorKind};
use super::super::ron::position_of;
use super::super::value_limits::ValueLimits;
use super::super::value_type::ValueType;

/// Reads a value of wasmtime type `ty` from WAVE text, with the default [`ValueLimits`].
///
/// # Errors
///
/// When the text is not WAVE for `ty`; the error has the line and column.
pub fn parse(text: &str, ty: &Type) -> Result<Val, ValueError> {
    parse_with(text, ty, &ValueLimits::default())
}

/// Reads a value of wasmtime type `ty` from WAVE text within `limits`.
///
/// # Errors
///
/// As [`parse`], and when the text exceeds the limits.
pub fn parse_with(text: &str, ty: &Type, limits: &ValueLimits) -> Result<Val, ValueError> {
    limits.check_len(text.len())?;
    check_depth(text, 0, text.len(), limits)?;
    parse_at(text, 0, text.len(), ty)
}

/// Reads `text[start..end]` as a value of `ty`; positions in errors are in all of `text`.
///
/// The text must have been scanned for depth and values first: by [`check_depth`], or, for
/// an argument, by [`split_args`] and [`Arg::check_values`]. One scan, not two, is a tenth of a
/// WAVE call on a long list (`benches/paired_dynamic.rs`, `sum`).
pub(crate) fn parse_at(text: &str, start: usize, end: usize, ty: &Type) -> Result<Val, ValueError> {
    wasm_wave::from_str::<Val>(ty, &text[start..end]).map_err(|e| {
        let mut message = e.kind().to_string();
        let kind = match e.kind() {
            ParserErrorKind::InvalidType | ParserErrorKind::InvalidValue => {
                ValueErrorKind::Mismatch
            }
            ParserErrorKind::DuplicateField | ParserErrorKind::DuplicateFlag => {
                ValueErrorKind::Name
            }
            ParserErrorKind::NestingTooDeep => ValueErrorKind::Limit,
            _ => ValueErrorKind::Syntax,
        };
        if let ParserErrorKind::InvalidType
        | ParserErrorKind::InvalidValue
        | ParserErrorKind::InvalidToken
        | ParserErrorKind::MultipleChars = e.kind()
        {
            // wasm-wave names neither the text nor the type: say both, so that `256` for a `u8`
            // reads as ``invalid value `256` (expected u8)``.
            message.push_str(&expected(&text[start..end], e.span(), ty));
        }
        if let Some(detail) = e.detail() {
            message.push_str(": ");
            message.push_str(detail);
        }
        if let Some(source) = std::error::Error::source(&e) {
            message.push_str(": ");
            message.push_str(&source.to_string());
        }
        ValueError::of(kind, message).with_position(position_of(text, start + e.span().start))
    })
}

/// `` `found` (expected T)`` for an error at `span` of `value`, or `` `found` (in T)`` when the
/// error is inside the value.
fn expected(value: &str, span: std::ops::Range<usize>, ty: &Type) -> String {
    let shorten = |text: &str, max: usize| -> String {
        if text.chars().count() > max {
            text.chars().take(max).chain("…".chars()).collect()
        } else {
            text.to_string()
        }
    };
    let found = shorten(value.get(span.clone()).unwrap_or_default(), 40);
    let ty = shorten(
        &ValueType::from_wasmtime(ty).map_or_else(|e| e.to_string(), |t| t.to_string()),
        160,
    );
    let trimmed = value.trim();
    let whole = value.get(span).is_some_and(|f| f.trim() == trimmed);
    if whole {
        format!(" `{found}` (expected {ty})")
    } else {
        format!(" `{found}` (in {ty})")
    }
}

/// One argument of a WAVE argument list: its name if named (`b: 2`), where it starts, and the
/// byte range of its value.
#[derive(Debug)]
pub(crate) struct Arg {
    pub(crate) name: Option<String>,
    pub(crate) start: usize,
    pub(crate) value_start: usize,
    pub(crate) end: usize,
    /// An upper bound on the values in it, from the scan that found its end.
    values: usize,
}

impl Arg {
    /// Fails when the argument may hold more values than `limits` allow; with the depth, which
    /// [`split_args`] checks, this is what [`check_depth`] checks of a whole text.
    pub(crate) fn check_values(&self, text: &str, limits: &ValueLimits) -> Result<(), ValueError> {
        if self.values > limits.max_values {
            return Err(too_many_values(text, self.value_start, limits));
        }
        Ok(())
    }
}

/// A lexical scan of WAVE text: finds the end of each value at nesting level 0, skipping
/// strings, chars and comments, and bounds the nesting.
struct Scanner<'a> {
    text: &'a str,
    pos: usize,
    limits: &'a ValueLimits,
    /// An upper bound on the values scanned so far: one, and one more for each `,`, `[`, `(`
    /// and `{` outside strings and comments.
    values: usize,
}

impl Scanner<'_> {
    fn rest(&self) -> &str {
        &self.text[self.pos..]
    }

    fn error(&self, pos: usize, message: impl Into<String>) -> ValueError {
        ValueError::of(ValueErrorKind::Syntax, message).with_position(position_of(self.text, pos))
    }

    fn skip_ws(&mut self) {
        loop {
            let trimmed = self.rest().trim_start_matches([' ', '\t', '\n', '\r']);
            self.pos = self.text.len() - trimmed.len();
            if self.rest().starts_with("//") {
                self.pos += self.rest().find('\n').unwrap_or(self.rest().len());
            } else {
                return;
            }
        }
    }

    /// Scans one value up to `,` or a closing bracket at its own level, or `end`.
    fn value(&mut self, end: usize) -> Result<(), ValueError> {
        let mut nesting: usize = 0;
        while self.pos < end {
            let b = self.text.as_bytes()[self.pos];
            match b {
                b'(' | b'[' | b'{' => {
                    nesting += 1;
                    self.values += 1;
                    if nesting >= self.limits.max_depth {
                        return Err(self
                            .limits
                            .too_deep()
                            .with_position(position_of(self.text, self.pos)));
                    }
                    self.pos += 1;
                }
                b')' | b']' | b'}' => {
                    if nesting == 0 {
                        return Ok(());
                    }
                    nesting -= 1;
                    self.pos += 1;
                }
                b',' => {
                    self.values += 1;
                    if nesting == 0 {
                        return Ok(());
                    }
                    self.pos += 1;
                }
                b'"' => {
                    let start = self.pos;
                    if self.rest().starts_with("\"\"\"") {
                        let Some(i) = self.rest()[3..].find("\"\"\"") else {
                            return Err(self.error(start, "unclosed multi-line string"));
                        };
                        self.pos += 3 + i + 3;
                    } else {
                        self.pos += 1;
                        self.quoted(b'"', start)?;
                    }
                }
                b'\'' => {
                    let start = self.pos;
                    self.pos += 1;
                    self.quoted(b'\'', start)?;
                }
                b'/' if self.rest().starts_with("//") => {
                    self.pos += self.rest().find('\n').unwrap_or(self.rest().len());
                }
                _ => self.pos += 1,
            }
        }
        Ok(())
    }

    fn quoted(&mut self, quote: u8, start: usize) -> Result<(), ValueError> {
        let bytes = self.text.as_bytes();
        while let Some(&b) = bytes.get(self.pos) {
            self.pos += 1;
            if b == b'\\' {
                self.pos += 1;
            } else if b == quote {
                return Ok(());
            }
        }
        Err(self.error(start, "unclosed string or char"))
    }

    /// A label followed by `:` at the cursor (`b:`, `%type:`): its name, the cursor after `:`.
    fn arg_name(&mut self) -> Option<String> {
        let rest = self.rest();
        let body = rest.strip_prefix('%').unwrap_or(rest);
        let first = body.chars().next()?;
        if !(first.is_ascii_alphabetic() || first == '_') {
            return None;
        }
        let len = body
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_'))
            .unwrap_or(body.len());
        let label_end = self.pos + (rest.len() - body.len()) + len;
        let after = self.text[label_end..].trim_start_matches([' ', '\t', '\n', '\r']);
        if after.starts_with(':') {
            let name = self.text[self.pos..label_end].to_string();
            self.pos = self.text.len() - after.len() + 1;
            Some(name)
        } else {
            None
        }
    }
}

/// Checks that `text[start..end]` nests no deeper than the limit and holds no more values than
/// it allows, before wasm-wave's recursive parser sees it. One scan counts both.
fn check_depth(
    text: &str,
    start: usize,
    end: usize,
    limits: &ValueLimits,
) -> Result<(), ValueError> {
    let mut scanner = Scanner {
        text,
        pos: start,
        limits,
        values: 1,
    };
    // Unbalanced closers at level 0 end a scan early; scan on past them.
    while scanner.pos < end {
        if let Err(e) = scanner.value(end) {
            return Err(scan_error(text, start, end, limits, e));
        }
        scanner.pos += 1;
    }
    if scanner.values > limits.max_values {
        return Err(too_many_values(text, start, limits));
    }
    Ok(())
}

/// The error of a scan that stopped at `e`: too many values wins over what stopped it, as when
/// the count came first (the count is then that of the whole text, strings skipped).
#[cold]
fn scan_error(
    text: &str,
    start: usize,
    end: usize,
    limits: &ValueLimits,
    e: ValueError,
) -> ValueError {
    if most_values(&text[start..end]) > limits.max_values {
        return too_many_values(text, start, limits);
    }
    e
}

#[cold]
fn too_many_values(text: &str, start: usize, limits: &ValueLimits) -> ValueError {
    limits
        .too_many_values()
        .with_position(position_of(text, start))
}

/// An upper bound on the number of values in WAVE text, without parsing it: each value is the
/// first thing in the text, or follows a `,`, or opens inside a `[`, `(` or `{` (record fields
/// follow `{` or `,` too). Strings and chars are skipped.
fn most_values(text: &str) -> usize {
    let bytes = text.as_bytes();
    let mut count = 1usize;
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        match b {
            b',' | b'[' | b'(' | b'{' => count += 1,
            b'"' | b'\'' => {
                // Skip to the matching quote, over escapes.
                i += 1;
                while let Some(&c) = bytes.get(i) {
                    if c == b'\\' {
                        i += 1;
                    } else if c == b {
                        break;
                    }
                    i += 1;
                }
            }
            _ => {}
        }
        i += 1;
    }
    count
}

/// Splits the WAVE argument list that opens at `text[open]` (a `(`) into arguments.
pub(crate) fn split_args(
    text: &str,
    open: usize,
    limits: &ValueLimits,
) -> Result<Vec<Arg>, ValueError> {
    let mut scanner = Scanner {
        text,
        pos: open + 1,
        limits,
        values: 1,
    };
    let mut args = Vec::new();
    loop {
        scanner.skip_ws();
        if scanner.rest().starts_with(')') {
            scanner.pos += 1;
            break;
        }
        let start = scanner.pos;
        let name = scanner.arg_name();
        scanner.skip_ws();
        let value_start = scanner.pos;
        scanner.values = 1;
        scanner.value(text.len())?;
        let end = scanner.pos;
        if text[value_start..end].trim().is_empty() {
            return Err(scanner.error(value_start, "expected an argument"));
        }
        args.push(Arg {
            name,
            start,
            value_start,
            end,
            values: scanner.values,
        });
        match text.as_bytes().get(scanner.pos) {
            Some(b',') => scanner.pos += 1,
            Some(b')') => {
                scanner.pos += 1;
                break;
            }
            Some(&c) => {
                return Err(scanner.error(
                    scanner.pos,
                    format!("expected `,` or `)`, found `{}`", c as char),
                ));
            }
            None => return Err(scanner.error(text.len(), "expected `)` closing the arguments")),
        }
    }
    scanner.skip_ws();
    if scanner.pos < text.len() {
        return Err(scanner.error(scanner.pos, "unexpected text after the arguments"));
    }
    Ok(args)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_arguments() {
        let text = r#"f(1, b: "a,)", c: [1, (2, 3)], 'x' // c
        )"#;
        let args = split_args(text, 1, &ValueLimits::default()).unwrap();
        let parts: Vec<_> = args
            .iter()
            .map(|a| (a.name.as_deref(), text[a.value_start..a.end].trim()))
            .collect();
        assert_eq!(
            parts,
            [
                (None, "1"),
                (Some("b"), r#""a,)""#),
                (Some("c"), "[1, (2, 3)]"),
                (None, "'x' // c")
            ]
        );
        assert!(
            split_args("f()", 1, &ValueLimits::default())
                .unwrap()
                .is_empty()
        );
        assert!(split_args("f(1", 1, &ValueLimits::default()).is_err());
        assert!(split_args("f(1) x", 1, &ValueLimits::default()).is_err());
        assert!(split_args("f(\"1)", 1, &ValueLimits::default()).is_err());
    }

    #[test]
    fn depth_is_checked_before_parsing() {
        let text = "[".repeat(10_000);
        let err = check_depth(&text, 0, text.len(), &ValueLimits::default()).unwrap_err();
        assert!(err.to_string().contains("deeper than 128"), "{err}");
    }
}
