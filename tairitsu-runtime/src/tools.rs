//! Host-side tools invoked by name with RON input: [`typed_ron_tool`] and [`RonToolRegistry`].
//!
//! A tool is a Rust function from a request type to a response type, both serde types. The
//! registry calls it by name with RON text and answers RON text, so a plugin, a REPL or a
//! command line can reach host functions with no glue code.
//!
//! # Examples
//!
//! ```
//! use serde::{Deserialize, Serialize};
//! use tairitsu_runtime::tools::{RonToolRegistry, typed_ron_tool};
//!
//! #[derive(Deserialize, Serialize)]
//! struct CalculatorRequest {
//!     a: i32,
//!     b: i32,
//! }
//!
//! #[derive(Deserialize, Serialize)]
//! struct CalculatorResponse {
//!     result: i32,
//! }
//!
//! let tool = typed_ron_tool("calculator", |input: CalculatorRequest| CalculatorResponse {
//!     result: input.a + input.b,
//! });
//!
//! let mut registry = RonToolRegistry::new();
//! registry.register("calculator".to_string(), tool);
//!
//! let result = registry.invoke("calculator", "(a: 42, b: 58)")?;
//! assert_eq!(result, "(result:100)");
//! # Ok::<(), tairitsu_runtime::tools::RonToolError>(())
//! ```

use std::collections::BTreeMap;
use std::fmt;
use std::marker::PhantomData;

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::dynamic::ValueError;

/// A host function called with RON text and answering RON text.
///
/// [`typed_ron_tool`] and [`fallible_ron_tool`] make one from a typed closure; implement it by
/// hand for tools that work on the text itself.
pub trait RonTool: Send + Sync {
    /// The tool's own name (the registry may file it under another).
    fn name(&self) -> &str;

    /// Runs the tool on RON `input` and returns its answer as RON.
    ///
    /// # Errors
    ///
    /// When the input does not parse as the tool's request, or the tool fails.
    fn invoke(&self, input: &str) -> Result<String, RonToolError>;
}

/// A failed tool invocation.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RonToolError {
    /// No tool has this name.
    #[error("no tool `{name}`; tools: {}", if available.is_empty() { "none".to_string() } else { available.join(", ") })]
    UnknownTool {
        /// The name asked for.
        name: String,
        /// The registered names.
        available: Vec<String>,
    },
    /// The input is not RON for the tool's request type.
    #[error("input of tool `{tool}`: {source}")]
    Input {
        /// The tool.
        tool: String,
        /// Where and why the input does not parse.
        source: ValueError,
    },
    /// The tool's response could not be written as RON.
    #[error("output of tool `{tool}`: {source}")]
    Output {
        /// The tool.
        tool: String,
        /// Why.
        source: ValueError,
    },
    /// The tool itself failed.
    #[error("tool `{tool}` failed: {message}")]
    Failed {
        /// The tool.
        tool: String,
        /// The tool's message.
        message: String,
    },
}

/// A [`RonTool`] made from a typed closure by [`typed_ron_tool`] or [`fallible_ron_tool`].
pub struct TypedRonTool<Req, Resp, F> {
    name: String,
    f: F,
    _types: PhantomData<fn(Req) -> Resp>,
}

impl<Req, Resp, F> fmt::Debug for TypedRonTool<Req, Resp, F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TypedRonTool")
            .field("name", &self.name)
            .field("request", &std::any::type_name::<Req>())
            .field("response", &std::any::type_name::<Resp>())
            .finish()
    }
}

/// Makes a tool from a closure over serde types: the input RON is read as `Req`, the closure
/// runs, and its `Resp` is written as compact RON.
///
/// # Examples
///
/// ```
/// use tairitsu_runtime::tools::{RonTool, typed_ron_tool};
///
/// let upper = typed_ron_tool("upper", |s: String| s.to_uppercase());
/// assert_eq!(upper.invoke(r#""abc""#)?, r#""ABC""#);
/// assert!(upper.invoke("42").is_err());
/// # Ok::<(), tairitsu_runtime::tools::RonToolError>(())
/// ```
pub fn typed_ron_tool<Req, Resp, F>(
    name: impl Into<String>,
    f: F,
) -> TypedRonTool<Req, Resp, impl Fn(Req) -> Result<Resp, String> + Send + Sync>
where
    Req: DeserializeOwned,
    Resp: Serialize,
    F: Fn(Req) -> Resp + Send + Sync,
{
    fallible_ron_tool(name, move |req| Ok::<_, String>(f(req)))
}

/// Makes a tool from a closure that can fail: an `Err` becomes [`RonToolError::Failed`] with the
/// error's message.
///
/// # Examples
///
/// ```
/// use tairitsu_runtime::tools::{RonTool, RonToolError, fallible_ron_tool};
///
/// let div = fallible_ron_tool("div", |(a, b): (i32, i32)| {
///     a.checked_div(b).ok_or("division by zero")
/// });
/// assert_eq!(div.invoke("(7, 2)")?, "3");
/// assert!(matches!(div.invoke("(7, 0)"), Err(RonToolError::Failed { .. })));
/// # Ok::<(), RonToolError>(())
/// ```
pub fn fallible_ron_tool<Req, Resp, E, F>(
    name: impl Into<String>,
    f: F,
) -> TypedRonTool<Req, Resp, F>
where
    Req: DeserializeOwned,
    Resp: Serialize,
    E: fmt::Display,
    F: Fn(Req) -> Result<Resp, E> + Send + Sync,
{
    TypedRonTool {
        name: name.into(),
        f,
        _types: PhantomData,
    }
}

impl<Req, Resp, E, F> RonTool for TypedRonTool<Req, Resp, F>
where
    Req: DeserializeOwned,
    Resp: Serialize,
    E: fmt::Display,
    F: Fn(Req) -> Result<Resp, E> + Send + Sync,
{
    fn name(&self) -> &str {
        &self.name
    }

    fn invoke(&self, input: &str) -> Result<String, RonToolError> {
        let request: Req =
            crate::serde_ron::from_str(input).map_err(|source| RonToolError::Input {
                tool: self.name.clone(),
                source,
            })?;
        let response = (self.f)(request).map_err(|e| RonToolError::Failed {
            tool: self.name.clone(),
            message: e.to_string(),
        })?;
        crate::serde_ron::to_string(&response).map_err(|source| RonToolError::Output {
            tool: self.name.clone(),
            source,
        })
    }
}

/// Tools by name, invoked with RON text.
///
/// # Examples
///
/// ```
/// use tairitsu_runtime::tools::{RonToolRegistry, typed_ron_tool};
///
/// let mut registry = RonToolRegistry::new();
/// registry.register("len".to_string(), typed_ron_tool("len", |v: Vec<u8>| v.len()));
/// assert_eq!(registry.invoke("len", "[1, 2, 3]")?, "3");
/// assert_eq!(registry.names().collect::<Vec<_>>(), ["len"]);
/// let err = registry.invoke("size", "[]").unwrap_err();
/// assert_eq!(err.to_string(), "no tool `size`; tools: len");
/// # Ok::<(), tairitsu_runtime::tools::RonToolError>(())
/// ```
#[derive(Default)]
pub struct RonToolRegistry {
    tools: BTreeMap<String, Box<dyn RonTool>>,
}

impl fmt::Debug for RonToolRegistry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RonToolRegistry")
            .field("tools", &self.tools.keys().collect::<Vec<_>>())
            .finish()
    }
}

impl RonToolRegistry {
    /// An empty registry.
    pub fn new() -> Self {
        Self::default()
    }

    /// Files `tool` under `name`, replacing (and returning) any tool of that name.
    pub fn register(
        &mut self,
        name: String,
        tool: impl RonTool + 'static,
    ) -> Option<Box<dyn RonTool>> {
        self.tools.insert(name, Box::new(tool))
    }

    /// Removes the tool filed under `name`.
    pub fn unregister(&mut self, name: &str) -> Option<Box<dyn RonTool>> {
        self.tools.remove(name)
    }

    /// Runs the tool `name` on RON `input` and returns its RON answer.
    ///
    /// # Errors
    ///
    /// [`RonToolError::UnknownTool`] (listing the tools), or the tool's own error.
    pub fn invoke(&self, name: &str, input: &str) -> Result<String, RonToolError> {
        match self.tools.get(name) {
            Some(tool) => tool.invoke(input),
            None => Err(RonToolError::UnknownTool {
                name: name.to_string(),
                available: self.tools.keys().cloned().collect(),
            }),
        }
    }

    /// The tool filed under `name`.
    pub fn get(&self, name: &str) -> Option<&dyn RonTool> {
        self.tools.get(name).map(|t| &**t)
    }

    /// The registered names, sorted.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.tools.keys().map(String::as_str)
    }

    /// How many tools are registered.
    pub fn len(&self) -> usize {
        self.tools.len()
    }

    /// Whether no tool is registered.
    pub fn is_empty(&self) -> bool {
        self.tools.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Deserialize)]
    struct Req {
        a: i32,
        b: i32,
    }

    #[test]
    fn errors_say_which_tool_and_where() {
        let mut registry = RonToolRegistry::new();
        registry.register("add".into(), typed_ron_tool("add", |r: Req| r.a + r.b));
        assert_eq!(registry.invoke("add", "(a: 1, b: 2)").unwrap(), "3");
        let err = registry.invoke("add", "(a: 1, b: x)").unwrap_err();
        assert!(
            matches!(&err, RonToolError::Input { tool, .. } if tool == "add"),
            "{err}"
        );
        assert!(
            err.to_string().starts_with("input of tool `add`: "),
            "{err}"
        );
        assert!(err.to_string().contains("line 1, column"), "{err}");
        assert!(matches!(
            registry.invoke("sub", "()"),
            Err(RonToolError::UnknownTool { .. })
        ));
        assert!(registry.unregister("add").is_some());
        assert!(registry.is_empty());
    }
}
