//! Reading RON text below the level of values: whitespace and comments, punctuation,
//! identifiers, and literals (numbers, chars, strings).

use wasmtime::component::Val;

use super::super::error::{Position, ValueError, ValueErrorKind};
use super::super::handles::HandleTable;
use super::super::names;
use super::super::value_limits::ValueLimits;
use super::super::value_type::ValueType;

/// A type-directed RON reader over one text.
pub(crate) struct Reader<'a, 'h> {
    pub(super) src: &'a str,
    pub(super) pos: usize,
    pub(super) depth: usize,
    /// Values read so far, against `limits.max_values`.
    pub(super) values: usize,
    pub(super) limits: &'a ValueLimits,
    pub(super) handles: &'h mut dyn HandleTable,
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
        self.error_of(ValueErrorKind::Syntax, pos, message)
    }

    /// An error of `kind` at byte offset `pos`.
    pub(crate) fn error_of(
        &self,
        kind: ValueErrorKind,
        pos: usize,
        message: impl Into<String>,
    ) -> ValueError {
        ValueError::of(kind, message).with_position(position_of(self.src, pos))
    }

    /// An error of `kind` at the cursor.
    pub(super) fn error_of_here(
        &self,
        kind: ValueErrorKind,
        message: impl Into<String>,
    ) -> ValueError {
        self.error_of(kind, self.pos, message)
    }

    /// An error at the cursor.
    pub(crate) fn error(&self, message: impl Into<String>) -> ValueError {
        self.error_at(self.pos, message)
    }

    pub(super) fn rest(&self) -> &'a str {
        &self.src[self.pos..]
    }

    pub(crate) fn peek(&self) -> Option<u8> {
        self.src.as_bytes().get(self.pos).copied()
    }

    pub(super) fn peek_at(&self, offset: usize) -> Option<u8> {
        self.src.as_bytes().get(self.pos + offset).copied()
    }

    pub(super) fn starts_with(&self, s: &str) -> bool {
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
            Err(self.error_of_here(
                ValueErrorKind::Mismatch,
                format!("expected {}, found {}", expected(), self.found()),
            ))
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

    pub(super) fn bool(&mut self) -> Result<bool, ValueError> {
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
    pub(super) fn integer(&mut self, ty: &ValueType, suffix: &str) -> Result<i128, ValueError> {
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
                return Err(self.error_of_here(
                    ValueErrorKind::Mismatch,
                    format!("a byte literal is a u8, expected {ty}"),
                ));
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
                return Err(self.error_of(
                    ValueErrorKind::Mismatch,
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
                return Err(self.error_of(
                    ValueErrorKind::Mismatch,
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
            return Err(self.error_of(
                ValueErrorKind::Mismatch,
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
            _ => Err(self.error_of(
                ValueErrorKind::Mismatch,
                start,
                format!("{literal} does not fit {ty}"),
            )),
        }
    }

    /// Reads a float as `ron` does: `inf`, `NaN` with signs, or a run of float characters, with
    /// an optional `f32`/`f64` suffix.
    pub(super) fn float<F: FloatLike>(
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
        parse(&text).ok_or_else(|| {
            self.error_of(
                ValueErrorKind::Mismatch,
                start,
                format!("expected {ty}, found `{raw}`"),
            )
        })
    }

    pub(super) fn next_char(&mut self) -> Option<char> {
        let c = self.rest().chars().next()?;
        self.pos += c.len_utf8();
        Some(c)
    }

    pub(super) fn char(&mut self) -> Result<char, ValueError> {
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
    pub(super) fn escape(&mut self, is_char: bool) -> Result<char, ValueError> {
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

    pub(super) fn hex_byte(&mut self) -> Result<u8, ValueError> {
        let digits = self.src.get(self.pos..self.pos + 2).unwrap_or("");
        match u8::from_str_radix(digits, 16) {
            Ok(b) if digits.bytes().all(|b| b.is_ascii_hexdigit()) => {
                self.pos += 2;
                Ok(b)
            }
            _ => Err(self.error("expected two hex digits in a `\\x` escape")),
        }
    }

    pub(super) fn string(&mut self) -> Result<String, ValueError> {
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
}

/// The float types `Reader::float` reads.
pub(super) trait FloatLike: Copy {
    const INFINITY: Self;
    const NEG_INFINITY: Self;
    const NAN: Self;
    const NEG_NAN: Self;
}

/// Makes the `Val` of an integer type from a value already checked against its range.
pub(super) type MakeInteger = fn(i128) -> Val;

/// For an integer type: how to make its `Val` from the checked value, and its Rust suffix.
pub(super) fn integer_val(ty: &ValueType) -> Option<(MakeInteger, &'static str)> {
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
