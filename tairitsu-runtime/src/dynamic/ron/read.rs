//! Reading values of a type from RON: the type-directed half of the reader.

use wasmtime::component::Val;

use super::super::error::{ValueError, ValueErrorKind};
use super::super::names::Name;
use super::super::value_type::{RecordType, ValueType};
use super::lex::Reader;
use super::lex::{integer_val, position_of};

impl Reader<'_, '_> {
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
    pub(super) fn count_value(&mut self) -> Result<(), ValueError> {
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
    pub(super) fn leaf(&mut self, ty: &ValueType) -> Result<Val, ValueError> {
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
                        self.error_of_here(
                            ValueErrorKind::Mismatch,
                            format!("expected a flag of {ty}, found {}", self.found()),
                        )
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
            ValueType::Future(_)
            | ValueType::Stream(_)
            | ValueType::ErrorContext
            | ValueType::Map(..)
            | ValueType::FixedList(..) => {
                let unsupported = ty.check_supported().err();
                return Err(unsupported
                    .unwrap_or_else(|| self.expected(ty))
                    .with_position(position_of(self.src, self.pos)));
            }
        })
    }

    #[inline(never)]
    pub(super) fn variant(&mut self, ty: &ValueType) -> Result<Val, ValueError> {
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
    pub(super) fn open_payload(&mut self, case: &str) -> Result<(), ValueError> {
        self.expect_with(b'(', || format!("`(` and the payload of `{case}`"))
    }

    #[inline(never)]
    pub(super) fn option(
        &mut self,
        payload_ty: &ValueType,
        ty: &ValueType,
    ) -> Result<Val, ValueError> {
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
    pub(super) fn result(&mut self, ty: &ValueType) -> Result<Val, ValueError> {
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

    pub(super) fn expected(&self, ty: &ValueType) -> ValueError {
        self.error_of_here(
            ValueErrorKind::Mismatch,
            format!("expected {}, found {}", describe(ty), self.found()),
        )
    }

    pub(super) fn unknown_name<'n>(
        &self,
        start: usize,
        what: &str,
        ident: &str,
        ty: &ValueType,
        names: impl Iterator<Item = &'n Name>,
    ) -> ValueError {
        let list: Vec<&str> = names.map(Name::rust).collect();
        self.error_of(
            ValueErrorKind::Name,
            start,
            format!(
                "unknown {what} `{ident}` of {ty}; expected one of {}",
                list.join(", ")
            ),
        )
    }

    pub(super) fn unit(&mut self, expected: impl FnOnce() -> String) -> Result<(), ValueError> {
        if self.eat(b'(') {
            self.skip_ws()?;
            if self.eat(b')') {
                return Ok(());
            }
        }
        Err(self.error_of_here(
            ValueErrorKind::Mismatch,
            format!("expected {}, found {}", expected(), self.found()),
        ))
    }

    #[inline(never)]
    pub(super) fn list(&mut self, elem: &ValueType) -> Result<Val, ValueError> {
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
    pub(super) fn tuple(&mut self, elems: &[ValueType]) -> Result<Val, ValueError> {
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
                return Err(self.error_of_here(
                    ValueErrorKind::Mismatch,
                    format!(
                        "too many elements: {} has {}",
                        ValueType::Tuple(elems.to_vec()),
                        elems.len()
                    ),
                ));
            };
            items.push(self.value(elem).map_err(|e| e.at(format!("[{index}]")))?);
            if !self.comma_or_end(b')')? {
                break;
            }
        }
        if items.len() != elems.len() {
            return Err(self.error_of(
                ValueErrorKind::Mismatch,
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
    pub(super) fn record(
        &mut self,
        record: &RecordType,
        ty: &ValueType,
    ) -> Result<Val, ValueError> {
        let start = self.pos;
        if let Some(name) = self.ident() {
            if let Some(expected) = &record.name
                && !expected.matches(name)
            {
                return Err(self.error_of(
                    ValueErrorKind::Name,
                    start,
                    format!("expected {}, found `{name}`", describe(ty)),
                ));
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
                return Err(self.error_of_here(
                    ValueErrorKind::Name,
                    format!("expected a field name of {ty}, found {}", self.found()),
                ));
            };
            // Fields usually come in order: try the next one first.
            let index = match record.fields.get(next) {
                Some(f) if f.name.rust() == name => next,
                _ => find_name(record.fields.iter().map(|f| &f.name), name).ok_or_else(|| {
                    self.error_of(
                        ValueErrorKind::Name,
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
                return Err(self.error_of(
                    ValueErrorKind::Name,
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
                        return Err(self.error_of(
                            ValueErrorKind::Name,
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
