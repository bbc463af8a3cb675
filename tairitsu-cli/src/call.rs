//! `tairitsu call`: one call of an exported function, written as text.

use std::path::Path;
use std::sync::mpsc;
use std::time::Duration;

use tairitsu_runtime::dynamic::{
    CallName, HostImports, NoHandles, ValueLimits, ValueType, call, call::parse_ron_results, wave,
};
use tairitsu_runtime::wasmtime::component::Val;
use tairitsu_runtime::{
    Container, Error as RuntimeError, FileWatch, Format, Image, Import, ImportKind, Sandbox,
};

use crate::cli::{CallArgs, FormatArg};
use crate::error::CliError;
use crate::load;
use crate::options;
use crate::output::outln;
use crate::units::Timeout;

/// The deadline of a call when `--timeout` is not given: the runtime's default.
const DEFAULT_TIMEOUT: Timeout = Timeout::After(Duration::from_secs(5));

/// `tairitsu call COMPONENT CALL …`: prints the result and returns; with `--watch`, again
/// after every change of the file, until Ctrl-C.
pub fn call(args: &CallArgs, store: Option<&Path>) -> Result<(), CliError> {
    if args.watch {
        watch(args, store)
    } else {
        call_once(args, store)
    }
}

/// `tairitsu call --watch`: the call now, then after each (debounced) change of the file. A
/// failure is printed, not returned: the next version may be good. Ctrl-C ends the process.
fn watch(args: &CallArgs, store: Option<&Path>) -> Result<(), CliError> {
    let path = Path::new(&args.component);
    if !path.is_file() {
        return Err(CliError::input(format!(
            "--watch needs a component file, and `{}` is not one",
            args.component
        ))
        .hint("images in the store do not change; give the path of a `.wasm` file"));
    }
    let (changes, changed) = mpsc::channel();
    // Watching starts before the first call, so that no change after it is missed.
    let _watch = FileWatch::new(path, move || {
        let _ = changes.send(());
    })?;
    eprintln!(
        "Watching {}: the call runs again at each change (Ctrl-C to stop)",
        path.display()
    );
    loop {
        if let Err(error) = call_once(args, store) {
            error.report();
            eprintln!("Waiting for the next change of {}", path.display());
        }
        if changed.recv().is_err() {
            return Ok(());
        }
    }
}

/// One call: loads the component, prints the result.
fn call_once(args: &CallArgs, store: Option<&Path>) -> Result<(), CliError> {
    let loaded = load::load(&args.component, store, Some(&args.pull))?;
    let image = loaded.image.clone();
    let input: Format = args.format.into();
    let output: Format = args.output.unwrap_or(args.format).into();

    // Check the call before anything starts, so that a typo is reported as such and not as
    // the imports the component is missing.
    let (name, _) = call::split(&args.call).map_err(|_| {
        CliError::input(format!(
            "`{}` is not a call: write the arguments in parentheses, `name(…)`, or `name()` \
             for none",
            args.call.trim()
        ))
        .hint("`tairitsu inspect COMPONENT` lists the functions and their parameters")
    })?;
    let qualified = image
        .resolve_export(name)
        .map_err(|e| load::named(&loaded.source, e))?;
    let export = image
        .surface()
        .export(&qualified)
        .map_err(|e| load::named(&loaded.source, e))?;
    if output == Format::Wave
        && let Ok(func) = export.func_type()
        && let Some(resource) = func.results.iter().find_map(resource_in)
    {
        return Err(CliError::input(format!(
            "WAVE cannot write the result of `{qualified}`: it holds a resource ({resource})"
        ))
        .hint("print it with `--output ron`, which writes resources as handles"));
    }
    let imports = constant_imports(&image, &args.imports, args.format)?;
    let mut sandbox = Sandbox::new();
    if args.inherit_stderr {
        sandbox = sandbox.inherit_stderr();
    }
    let sandbox = options::sandbox(&args.sandbox, sandbox)?;
    let mut container = Container::builder(image)
        .with_name(&loaded.source)
        .with_limits(options::limits(&args.limits, DEFAULT_TIMEOUT))
        .with_sandbox(sandbox)
        .with_host_imports(imports)
        .trap_unknown_imports(args.trap_unknown_imports)
        .build()
        .map_err(|e| load::named(&loaded.source, e))?;
    let result = container
        .call_text(&args.call, input, output)
        .map_err(|e| call_hint(e, args.format, args.inherit_stderr))?;
    outln!("{result}");
    Ok(())
}

/// A description of the first resource inside `ty`, if it holds one.
fn resource_in(ty: &ValueType) -> Option<String> {
    match ty {
        ValueType::Own(_) => Some("an owned handle".into()),
        ValueType::Borrow(_) => Some("a borrowed handle".into()),
        ValueType::List(t) | ValueType::Option(t) => resource_in(t),
        ValueType::Result(r) => (r.ok.iter().chain(r.err.iter())).find_map(|t| resource_in(t)),
        ValueType::Tuple(ts) => ts.iter().find_map(resource_in),
        ValueType::Record(r) => r.fields.iter().find_map(|f| resource_in(&f.ty)),
        ValueType::Variant(v) => v
            .cases
            .iter()
            .find_map(|c| c.ty.as_ref().and_then(resource_in)),
        _ => None,
    }
}

/// A hint for a value error: where the types are, and how the other format writes values.
fn call_hint(error: RuntimeError, format: FormatArg, inherit_stderr: bool) -> CliError {
    let value_error = matches!(error, RuntimeError::Value(_));
    let trap = matches!(error, RuntimeError::Trap { .. });
    let cli = CliError::from(error);
    if trap && !inherit_stderr {
        return cli.hint("what the guest wrote to stderr was dropped; `--inherit-stderr` shows it");
    }
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

/// Whether `wanted` names `import`: as the runtime matches names (qualified with or without
/// the version, or bare), or by the short interface name (`math#double`).
fn is_named(import: &Import, wanted: &CallName) -> bool {
    if wanted.matches(import.interface(), import.name()) {
        return true;
    }
    match (wanted.interface(), import.interface()) {
        (Some(short), Some(full)) if wanted.function() == import.name() => {
            let unversioned = full.split('@').next().unwrap_or(full);
            unversioned.rsplit(['/', ':']).next() == Some(short)
        }
        _ => false,
    }
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
    let imports: Vec<&Import> = (image.surface().imports().iter())
        .filter(|i| i.kind() == ImportKind::Function)
        .collect();
    let listing = || {
        if imports.is_empty() {
            "the component imports no functions".to_string()
        } else {
            format!(
                "its imports are: {}",
                imports
                    .iter()
                    .map(|i| i.qualified())
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
        let matches: Vec<&Import> = (imports.iter().copied())
            .filter(|i| is_named(i, &wanted))
            .collect();
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
    let Some(func) = import.func() else {
        return Err(format!("`{qualified}` is not a function"));
    };
    match format {
        FormatArg::Ron => {
            let func = import
                .func_type()
                .ok_or_else(|| format!("`{qualified}` is not a function"))?
                .map_err(|e| e.to_string())?;
            parse_ron_results(text, func, &limits, &mut NoHandles).map_err(|e| e.to_string())
        }
        FormatArg::Wave => {
            let types: Vec<_> = func.results().collect();
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
