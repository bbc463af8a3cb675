//! Calls written as text (RON or WAVE) on a container: the dynamic path end to end.

use wasmtime::component::Val;

use super::lifecycle::{Container, Core};
use crate::dynamic::{self, FuncType, Position, ValueError, ValueErrorKind};
use crate::surface::Export;
use crate::{Error, Result};

/// The text format of a dynamic call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Format {
    /// RON, as serde writes the generated Rust types (the default).
    #[default]
    Ron,
    /// WAVE, the WebAssembly Value Encoding of `wasmtime run --invoke`.
    Wave,
}

impl<T: Send + 'static> Container<T> {
    /// Calls an export written as a RON call, `add(1, 2)` or `add(a: 1, b: 2)`, and returns
    /// the result as RON (`()` for a function without a result).
    ///
    /// Resources in results come back as handles (`Handle(1)`) that later calls can pass and
    /// [`drop_handle`](Self::drop_handle) releases; a restart drops them all.
    ///
    /// ```
    /// # let image = tairitsu_runtime::Image::from_bytes(tairitsu_fixtures::root())?;
    /// # let mut container = tairitsu_runtime::Container::builder(image).build()?;
    /// assert_eq!(container.call_ron("add(1, 2)")?, "3");
    /// assert_eq!(container.call_ron(r#"greet(name: "Ada")"#)?, r#""Hello, Ada!""#);
    /// # Ok::<_, tairitsu_runtime::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::Value`] for text that does not parse or fit the parameters (the place and the
    /// expected WIT type are in the message), the name errors of
    /// [`call_guest_binary`](Self::call_guest_binary), and guest failures.
    pub fn call_ron(&mut self, call: &str) -> Result<String> {
        self.call_text(call, Format::Ron, Format::Ron)
    }

    /// Calls an export written as a WAVE call and returns the result as WAVE.
    ///
    /// # Errors
    ///
    /// As [`call_ron`](Self::call_ron); WAVE cannot carry resources.
    pub fn call_wave(&mut self, call: &str) -> Result<String> {
        self.call_text(call, Format::Wave, Format::Wave)
    }

    /// Calls an export written in `input` format and prints the result in `output` format.
    ///
    /// # Errors
    ///
    /// As [`call_ron`](Self::call_ron).
    pub fn call_text(&mut self, call: &str, input: Format, output: Format) -> Result<String> {
        let (number, mut args) = self.read_call(call, input)?;
        let export = self.image.surface().export_at(number);
        let outcome = self.core.call_and_print(number, export, &args, output);
        args.clear();
        self.core.args = args;
        outcome
    }

    /// Resolves the function of a call and reads its arguments into the container's reused
    /// buffer (give it back through `core.args`).
    pub(super) fn read_call(&mut self, call: &str, input: Format) -> Result<(usize, Vec<Val>)> {
        let (name, args_text) = dynamic::call::split(call)?;
        let number = self.core.resolve(&self.image, name)?;
        let export = self.image.surface().export_at(number);
        let func = func_type(export)?;
        let core = &mut self.core;
        let mut args = std::mem::take(&mut core.args);
        let parsed = match input {
            Format::Ron => dynamic::call::parse_ron_args_into(
                args_text,
                func,
                &core.value_limits,
                &mut core.handles,
                &mut args,
            ),
            Format::Wave => dynamic::call::parse_wave_args(args_text, func, &core.value_limits)
                .map(|vals| args = vals),
        };
        match parsed {
            Ok(()) => Ok((number, args)),
            Err(e) => {
                args.clear();
                core.args = args;
                // Positions are in the argument list; move them into the whole call (counted
                // in characters, only on error).
                Err(shift(e, call.len() - args_text.len(), call).into())
            }
        }
    }

    /// The original API's RON call: `name` and its arguments as RON, the result as RON.
    ///
    /// `args` is an argument list (`(42, 58)`, `(a: 42, b: 58)`) or, for a function of one
    /// parameter, the value alone (`"Ada"`).
    ///
    /// # Errors
    ///
    /// As [`call_ron`](Self::call_ron).
    pub fn call_guest_raw_desc(&mut self, name: &str, args: &str) -> Result<String> {
        let number = self.core.resolve(&self.image, name.trim())?;
        let export = self.image.surface().export_at(number);
        let func = func_type(export)?;
        let core = &mut self.core;
        let args =
            dynamic::call::parse_ron_input(args, func, &core.value_limits, &mut core.handles)?;
        core.call_and_print(number, export, &args, Format::Ron)
    }

    /// Drops the resource behind a handle that a RON result issued.
    ///
    /// # Errors
    ///
    /// [`Error::Value`] for an unknown handle; [`Error::Host`] and friends when the resource's
    /// destructor fails in the guest.
    pub fn drop_handle(&mut self, handle: u64) -> Result<()> {
        let core = &mut self.core;
        let resource = core.handles.remove(handle).ok_or_else(|| {
            ValueError::of(
                ValueErrorKind::Resource,
                format!("no resource has handle {handle}"),
            )
        })?;
        core.guarded(&format!("drop Handle({handle})"), |run| {
            resource.resource_drop(&mut run.store)
        })
    }

    /// How many resource handles the dynamic path holds.
    pub fn handle_count(&self) -> usize {
        self.core.handles.len()
    }
}

impl<T: 'static> Core<T> {
    /// Calls and prints the result. A WIT function has at most one result, so it lives on the
    /// stack.
    fn call_and_print(
        &mut self,
        number: usize,
        export: &Export,
        args: &[Val],
        output: Format,
    ) -> Result<String> {
        let mut slot = [Val::Bool(false)];
        let mut many = Vec::new();
        let results: &mut [Val] = match export.results {
            0 => &mut [],
            1 => &mut slot,
            // Components from before WIT dropped multiple results.
            n => {
                many.resize(n, Val::Bool(false));
                &mut many
            }
        };
        self.call_func(number, export, args, results)?;
        let printed = self.print_results(export, results, output);
        if printed.is_err() {
            self.discard(results)?;
        }
        printed
    }

    /// Drops the owned resources of results nobody will see (their text failed): without
    /// this they would stay in the store's table until the instance goes.
    pub(super) fn discard(&mut self, results: &[Val]) -> Result<()> {
        let mut owned = Vec::new();
        dynamic::owned_resources(results, &mut owned);
        if owned.is_empty() {
            return Ok(());
        }
        self.guarded("drop the resources of an unprinted result", |run| {
            owned
                .into_iter()
                .try_for_each(|r| r.resource_drop(&mut run.store))
        })
    }

    /// The results of a call of `export` as text.
    pub(super) fn print_results(
        &mut self,
        export: &Export,
        results: &[Val],
        output: Format,
    ) -> Result<String> {
        let func = func_type(export)?;
        let mark = self.handles.mark();
        let printed = match output {
            Format::Ron => dynamic::call::ron_results_to_string(
                results,
                func,
                &self.value_limits,
                &mut self.handles,
            ),
            Format::Wave => dynamic::call::wave_results_to_string_with(results, &self.value_limits),
        };
        if printed.is_err() {
            // The handles of a result that was not printed reach nobody.
            self.handles.forget_since(mark);
        }
        Ok(printed?)
    }
}

#[inline]
fn func_type(export: &Export) -> Result<&FuncType> {
    match &export.func_type {
        Ok(func) => Ok(func),
        Err(e) => Err(not_dynamic(export, e)),
    }
}

#[cold]
fn not_dynamic(export: &Export, why: &impl std::fmt::Display) -> Error {
    Error::ExportType {
        name: export.qualified.clone(),
        message: format!("the dynamic path cannot call it: {why}"),
    }
}

/// Moves an error position from the argument list, which starts at byte `start` of `call`, into
/// the whole call.
fn shift(e: ValueError, start: usize, call: &str) -> ValueError {
    match e.position() {
        Some(Position { line: 1, column }) => e.with_position(Position {
            line: 1,
            column: column + call[..start].chars().count(),
        }),
        _ => e,
    }
}
