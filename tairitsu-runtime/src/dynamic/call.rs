//! Whole calls as text: `add(1, 2)`, `add(a: 1, b: 2)`, `test:pkg/api@0.1.0#add(1, 2)`, `f()`.
//!
//! Reading a call takes two steps, because the argument types depend on which function the name
//! designates:
//!
//! 1. [`CallText::parse`] splits the text into the [`CallName`] and the argument list;
//! 2. once the caller has resolved the name to a function ([`FuncType`]), [`CallText::ron_args`]
//!    or [`CallText::wave_args`] reads the arguments.
//!
//! Arguments are all positional (`add(1, 2)`) or all named (`add(b: 2, a: 1)`, in any order,
//! with the WIT or the snake_case spelling of the parameter). Errors name the function and list
//! its parameters: ``argument `b` of `add`: 300 does not fit u8``, ``unknown parameter `c` of
//! `add`; its parameters are a: u8, b: u8``.
//!
//! # Results
//!
//! Results are printed as one value: a function with one result prints that value (`3`,
//! `Some("x")`), a function with no result prints `()` (the RON of Rust's unit, and the same
//! text in WAVE output), and a function with several results (not expressible in WIT today)
//! prints them as a tuple `(1,"a")`.
//!
//! # Examples
//!
//! ```
//! use tairitsu_runtime::dynamic::{CallText, FuncType, NoHandles, ValueLimits, ValueType};
//! use tairitsu_runtime::wasmtime::component::Val;
//!
//! let call = CallText::parse("test:pkg/api@0.1.0.add(b: 2, a: 1)")?;
//! assert_eq!(call.name().interface(), Some("test:pkg/api@0.1.0"));
//! assert_eq!(call.name().function(), "add");
//!
//! let add = FuncType::new("add", [("a", ValueType::U8), ("b", ValueType::U8)], [ValueType::U8]);
//! let args = call.ron_args(&add, &ValueLimits::default(), &mut NoHandles)?;
//! assert_eq!(args, [Val::U8(1), Val::U8(2)]);
//!
//! let err = CallText::parse("add(1, 300)")?
//!     .ron_args(&add, &ValueLimits::default(), &mut NoHandles)
//!     .unwrap_err();
//! assert_eq!(err.to_string(), "argument `b` of `add`: 300 does not fit u8 (line 1, column 8)");
//! # Ok::<(), tairitsu_runtime::dynamic::ValueError>(())
//! ```

use std::fmt;

use wasmtime::component::Val;

use super::error::{ValueError, ValueErrorKind};
use super::handles::HandleTable;
use super::ron::{self, Reader, position_of};
use super::value_limits::ValueLimits;
use super::value_type::{FuncType, ValueType};
use super::wave;

/// The function a call names: a root function (`version`), a bare name to look up in the
/// exported interfaces (`add`), or a qualified one (`test:pkg/api@0.1.0#add`, or with a dot,
/// `test:pkg/api@0.1.0.add`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CallName {
    interface: Option<String>,
    function: String,
}

impl CallName {
    /// Reads a function name.
    ///
    /// `#` separates the interface from the function. Without `#`, a name with a `/` is split at
    /// the first `.` after the interface name and its version (`MAJOR.MINOR.PATCH` with an
    /// optional pre-release or build suffix that has no dots; use `#` for other versions).
    ///
    /// # Errors
    ///
    /// When the name is empty, has characters no WIT name has, or has an empty interface or
    /// function part. The interface part is not checked further: callers may accept short
    /// interface names (`api#add`).
    pub fn parse(name: &str) -> Result<Self, ValueError> {
        let name = name.trim();
        if name.is_empty() {
            return Err(ValueError::of(
                ValueErrorKind::Call,
                "expected a function name",
            ));
        }
        if let Some(bad) = name.chars().find(|c| {
            !(c.is_ascii_alphanumeric()
                || matches!(
                    c,
                    ':' | '/' | '@' | '.' | '#' | '-' | '+' | '[' | ']' | '%' | '_'
                ))
        }) {
            return Err(ValueError::of(
                ValueErrorKind::Call,
                format!("`{name}` is not a function name: `{bad}` cannot appear in one"),
            ));
        }
        let (interface, function) =
            if let Some((interface, function)) = name.split_once('#') {
                (Some(interface), function)
            } else if let Some(slash) = name.rfind('/') {
                let after = &name[slash + 1..];
                let iface_len = after.find(['.', '@']).ok_or_else(|| {
                ValueError::of(ValueErrorKind::Call, format!(
                    "`{name}` names an interface but no function: write `{name}#function` or \
                     `{name}.function`"
                ))
            })?;
                let mut split = slash + 1 + iface_len;
                if name.as_bytes()[split] == b'@' {
                    split += 1 + version_len(&name[split + 1..]);
                }
                match name[split..].strip_prefix('.') {
                    Some(function) => (Some(&name[..split]), function),
                    None => {
                        return Err(ValueError::of(
                            ValueErrorKind::Call,
                            format!(
                                "`{name}` names an interface but no function: write \
                         `{}#function` or `{}.function`",
                                &name[..split],
                                &name[..split]
                            ),
                        ));
                    }
                }
            } else {
                (None, name)
            };
        if function.is_empty() {
            return Err(ValueError::of(
                ValueErrorKind::Call,
                format!("`{name}` has no function part"),
            ));
        }
        if interface.is_some_and(str::is_empty) {
            return Err(ValueError::of(
                ValueErrorKind::Call,
                format!("`{name}` has no interface part"),
            ));
        }
        Ok(Self {
            interface: interface.map(str::to_string),
            function: function.to_string(),
        })
    }

    /// A name from its parts.
    pub fn new(interface: Option<&str>, function: &str) -> Self {
        Self {
            interface: interface.map(str::to_string),
            function: function.to_string(),
        }
    }

    /// The interface (`test:pkg/api@0.1.0`), or `None` for a root or bare name.
    pub fn interface(&self) -> Option<&str> {
        self.interface.as_deref()
    }

    /// The function (`add`, `[method]counter.get`).
    pub fn function(&self) -> &str {
        &self.function
    }

    /// Whether the name has an interface part.
    pub fn is_qualified(&self) -> bool {
        self.interface.is_some()
    }

    /// Whether this name designates the function `function` of `interface` (`None` for a root
    /// function). A qualified name without a version matches any version of its interface; a
    /// bare name matches the function in any interface and at the root.
    pub fn matches(&self, interface: Option<&str>, function: &str) -> bool {
        if self.function != function {
            return false;
        }
        match (&self.interface, interface) {
            (None, _) => true,
            (Some(_), None) => false,
            (Some(mine), Some(theirs)) => {
                mine == theirs || (!mine.contains('@') && theirs.split('@').next() == Some(mine))
            }
        }
    }
}

impl fmt::Display for CallName {
    /// `iface#function`, or `function`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.interface {
            Some(interface) => write!(f, "{interface}#{}", self.function),
            None => f.write_str(&self.function),
        }
    }
}

/// The length of a `MAJOR.MINOR.PATCH[-pre][+build]` prefix of `s` (with no dots in the
/// suffixes), or of its digits-and-dots prefix when it is not one.
fn version_len(s: &str) -> usize {
    let bytes = s.as_bytes();
    let mut i = 0;
    for part in 0..3 {
        let digits = bytes[i..].iter().take_while(|b| b.is_ascii_digit()).count();
        if digits == 0 {
            return i.saturating_sub(1);
        }
        i += digits;
        if part < 2 {
            if bytes.get(i) != Some(&b'.') {
                return i;
            }
            i += 1;
        }
    }
    while matches!(bytes.get(i), Some(b'-' | b'+')) {
        i += 1;
        i += bytes[i..]
            .iter()
            .take_while(|b| b.is_ascii_alphanumeric() || **b == b'-')
            .count();
    }
    i
}

/// Splits a call `name(args…)` into the name (trimmed) and the argument list from `(`, without
/// allocating: the first step of reading every call, here and in containers.
///
/// # Errors
///
/// When there is no `(`, or no name before it.
#[inline]
pub fn split(call: &str) -> Result<(&str, &str), ValueError> {
    // A byte scan: `(` is ASCII, so its byte is never inside another character, and for names
    // this short it is cheaper than `str::find`'s searcher (`benches/paired_dynamic.rs`).
    let Some(open) = call.bytes().position(|b| b == b'(') else {
        return Err(not_a_call(call));
    };
    let name = call[..open].trim();
    if name.is_empty() {
        return Err(no_name());
    }
    Ok((name, &call[open..]))
}

#[cold]
fn not_a_call(call: &str) -> ValueError {
    ValueError::of(
        ValueErrorKind::Call,
        format!(
            "`{}` is not a call: write `name(arguments)`, or `name()` for none",
            call.trim()
        ),
    )
}

#[cold]
fn no_name() -> ValueError {
    ValueError::of(
        ValueErrorKind::Call,
        "the call has no function name before `(`",
    )
}

/// A call read from text: the function name and the argument list, not yet typed.
#[derive(Debug, Clone)]
pub struct CallText<'a> {
    text: &'a str,
    name: CallName,
    open: usize,
}

impl<'a> CallText<'a> {
    /// Splits `name(args…)` into the name and the argument list.
    ///
    /// # Errors
    ///
    /// When there is no `(` after the name, or the name is not a function name.
    pub fn parse(text: &'a str) -> Result<Self, ValueError> {
        let (name, args) = split(text)?;
        let name = CallName::parse(name)?;
        Ok(Self {
            text,
            name,
            open: text.len() - args.len(),
        })
    }

    /// The function name.
    pub fn name(&self) -> &CallName {
        &self.name
    }

    /// The argument list as written, from `(` to the end.
    pub fn args_text(&self) -> &'a str {
        &self.text[self.open..]
    }

    /// Reads the arguments as RON for `func`.
    ///
    /// # Errors
    ///
    /// Wrong arity, unknown, duplicate or missing named arguments, a mix of positional and
    /// named arguments, and values that do not fit their parameter; each error names the
    /// function, and the position is in the whole call text.
    pub fn ron_args(
        &self,
        func: &FuncType,
        limits: &ValueLimits,
        handles: &mut dyn HandleTable,
    ) -> Result<Vec<Val>, ValueError> {
        let mut reader = Reader::new(self.text, limits, handles)?;
        reader.rewind(self.open);
        let mut args = Vec::with_capacity(func.params.len());
        ron_arg_list(&mut reader, func, &mut args)?;
        reader.finish()?;
        Ok(args)
    }

    /// Reads the arguments as WAVE for `func` (which must have wasmtime's types).
    ///
    /// # Errors
    ///
    /// As [`CallText::ron_args`].
    pub fn wave_args(&self, func: &FuncType, limits: &ValueLimits) -> Result<Vec<Val>, ValueError> {
        wave_arg_list(self.text, self.open, func, limits)
    }
}

/// Reads a RON argument list `(1, 2)` or `(a: 1, b: 2)` for `func`.
///
/// # Errors
///
/// As [`CallText::ron_args`].
pub fn parse_ron_args(
    text: &str,
    func: &FuncType,
    limits: &ValueLimits,
    handles: &mut dyn HandleTable,
) -> Result<Vec<Val>, ValueError> {
    let mut args = Vec::with_capacity(func.params.len());
    parse_ron_args_into(text, func, limits, handles, &mut args)?;
    Ok(args)
}

/// [`parse_ron_args`] into `args` (cleared first), so a caller that calls often can keep one
/// buffer and allocate nothing for it per call.
///
/// # Errors
///
/// As [`CallText::ron_args`].
pub fn parse_ron_args_into(
    text: &str,
    func: &FuncType,
    limits: &ValueLimits,
    handles: &mut dyn HandleTable,
    args: &mut Vec<Val>,
) -> Result<(), ValueError> {
    args.clear();
    let mut reader = Reader::new(text, limits, handles)?;
    ron_arg_list(&mut reader, func, args)?;
    reader.finish()
}

/// Reads RON arguments for `func` the lenient way `call_guest_raw_desc` takes them: an argument
/// list (`(1, 2)`, `(a: 1, b: 2)`), or, for a function of one parameter, that one value on its
/// own (`"bob"`, `(x: 1, y: 2)` for a record).
///
/// # Errors
///
/// When neither reading works: the error of the argument list.
pub fn parse_ron_input(
    text: &str,
    func: &FuncType,
    limits: &ValueLimits,
    handles: &mut dyn HandleTable,
) -> Result<Vec<Val>, ValueError> {
    match parse_ron_args(text, func, limits, handles) {
        Ok(args) => Ok(args),
        Err(err) => match func.params.as_slice() {
            [(name, ty)] => ron::parse_with(text, ty, limits, handles)
                .map(|val| vec![val])
                .map_err(|single| {
                    if text.trim_start().starts_with('(') {
                        err
                    } else {
                        single.at(format!("argument `{}` of `{}`", name.wit(), func.name))
                    }
                }),
            _ => Err(err),
        },
    }
}

/// Reads `(…)` into `positional`, which must be empty.
fn ron_arg_list(
    reader: &mut Reader<'_, '_>,
    func: &FuncType,
    positional: &mut Vec<Val>,
) -> Result<(), ValueError> {
    reader.expect_with(b'(', || format!("`(` and the arguments of `{}`", func.name))?;
    let count = func.params.len();
    // Positional arguments go straight into the result; named ones into slots by parameter,
    // made only when the first named argument is seen.
    let mut slots: Option<Vec<Option<Val>>> = None;
    loop {
        reader.skip_ws()?;
        if reader.eat(b')') {
            break;
        }
        let arg_start = reader.pos();
        let name = match reader.ident() {
            Some(ident) => {
                reader.skip_ws()?;
                if reader.peek() == Some(b':') {
                    reader.eat(b':');
                    Some(ident)
                } else {
                    reader.rewind(arg_start);
                    None
                }
            }
            None => None,
        };
        if (name.is_some() && !positional.is_empty()) || (name.is_none() && slots.is_some()) {
            return Err(reader.error_of(
                ValueErrorKind::Arity,
                arg_start,
                format!(
                    "`{}` is called with both positional and named arguments; use one kind",
                    func.name
                ),
            ));
        }
        let index = match name {
            Some(name) => {
                let index =
                    ron::find_name(func.params.iter().map(|(n, _)| n), name).ok_or_else(|| {
                        reader.error_of(
                            ValueErrorKind::Name,
                            arg_start,
                            format!(
                                "unknown parameter `{name}` of `{}`; its parameters are {}",
                                func.name,
                                func.params_text()
                            ),
                        )
                    })?;
                if slots.as_ref().is_some_and(|s| s[index].is_some()) {
                    return Err(reader.error_of(
                        ValueErrorKind::Name,
                        arg_start,
                        format!(
                            "argument `{}` of `{}` is given twice",
                            func.params[index].0.wit(),
                            func.name
                        ),
                    ));
                }
                index
            }
            None => {
                if positional.len() >= count {
                    return Err(reader.error_of(
                        ValueErrorKind::Arity,
                        arg_start,
                        arity_message(func, None),
                    ));
                }
                positional.len()
            }
        };
        let (pname, ty) = &func.params[index];
        let val = reader
            .value(ty)
            .map_err(|e| e.at(format!("argument `{}` of `{}`", pname.wit(), func.name)))?;
        match (&mut slots, name) {
            (_, None) => positional.push(val),
            (Some(slots), Some(_)) => slots[index] = Some(val),
            (None, Some(_)) => {
                let mut fresh = vec![None; count];
                fresh[index] = Some(val);
                slots = Some(fresh);
            }
        }
        if !reader.comma_or_end(b')')? {
            break;
        }
    }
    let close = reader.pos().saturating_sub(1);
    match slots {
        Some(slots) => collect_args(func, slots, true).map(|args| positional.extend(args)),
        None if positional.len() == count => Ok(()),
        None => Err(ValueError::of(
            ValueErrorKind::Arity,
            arity_message(func, Some(positional.len())),
        )),
    }
    .map_err(|e| e.with_position(reader.position(close)))
}

fn arity_message(func: &FuncType, given: Option<usize>) -> String {
    let count = func.params.len();
    let takes = match count {
        0 => "no arguments".to_string(),
        1 => format!("1 argument ({})", func.params_text()),
        n => format!("{n} arguments ({})", func.params_text()),
    };
    match given {
        Some(given) => format!("`{}` takes {takes}, {given} given", func.name),
        None => format!("`{}` takes {takes}, more were given", func.name),
    }
}

fn collect_args(
    func: &FuncType,
    slots: Vec<Option<Val>>,
    named: bool,
) -> Result<Vec<Val>, ValueError> {
    let given = slots.iter().filter(|s| s.is_some()).count();
    if !named && given != func.params.len() {
        return Err(ValueError::of(
            ValueErrorKind::Arity,
            arity_message(func, Some(given)),
        ));
    }
    let missing: Vec<&str> = func
        .params
        .iter()
        .zip(&slots)
        .filter(|(_, s)| s.is_none())
        .map(|((n, _), _)| n.wit())
        .collect();
    if !missing.is_empty() {
        return Err(ValueError::of(
            ValueErrorKind::Arity,
            format!(
                "`{}` is missing {} {}; its parameters are {}",
                func.name,
                if missing.len() == 1 {
                    "argument"
                } else {
                    "arguments"
                },
                missing
                    .iter()
                    .map(|m| format!("`{m}`"))
                    .collect::<Vec<_>>()
                    .join(", "),
                func.params_text()
            ),
        ));
    }
    Ok(slots.into_iter().flatten().collect())
}

/// Writes arguments as a RON argument list, `(1,"a")`, `()` for none: the text a
/// [`HostImports::ron_func`](super::HostImports::ron_func) closure receives.
///
/// # Errors
///
/// When the values do not fit the parameters of `func`.
pub fn ron_args_to_string(
    args: &[Val],
    func: &FuncType,
    limits: &ValueLimits,
    handles: &mut dyn HandleTable,
) -> Result<String, ValueError> {
    if args.len() != func.params.len() {
        return Err(ValueError::of(
            ValueErrorKind::Arity,
            arity_message(func, Some(args.len())),
        ));
    }
    let mut out = String::from("(");
    for (i, (arg, (name, ty))) in args.iter().zip(&func.params).enumerate() {
        if i > 0 {
            out.push(',');
        }
        ron::write(&mut out, arg, ty, limits, handles)
            .map_err(|e| e.at(format!("argument `{}` of `{}`", name.wit(), func.name)))?;
    }
    out.push(')');
    Ok(out)
}

/// Writes the results of `func` as RON: the value for one result, `()` for none, a tuple for
/// several.
///
/// # Errors
///
/// When the values do not fit the result types.
pub fn ron_results_to_string(
    results: &[Val],
    func: &FuncType,
    limits: &ValueLimits,
    handles: &mut dyn HandleTable,
) -> Result<String, ValueError> {
    if results.len() != func.results.len() {
        return Err(ValueError::of(
            ValueErrorKind::Arity,
            format!(
                "`{}` has {} results, found {}",
                func.name,
                func.results.len(),
                results.len()
            ),
        ));
    }
    let place = || format!("result of `{}`", func.name);
    match (results, func.results.as_slice()) {
        ([], []) => Ok("()".to_string()),
        ([val], [ty]) => ron::to_string_with(val, ty, limits, handles).map_err(|e| e.at(place())),
        _ => {
            let ty = ValueType::Tuple(func.results.clone());
            ron::to_string_with(&Val::Tuple(results.to_vec()), &ty, limits, handles)
                .map_err(|e| e.at(place()))
        }
    }
}

/// Reads the results of `func` from RON, as [`ron_results_to_string`] writes them (`()` or
/// nothing for no result).
///
/// # Errors
///
/// When the text does not fit the result types.
pub fn parse_ron_results(
    text: &str,
    func: &FuncType,
    limits: &ValueLimits,
    handles: &mut dyn HandleTable,
) -> Result<Vec<Val>, ValueError> {
    let place = || format!("result of `{}`", func.name);
    match func.results.as_slice() {
        [] => {
            let ty = ValueType::Tuple(Vec::new());
            if text.trim().is_empty() {
                return Ok(Vec::new());
            }
            ron::parse_with(text, &ty, limits, handles)
                .map(|_| Vec::new())
                .map_err(|e| e.at(place()))
        }
        [ty] => ron::parse_with(text, ty, limits, handles)
            .map(|v| vec![v])
            .map_err(|e| e.at(place())),
        tys => {
            let ty = ValueType::Tuple(tys.to_vec());
            match ron::parse_with(text, &ty, limits, handles).map_err(|e| e.at(place()))? {
                Val::Tuple(vals) => Ok(vals),
                _ => Err(
                    ValueError::of(ValueErrorKind::Mismatch, "expected a tuple of results")
                        .at(place()),
                ),
            }
        }
    }
}

/// Writes results as WAVE: the value for one result, `()` for none, a tuple for several.
///
/// # Errors
///
/// When a value cannot be written in WAVE (resources).
pub fn wave_results_to_string(results: &[Val]) -> Result<String, ValueError> {
    wave_results_to_string_with(results, &ValueLimits::default())
}

/// [`wave_results_to_string`] within `limits`: the text stops at `limits.max_text_len`.
///
/// # Errors
///
/// As [`wave_results_to_string`], and when the text grows past the limit.
pub fn wave_results_to_string_with(
    results: &[Val],
    limits: &ValueLimits,
) -> Result<String, ValueError> {
    match results {
        [] => Ok("()".to_string()),
        [val] => wave::to_string_with(val, limits),
        vals => wave::to_string_with(&Val::Tuple(vals.to_vec()), limits),
    }
}

/// Reads a WAVE argument list `(1, 2)` or `(a: 1, b: 2)` for `func` (which must have wasmtime's
/// types).
///
/// # Errors
///
/// As [`CallText::ron_args`].
pub fn parse_wave_args(
    text: &str,
    func: &FuncType,
    limits: &ValueLimits,
) -> Result<Vec<Val>, ValueError> {
    let open = text
        .find(|c: char| !c.is_whitespace())
        .unwrap_or(text.len());
    if !text[open..].starts_with('(') {
        return Err(ValueError::of(
            ValueErrorKind::Syntax,
            format!("expected `(` and the arguments of `{}`", func.name),
        )
        .with_position(position_of(text, open)));
    }
    wave_arg_list(text, open, func, limits)
}

fn wave_arg_list(
    text: &str,
    open: usize,
    func: &FuncType,
    limits: &ValueLimits,
) -> Result<Vec<Val>, ValueError> {
    limits.check_len(text.len())?;
    let Some(wasmtime_func) = &func.wasmtime else {
        return Err(ValueError::of(
            ValueErrorKind::Other,
            format!(
                "WAVE needs wasmtime's types of `{}`; build its `FuncType` with `from_wasmtime`",
                func.name
            ),
        ));
    };
    let wasmtime_types: Vec<_> = wasmtime_func.params().map(|(_, ty)| ty).collect();
    let args = wave::split_args(text, open, limits)?;
    let count = func.params.len();
    let mut slots: Vec<Option<Val>> = vec![None; count];
    let mut named: Option<bool> = None;
    for (i, arg) in args.iter().enumerate() {
        if named.is_some_and(|n| n != arg.name.is_some()) {
            return Err(ValueError::of(
                ValueErrorKind::Arity,
                format!(
                    "`{}` is called with both positional and named arguments; use one kind",
                    func.name
                ),
            )
            .with_position(position_of(text, arg.start)));
        }
        named = Some(arg.name.is_some());
        let index = match &arg.name {
            Some(name) => {
                let name = name.strip_prefix('%').unwrap_or(name);
                let index =
                    ron::find_name(func.params.iter().map(|(n, _)| n), name).ok_or_else(|| {
                        ValueError::of(
                            ValueErrorKind::Name,
                            format!(
                                "unknown parameter `{name}` of `{}`; its parameters are {}",
                                func.name,
                                func.params_text()
                            ),
                        )
                        .with_position(position_of(text, arg.start))
                    })?;
                if slots[index].is_some() {
                    return Err(ValueError::of(
                        ValueErrorKind::Name,
                        format!(
                            "argument `{}` of `{}` is given twice",
                            func.params[index].0.wit(),
                            func.name
                        ),
                    )
                    .with_position(position_of(text, arg.start)));
                }
                index
            }
            None if i >= count => {
                return Err(ValueError::of(
                    ValueErrorKind::Arity,
                    arity_message(func, Some(args.len())),
                )
                .with_position(position_of(text, arg.start)));
            }
            None => i,
        };
        let ty = wasmtime_types.get(index).ok_or_else(|| {
            ValueError::of(
                ValueErrorKind::Arity,
                format!("`{}`: wasmtime's type has fewer parameters", func.name),
            )
        })?;
        let val = arg
            .check_values(text, limits)
            .and_then(|()| wave::parse_at(text, arg.value_start, arg.end, ty))
            .map_err(|e| {
                e.at(format!(
                    "argument `{}` of `{}`",
                    func.params[index].0.wit(),
                    func.name
                ))
            })?;
        slots[index] = Some(val);
    }
    collect_args(func, slots, named == Some(true))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dynamic::NoHandles;

    #[test]
    fn names() {
        let cases = [
            ("version", None, "version"),
            ("add", None, "add"),
            ("test:pkg/api@0.1.0#add", Some("test:pkg/api@0.1.0"), "add"),
            ("test:pkg/api.add", Some("test:pkg/api"), "add"),
            ("test:pkg/api@0.1.0.add", Some("test:pkg/api@0.1.0"), "add"),
            (
                "test:pkg/api@1.2.3-rc1.add",
                Some("test:pkg/api@1.2.3-rc1"),
                "add",
            ),
            (
                "test:kitchen/counters@0.1.0.[method]counter.get",
                Some("test:kitchen/counters@0.1.0"),
                "[method]counter.get",
            ),
            (" test:pkg/api#add ", Some("test:pkg/api"), "add"),
            // A short interface name, for callers that resolve those.
            ("api#add", Some("api"), "add"),
        ];
        for (text, interface, function) in cases {
            let name = CallName::parse(text).unwrap_or_else(|e| panic!("{text}: {e}"));
            assert_eq!(
                (name.interface(), name.function()),
                (interface, function),
                "{text}"
            );
        }
        for bad in ["", "a b", "test:pkg/api", "test:pkg/api#", "#add", "add;"] {
            assert!(CallName::parse(bad).is_err(), "{bad:?}");
        }
        let name = CallName::parse("test:pkg/api.add").unwrap();
        assert!(name.matches(Some("test:pkg/api@0.1.0"), "add"));
        assert!(!name.matches(Some("test:pkg/other@0.1.0"), "add"));
        assert!(!name.matches(None, "add"));
        assert!(
            CallName::parse("add")
                .unwrap()
                .matches(Some("x:y/z"), "add")
        );
        assert_eq!(name.to_string(), "test:pkg/api#add");
    }

    #[test]
    fn calls_without_parentheses_are_errors() {
        let err = CallText::parse("add 1 2").unwrap_err().to_string();
        assert!(err.contains("write `name(arguments)`"), "{err}");
        assert_eq!(CallText::parse("f()").unwrap().args_text(), "()");
    }

    fn point_func() -> FuncType {
        let point = ValueType::record(
            Some("point"),
            [("x", ValueType::S32), ("y", ValueType::S32)],
        );
        FuncType::new("echo-point", [("v", point.clone())], [point])
    }

    #[test]
    fn lenient_input_takes_a_lone_value_for_one_parameter() {
        let func = point_func();
        let limits = ValueLimits::default();
        let expected = vec![Val::Record(vec![
            ("x".into(), Val::S32(1)),
            ("y".into(), Val::S32(2)),
        ])];
        for text in [
            "((x: 1, y: 2))",
            "(v: (x: 1, y: 2))",
            "(x: 1, y: 2)",
            "Point(x: 1, y: 2)",
        ] {
            let args = parse_ron_input(text, &func, &limits, &mut NoHandles)
                .unwrap_or_else(|e| panic!("{text}: {e}"));
            assert_eq!(args, expected, "{text}");
        }
        let err = parse_ron_input("(x: 1)", &func, &limits, &mut NoHandles).unwrap_err();
        assert!(err.to_string().contains("unknown parameter `x`"), "{err}");
        let greet = FuncType::new("greet", [("name", ValueType::String)], [ValueType::String]);
        assert_eq!(
            parse_ron_input("\"bob\"", &greet, &limits, &mut NoHandles).unwrap(),
            [Val::String("bob".into())]
        );
        let err = parse_ron_input("5", &greet, &limits, &mut NoHandles).unwrap_err();
        assert_eq!(
            err.to_string(),
            "argument `name` of `greet`: expected string, found `5` (line 1, column 1)"
        );
    }

    #[test]
    fn argument_and_result_text() {
        let limits = ValueLimits::default();
        let pair = FuncType::new(
            "pair",
            [("a", ValueType::String), ("b", ValueType::U32)],
            [ValueType::tuple([ValueType::String, ValueType::U32])],
        );
        let args = [Val::String("a".into()), Val::U32(7)];
        assert_eq!(
            ron_args_to_string(&args, &pair, &limits, &mut NoHandles).unwrap(),
            "(\"a\",7)"
        );
        let results = parse_ron_results("(\"a\", 7)", &pair, &limits, &mut NoHandles).unwrap();
        assert_eq!(results, [Val::Tuple(args.to_vec())]);
        assert_eq!(
            ron_results_to_string(&results, &pair, &limits, &mut NoHandles).unwrap(),
            "(\"a\",7)"
        );
        let err = ron_args_to_string(&args[..1], &pair, &limits, &mut NoHandles).unwrap_err();
        assert!(err.to_string().contains("1 given"), "{err}");

        let nothing = FuncType::new("nothing", Vec::<(&str, ValueType)>::new(), []);
        assert_eq!(
            ron_results_to_string(&[], &nothing, &limits, &mut NoHandles).unwrap(),
            "()"
        );
        for text in ["", " ", "()", "( )"] {
            assert!(
                parse_ron_results(text, &nothing, &limits, &mut NoHandles)
                    .unwrap()
                    .is_empty()
            );
        }
        assert!(parse_ron_results("1", &nothing, &limits, &mut NoHandles).is_err());
        assert_eq!(wave_results_to_string(&[]).unwrap(), "()");
        assert_eq!(
            wave_results_to_string(&[Val::U8(1), Val::Bool(true)]).unwrap(),
            "(1, true)"
        );
    }

    #[test]
    fn wave_needs_wasmtime_types() {
        let func = point_func();
        let err = CallText::parse("echo-point({x: 1, y: 2})")
            .unwrap()
            .wave_args(&func, &ValueLimits::default())
            .unwrap_err();
        assert!(
            err.to_string().contains("WAVE needs wasmtime's types"),
            "{err}"
        );
    }
}
