//! From the parsed interface to WIT text: names checked, types resolved, one line per item, and
//! a map from lines back to the tokens they came from (for wit-parser's errors).

use std::collections::HashMap;
use std::fmt::Write as _;

use tairitsu_wit::wit_name;

use super::parse::{Case, Func, Input, Item, Member, MemberKind, Name, Range, Side, Ty, TypeKind};

/// The package of an interface written without a `package` line.
pub(crate) const DEFAULT_PACKAGE: &str = "local:interfaces";

/// The rendered WIT and where each of its lines came from.
pub(crate) struct Rendered {
    pub text: String,
    /// The world generated around the interface: `{interface}-world`.
    pub world: String,
    /// `(first line, last line, tokens)`, 1-based, innermost entries last.
    lines: Vec<(usize, usize, Range)>,
}

impl Rendered {
    /// The tokens that produced `line` (the innermost item around it).
    pub fn range_of_line(&self, line: usize) -> Option<Range> {
        self.lines
            .iter()
            .filter(|(first, last, _)| (*first..=*last).contains(&line))
            .min_by_key(|(first, last, _)| last - first)
            .map(|(_, _, range)| *range)
    }
}

/// Checks the names and the types the interface uses, then writes its WIT.
///
/// # Errors
///
/// Every problem found, combined: duplicate names, references to types that are not defined.
pub(crate) fn render(input: &Input) -> syn::Result<Rendered> {
    check(input)?;
    let mut out = Writer::default();
    for line in &input.package_docs {
        out.line(0, &format!("///{line}"));
    }
    let package = input
        .package
        .as_ref()
        .map(|(p, _)| p.as_str())
        .unwrap_or(DEFAULT_PACKAGE);
    let iface = &input.interface;
    let iface_range = iface.name.range;
    let package_range = input
        .package
        .as_ref()
        .map(|(_, r)| *r)
        .unwrap_or(iface_range);
    let first = out.line(0, &format!("package {package};"));
    out.map(first, first, package_range);
    out.blank();

    let header = out.next_line();
    for line in &iface.docs {
        out.line(0, &format!("///{line}"));
    }
    out.line(0, &format!("interface {} {{", wit_name(&iface.name.wit)));
    for item in &iface.items {
        match item {
            Item::Type(def) => {
                let first = out.next_line();
                out.docs(1, &def.docs);
                let name = wit_name(&def.name.wit);
                match &def.kind {
                    TypeKind::Alias(ty) => {
                        out.line(1, &format!("type {name} = {};", ty_text(ty)));
                    }
                    TypeKind::Record(fields) => {
                        out.line(1, &format!("record {name} {{"));
                        for field in fields {
                            let f = out.next_line();
                            out.docs(2, &field.docs);
                            let l = out.line(
                                2,
                                &format!("{}: {},", wit_name(&field.name.wit), ty_text(&field.ty)),
                            );
                            out.map(f, l, field.name.range);
                        }
                        out.line(1, "}");
                    }
                    TypeKind::Enum(cases) => cases_block(&mut out, "enum", &name, cases),
                    TypeKind::Variant(cases) => cases_block(&mut out, "variant", &name, cases),
                    TypeKind::Flags(cases) => cases_block(&mut out, "flags", &name, cases),
                    TypeKind::Resource(members) if members.is_empty() => {
                        out.line(1, &format!("resource {name};"));
                    }
                    TypeKind::Resource(members) => {
                        out.line(1, &format!("resource {name} {{"));
                        for member in members {
                            let first = out.next_line();
                            out.docs(2, &member.func.docs);
                            let last = out.line(2, &member_text(member));
                            out.map(first, last, member.func.name.range);
                        }
                        out.line(1, "}");
                    }
                }
                let last = out.last_line();
                out.map(first, last, def.name.range);
            }
            Item::Func(func) => {
                let first = out.next_line();
                out.docs(1, &func.docs);
                let last = out.line(
                    1,
                    &format!("{}: func{};", wit_name(&func.name.wit), signature(func)),
                );
                out.map(first, last, func.name.range);
            }
        }
    }
    let last = out.line(0, "}");
    out.map(header, last, iface_range);
    out.blank();

    let world = format!("{}-world", iface.name.wit);
    let first = out.line(0, &format!("world {world} {{"));
    let verb = match iface.side {
        Side::Import => "import",
        Side::Export => "export",
    };
    out.line(1, &format!("{verb} {};", wit_name(&iface.name.wit)));
    let last = out.line(0, "}");
    out.map(first, last, iface_range);
    Ok(Rendered {
        text: out.text,
        world,
        lines: out.lines,
    })
}

/// `(a: t, …) -> r` of a function.
fn signature(func: &Func) -> String {
    let params: Vec<String> = func
        .params
        .iter()
        .map(|(n, t)| format!("{}: {}", wit_name(&n.wit), ty_text(t)))
        .collect();
    let result = match &func.result {
        Some(t) => format!(" -> {}", ty_text(t)),
        None => String::new(),
    };
    format!("({}){result}", params.join(", "))
}

/// One line of a resource's body.
fn member_text(member: &Member) -> String {
    let func = &member.func;
    match member.kind {
        MemberKind::Constructor => format!("constructor{};", signature(func)),
        MemberKind::Method => format!("{}: func{};", wit_name(&func.name.wit), signature(func)),
        MemberKind::Static => {
            format!(
                "{}: static func{};",
                wit_name(&func.name.wit),
                signature(func)
            )
        }
    }
}

fn cases_block(out: &mut Writer, keyword: &str, name: &str, cases: &[Case]) {
    out.line(1, &format!("{keyword} {name} {{"));
    for case in cases {
        let first = out.next_line();
        out.docs(2, &case.docs);
        let payload = match &case.ty {
            Some(t) => format!("({})", ty_text(t)),
            None => String::new(),
        };
        let last = out.line(2, &format!("{}{payload},", wit_name(&case.name.wit)));
        out.map(first, last, case.name.range);
    }
    out.line(1, "}");
}

/// The WIT text of a type.
pub(crate) fn ty_text(ty: &Ty) -> String {
    match ty {
        Ty::Prim(p) => (*p).to_string(),
        Ty::List(t) => format!("list<{}>", ty_text(t)),
        Ty::Option(t) => format!("option<{}>", ty_text(t)),
        Ty::Result { ok, err, .. } => match (ok, err) {
            (None, None) => "result".to_string(),
            (Some(ok), None) => format!("result<{}>", ty_text(ok)),
            (None, Some(err)) => format!("result<_, {}>", ty_text(err)),
            (Some(ok), Some(err)) => format!("result<{}, {}>", ty_text(ok), ty_text(err)),
        },
        Ty::Tuple(types) => {
            let types: Vec<String> = types.iter().map(ty_text).collect();
            format!("tuple<{}>", types.join(", "))
        }
        Ty::Named(name) => wit_name(&name.wit).into_owned(),
        Ty::Borrow(name) => format!("borrow<{}>", wit_name(&name.wit)),
        // Never rendered: the parser keeps `()` only where it means "nothing".
        Ty::Unit(_) => "_".to_string(),
    }
}

/// Records `name` in `seen`; a second definition of it is an error.
fn claim(seen: &mut HashMap<String, Range>, name: &Name, what: &str, errors: &mut Vec<syn::Error>) {
    match seen.get(&name.wit) {
        Some(first) => {
            let mut e = name
                .range
                .error(format!("{what} `{}` is defined twice", name.wit));
            e.combine(first.error(format!("`{}` is first defined here", name.wit)));
            errors.push(e);
        }
        None => {
            seen.insert(name.wit.clone(), name.range);
        }
    }
}

/// Duplicate names and unknown types, every one of them.
fn check(input: &Input) -> syn::Result<()> {
    let mut errors: Vec<syn::Error> = Vec::new();
    let iface = &input.interface;
    let mut items = HashMap::new();
    let mut types: Vec<&str> = Vec::new();
    let mut resources: Vec<&str> = Vec::new();
    for item in &iface.items {
        let name = match item {
            Item::Func(f) => &f.name,
            Item::Type(t) => &t.name,
        };
        claim(&mut items, name, "the name", &mut errors);
        if let Item::Type(t) = item {
            types.push(&t.name.wit);
            if matches!(t.kind, TypeKind::Resource(_)) {
                resources.push(&t.name.wit);
            }
        }
    }
    let mut uses: Vec<&Ty> = Vec::new();
    for item in &iface.items {
        let mut seen = HashMap::new();
        match item {
            Item::Func(f) => {
                for (name, ty) in &f.params {
                    claim(&mut seen, name, "the parameter", &mut errors);
                    uses.push(ty);
                }
                uses.extend(&f.result);
            }
            Item::Type(t) => match &t.kind {
                TypeKind::Alias(ty) => uses.push(ty),
                TypeKind::Record(fields) => {
                    for field in fields {
                        claim(&mut seen, &field.name, "the field", &mut errors);
                        uses.push(&field.ty);
                    }
                }
                TypeKind::Enum(cases) | TypeKind::Variant(cases) | TypeKind::Flags(cases) => {
                    for case in cases {
                        claim(&mut seen, &case.name, "the case", &mut errors);
                        uses.extend(&case.ty);
                    }
                }
                TypeKind::Resource(members) => {
                    for member in members {
                        let what = match member.kind {
                            MemberKind::Constructor => "the constructor",
                            _ => "the function",
                        };
                        claim(&mut seen, &member.func.name, what, &mut errors);
                        let mut params = HashMap::new();
                        for (name, ty) in &member.func.params {
                            claim(&mut params, name, "the parameter", &mut errors);
                            uses.push(ty);
                        }
                        uses.extend(&member.func.result);
                    }
                }
            },
        }
    }
    let mut stack = uses;
    while let Some(ty) = stack.pop() {
        match ty {
            Ty::Prim(..) | Ty::Unit(_) => {}
            Ty::List(t) | Ty::Option(t) => stack.push(t),
            Ty::Result { ok, err, .. } => {
                stack.extend(ok.as_deref());
                stack.extend(err.as_deref());
            }
            Ty::Tuple(ts) => stack.extend(ts),
            Ty::Borrow(name) => {
                if !resources.contains(&name.wit.as_str()) {
                    errors.push(name.range.error(format!(
                        "`borrow<{}>`: `{}` is not a resource defined in this interface",
                        name.wit, name.wit
                    )));
                }
            }
            Ty::Named(name) => {
                if !types.contains(&name.wit.as_str()) {
                    let known = if types.is_empty() {
                        "the interface defines no types".to_string()
                    } else {
                        let list: Vec<String> = types.iter().map(|t| format!("`{t}`")).collect();
                        format!("the types defined here are {}", list.join(", "))
                    };
                    errors.push(name.range.error(format!(
                        "unknown type `{}`: not a WIT type, nor one defined in this interface \
                         (with `record`, `enum`, `variant`, `flags`, `resource` or `type`); \
                         {known}",
                        name.wit
                    )));
                }
            }
        }
    }
    let mut errors = errors.into_iter();
    match errors.next() {
        None => Ok(()),
        Some(mut first) => {
            for e in errors {
                first.combine(e);
            }
            Err(first)
        }
    }
}

/// WIT text with 1-based line numbers and the line map.
#[derive(Default)]
struct Writer {
    text: String,
    /// Lines written so far.
    count: usize,
    lines: Vec<(usize, usize, Range)>,
}

impl Writer {
    /// Writes one line at `indent` levels; returns its number.
    fn line(&mut self, indent: usize, text: &str) -> usize {
        for _ in 0..indent {
            self.text.push_str("    ");
        }
        let _ = writeln!(self.text, "{text}");
        self.count += 1;
        self.count
    }

    fn blank(&mut self) {
        self.text.push('\n');
        self.count += 1;
    }

    fn docs(&mut self, indent: usize, docs: &[String]) {
        for line in docs {
            self.line(indent, &format!("///{line}"));
        }
    }

    /// The number the next line will have.
    fn next_line(&self) -> usize {
        self.count + 1
    }

    fn last_line(&self) -> usize {
        self.count
    }

    fn map(&mut self, first: usize, last: usize, range: Range) {
        self.lines.push((first, last, range));
    }
}
