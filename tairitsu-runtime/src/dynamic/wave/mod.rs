//! WAVE (the WebAssembly Value Encoding of `wasmtime run --invoke`) to and from [`Val`](wasmtime::component::Val)s.
//!
//! The reading is wasmtime's own (`wasmtime::component::wasm_wave`), behind a scan that bounds
//! the depth and the number of values ([`ValueLimits`](super::ValueLimits)), with errors turned into
//! [`ValueError`](super::ValueError)s with a line and column. The writing is ours, with the same text as wasm-wave's
//! writer (checked on random values), bounded as it goes and faster on strings. WAVE is
//! read against wasmtime's [`Type`](wasmtime::component::Type), so a WAVE call needs the function's wasmtime type. WAVE
//! cannot encode resources.
//!
//! # Examples
//!
//! ```
//! use tairitsu_runtime::dynamic::wave;
//! use tairitsu_runtime::wasmtime::component::{Component, Val, types::ComponentItem};
//! use tairitsu_runtime::wasmtime::{Config, Engine};
//!
//! // A component with one function `f(v: option<u8>)`, for wasmtime's type of `v`.
//! let engine = Engine::new(Config::new().concurrency_support(false))?;
//! let bytes = wat::parse_str(r#"(component
//!     (core module $m (func (export "f") (param i32 i32)))
//!     (core instance $i (instantiate $m))
//!     (type $o (option u8))
//!     (func (export "f") (param "v" $o) (canon lift (core func $i "f"))))"#)?;
//! let component = Component::new(&engine, &bytes)?;
//! let Some(ComponentItem::ComponentFunc(f)) =
//!     component.component_type().get_export(&engine, "f").map(|e| e.ty)
//! else {
//!     unreachable!()
//! };
//! let (_, option_u8) = f.params().next().unwrap();
//!
//! let val = wave::parse("some(7)", &option_u8)?;
//! assert_eq!(val, Val::Option(Some(Box::new(Val::U8(7)))));
//! assert_eq!(wave::to_string(&val)?, "some(7)");
//! let err = wave::parse("some(300)", &option_u8).unwrap_err();
//! assert_eq!(err.position().map(|p| p.column), Some(6));
//! # Ok::<(), tairitsu_runtime::wasmtime::Error>(())
//! ```

mod read;
mod write;

pub use read::{parse, parse_with};
pub(crate) use read::{parse_at, split_args};
pub use write::{to_string, to_string_with};
