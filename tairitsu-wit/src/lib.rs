//! WIT as text and names, one rule for every part of Tairitsu: the generator's descriptors, the
//! macros' interface text and the runtime's discovery write names and types the same way, so that
//! what one says about a function compares equal to what another says.
//!
//! - [`WIT_KEYWORDS`] and [`wit_name`]: a name as WIT writes it (`%type`);
//! - [`TypeShape`] and [`write_shape`]: the one writer of type text, over anything that can say
//!   what shape a type has; [`wit_type_text`] and [`write_type`] are it for wit-parser's types:
//!   named types by name, anonymous ones spelled out (`list<option<string>>`,
//!   `result<_, string>`, `borrow<counter>`);
//! - [`rust_name`]: the Rust naming policy (heck casing and keyword escaping) that generated
//!   code, the macros and the runtime's RON share.

mod keywords;
pub mod rust_name;
mod type_text;
mod wit_types;

pub use keywords::{WIT_KEYWORDS, wit_name};
pub use type_text::{Primitive, Shape, TypeShape, type_text, write_shape};
pub use wit_types::{WitType, wit_type_text, write_anonymous, write_type};
