//! Function signatures in WIT terms, shared by the dynamic path (read from a component) and the
//! generated descriptors (written by `tairitsu-build`), so the two can be compared.

use std::borrow::Cow;
use std::fmt;

/// One function of a component or a WIT world: where it lives, its parameters and its result,
/// with every type written as WIT text (`list<option<string>>`, `point`, `borrow<counter>`).
///
/// Generated bindings have `&'static` descriptors of this type (`Cow::Borrowed`); discovery on an
/// [`Image`](crate::Image) builds owned ones. Both write types the same way, so they compare
/// equal for the same function.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct FunctionSignature {
    /// The qualified interface (`test:pkg/api@0.1.0`), or `None` for a function of the world.
    pub interface: Option<Cow<'static, str>>,
    /// The WIT function name, e.g. `add`, `[method]counter.get`, `[constructor]counter`.
    pub name: Cow<'static, str>,
    /// The parameters in order.
    pub params: Cow<'static, [Param]>,
    /// The result type, if the function returns something.
    pub result: Option<Cow<'static, str>>,
}

/// A named parameter of a [`FunctionSignature`].
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Param {
    /// The WIT parameter name (kebab-case).
    pub name: Cow<'static, str>,
    /// The WIT type, as text.
    pub ty: Cow<'static, str>,
}

impl FunctionSignature {
    /// `pkg:ns/iface@ver#name` for an interface function, `name` for a world function.
    pub fn qualified_name(&self) -> String {
        match &self.interface {
            Some(interface) => format!("{interface}#{}", self.name),
            None => self.name.to_string(),
        }
    }

    /// The function as a line of WIT: `add: func(a: u32, b: u32) -> u32`.
    pub fn to_wit(&self) -> String {
        self.to_string()
    }
}

impl fmt::Display for FunctionSignature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: func(", self.name)?;
        for (i, p) in self.params.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            write!(f, "{}: {}", p.name, p.ty)?;
        }
        f.write_str(")")?;
        if let Some(result) = &self.result {
            write!(f, " -> {result}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_as_wit() {
        const PARAMS: &[Param] = &[
            Param {
                name: Cow::Borrowed("a"),
                ty: Cow::Borrowed("u32"),
            },
            Param {
                name: Cow::Borrowed("b"),
                ty: Cow::Borrowed("list<option<string>>"),
            },
        ];
        let sig = FunctionSignature {
            interface: Some(Cow::Borrowed("test:pkg/api@0.1.0")),
            name: Cow::Borrowed("add"),
            params: Cow::Borrowed(PARAMS),
            result: Some(Cow::Borrowed("u32")),
        };
        assert_eq!(
            sig.to_wit(),
            "add: func(a: u32, b: list<option<string>>) -> u32"
        );
        assert_eq!(sig.qualified_name(), "test:pkg/api@0.1.0#add");
    }
}
