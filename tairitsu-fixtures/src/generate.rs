//! Generated core modules: echo, relay and hand-written bodies for every export of a world.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use anyhow::{Context, Result, anyhow, bail};
use wit_parser::abi::{AbiVariant, WasmSignature};
use wit_parser::{Function, Resolve, TypeDefKind, WorldId, WorldItem, WorldKey};

use crate::abi::{Abi, func_type_text};
use crate::component;
use crate::echo::echo_body;

/// Address of the shared static return area in a generated module.
pub const RET_AREA: u32 = 8;
/// First address free for a caller's own `(data …)` segments in a generated module
/// (up to [`HEAP_START`]).
pub const DATA_START: u32 = 1024;
/// Where the bump allocator of a generated module starts.
pub const HEAP_START: u32 = 65536;

/// What one exported function of a generated module does.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Body {
    /// Return the parameters: the result type must be the type of the single parameter, or the
    /// tuple of the parameter types (or neither parameters nor result).
    Echo,
    /// Pass the parameters to an imported function with the same parameter and result types and
    /// return its answer. The import is named like an export key: `"iface#func"` (`iface` short
    /// or fully qualified) or `"func"` for a root import.
    Relay(String),
    /// Hand-written WAT instructions, optionally starting with `(local …)` declarations.
    ///
    /// Parameters are locals `0..n` with the canonical ABI's flat core types; see
    /// [`generate`] for the names in scope.
    Wat(String),
}

/// A default for every function of one exported interface.
#[derive(Clone, Debug, PartialEq, Eq)]
enum InterfaceRule {
    Echo,
    RelayTo(String),
}

/// The bodies of the exports of a generated module, keyed by export.
///
/// A key is `"iface#func"` for a function of an exported interface (`iface` is the short
/// interface name, `echo`, or the full one, `test:kitchen/echo@0.1.0`) and `"func"` for a root
/// export. Resource functions use their WIT names: `"counters#[constructor]counter"`,
/// `"counters#[method]counter.get"`, `"counters#[static]counter.make"`. A destructor of an
/// exported resource is the key `"iface#[dtor]resource"`, with a [`Body::Wat`] taking the
/// representation as local 0; without one the resource has no destructor.
///
/// A function takes the first body found among: its own key, its interface's rule
/// ([`Bodies::echo_interface`], [`Bodies::relay_interface`]), [`Bodies::echo_rest`].
/// A function left without a body, or a key that names no export, is an error.
///
/// ```
/// use tairitsu_fixtures::{Bodies, Body};
///
/// let bodies = Bodies::new()
///     .echo_interface("echo")
///     .relay_interface("relay", "host")
///     .wat("version", "i32.const 1")
///     .set("api#add", Body::Relay("math#add".into()));
/// # let _ = bodies;
/// ```
#[derive(Clone, Debug, Default)]
pub struct Bodies {
    functions: BTreeMap<String, Body>,
    interfaces: BTreeMap<String, InterfaceRule>,
    echo_rest: bool,
    extra: Vec<String>,
}

impl Bodies {
    /// No bodies yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the body of one export (see [`Bodies`] for the key syntax).
    pub fn set(mut self, export: impl Into<String>, body: Body) -> Self {
        self.functions.insert(export.into(), body);
        self
    }

    /// The export `export` returns its parameters ([`Body::Echo`]).
    pub fn echo(self, export: impl Into<String>) -> Self {
        self.set(export, Body::Echo)
    }

    /// The export `export` forwards to the import `import` ([`Body::Relay`]).
    pub fn relay(self, export: impl Into<String>, import: impl Into<String>) -> Self {
        self.set(export, Body::Relay(import.into()))
    }

    /// The export `export` runs hand-written WAT instructions ([`Body::Wat`]).
    pub fn wat(self, export: impl Into<String>, body: impl Into<String>) -> Self {
        self.set(export, Body::Wat(body.into()))
    }

    /// Every function of the exported interface `iface` echoes, unless it has its own body.
    pub fn echo_interface(mut self, iface: impl Into<String>) -> Self {
        self.interfaces.insert(iface.into(), InterfaceRule::Echo);
        self
    }

    /// Every function `f` of the exported interface `from` relays to `to#f` of the imported
    /// interface `to`, unless it has its own body.
    pub fn relay_interface(mut self, from: impl Into<String>, to: impl Into<String>) -> Self {
        self.interfaces
            .insert(from.into(), InterfaceRule::RelayTo(to.into()));
        self
    }

    /// Every export left without a body echoes.
    pub fn echo_rest(mut self) -> Self {
        self.echo_rest = true;
        self
    }

    /// Appends module fields (functions, globals, tables, `(data …)` segments at or above
    /// [`DATA_START`]) to the generated module. They must not contain imports: every import of
    /// the world is already there.
    pub fn extra(mut self, fields: impl Into<String>) -> Self {
        self.extra.push(fields.into());
        self
    }
}

/// Builds a component whose core module is generated from the world and `bodies`.
///
/// The generated core module:
///
/// * imports every function of every imported interface (and root import), named
///   `$"iface#func"` (`$"func"` for root imports); every imported resource's
///   `$"iface#[resource-drop]res"`; for every exported resource `$"iface#[resource-new]res"`,
///   `$"iface#[resource-rep]res"` and `$"iface#[resource-drop]res"`;
/// * exports `memory` (2 pages to start with) and `cabi_realloc`, a bump allocator that grows
///   memory as needed;
/// * defines `$alloc (param size i32) (param align i32) (result i32)` for scratch memory, and
///   `$alloc_keep` (same signature) for memory that must outlive the call;
/// * defines `(global $ret_area i32)` = [`RET_AREA`], a static return area as large as the
///   largest result of the world that needs one;
/// * exports every function of the world with its body, as `$"[export]key"`, plus a
///   `cabi_post_*` that frees all scratch memory (everything allocated since the last
///   `$alloc_keep`, including the arguments) once the host has read the result.
///
/// Echoed strings and lists keep pointing at the arguments' memory. A body that keeps a pointer
/// beyond its call must copy the bytes into `$alloc_keep` memory.
///
/// # Errors
///
/// Fails on bad WIT, an unknown world, an export without a body, a key naming no export, an
/// echo whose result is not its parameters, a relay to a missing import or one of another
/// signature, and on anything [`build`](crate::build) rejects (e.g. WAT errors in a custom body).
pub fn generate(wit: &str, world: &str, bodies: &Bodies) -> Result<Vec<u8>> {
    let (resolve, world) = component::load(wit, world)?;
    let wat = core_module(&resolve, world, bodies)?;
    component::encode(&resolve, world, &wat)
        .with_context(|| format!("in the generated core module:\n{wat}"))
}

/// The core module text that [`generate`] would build the component from, for debugging.
///
/// # Errors
///
/// The same as [`generate`], except the errors that come from parsing and encoding the module.
pub fn generate_core_wat(wit: &str, world: &str, bodies: &Bodies) -> Result<String> {
    let (resolve, world) = component::load(wit, world)?;
    core_module(&resolve, world, bodies)
}

/// One imported function, for relays.
struct Import<'r> {
    key: String,
    func: &'r Function,
    sig: WasmSignature,
}

/// One exported function.
struct Export<'r> {
    /// Keys it can be looked up by: the short one first.
    keys: Vec<String>,
    /// Short and full interface names, `None` for a root export.
    interface: Option<(String, String)>,
    core_name: String,
    func: &'r Function,
    sig: WasmSignature,
}

struct ModuleBuilder<'r> {
    abi: Abi<'r>,
    imports: String,
    functions: String,
    import_index: BTreeMap<String, usize>,
    import_list: Vec<Import<'r>>,
    ret_area: (u32, u32),
}

fn core_module(resolve: &Resolve, world: WorldId, bodies: &Bodies) -> Result<String> {
    let mut builder = ModuleBuilder {
        abi: Abi::new(resolve),
        imports: String::new(),
        functions: String::new(),
        import_index: BTreeMap::new(),
        import_list: Vec::new(),
        ret_area: (0, 1),
    };
    let world = &resolve.worlds[world];

    for (key, item) in &world.imports {
        match item {
            WorldItem::Function(func) => builder.add_import("$root", None, func),
            WorldItem::Interface { id, .. } => {
                let module = resolve.name_world_key(key);
                let short = short_name(resolve, key);
                let iface = &resolve.interfaces[*id];
                for func in iface.functions.values() {
                    builder.add_import(&module, Some((&short, &module)), func);
                }
                for resource in resources(resolve, iface.types.iter()) {
                    builder.intrinsic(&module, &short, "resource-drop", resource, "(param i32)");
                }
            }
            WorldItem::Type { id, .. } => {
                if let TypeDefKind::Resource = resolve.types[*id].kind {
                    let name = resolve.types[*id].name.clone().unwrap_or_default();
                    let ident = quote(&format!("[resource-drop]{name}"));
                    let _ = writeln!(
                        builder.imports,
                        "  (import \"$root\" {ident} (func ${ident} (param i32)))"
                    );
                }
            }
        }
    }

    let mut exports = Vec::new();
    let mut dtors = Vec::new();
    for (key, item) in &world.exports {
        match item {
            WorldItem::Function(func) => exports.push(Export {
                keys: vec![func.name.clone()],
                interface: None,
                core_name: func.name.clone(),
                func,
                sig: builder.abi.signature(func, AbiVariant::GuestExport),
            }),
            WorldItem::Interface { id, .. } => {
                let full = resolve.name_world_key(key);
                let short = short_name(resolve, key);
                let iface = &resolve.interfaces[*id];
                let intrinsics = format!("[export]{full}");
                for resource in resources(resolve, iface.types.iter()) {
                    for (op, ty) in [
                        ("resource-new", "(param i32) (result i32)"),
                        ("resource-rep", "(param i32) (result i32)"),
                        ("resource-drop", "(param i32)"),
                    ] {
                        builder.intrinsic(&intrinsics, &short, op, resource, ty);
                    }
                    dtors.push((short.clone(), full.clone(), resource.to_string()));
                }
                for func in iface.functions.values() {
                    exports.push(Export {
                        keys: interface_keys(&short, &full, &func.name),
                        interface: Some((short.clone(), full.clone())),
                        core_name: format!("{full}#{}", func.name),
                        func,
                        sig: builder.abi.signature(func, AbiVariant::GuestExport),
                    });
                }
            }
            WorldItem::Type { .. } => {}
        }
    }

    let mut used = BTreeSet::new();
    for export in &exports {
        if export.sig.retptr && !export.sig.indirect_params {
            let result = export
                .func
                .result
                .as_ref()
                .expect("a return pointer means a result");
            builder.need_ret_area(result);
        }
    }
    for export in &exports {
        let body = pick_body(bodies, export, &mut used)?;
        builder
            .add_export(export, &body)
            .with_context(|| format!("export `{}`", export.keys[0]))?;
    }
    for (short, full, resource) in dtors {
        let keys = interface_keys(&short, &full, &format!("[dtor]{resource}"));
        if let Some((key, body)) = keys
            .iter()
            .find_map(|k| bodies.functions.get(k).map(|b| (k, b)))
        {
            used.insert(key.clone());
            let Body::Wat(body) = body else {
                bail!("the destructor `{key}` needs a `Body::Wat`");
            };
            let ident = quote(&format!("[export]{}", keys[0]));
            let name = quote(&format!("{full}#[dtor]{resource}"));
            let _ = writeln!(
                builder.functions,
                "  (func ${ident} (export {name}) (param i32)\n{body}\n  )"
            );
        }
    }
    if let Some(unused) = bodies.functions.keys().find(|k| !used.contains(*k)) {
        bail!("the body for `{unused}` names no export of the world");
    }
    for iface in bodies.interfaces.keys() {
        let known = exports
            .iter()
            .filter_map(|e| e.interface.as_ref())
            .any(|(short, full)| short == iface || full == iface);
        if !known {
            bail!("the rule for interface `{iface}` names no exported interface of the world");
        }
    }
    builder.finish(&bodies.extra)
}

impl<'r> ModuleBuilder<'r> {
    fn add_import(&mut self, module: &str, iface: Option<(&str, &str)>, func: &'r Function) {
        let sig = self.abi.signature(func, AbiVariant::GuestImport);
        let keys = match iface {
            Some((short, full)) => interface_keys(short, full, &func.name),
            None => vec![func.name.clone()],
        };
        let _ = writeln!(
            self.imports,
            "  (import {} {} (func ${} {}))",
            quote(module),
            quote(&func.name),
            quote(&keys[0]),
            func_type_text(&sig.params, &sig.results)
        );
        if sig.retptr {
            let result = func
                .result
                .as_ref()
                .expect("a return pointer means a result");
            self.need_ret_area(result);
        }
        for key in &keys {
            self.import_index
                .insert(key.clone(), self.import_list.len());
        }
        self.import_list.push(Import {
            key: keys[0].clone(),
            func,
            sig,
        });
    }

    /// Imports a resource intrinsic `[op]resource` as `$"short#[op]resource"`.
    fn intrinsic(&mut self, module: &str, short: &str, op: &str, resource: &str, ty: &str) {
        let field = format!("[{op}]{resource}");
        let _ = writeln!(
            self.imports,
            "  (import {} {} (func ${} {ty}))",
            quote(module),
            quote(&field),
            quote(&format!("{short}#{field}"))
        );
    }

    fn need_ret_area(&mut self, ty: &wit_parser::Type) {
        self.ret_area.0 = self.ret_area.0.max(self.abi.size(ty));
        self.ret_area.1 = self.ret_area.1.max(self.abi.align(ty));
    }

    fn add_export(&mut self, export: &Export<'r>, body: &Body) -> Result<()> {
        let text = match body {
            Body::Echo => echo_body(&self.abi, export.func, &export.sig, "global.get $ret_area")?,
            Body::Relay(target) => self.relay_body(export, target)?,
            Body::Wat(text) => text.clone(),
        };
        let sig = &export.sig;
        let _ = writeln!(
            self.functions,
            "  (func ${} (export {}) {}\n{}\n  )",
            quote(&format!("[export]{}", export.keys[0])),
            quote(&export.core_name),
            func_type_text(&sig.params, &sig.results),
            indent(&text, 4),
        );
        let _ = writeln!(
            self.functions,
            "  (func (export {}) {}\n    call $free_scratch\n  )",
            quote(&format!("cabi_post_{}", export.core_name)),
            func_type_text(&sig.results, &[]),
        );
        Ok(())
    }

    fn relay_body(&self, export: &Export<'r>, target: &str) -> Result<String> {
        let import = self
            .import_index
            .get(target)
            .map(|i| &self.import_list[*i])
            .ok_or_else(|| {
                anyhow!("cannot relay to `{target}`: the world imports no such function")
            })?;
        let (from, to) = (export.func, import.func);
        let same_params = from.params.len() == to.params.len()
            && from
                .params
                .iter()
                .zip(&to.params)
                .all(|(a, b)| self.abi.same_type(&a.ty, &b.ty));
        let same_result = match (&from.result, &to.result) {
            (Some(a), Some(b)) => self.abi.same_type(a, b),
            (None, None) => true,
            _ => false,
        };
        if !same_params || !same_result {
            bail!("cannot relay to `{}`: its signature differs", import.key);
        }
        let mut text = String::new();
        let flat_params = if export.sig.indirect_params {
            1
        } else {
            export.sig.params.len()
        };
        for i in 0..flat_params {
            let _ = writeln!(text, "local.get {i}");
        }
        if import.sig.retptr {
            text.push_str("global.get $ret_area\n");
        }
        let _ = writeln!(text, "call ${}", quote(&import.key));
        if import.sig.retptr {
            text.push_str("global.get $ret_area\n");
        }
        Ok(text)
    }

    fn finish(self, extra: &[String]) -> Result<String> {
        let (size, align) = self.ret_area;
        let ret_area = RET_AREA.next_multiple_of(align.max(1));
        if ret_area + size > DATA_START {
            bail!(
                "the largest result needs a {size}-byte return area, more than the {} bytes \
                 reserved for it",
                DATA_START - RET_AREA
            );
        }
        let mut module = String::from("(module\n");
        module.push_str(&self.imports);
        module.push_str(&runtime(ret_area));
        module.push_str(&self.functions);
        for fields in extra {
            module.push_str(fields);
            module.push('\n');
        }
        module.push_str(")\n");
        Ok(module)
    }
}

/// Memory, allocator and return area shared by every generated module.
fn runtime(ret_area: u32) -> String {
    format!(
        r#"  (memory (export "memory") 2)
  (global $heap (mut i32) (i32.const {HEAP_START}))
  (global $heap_mark (mut i32) (i32.const {HEAP_START}))
  (global $ret_area i32 (i32.const {ret_area}))

  ;; A bump allocator: memory grows as needed; a realloc copies.
  (func $cabi_realloc (export "cabi_realloc")
      (param $old i32) (param $old_size i32) (param $align i32) (param $new_size i32)
      (result i32)
    (local $ptr i32) (local $end i64) (local $pages i32)
    (local.set $ptr
      (i32.and
        (i32.add (global.get $heap) (i32.sub (local.get $align) (i32.const 1)))
        (i32.sub (i32.const 0) (local.get $align))))
    (local.set $end
      (i64.add (i64.extend_i32_u (local.get $ptr)) (i64.extend_i32_u (local.get $new_size))))
    (if (i64.gt_u (local.get $end) (i64.const 0xffffffff)) (then unreachable))
    (local.set $pages
      (i32.wrap_i64 (i64.shr_u (i64.add (local.get $end) (i64.const 65535)) (i64.const 16))))
    (if (i32.gt_u (local.get $pages) (memory.size))
      (then
        (if (i32.eq (memory.grow (i32.sub (local.get $pages) (memory.size))) (i32.const -1))
          (then unreachable))))
    (global.set $heap (i32.wrap_i64 (local.get $end)))
    (if (local.get $old)
      (then
        (memory.copy (local.get $ptr) (local.get $old)
          (select (local.get $old_size) (local.get $new_size)
            (i32.lt_u (local.get $old_size) (local.get $new_size))))))
    (local.get $ptr))

  ;; Scratch memory, freed after each call by the post-return functions.
  (func $alloc (param $size i32) (param $align i32) (result i32)
    (call $cabi_realloc (i32.const 0) (i32.const 0) (local.get $align) (local.get $size)))

  ;; Memory kept across calls (it also keeps whatever scratch memory lies below it).
  (func $alloc_keep (param $size i32) (param $align i32) (result i32)
    (local $ptr i32)
    (local.set $ptr (call $alloc (local.get $size) (local.get $align)))
    (global.set $heap_mark (global.get $heap))
    (local.get $ptr))

  (func $free_scratch
    (global.set $heap (global.get $heap_mark)))

"#
    )
}

fn pick_body(bodies: &Bodies, export: &Export<'_>, used: &mut BTreeSet<String>) -> Result<Body> {
    for key in &export.keys {
        if let Some(body) = bodies.functions.get(key) {
            used.insert(key.clone());
            return Ok(body.clone());
        }
    }
    if let Some((short, full)) = &export.interface {
        let rule = bodies
            .interfaces
            .get(short)
            .or_else(|| bodies.interfaces.get(full));
        match rule {
            Some(InterfaceRule::Echo) => return Ok(Body::Echo),
            Some(InterfaceRule::RelayTo(to)) => {
                return Ok(Body::Relay(format!("{to}#{}", export.func.name)));
            }
            None => {}
        }
    }
    if bodies.echo_rest {
        return Ok(Body::Echo);
    }
    bail!("no body for the export `{}`", export.keys[0])
}

/// The names of the resources among an interface's types.
fn resources<'a>(
    resolve: &'a Resolve,
    types: impl Iterator<Item = (&'a String, &'a wit_parser::TypeId)>,
) -> Vec<&'a str> {
    types
        .filter(|(_, id)| matches!(resolve.types[**id].kind, TypeDefKind::Resource))
        .map(|(name, _)| name.as_str())
        .collect()
}

/// `echo` for `WorldKey::Interface(test:kitchen/echo)`, the name itself for a named key.
fn short_name(resolve: &Resolve, key: &WorldKey) -> String {
    match key {
        WorldKey::Name(name) => name.clone(),
        WorldKey::Interface(id) => resolve.interfaces[*id]
            .name
            .clone()
            .unwrap_or_else(|| resolve.name_world_key(key)),
    }
}

fn interface_keys(short: &str, full: &str, func: &str) -> Vec<String> {
    let mut keys = vec![format!("{short}#{func}")];
    if full != short {
        keys.push(format!("{full}#{func}"));
    }
    keys
}

/// A WAT string literal (also usable after `$` as an identifier).
fn quote(text: &str) -> String {
    let mut quoted = String::from("\"");
    for c in text.chars() {
        match c {
            '"' => quoted.push_str("\\\""),
            '\\' => quoted.push_str("\\\\"),
            c => quoted.push(c),
        }
    }
    quoted.push('"');
    quoted
}

fn indent(text: &str, spaces: usize) -> String {
    let pad = " ".repeat(spaces);
    text.lines()
        .map(|line| format!("{pad}{line}"))
        .collect::<Vec<_>>()
        .join("\n")
}
