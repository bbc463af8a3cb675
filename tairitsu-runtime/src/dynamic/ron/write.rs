//! Writing values as compact RON, exactly as `ron::to_string` writes the generated types.

use std::fmt::Write as _;

use wasmtime::component::Val;

use super::super::error::{ValueError, ValueErrorKind};
use super::super::handles::HandleTable;
use super::super::value_limits::ValueLimits;
use super::super::value_type::ValueType;

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
fn val_kind(val: &Val) -> &'static str {
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
    ValueError::of(
        ValueErrorKind::Mismatch,
        format!("expected {ty}, found {} value", val_kind(val)),
    )
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
            return Err(self.limits.text_too_long());
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
            (Val::String(s), ValueType::String) => {
                write_escaped_str(self.out, s, self.limits.max_text_len)
                    .map_err(|TooLong| self.limits.text_too_long())?;
            }
            (Val::Enum(name), ValueType::Enum(e)) => {
                let case = e.cases.iter().find(|c| c.wit() == name).ok_or_else(|| {
                    ValueError::of(
                        ValueErrorKind::Mismatch,
                        format!("{ty} has no case `{name}`"),
                    )
                })?;
                case.write_ron(self.out);
            }
            (Val::Flags(set), ValueType::Flags(flags)) => {
                if let Some(unknown) = set
                    .iter()
                    .find(|name| !flags.flags.iter().any(|f| f.wit() == name.as_str()))
                {
                    return Err(ValueError::of(
                        ValueErrorKind::Mismatch,
                        format!("{ty} has no flag `{unknown}`"),
                    ));
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
            return Err(ValueError::of(
                ValueErrorKind::Mismatch,
                format!("expected {ty}, found a tuple of {} elements", items.len()),
            ));
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
            return Err(ValueError::of(
                ValueErrorKind::Mismatch,
                format!("expected {ty}, found a record value"),
            ));
        };
        if fields.len() != record.fields.len() {
            return Err(ValueError::of(
                ValueErrorKind::Mismatch,
                format!(
                    "expected {ty} with {} fields, found a record of {}",
                    record.fields.len(),
                    fields.len()
                ),
            ));
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
                        ValueError::of(
                            ValueErrorKind::Mismatch,
                            format!("the record has no field `{}` of {ty}", field.name.wit()),
                        )
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
            return Err(ValueError::of(
                ValueErrorKind::Mismatch,
                format!("expected {ty}, found a variant value"),
            ));
        };
        let case = variant
            .cases
            .iter()
            .find(|c| c.name.wit() == name)
            .ok_or_else(|| {
                ValueError::of(
                    ValueErrorKind::Mismatch,
                    format!("{ty} has no case `{name}`"),
                )
            })?;
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
            (Some(_), None) => Err(ValueError::of(
                ValueErrorKind::Mismatch,
                format!("case `{name}` of {ty} has no payload, but the value has one"),
            )),
            (None, Some(_)) => Err(ValueError::of(
                ValueErrorKind::Mismatch,
                format!("case `{name}` of {ty} needs a payload"),
            )),
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
            return Err(ValueError::of(
                ValueErrorKind::Mismatch,
                format!("expected {ty}, found a result value"),
            ));
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
                return Err(ValueError::of(
                    ValueErrorKind::Mismatch,
                    format!("`{side}` of {ty} has no payload, but the value has one"),
                ));
            }
            (None, Some(_)) => {
                return Err(ValueError::of(
                    ValueErrorKind::Mismatch,
                    format!("`{side}` of {ty} needs a payload"),
                ));
            }
        }
        self.out.push(')');
        Ok(())
    }
}

/// The text passed its limit.
struct TooLong;

/// Appends `s` as a RON string, escaped as `ron` does (`char::escape_debug` per character),
/// stopping as soon as `out` would pass `max` bytes: escapes multiply a string (a control
/// character becomes `\u{1}`), so checking after the whole string would first build up to ten
/// times its size.
fn write_escaped_str(out: &mut String, s: &str, max: usize) -> Result<(), TooLong> {
    // The text is never shorter than the string and its quotes.
    if out.len().saturating_add(s.len()).saturating_add(2) > max {
        return Err(TooLong);
    }
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
                if out.len() > max {
                    return Err(TooLong);
                }
            }
        }
    }
    out.push('"');
    Ok(())
}
