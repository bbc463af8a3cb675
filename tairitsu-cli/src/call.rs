//! `tairitsu call`: one call of an exported function, written as text.

use std::path::Path;
use std::time::Duration;

use tairitsu_runtime::dynamic::{
    CallName, FuncType, HostImports, NoHandles, ValueLimits, call::parse_ron_results, wave,
};
use tairitsu_runtime::wasmtime::component::types::{ComponentFunc, ComponentItem};
use tairitsu_runtime::wasmtime::component::{Type, Val};
use tairitsu_runtime::{Container, Error as RuntimeError, Format, Image, Sandbox};

use crate::cli::{CallArgs, FormatArg};
use crate::error::CliError;
use crate::load;
use crate::options;
use crate::output::outln;
use crate::units::Timeout;

/// The deadline of a call when `--timeout` is not given: the runtime's default.
const DEFAULT_TIMEOUT: Timeout = Timeout::After(Duration::from_secs(5));

/// `tairitsu call COMPONENT CALL …`: prints the result and returns.
pub fn call(args: &CallArgs, store: Option<&Path>) -> Result<(), CliError> {
    let loaded = load::load(&args.component, store, Some(&args.pull))?;
    let image = loaded.image.clone();
    let input: Format = args.format.into();
    let output: Format = args.output.unwrap_or(args.format).into();

    // Check the call before anything starts, so that a typo is reported as such and not as
    // the imports the component is missing.
    let Some(open) = args.call.find('(') else {
        return Err(CliError::input(format!(
            "`{}` is not a call: write the arguments in parentheses, `name(…)`, or `name()` \
             for none",
            args.call.trim()
        ))
        .hint("`tairitsu inspect COMPONENT` lists the functions and their parameters"));
    };
    let qualified = image
        .resolve_export(&args.call[..open])
        .map_err(|e| load::named(&loaded.source, e))?;
    if output == Format::Wave
        && let Some(resource) = export_results(&image, &qualified)
            .iter()
            .find_map(resource_in)
    {
        return Err(CliError::input(format!(
            "WAVE cannot write the result of `{qualified}`: it holds a resource ({resource})"
        ))
        .hint("print it with `--output ron`, which writes resources as handles"));
    }
    let imports = constant_imports(&image, &args.imports, args.format)?;
    let sandbox = options::sandbox(&args.sandbox, Sandbox::new().inherit_stderr())?;
    let mut container = Container::builder(image)?
        .with_name(&loaded.source)
        .with_limits(options::limits(&args.limits, DEFAULT_TIMEOUT))
        .with_sandbox(sandbox)
        .with_host_imports(imports)
        .trap_unknown_imports(args.trap_unknown_imports)
        .build()
        .map_err(|e| load::named(&loaded.source, e))?;
    let result = container
        .call_text(&args.call, input, output)
        .map_err(|e| call_hint(e, args.format))?;
    outln!("{result}");
    Ok(())
}

/// The result types of the export `qualified` (`iface#func` or `func`).
fn export_results(image: &Image, qualified: &str) -> Vec<Type> {
    let engine = image.engine().wasmtime();
    let (interface, function) = match qualified.split_once('#') {
        Some((interface, function)) => (Some(interface), function),
        None => (None, qualified),
    };
    for (name, item) in image.component().component_type().exports(engine) {
        match (item.ty, interface) {
            (ComponentItem::ComponentFunc(func), None) if name == function => {
                return func.results().collect();
            }
            (ComponentItem::ComponentInstance(instance), Some(interface)) if name == interface => {
                for (fname, item) in instance.exports(engine) {
                    if let ComponentItem::ComponentFunc(func) = item.ty
                        && fname == function
                    {
                        return func.results().collect();
                    }
                }
            }
            _ => {}
        }
    }
    Vec::new()
}

/// A description of the first resource inside `ty`, if it holds one.
fn resource_in(ty: &Type) -> Option<String> {
    match ty {
        Type::Own(_) => Some("an owned handle".into()),
        Type::Borrow(_) => Some("a borrowed handle".into()),
        Type::List(list) => resource_in(&list.ty()),
        Type::Option(option) => resource_in(&option.ty()),
        Type::Result(result) => result
            .ok()
            .and_then(|t| resource_in(&t))
            .or_else(|| result.err().and_then(|t| resource_in(&t))),
        Type::Tuple(tuple) => tuple.types().find_map(|t| resource_in(&t)),
        Type::Record(record) => record.fields().find_map(|f| resource_in(&f.ty)),
        Type::Variant(variant) => variant
            .cases()
            .find_map(|c| c.ty.and_then(|t| resource_in(&t))),
        _ => None,
    }
}

/// A hint for a value error: where the types are, and how the other format writes values.
fn call_hint(error: RuntimeError, format: FormatArg) -> CliError {
    let value_error = matches!(error, RuntimeError::Value(_));
    let cli = CliError::from(error);
    if !value_error {
        return cli;
    }
    cli.hint(match format {
        FormatArg::Ron => {
            "`tairitsu inspect COMPONENT` shows the parameter types; RON writes records \
             `(x: 1)`, variants `Circle(1.0)`, flags `[Read]`, options `Some(1)`"
        }
        FormatArg::Wave => {
            "`tairitsu inspect COMPONENT` shows the parameter types; WAVE writes records \
             `{x: 1}`, variants `circle(1.0)`, flags `{read}`, options `some(1)`"
        }
    })
}

/// One function the component imports.
struct Import {
    interface: Option<String>,
    name: String,
    ty: ComponentFunc,
}

impl Import {
    fn qualified(&self) -> String {
        match &self.interface {
            Some(interface) => format!("{interface}#{}", self.name),
            None => self.name.clone(),
        }
    }

    /// Whether `wanted` names this import: as the runtime matches names (qualified with or
    /// without the version, or bare), or by the short interface name (`math#double`).
    fn is_named(&self, wanted: &CallName) -> bool {
        if wanted.matches(self.interface.as_deref(), &self.name) {
            return true;
        }
        match (wanted.interface(), &self.interface) {
            (Some(short), Some(full)) if wanted.function() == self.name => {
                let unversioned = full.split('@').next().unwrap_or(full);
                unversioned.rsplit(['/', ':']).next() == Some(short)
            }
            _ => false,
        }
    }
}

fn imported_functions(image: &Image) -> Vec<Import> {
    let engine = image.engine().wasmtime();
    let mut out = Vec::new();
    for (name, item) in image.component().component_type().imports(engine) {
        match item.ty {
            ComponentItem::ComponentFunc(ty) => out.push(Import {
                interface: None,
                name: name.to_string(),
                ty,
            }),
            ComponentItem::ComponentInstance(instance) => {
                for (fname, item) in instance.exports(engine) {
                    if let ComponentItem::ComponentFunc(ty) = item.ty {
                        out.push(Import {
                            interface: Some(name.to_string()),
                            name: fname.to_string(),
                            ty,
                        });
                    }
                }
            }
            _ => {}
        }
    }
    out
}

/// The `--import NAME=VALUE` constants, each checked against the import's result type now.
fn constant_imports(
    image: &Image,
    specs: &[String],
    format: FormatArg,
) -> Result<HostImports, CliError> {
    let mut host = HostImports::new();
    if specs.is_empty() {
        return Ok(host);
    }
    let imports = imported_functions(image);
    let listing = || {
        if imports.is_empty() {
            "the component imports no functions".to_string()
        } else {
            format!(
                "its imports are: {}",
                imports
                    .iter()
                    .map(Import::qualified)
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        }
    };
    for spec in specs {
        let Some((name, value)) = spec.split_once('=') else {
            return Err(CliError::input(format!(
                "--import {spec}: expected `NAME=VALUE`"
            ))
            .hint("for example `--import 'pkg:ns/iface#func=42'`, or `=()` for a function without a result"));
        };
        let wanted = CallName::parse(name.trim())
            .map_err(|e| CliError::input(format!("--import {spec}: {e}")))?;
        let matches: Vec<&Import> = imports.iter().filter(|i| i.is_named(&wanted)).collect();
        let import = match matches.as_slice() {
            [one] => *one,
            [] => {
                return Err(CliError::input(format!(
                    "--import {spec}: the component imports no function `{}`",
                    name.trim()
                ))
                .hint(listing()));
            }
            many => {
                return Err(CliError::input(format!(
                    "--import {spec}: `{}` is ambiguous; qualify it as one of: {}",
                    name.trim(),
                    many.iter()
                        .map(|i| i.qualified())
                        .collect::<Vec<_>>()
                        .join(", ")
                )));
            }
        };
        let qualified = import.qualified();
        let results = constant(import, &qualified, value, format)
            .map_err(|e| CliError::input(format!("--import {spec}: {e}")))?;
        host = host.func(&qualified, move |_args: &[Val]| Ok(results.clone()));
    }
    Ok(host)
}

/// The result values of `import` read from `text`.
fn constant(
    import: &Import,
    qualified: &str,
    text: &str,
    format: FormatArg,
) -> Result<Vec<Val>, String> {
    let limits = ValueLimits::default();
    match format {
        FormatArg::Ron => {
            let func = FuncType::from_wasmtime(qualified, &import.ty).map_err(|e| e.to_string())?;
            parse_ron_results(text, &func, &limits, &mut NoHandles).map_err(|e| e.to_string())
        }
        FormatArg::Wave => {
            let types: Vec<_> = import.ty.results().collect();
            match types.as_slice() {
                [] if matches!(text.trim(), "" | "()") => Ok(Vec::new()),
                [] => Err(format!(
                    "`{qualified}` returns nothing: write `()`, not `{text}`"
                )),
                [ty] => wave::parse_with(text, ty, &limits)
                    .map(|v| vec![v])
                    .map_err(|e| e.at(format!("result of `{qualified}`")).to_string()),
                _ => Err(format!(
                    "`{qualified}` has several results, which WIT does not allow"
                )),
            }
        }
    }
}
