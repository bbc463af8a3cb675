//! Canonical ABI facts for wasm32: flattening, memory layout, core signatures, type equality.
//!
//! Everything here is a thin layer over `wit_parser`'s own ABI helpers (`Resolve::push_flat`,
//! `Resolve::wasm_signature`, `SizeAlign`), so the layout is the one wit-component and wasmtime
//! use.

use wit_parser::abi::{AbiVariant, FlatTypes, WasmSignature, WasmType};
use wit_parser::{Function, Handle, Int, Resolve, SizeAlign, Type, TypeDefKind, TypeId};

/// Layout and flattening queries over one [`Resolve`].
pub(crate) struct Abi<'a> {
    /// The WIT the queries are about.
    pub(crate) resolve: &'a Resolve,
    sizes: SizeAlign,
}

impl<'a> Abi<'a> {
    /// Computes the sizes and alignments of every type in `resolve`.
    pub(crate) fn new(resolve: &'a Resolve) -> Self {
        let mut sizes = SizeAlign::default();
        sizes.fill(resolve);
        Abi { resolve, sizes }
    }

    /// The flat core types of `ty`, without the 16-value limit, each normalised by [`core`].
    pub(crate) fn flat(&self, ty: &Type) -> Vec<WasmType> {
        let mut storage = vec![WasmType::I32; 4096];
        let mut flat = FlatTypes::new(&mut storage);
        let fits = self.resolve.push_flat(ty, &mut flat);
        assert!(fits, "a WIT type flattens to more than 4096 core values");
        flat.to_vec().into_iter().map(core).collect()
    }

    /// Size in bytes of `ty` in linear memory.
    pub(crate) fn size(&self, ty: &Type) -> u32 {
        to_u32(self.sizes.size(ty).size_wasm32())
    }

    /// Alignment in bytes of `ty` in linear memory.
    pub(crate) fn align(&self, ty: &Type) -> u32 {
        to_u32(self.sizes.align(ty).align_wasm32())
    }

    /// Offsets of consecutive fields (record fields, tuple elements, function parameters).
    pub(crate) fn field_offsets<'t>(&self, types: impl IntoIterator<Item = &'t Type>) -> Vec<u32> {
        self.sizes
            .field_offsets(types)
            .into_iter()
            .map(|(offset, _)| to_u32(offset.size_wasm32()))
            .collect()
    }

    /// Offset of the payload of a variant-like type with discriminant `tag` and these cases.
    pub(crate) fn payload_offset<'t>(
        &self,
        tag: Int,
        cases: impl IntoIterator<Item = Option<&'t Type>>,
    ) -> u32 {
        to_u32(self.sizes.payload_offset(tag, cases).size_wasm32())
    }

    /// The core signature of `func` as seen from a guest that imports or exports it.
    pub(crate) fn signature(&self, func: &Function, variant: AbiVariant) -> WasmSignature {
        let mut sig = self.resolve.wasm_signature(variant, func);
        sig.params = sig.params.into_iter().map(core).collect();
        sig.results = sig.results.into_iter().map(core).collect();
        sig
    }

    /// Follows `type a = b` aliases down to the type they name.
    pub(crate) fn dealias(&self, ty: &Type) -> Type {
        let mut ty = *ty;
        while let Type::Id(id) = ty {
            match &self.resolve.types[id].kind {
                TypeDefKind::Type(inner) => ty = *inner,
                _ => break,
            }
        }
        ty
    }

    fn dealias_id(&self, id: TypeId) -> TypeId {
        match self.dealias(&Type::Id(id)) {
            Type::Id(id) => id,
            _ => id,
        }
    }

    /// Whether two types are the same component-model type: structural, names included.
    pub(crate) fn same_type(&self, a: &Type, b: &Type) -> bool {
        let (a, b) = (self.dealias(a), self.dealias(b));
        let (a, b) = match (a, b) {
            (Type::Id(a), Type::Id(b)) => (a, b),
            (a, b) => return a == b,
        };
        if a == b {
            return true;
        }
        let same = |x: &Type, y: &Type| self.same_type(x, y);
        let same_opt = |x: &Option<Type>, y: &Option<Type>| match (x, y) {
            (Some(x), Some(y)) => same(x, y),
            (None, None) => true,
            _ => false,
        };
        use TypeDefKind as K;
        match (&self.resolve.types[a].kind, &self.resolve.types[b].kind) {
            (K::Record(x), K::Record(y)) => {
                x.fields.len() == y.fields.len()
                    && x.fields
                        .iter()
                        .zip(&y.fields)
                        .all(|(f, g)| f.name == g.name && same(&f.ty, &g.ty))
            }
            (K::Tuple(x), K::Tuple(y)) => {
                x.types.len() == y.types.len()
                    && x.types.iter().zip(&y.types).all(|(s, t)| same(s, t))
            }
            (K::Variant(x), K::Variant(y)) => {
                x.cases.len() == y.cases.len()
                    && x.cases
                        .iter()
                        .zip(&y.cases)
                        .all(|(c, d)| c.name == d.name && same_opt(&c.ty, &d.ty))
            }
            (K::Enum(x), K::Enum(y)) => x
                .cases
                .iter()
                .map(|c| &c.name)
                .eq(y.cases.iter().map(|c| &c.name)),
            (K::Flags(x), K::Flags(y)) => x
                .flags
                .iter()
                .map(|f| &f.name)
                .eq(y.flags.iter().map(|f| &f.name)),
            (K::Option(x), K::Option(y)) | (K::List(x), K::List(y)) => same(x, y),
            (K::Result(x), K::Result(y)) => same_opt(&x.ok, &y.ok) && same_opt(&x.err, &y.err),
            (K::Map(k1, v1), K::Map(k2, v2)) => same(k1, k2) && same(v1, v2),
            (K::FixedLengthList(x, n), K::FixedLengthList(y, m)) => n == m && same(x, y),
            (K::Future(x), K::Future(y)) | (K::Stream(x), K::Stream(y)) => same_opt(x, y),
            (K::Handle(Handle::Own(x)), K::Handle(Handle::Own(y)))
            | (K::Handle(Handle::Borrow(x)), K::Handle(Handle::Borrow(y))) => {
                self.dealias_id(*x) == self.dealias_id(*y)
            }
            _ => false,
        }
    }
}

/// Normalises the provenance-carrying flat types of wit-parser to wasm32 core types:
/// pointers and lengths are `i32`, "pointer or i64" is `i64`.
pub(crate) fn core(ty: WasmType) -> WasmType {
    match ty {
        WasmType::Pointer | WasmType::Length => WasmType::I32,
        WasmType::PointerOrI64 => WasmType::I64,
        other => other,
    }
}

/// The WAT spelling of a core value type.
pub(crate) fn wat_type(ty: WasmType) -> &'static str {
    match core(ty) {
        WasmType::I32 => "i32",
        WasmType::I64 => "i64",
        WasmType::F32 => "f32",
        WasmType::F64 => "f64",
        _ => unreachable!("core() only returns i32, i64, f32 and f64"),
    }
}

/// `(param …) (result …)` for a core function type.
pub(crate) fn func_type_text(params: &[WasmType], results: &[WasmType]) -> String {
    let mut text = String::new();
    if !params.is_empty() {
        text.push_str("(param");
        for ty in params {
            text.push(' ');
            text.push_str(wat_type(*ty));
        }
        text.push(')');
    }
    if !results.is_empty() {
        if !text.is_empty() {
            text.push(' ');
        }
        text.push_str("(result");
        for ty in results {
            text.push(' ');
            text.push_str(wat_type(*ty));
        }
        text.push(')');
    }
    text
}

/// The instructions that turn a value of core type `from` (a joined flat slot) into `to`
/// (the type a single case of a variant flattens to); empty when nothing is needed.
pub(crate) fn coerce(from: WasmType, to: WasmType) -> &'static str {
    match (core(from), core(to)) {
        (a, b) if a == b => "",
        (WasmType::I32, WasmType::F32) => "f32.reinterpret_i32",
        (WasmType::I64, WasmType::I32) => "i32.wrap_i64",
        (WasmType::I64, WasmType::F32) => "i32.wrap_i64 f32.reinterpret_i32",
        (WasmType::I64, WasmType::F64) => "f64.reinterpret_i64",
        (from, to) => unreachable!("the canonical ABI never joins {to:?} into a {from:?} slot"),
    }
}

fn to_u32(n: usize) -> u32 {
    u32::try_from(n).expect("a wasm32 layout fits in u32")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resolve(wit: &str) -> Resolve {
        let mut resolve = Resolve::default();
        resolve.push_str("t.wit", wit).unwrap();
        resolve
    }

    fn named(resolve: &Resolve, name: &str) -> Type {
        let (id, _) = resolve
            .types
            .iter()
            .find(|(_, t)| t.name.as_deref() == Some(name))
            .unwrap();
        Type::Id(id)
    }

    const WIT: &str = "package t:t;
        interface i {
            variant v { a(f32), b(u64), c(string) }
            record r { x: u8, y: u64, z: string }
            record r2 { x: u8, y: u64, z: string }
            record r3 { x: u8, y: u64, w: string }
            type alias = r;
        }";

    #[test]
    fn variant_slots_are_joined() {
        let resolve = resolve(WIT);
        let abi = Abi::new(&resolve);
        let v = named(&resolve, "v");
        assert_eq!(
            abi.flat(&v),
            vec![WasmType::I32, WasmType::I64, WasmType::I32]
        );
        assert_eq!(abi.size(&v), 16);
        assert_eq!(abi.align(&v), 8);
    }

    #[test]
    fn record_layout() {
        let resolve = resolve(WIT);
        let abi = Abi::new(&resolve);
        let r = named(&resolve, "r");
        assert_eq!(
            abi.field_offsets(&[Type::U8, Type::U64, Type::String]),
            vec![0, 8, 16]
        );
        assert_eq!(abi.size(&r), 24);
    }

    #[test]
    fn type_equality_is_structural_with_names() {
        let resolve = resolve(WIT);
        let abi = Abi::new(&resolve);
        let (r, r2, r3, alias) = (
            named(&resolve, "r"),
            named(&resolve, "r2"),
            named(&resolve, "r3"),
            named(&resolve, "alias"),
        );
        assert!(abi.same_type(&r, &r2));
        assert!(abi.same_type(&alias, &r));
        assert!(!abi.same_type(&r, &r3));
        assert!(!abi.same_type(&r, &Type::U8));
    }

    #[test]
    fn coercions() {
        assert_eq!(
            coerce(WasmType::I64, WasmType::F32),
            "i32.wrap_i64 f32.reinterpret_i32"
        );
        assert_eq!(coerce(WasmType::Pointer, WasmType::I32), "");
        assert_eq!(
            func_type_text(&[WasmType::I32, WasmType::F64], &[WasmType::I64]),
            "(param i32 f64) (result i64)"
        );
    }
}
