//! Echo bodies: a function whose result is its parameters.
//!
//! With the canonical ABI an echo is one of three shapes:
//!
//! * the result flattens to at most one core value: return the (only) flat parameter;
//! * the parameters are passed indirectly (more than 16 flat values): the pointer already points
//!   at the parameters laid out as the tuple of the parameters, which is the layout of the
//!   result, so return the pointer;
//! * otherwise store the flat parameters into the return area with the memory layout of the
//!   result and return the return area.
//!
//! The third shape is the interesting one: variants (and options, results, enums) carry their
//! payload in *joined* flat slots, so storing a case means branching on the discriminant and
//! converting the slot back to the case's own type (an `f32` case may ride in an `i64` slot).

use std::fmt::Write as _;

use anyhow::{Result, bail};
use wit_parser::abi::{WasmSignature, WasmType};
use wit_parser::{FlagsRepr, Function, Int, Type, TypeDefKind};

use crate::abi::{Abi, coerce};

/// One flat value of the parameters: the core local holding it and that local's type.
#[derive(Clone, Copy)]
struct Slot {
    local: u32,
    ty: WasmType,
}

/// Checks that `func`'s result is its parameters (one parameter of type `T` returning `T`, or
/// several returning the tuple of their types) and returns the WAT body that echoes them.
///
/// `ret_area` is an instruction sequence pushing the address of a return area big enough for
/// the result.
pub(crate) fn echo_body(
    abi: &Abi<'_>,
    func: &Function,
    sig: &WasmSignature,
    ret_area: &str,
) -> Result<String> {
    check_echo_signature(abi, func)?;
    let Some(result) = &func.result else {
        return Ok(String::new());
    };
    if sig.indirect_params || !sig.retptr {
        // Either the parameter pointer already points at the result's layout, or the result
        // is the single flat parameter.
        return Ok("local.get 0".to_string());
    }
    let flat = abi.flat(result);
    let slots: Vec<Slot> = flat
        .iter()
        .enumerate()
        .map(|(i, ty)| Slot {
            local: u32::try_from(i).expect("at most 16 flat parameters"),
            ty: *ty,
        })
        .collect();
    let mut writer = StoreWriter {
        abi,
        base: ret_area,
        out: String::new(),
        depth: 0,
    };
    writer.store(result, &slots, 0);
    writer.out.push_str(ret_area);
    Ok(writer.out)
}

fn check_echo_signature(abi: &Abi<'_>, func: &Function) -> Result<()> {
    let name = &func.name;
    let ok = match (func.params.as_slice(), &func.result) {
        ([], None) => true,
        ([], Some(_)) => bail!("cannot echo `{name}`: it has a result but no parameters"),
        (_, None) => bail!("cannot echo `{name}`: it has parameters but no result"),
        ([param], Some(result)) => abi.same_type(&param.ty, result),
        (params, Some(result)) => match abi.dealias(result) {
            Type::Id(id) => match &abi.resolve.types[id].kind {
                TypeDefKind::Tuple(tuple) => {
                    tuple.types.len() == params.len()
                        && tuple
                            .types
                            .iter()
                            .zip(params)
                            .all(|(ty, param)| abi.same_type(ty, &param.ty))
                }
                _ => false,
            },
            _ => false,
        },
    };
    if !ok {
        bail!(
            "cannot echo `{name}`: its result must be the type of its single parameter, \
             or the tuple of its parameter types"
        );
    }
    Ok(())
}

/// Writes the instructions that store flat slots into memory at `base + offset`.
struct StoreWriter<'a, 'r> {
    abi: &'a Abi<'r>,
    base: &'a str,
    out: String,
    depth: usize,
}

impl StoreWriter<'_, '_> {
    fn line(&mut self, text: &str) {
        for _ in 0..self.depth {
            self.out.push_str("  ");
        }
        self.out.push_str(text);
        self.out.push('\n');
    }

    /// Pushes the slot's value converted to the core type `want`.
    fn get(&mut self, slot: Slot, want: WasmType) {
        let conversion = coerce(slot.ty, want);
        let text = format!("local.get {} {conversion}", slot.local);
        self.line(text.trim_end());
    }

    /// `base; <slot as want>; <op> offset=<offset>`
    fn store_slot(&mut self, op: &str, want: WasmType, slot: Slot, offset: u32) {
        let base = self.base.to_string();
        self.line(&base);
        self.get(slot, want);
        let mut text = op.to_string();
        if offset != 0 {
            let _ = write!(text, " offset={offset}");
        }
        self.line(&text);
    }

    /// Stores an integer discriminant of width `tag`.
    fn store_tag(&mut self, tag: Int, slot: Slot, offset: u32) {
        let op = match tag {
            Int::U8 => "i32.store8",
            Int::U16 => "i32.store16",
            Int::U32 => "i32.store",
            Int::U64 => unreachable!("discriminants are at most 32 bits"),
        };
        self.store_slot(op, WasmType::I32, slot, offset);
    }

    /// Stores `slots` (exactly the flat values of `ty`) with the memory layout of `ty`.
    fn store(&mut self, ty: &Type, slots: &[Slot], offset: u32) {
        use WasmType::{F32, F64, I32, I64};
        debug_assert_eq!(slots.len(), self.abi.flat(ty).len());
        match ty {
            Type::Bool | Type::U8 | Type::S8 => {
                self.store_slot("i32.store8", I32, slots[0], offset)
            }
            Type::U16 | Type::S16 => self.store_slot("i32.store16", I32, slots[0], offset),
            Type::U32 | Type::S32 | Type::Char | Type::ErrorContext => {
                self.store_slot("i32.store", I32, slots[0], offset)
            }
            Type::U64 | Type::S64 => self.store_slot("i64.store", I64, slots[0], offset),
            Type::F32 => self.store_slot("f32.store", F32, slots[0], offset),
            Type::F64 => self.store_slot("f64.store", F64, slots[0], offset),
            Type::String => self.store_pointer_and_length(slots, offset),
            Type::Id(id) => self.store_defined(*id, slots, offset),
        }
    }

    fn store_pointer_and_length(&mut self, slots: &[Slot], offset: u32) {
        self.store_slot("i32.store", WasmType::I32, slots[0], offset);
        self.store_slot("i32.store", WasmType::I32, slots[1], offset + 4);
    }

    fn store_defined(&mut self, id: wit_parser::TypeId, slots: &[Slot], offset: u32) {
        let abi = self.abi;
        match &abi.resolve.types[id].kind {
            TypeDefKind::Type(inner) => self.store(inner, slots, offset),
            TypeDefKind::Record(record) => {
                let types: Vec<&Type> = record.fields.iter().map(|f| &f.ty).collect();
                self.store_sequence(&types, slots, offset);
            }
            TypeDefKind::Tuple(tuple) => {
                let types: Vec<&Type> = tuple.types.iter().collect();
                self.store_sequence(&types, slots, offset);
            }
            TypeDefKind::FixedLengthList(element, len) => {
                let types: Vec<&Type> = (0..*len).map(|_| element).collect();
                self.store_sequence(&types, slots, offset);
            }
            TypeDefKind::List(_) | TypeDefKind::Map(_, _) => {
                self.store_pointer_and_length(slots, offset)
            }
            TypeDefKind::Handle(_) | TypeDefKind::Future(_) | TypeDefKind::Stream(_) => {
                self.store_slot("i32.store", WasmType::I32, slots[0], offset)
            }
            TypeDefKind::Flags(flags) => match flags.repr() {
                FlagsRepr::U8 => self.store_slot("i32.store8", WasmType::I32, slots[0], offset),
                FlagsRepr::U16 => self.store_slot("i32.store16", WasmType::I32, slots[0], offset),
                FlagsRepr::U32(words) => {
                    for (word, slot) in slots.iter().take(words).enumerate() {
                        let word = u32::try_from(word).expect("flags fit in memory");
                        self.store_slot("i32.store", WasmType::I32, *slot, offset + 4 * word);
                    }
                }
            },
            TypeDefKind::Enum(e) => self.store_tag(e.tag(), slots[0], offset),
            TypeDefKind::Variant(v) => {
                let cases: Vec<Option<&Type>> = v.cases.iter().map(|c| c.ty.as_ref()).collect();
                self.store_variant(v.tag(), &cases, slots, offset);
            }
            TypeDefKind::Option(payload) => {
                self.store_variant(Int::U8, &[None, Some(payload)], slots, offset)
            }
            TypeDefKind::Result(result) => self.store_variant(
                Int::U8,
                &[result.ok.as_ref(), result.err.as_ref()],
                slots,
                offset,
            ),
            TypeDefKind::Resource => unreachable!("a resource is only passed as a handle"),
            TypeDefKind::Unknown => unreachable!("a resolved WIT has no unknown types"),
        }
    }

    /// Record-like: consecutive fields, each taking its own flat slots.
    fn store_sequence(&mut self, types: &[&Type], slots: &[Slot], offset: u32) {
        let offsets = self.abi.field_offsets(types.iter().copied());
        let mut rest = slots;
        for (ty, field_offset) in types.iter().zip(offsets) {
            let n = self.abi.flat(ty).len();
            let (mine, others) = rest.split_at(n);
            self.store(ty, mine, offset + field_offset);
            rest = others;
        }
    }

    /// Variant-like: store the discriminant, then for the case it names, that case's payload
    /// taken from the leading joined slots.
    fn store_variant(&mut self, tag: Int, cases: &[Option<&Type>], slots: &[Slot], offset: u32) {
        let (tag_slot, payload) = (slots[0], &slots[1..]);
        self.store_tag(tag, tag_slot, offset);
        let payload_offset = offset + self.abi.payload_offset(tag, cases.iter().copied());
        for (index, case) in cases.iter().enumerate() {
            let Some(ty) = case else { continue };
            let n = self.abi.flat(ty).len();
            self.get(tag_slot, WasmType::I32);
            self.line(&format!("i32.const {index}"));
            self.line("i32.eq");
            self.line("if");
            self.depth += 1;
            self.store(ty, &payload[..n], payload_offset);
            self.depth -= 1;
            self.line("end");
        }
    }
}
