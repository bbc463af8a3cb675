//! Bounds on the text the dynamic path reads and writes.

use super::error::{ValueError, ValueErrorKind};

/// The nesting depth allowed by default: 128 levels of lists, records, options, ….
pub const DEFAULT_MAX_DEPTH: usize = 128;

/// The text size allowed by default: 64 MiB.
pub const DEFAULT_MAX_TEXT_LEN: usize = 64 << 20;

/// The number of values one text may hold by default: 4 Mi (4,194,304). A value read from text
/// takes about 40 bytes of host memory however short its text (`1,` is two bytes), so this, not
/// the text size, bounds the memory a call's arguments can take: about 170 MiB.
pub const DEFAULT_MAX_VALUES: usize = 4 << 20;

/// The host memory the values a guest hands over in one go may take by default: 128 MiB
/// (wasmtime's own default for its hostcall fuel).
pub const DEFAULT_MAX_LIFTED_BYTES: usize = 128 << 20;

/// Bounds on value text, so that hostile or broken input fails with an error instead of
/// exhausting the stack or memory.
///
/// Both readers and writers check them: a value nested deeper than `max_depth` is an error before
/// the parser or printer descends into it (so a 10,000-deep input cannot overflow the stack),
/// input text longer than `max_text_len` bytes is refused before parsing, output text when it
/// grows past the limit (checked as it is written, so no more than the limit and one escape is
/// ever built), and input holding more than `max_values` values is refused as soon as
/// the count passes it (each value costs host memory, about 40 bytes).
///
/// # Examples
///
/// ```
/// use tairitsu_runtime::dynamic::{ValueLimits, ValueType, ron};
///
/// let limits = ValueLimits { max_depth: 2, ..ValueLimits::default() };
/// let ty = ValueType::list(ValueType::list(ValueType::list(ValueType::U8)));
/// let err = ron::parse_with("[[[1]]]", &ty, &limits, &mut tairitsu_runtime::dynamic::NoHandles)
///     .unwrap_err();
/// assert!(err.to_string().contains("deeper than 2"));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ValueLimits {
    /// The deepest nesting allowed (a scalar is depth 1, `[1]` is depth 2).
    pub max_depth: usize,
    /// The longest text allowed, in bytes.
    pub max_text_len: usize,
    /// The most values (scalars, lists, records, … each counting one) one text may hold.
    pub max_values: usize,
    /// The most resource handles (`Handle(n)`) a container's dynamic path holds at once;
    /// a result that would issue more fails with a [`Limit`](super::ValueErrorKind::Limit)
    /// error (and its resources are dropped). Release handles with `Container::drop_handle`.
    pub max_handles: usize,
    /// The most host memory, in bytes, that the values a guest hands the host at once may take
    /// when wasmtime lifts them out of its linear memory: the results of one call of an export
    /// (before any text is written), and the arguments of one call to a host import.
    ///
    /// Guest memory alone does not bound this: each lifted value takes a 32-byte `Val`, so a
    /// `list<u8>` costs 32 times its bytes, and a `list<list<u8>>` whose elements all point at one
    /// buffer costs that buffer's size once per element. The container hands this to wasmtime
    /// as the store's hostcall fuel ([`Store::set_hostcall_fuel`](wasmtime::Store::set_hostcall_fuel)),
    /// which counts every `Val` slot and every string's bytes as it lifts and fails the call
    /// once they pass the limit, before allocating more. The call then fails with
    /// [`Error::Wasmtime`](crate::Error::Wasmtime) ("too much data is being copied between the
    /// host and the guest"; wasmtime does not expose the condition as a type) and the container
    /// stays usable.
    pub max_lifted_bytes: usize,
}

impl Default for ValueLimits {
    fn default() -> Self {
        Self {
            max_depth: DEFAULT_MAX_DEPTH,
            max_text_len: DEFAULT_MAX_TEXT_LEN,
            max_values: DEFAULT_MAX_VALUES,
            max_handles: super::handles::DEFAULT_MAX_HANDLES,
            max_lifted_bytes: DEFAULT_MAX_LIFTED_BYTES,
        }
    }
}

impl ValueLimits {
    /// Fails when `text` is longer than `max_text_len`.
    pub(crate) fn check_len(&self, len: usize) -> Result<(), ValueError> {
        if len > self.max_text_len {
            Err(ValueError::of(
                ValueErrorKind::Limit,
                format!(
                    "the text is {len} bytes long, more than the limit of {} bytes",
                    self.max_text_len
                ),
            ))
        } else {
            Ok(())
        }
    }

    /// The error for output text that grew past `max_text_len`.
    pub(crate) fn text_too_long(&self) -> ValueError {
        ValueError::of(
            ValueErrorKind::Limit,
            format!(
                "the text grows past the limit of {} bytes (`ValueLimits::max_text_len`)",
                self.max_text_len
            ),
        )
    }

    /// The error for text holding too many values.
    pub(crate) fn too_many_values(&self) -> ValueError {
        ValueError::of(
            ValueErrorKind::Limit,
            format!(
                "the text holds more than {} values (`ValueLimits::max_values`)",
                self.max_values
            ),
        )
    }

    /// The error for a value nested too deeply.
    pub(crate) fn too_deep(&self) -> ValueError {
        ValueError::of(
            ValueErrorKind::Limit,
            format!("the value nests deeper than {} levels", self.max_depth),
        )
    }
}
