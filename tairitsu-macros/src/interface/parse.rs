//! The syntax of `wit_interface!`: WIT, with Rust spellings of types and names accepted too.
//!
//! Parsing builds a small tree that keeps the span of every name and type, so that every mistake
//! found here or later (an unknown type, a duplicate name) points at the token that caused it.

use proc_macro2::Span;
use syn::ext::IdentExt;
use syn::parse::{Parse, ParseStream};
use syn::spanned::Spanned;
use syn::{Attribute, Ident, LitStr, Token, Visibility, braced, parenthesized};
use tairitsu_wit::rust_name;

/// The whole input: an optional package line and one interface.
pub(crate) struct Input {
    /// Docs on the package line.
    pub package_docs: Vec<String>,
    /// `ns:name@version`, and where it was written.
    pub package: Option<(String, Range)>,
    pub interface: Interface,
}

/// Whether the host serves the interface (the guest imports it) or calls it (the guest
/// exports it).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Side {
    Import,
    Export,
}

pub(crate) struct Interface {
    /// Attributes other than docs, for the generated module (`#[cfg]`, `#[allow]`).
    pub attrs: Vec<Attribute>,
    pub docs: Vec<String>,
    pub vis: Visibility,
    pub side: Side,
    pub name: Name,
    pub items: Vec<Item>,
}

/// A WIT name in kebab-case, as written or converted from a Rust spelling.
#[derive(Clone)]
pub(crate) struct Name {
    /// The kebab-case name, without `%`.
    pub wit: String,
    /// From its first token to its last (`read` to `file` in `read-file`).
    pub range: Range,
}

/// The tokens something was written with, from the first to the last, for errors that
/// underline all of it.
#[derive(Clone, Copy)]
pub(crate) struct Range {
    pub start: Span,
    pub end: Span,
}

impl Range {
    pub fn new(start: Span, end: Span) -> Self {
        Self { start, end }
    }

    pub fn at(span: Span) -> Self {
        Self::new(span, span)
    }

    /// An error underlining the whole range.
    pub fn error(self, message: impl std::fmt::Display) -> syn::Error {
        let tokens: proc_macro2::TokenStream = [
            proc_macro2::TokenTree::Ident(Ident::new("start", self.start)),
            proc_macro2::TokenTree::Ident(Ident::new("end", self.end)),
        ]
        .into_iter()
        .collect();
        syn::Error::new_spanned(tokens, message)
    }
}

pub(crate) enum Item {
    Func(Func),
    Type(TypeDef),
}

pub(crate) struct Func {
    pub docs: Vec<String>,
    pub name: Name,
    pub params: Vec<(Name, Ty)>,
    pub result: Option<Ty>,
}

pub(crate) struct TypeDef {
    pub docs: Vec<String>,
    pub name: Name,
    pub kind: TypeKind,
}

pub(crate) enum TypeKind {
    Record(Vec<Field>),
    Enum(Vec<Case>),
    Variant(Vec<Case>),
    Flags(Vec<Case>),
    Alias(Ty),
    Resource(Vec<Member>),
}

/// A constructor, method or static function of a resource.
pub(crate) struct Member {
    pub kind: MemberKind,
    /// The function; a constructor's name is `constructor` and it has no result.
    pub func: Func,
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum MemberKind {
    Constructor,
    Method,
    Static,
}

pub(crate) struct Field {
    pub docs: Vec<String>,
    pub name: Name,
    pub ty: Ty,
}

pub(crate) struct Case {
    pub docs: Vec<String>,
    pub name: Name,
    pub ty: Option<Ty>,
}

/// A type, already in WIT terms.
#[derive(Clone)]
pub(crate) enum Ty {
    /// `bool`, `u8` … `s64`, `f32`, `f64`, `char`, `string`.
    Prim(&'static str),
    List(Box<Ty>),
    Option(Box<Ty>),
    Result {
        ok: Option<Box<Ty>>,
        err: Option<Box<Ty>>,
    },
    Tuple(Vec<Ty>),
    /// A type defined in the interface (for a resource: an owned handle).
    Named(Name),
    /// `borrow<r>` of a resource defined in the interface.
    Borrow(Name),
    /// `()` or `_`: only valid as a result's `ok` or `err`, or as a function's result.
    Unit(Span),
}

impl Parse for Input {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        let mut attrs = input.call(Attribute::parse_outer)?;
        let mut package_docs = Vec::new();
        let mut package = None;
        if peek_word(input, "package") {
            package_docs = docs_only(&attrs, "the package")?;
            package = Some(parse_package(input)?);
            attrs = input.call(Attribute::parse_outer)?;
        }
        let interface = parse_interface(input, attrs)?;
        if !input.is_empty() {
            return Err(input.error(
                "one interface per `wit_interface!`: call the macro again for the next one",
            ));
        }
        Ok(Input {
            package_docs,
            package,
            interface,
        })
    }
}

/// Whether the next token is the identifier (or keyword) `word`.
fn peek_word(input: ParseStream<'_>, word: &str) -> bool {
    input
        .cursor()
        .ident()
        .is_some_and(|(ident, _)| ident == word)
}

/// Consumes the identifier or keyword `word`, or fails with `expected`.
fn expect_word(input: ParseStream<'_>, word: &str, expected: &str) -> syn::Result<Ident> {
    if peek_word(input, word) {
        Ident::parse_any(input)
    } else {
        Err(input.error(expected))
    }
}

/// The docs of `attrs`; any other attribute is an error (`what` says where it was).
fn docs_only(attrs: &[Attribute], what: &str) -> syn::Result<Vec<String>> {
    let (docs, others) = split_docs(attrs)?;
    match others.first() {
        Some(attr) => Err(syn::Error::new(
            attr.span(),
            format!("only doc comments are allowed on {what}"),
        )),
        None => Ok(docs),
    }
}

/// Docs (one string per line) and the other attributes.
fn split_docs(attrs: &[Attribute]) -> syn::Result<(Vec<String>, Vec<Attribute>)> {
    let mut docs = Vec::new();
    let mut others = Vec::new();
    for attr in attrs {
        if attr.path().is_ident("doc") {
            let syn::Meta::NameValue(nv) = &attr.meta else {
                return Err(syn::Error::new(attr.span(), "expected `#[doc = \"…\"]`"));
            };
            let syn::Expr::Lit(syn::ExprLit {
                lit: syn::Lit::Str(text),
                ..
            }) = &nv.value
            else {
                return Err(syn::Error::new(
                    nv.value.span(),
                    "`wit_interface!` needs doc comments written out as text",
                ));
            };
            docs.extend(text.value().lines().map(str::to_string));
        } else {
            others.push(attr.clone());
        }
    }
    Ok((docs, others))
}

/// `package ns:name@1.0.0;`, or `package "ns:name@1.0.0";`. The text is checked by wit-parser.
fn parse_package(input: ParseStream<'_>) -> syn::Result<(String, Range)> {
    let keyword = Ident::parse_any(input)?;
    if input.peek(LitStr) {
        let lit: LitStr = input.parse()?;
        input.parse::<Token![;]>()?;
        return Ok((lit.value(), Range::at(lit.span())));
    }
    let mut text = String::new();
    let mut range: Option<Range> = None;
    while !input.is_empty() && !input.peek(Token![;]) {
        let tt: proc_macro2::TokenTree = input.parse()?;
        if let proc_macro2::TokenTree::Group(g) = &tt {
            return Err(syn::Error::new(
                g.span(),
                "a package name is `namespace:name` with an optional `@version`",
            ));
        }
        let piece = tt.to_string();
        text.push_str(piece.strip_prefix("r#").unwrap_or(&piece));
        range = Some(match range {
            Some(r) => Range::new(r.start, tt.span()),
            None => Range::at(tt.span()),
        });
    }
    let range = range.unwrap_or_else(|| Range::at(keyword.span()));
    if !input.peek(Token![;]) {
        return Err(range.error("expected `;` after the package name"));
    }
    input.parse::<Token![;]>()?;
    if !text.contains(':') {
        return Err(range.error(format!(
            "`{text}` is not a package name: write `namespace:name` (`my:plugin@0.1.0`)"
        )));
    }
    Ok((text, range))
}

fn parse_interface(input: ParseStream<'_>, attrs: Vec<Attribute>) -> syn::Result<Interface> {
    let (docs, attrs) = split_docs(&attrs)?;
    let vis: Visibility = input.parse()?;
    let side = if peek_word(input, "export") {
        Ident::parse_any(input)?;
        Side::Export
    } else {
        if peek_word(input, "import") {
            Ident::parse_any(input)?;
        }
        Side::Import
    };
    if peek_word(input, "world") {
        return Err(input.error(
            "`wit_interface!` takes one interface; for a world, write the WIT in a file and use \
             `bindings!`",
        ));
    }
    expect_word(
        input,
        "interface",
        "expected `interface name { … }` (optionally after `package ns:name;`, `import` or \
         `export`)",
    )?;
    let name = parse_name(input)?;
    let body;
    braced!(body in input);
    let mut items = Vec::new();
    while !body.is_empty() {
        items.push(parse_item(&body)?);
    }
    Ok(Interface {
        attrs,
        docs,
        vis,
        side,
        name,
        items,
    })
}

/// A name: `%`-escaped or not, kebab-case (`min-max`) or a Rust identifier (`min_max`,
/// `MinMax`), converted to WIT's kebab-case.
fn parse_name(input: ParseStream<'_>) -> syn::Result<Name> {
    let escaped = input.peek(Token![%]);
    if escaped {
        input.parse::<Token![%]>()?;
    }
    if !input.peek(Ident::peek_any) {
        return Err(input.error("expected a name"));
    }
    let first = Ident::parse_any(input)?;
    let mut range = Range::at(first.span());
    let mut raw = unraw(&first);
    while input.peek(Token![-]) && input.peek2(Ident::peek_any) {
        input.parse::<Token![-]>()?;
        let next = Ident::parse_any(input)?;
        raw.push('-');
        raw.push_str(&unraw(&next));
        range.end = next.span();
    }
    if input.peek(Token![-]) && !input.peek(Token![->]) {
        return Err(input.error("expected the rest of a kebab-case name after `-`"));
    }
    let wit = to_wit_name(&raw).ok_or_else(|| {
        range.error(format!(
            "`{raw}` is not a WIT name: use kebab-case words that start with a letter \
             (`read-file`), or a Rust name that converts to one (`read_file`, `ReadFile`)"
        ))
    })?;
    Ok(Name { wit, range })
}

fn unraw(ident: &Ident) -> String {
    let text = ident.to_string();
    text.strip_prefix("r#").map(str::to_string).unwrap_or(text)
}

/// `read-file` stays; `read_file` and `ReadFile` become `read-file`. `None` when the result is
/// not a valid WIT identifier (every word starts with a letter and is lowercase alphanumeric).
pub(crate) fn to_wit_name(raw: &str) -> Option<String> {
    let converted = if raw
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
    {
        raw.to_string()
    } else {
        rust_name::kebab_case(raw)
    };
    let valid = !converted.is_empty()
        && converted.split('-').all(|word| {
            word.chars().next().is_some_and(|c| c.is_ascii_lowercase())
                && word
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        });
    valid.then_some(converted)
}

fn parse_item(input: ParseStream<'_>) -> syn::Result<Item> {
    let attrs = input.call(Attribute::parse_outer)?;
    let docs = docs_only(&attrs, "items of an interface")?;
    // `name: func(…)` or a type definition.
    if input.peek(Token![%]) {
        return parse_func(input, docs).map(Item::Func);
    }
    if input.peek(Ident::peek_any) {
        let fork = input.fork();
        let head = Ident::parse_any(&fork)?;
        let word = head.to_string();
        let defines_type = matches!(
            word.as_str(),
            "record" | "struct" | "enum" | "variant" | "flags" | "type" | "resource"
        ) && !fork.peek(Token![:])
            && !fork.peek(Token![-]);
        if defines_type {
            return parse_type_def(input, docs).map(Item::Type);
        }
        let unsupported = matches!(
            word.as_str(),
            "use" | "import" | "export" | "include" | "constructor" | "interface"
        ) && !fork.peek(Token![:])
            && !fork.peek(Token![-]);
        if unsupported {
            return Err(syn::Error::new(
                head.span(),
                format!(
                    "`{word}` is not supported in `wit_interface!`, which takes functions, \
                     records, enums, variants, flags, resources and type aliases; write the WIT \
                     in a file and use `bindings!`"
                ),
            ));
        }
        if word == "fn" {
            return Err(syn::Error::new(
                head.span(),
                "write a function as `name: func(param: type) -> type;`",
            ));
        }
        return parse_func(input, docs).map(Item::Func);
    }
    Err(input.error("expected a function (`name: func(…) -> …;`) or a type definition"))
}

fn parse_func(input: ParseStream<'_>, docs: Vec<String>) -> syn::Result<Func> {
    let name = parse_name(input)?;
    if !input.peek(Token![:]) {
        return Err(input.error(format!(
            "expected `:` after `{}`: a function is `{}: func(…) -> …;`",
            name.wit, name.wit
        )));
    }
    input.parse::<Token![:]>()?;
    expect_word(input, "func", "expected `func(…)`")?;
    parse_signature(input, docs, name)
}

/// `(params) -> result;` of a function called `name`.
fn parse_signature(input: ParseStream<'_>, docs: Vec<String>, name: Name) -> syn::Result<Func> {
    let args;
    parenthesized!(args in input);
    let mut params = Vec::new();
    while !args.is_empty() {
        let pname = parse_name(&args)?;
        if !args.peek(Token![:]) {
            return Err(args.error(format!("expected `:` and the type of `{}`", pname.wit)));
        }
        args.parse::<Token![:]>()?;
        let ty = parse_ty(&args)?;
        if let Ty::Unit(span) = ty {
            return Err(syn::Error::new(
                span,
                "a parameter cannot be `()`: leave the parameter out",
            ));
        }
        params.push((pname, ty));
        if args.is_empty() {
            break;
        }
        args.parse::<Token![,]>()?;
    }
    let mut result = None;
    if input.peek(Token![->]) {
        input.parse::<Token![->]>()?;
        let ty = parse_ty(input)?;
        if !matches!(ty, Ty::Unit(_)) {
            result = Some(ty);
        }
    }
    if !input.peek(Token![;]) {
        return Err(input.error(format!("expected `;` to end the function `{}`", name.wit)));
    }
    input.parse::<Token![;]>()?;
    Ok(Func {
        docs,
        name,
        params,
        result,
    })
}

fn parse_type_def(input: ParseStream<'_>, docs: Vec<String>) -> syn::Result<TypeDef> {
    let keyword_ident = Ident::parse_any(input)?;
    let keyword = keyword_ident.to_string();
    let name = parse_name(input)?;
    let kind = match keyword.as_str() {
        "type" => {
            input.parse::<Token![=]>()?;
            let ty = parse_ty(input)?;
            if let Ty::Unit(span) = ty {
                return Err(syn::Error::new(span, "a type alias cannot be `()`"));
            }
            input.parse::<Token![;]>()?;
            TypeKind::Alias(ty)
        }
        "record" | "struct" => {
            let body;
            braced!(body in input);
            let mut fields = Vec::new();
            while !body.is_empty() {
                let attrs = body.call(Attribute::parse_outer)?;
                let docs = docs_only(&attrs, "fields")?;
                if body.peek(Token![pub]) {
                    body.parse::<Visibility>()?;
                }
                let fname = parse_name(&body)?;
                body.parse::<Token![:]>()?;
                let ty = parse_ty(&body)?;
                if let Ty::Unit(span) = ty {
                    return Err(syn::Error::new(span, "a field cannot be `()`"));
                }
                fields.push(Field {
                    docs,
                    name: fname,
                    ty,
                });
                if body.is_empty() {
                    break;
                }
                body.parse::<Token![,]>()?;
            }
            if fields.is_empty() {
                return Err(name.range.error("a record needs at least one field"));
            }
            TypeKind::Record(fields)
        }
        "enum" | "variant" | "flags" => {
            let body;
            braced!(body in input);
            let mut cases = Vec::new();
            while !body.is_empty() {
                let attrs = body.call(Attribute::parse_outer)?;
                let docs = docs_only(&attrs, "cases")?;
                let cname = parse_name(&body)?;
                let mut ty = None;
                if body.peek(syn::token::Paren) {
                    let inner;
                    let paren = parenthesized!(inner in body);
                    if keyword == "flags" {
                        return Err(syn::Error::new(paren.span.join(), "a flag has no payload"));
                    }
                    let t = parse_ty(&inner)?;
                    if !inner.is_empty() {
                        return Err(inner.error(
                            "a case holds one type: use a tuple (`(A, B)` or `tuple<a, b>`) \
                             for several",
                        ));
                    }
                    if !matches!(t, Ty::Unit(_)) {
                        ty = Some(t);
                    }
                } else if body.peek(syn::token::Brace) {
                    return Err(body.error(
                        "a case with named fields has no WIT equivalent: define a record and \
                         hold it (`case(my-record)`)",
                    ));
                }
                cases.push(Case {
                    docs,
                    name: cname,
                    ty,
                });
                if body.is_empty() {
                    break;
                }
                body.parse::<Token![,]>()?;
            }
            if cases.is_empty() && keyword != "flags" {
                return Err(name
                    .range
                    .error(format!("a {keyword} needs at least one case")));
            }
            match keyword.as_str() {
                "flags" => TypeKind::Flags(cases),
                // A Rust `enum` with payloads is a WIT variant.
                "enum" if cases.iter().all(|c| c.ty.is_none()) => TypeKind::Enum(cases),
                _ => TypeKind::Variant(cases),
            }
        }
        "resource" => {
            let mut members = Vec::new();
            if input.peek(syn::token::Brace) {
                let body;
                braced!(body in input);
                while !body.is_empty() {
                    members.push(parse_member(&body)?);
                }
            } else if !input.peek(Token![;]) {
                return Err(input.error(format!(
                    "expected `{{ … }}` with the resource's functions, or `;`, after `resource {}`",
                    name.wit
                )));
            }
            TypeKind::Resource(members)
        }
        other => {
            return Err(syn::Error::new(
                keyword_ident.span(),
                format!("`{other}` does not define a type"),
            ));
        }
    };
    if input.peek(Token![;]) {
        input.parse::<Token![;]>()?;
    }
    Ok(TypeDef { docs, name, kind })
}

/// A member of a resource: `constructor(…);`, `name: func(…) -> …;` or
/// `name: static func(…) -> …;`.
fn parse_member(input: ParseStream<'_>) -> syn::Result<Member> {
    let attrs = input.call(Attribute::parse_outer)?;
    let docs = docs_only(&attrs, "the functions of a resource")?;
    if peek_word(input, "constructor") && input.peek2(syn::token::Paren) {
        let keyword = Ident::parse_any(input)?;
        let name = Name {
            wit: "constructor".to_string(),
            range: Range::at(keyword.span()),
        };
        let func = parse_signature(input, docs, name)?;
        if func.result.is_some() {
            return Err(func
                .name
                .range
                .error("a constructor has no `->` result: it returns the new resource"));
        }
        return Ok(Member {
            kind: MemberKind::Constructor,
            func,
        });
    }
    let name = parse_name(input)?;
    if !input.peek(Token![:]) {
        return Err(input.error(format!(
            "expected `:` after `{}`: a resource function is `{}: func(…) -> …;`, \
             `{}: static func(…) -> …;` or `constructor(…);`",
            name.wit, name.wit, name.wit
        )));
    }
    input.parse::<Token![:]>()?;
    let kind = if peek_word(input, "static") {
        Ident::parse_any(input)?;
        MemberKind::Static
    } else {
        MemberKind::Method
    };
    expect_word(input, "func", "expected `func(…)` or `static func(…)`")?;
    let func = parse_signature(input, docs, name)?;
    Ok(Member { kind, func })
}

/// A type, in WIT or Rust spelling: `list<u8>` or `Vec<u8>`, `result<_, string>` or
/// `Result<(), String>`, `tuple<u32, u32>` or `(u32, u32)`.
pub(crate) fn parse_ty(input: ParseStream<'_>) -> syn::Result<Ty> {
    if input.peek(syn::token::Paren) {
        let inner;
        let paren = parenthesized!(inner in input);
        let span = paren.span.join();
        let mut types = Vec::new();
        while !inner.is_empty() {
            let t = parse_ty(&inner)?;
            if let Ty::Unit(s) = t {
                return Err(syn::Error::new(s, "a tuple cannot hold `()`"));
            }
            types.push(t);
            if inner.is_empty() {
                break;
            }
            inner.parse::<Token![,]>()?;
        }
        return Ok(if types.is_empty() {
            Ty::Unit(span)
        } else {
            Ty::Tuple(types)
        });
    }
    if input.peek(Token![_]) {
        let underscore: Token![_] = input.parse()?;
        return Ok(Ty::Unit(underscore.span));
    }
    if input.peek(Token![&]) {
        return Err(input.error(
            "references are not WIT types: use `String` (or `string`) for text and `Vec<T>` \
             (or `list<T>`) for lists",
        ));
    }
    if input.peek(syn::token::Bracket) {
        return Err(input.error("arrays and slices are not WIT types: use `Vec<T>` or `list<T>`"));
    }
    if !(input.peek(Ident::peek_any) || input.peek(Token![%])) {
        return Err(input.error("expected a type"));
    }
    // An escaped (`%type`) or kebab-case (`file-info`) name is a named type; a single word may
    // be a built-in.
    let named = input.peek(Token![%])
        || (input.peek(Ident::peek_any) && input.peek2(Token![-]) && input.peek3(Ident::peek_any));
    if named {
        let name = parse_name(input)?;
        if input.peek(Token![<]) {
            return Err(input.error(format!("`{}` takes no type arguments", name.wit)));
        }
        return Ok(Ty::Named(name));
    }
    let ident = Ident::parse_any(input)?;
    if input.peek(Token![::]) {
        return Err(syn::Error::new(
            ident.span(),
            "write the type without a path (`String`, not `std::string::String`)",
        ));
    }
    builtin_or_named(input, &unraw(&ident), ident.span())
}

/// A built-in type spelled `word` (with its arguments, when it takes some), or a named type.
fn builtin_or_named(input: ParseStream<'_>, word: &str, span: Span) -> syn::Result<Ty> {
    let prim = match word {
        "bool" => Some("bool"),
        "u8" => Some("u8"),
        "u16" => Some("u16"),
        "u32" => Some("u32"),
        "u64" => Some("u64"),
        "s8" | "i8" => Some("s8"),
        "s16" | "i16" => Some("s16"),
        "s32" | "i32" => Some("s32"),
        "s64" | "i64" => Some("s64"),
        "f32" => Some("f32"),
        "f64" => Some("f64"),
        "char" => Some("char"),
        "string" | "String" => Some("string"),
        _ => None,
    };
    if let Some(prim) = prim {
        if input.peek(Token![<]) {
            return Err(input.error(format!("`{word}` takes no type arguments")));
        }
        return Ok(Ty::Prim(prim));
    }
    let hint = match word {
        "usize" | "isize" => Some("has no WIT equivalent: use `u32`/`u64` (`s32`/`s64`)"),
        "u128" | "i128" => Some("has no WIT equivalent: use two `u64`s"),
        "f16" | "f128" => Some("has no WIT equivalent: use `f32` or `f64`"),
        "str" => Some("is not a WIT type: use `String` or `string`"),
        "HashMap" | "BTreeMap" => Some("has no WIT equivalent: use `Vec<(K, V)>`"),
        "HashSet" | "BTreeSet" | "VecDeque" => Some("has no WIT equivalent: use `Vec<T>`"),
        "Box" | "Rc" | "Arc" | "Cow" => Some("is not a WIT type: write the type it holds"),
        "float32" | "float64" => Some("is the old spelling: use `f32` or `f64`"),
        "Self" | "self" => Some("cannot be used here: name the type"),
        _ => None,
    };
    if let Some(hint) = hint {
        return Err(syn::Error::new(span, format!("`{word}` {hint}")));
    }
    let generic = |input: ParseStream<'_>, min: usize, max: usize| -> syn::Result<Vec<Ty>> {
        if !input.peek(Token![<]) {
            return Err(syn::Error::new(
                span,
                format!("`{word}` needs type arguments: `{word}<…>`"),
            ));
        }
        input.parse::<Token![<]>()?;
        let mut args = Vec::new();
        loop {
            if input.peek(Token![>]) {
                break;
            }
            args.push(parse_ty(input)?);
            if input.peek(Token![,]) {
                input.parse::<Token![,]>()?;
            } else {
                break;
            }
        }
        if !input.peek(Token![>]) {
            return Err(input.error(format!("expected `,` or `>` in `{word}<…>`")));
        }
        input.parse::<Token![>]>()?;
        if args.len() < min || args.len() > max {
            let wanted = if min == max {
                format!("{min}")
            } else if max == usize::MAX {
                format!("at least {min}")
            } else {
                format!("{min} to {max}")
            };
            return Err(syn::Error::new(
                span,
                format!("`{word}` takes {wanted} type arguments, not {}", args.len()),
            ));
        }
        Ok(args)
    };
    let no_unit = |t: Ty, what: &str| -> syn::Result<Ty> {
        match t {
            Ty::Unit(s) => Err(syn::Error::new(s, format!("{what} cannot hold `()`"))),
            t => Ok(t),
        }
    };
    match word {
        "own" | "borrow" => {
            let [t] = <[Ty; 1]>::try_from(generic(input, 1, 1)?)
                .map_err(|_| syn::Error::new(span, "one type argument"))?;
            let Ty::Named(name) = t else {
                return Err(syn::Error::new(
                    span,
                    format!("`{word}<…>` takes a resource defined in this interface"),
                ));
            };
            Ok(if word == "own" {
                Ty::Named(name)
            } else {
                Ty::Borrow(name)
            })
        }
        "list" | "Vec" => {
            let [t] = <[Ty; 1]>::try_from(generic(input, 1, 1)?)
                .map_err(|_| syn::Error::new(span, "one type argument"))?;
            Ok(Ty::List(Box::new(no_unit(t, "a list")?)))
        }
        "option" | "Option" => {
            let [t] = <[Ty; 1]>::try_from(generic(input, 1, 1)?)
                .map_err(|_| syn::Error::new(span, "one type argument"))?;
            Ok(Ty::Option(Box::new(no_unit(t, "an option")?)))
        }
        "tuple" => {
            let types = generic(input, 1, usize::MAX)?;
            let types = types
                .into_iter()
                .map(|t| no_unit(t, "a tuple"))
                .collect::<syn::Result<Vec<_>>>()?;
            Ok(Ty::Tuple(types))
        }
        "result" | "Result" => {
            // `result` alone is a result with neither payload.
            let args = if word == "result" && !input.peek(Token![<]) {
                Vec::new()
            } else {
                generic(input, 1, 2)?
            };
            let mut args = args.into_iter();
            let payload = |t: Option<Ty>| match t {
                None | Some(Ty::Unit(_)) => None,
                Some(t) => Some(Box::new(t)),
            };
            let ok = payload(args.next());
            let err = payload(args.next());
            Ok(Ty::Result { ok, err })
        }
        _ => {
            if input.peek(Token![<]) {
                return Err(syn::Error::new(
                    span,
                    format!(
                        "unknown generic type `{word}`: the generic types are `list`/`Vec`, \
                         `option`/`Option`, `result`/`Result`, `tuple`, `own` and `borrow`"
                    ),
                ));
            }
            let wit = to_wit_name(word)
                .ok_or_else(|| syn::Error::new(span, format!("`{word}` is not a WIT type name")))?;
            Ok(Ty::Named(Name {
                wit,
                range: Range::at(span),
            }))
        }
    }
}
