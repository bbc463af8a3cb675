//! Per-container limits: linear memory, tables, instances, and the CPU deadline of each call.

use std::fmt;
use std::time::Duration;

use crate::LimitKind;

/// The limits of one container. The defaults are safe for untrusted guests and roomy for
/// ordinary plugins:
///
/// | limit | default |
/// | --- | --- |
/// | linear memory, all memories of the container together | 128 MiB |
/// | table elements, all tables of the container together | 10,000 |
/// | core instances | 1,000 |
/// | memories / tables | 100 each |
/// | CPU deadline per call | 5 s |
/// | a failed grow | traps (the call fails with [`Error::LimitExceeded`](crate::Error::LimitExceeded)) |
///
/// The memory and table limits are totals for the container: a component is several core
/// instances and may define many memories and tables, and a limit per memory would let a guest
/// with 100 memories use 100 times the limit. Every byte a memory is created with or grows by
/// counts until the container is restarted (a fresh instance starts again from zero). A grow
/// that the limit allowed but the operating system or the pooling allocator then refused still
/// counts, which can only make the limit stricter.
///
/// The deadline is enforced with epoch interruption: compiled code checks a counter that the
/// engine's clock thread advances (every 10 ms by default), so a deadline costs nearly nothing
/// and has that precision.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use tairitsu_runtime::Limits;
///
/// let limits = Limits::new()
///     .max_memory(16 << 20)
///     .deadline(Some(Duration::from_millis(200)));
/// assert_eq!(limits.memory_limit(), 16 << 20);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    pub(crate) memory: usize,
    pub(crate) table_elements: usize,
    pub(crate) instances: usize,
    pub(crate) memories: usize,
    pub(crate) tables: usize,
    pub(crate) deadline: Option<Duration>,
    pub(crate) trap_on_grow_failure: bool,
    pub(crate) http: crate::http::HttpLimits,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            memory: 128 << 20,
            table_elements: 10_000,
            instances: 1_000,
            memories: 100,
            tables: 100,
            deadline: Some(Duration::from_secs(5)),
            trap_on_grow_failure: true,
            http: crate::http::HttpLimits::default(),
        }
    }
}

impl Limits {
    /// The defaults (see the table above).
    pub fn new() -> Self {
        Self::default()
    }

    /// The most linear memory, in bytes, that all the container's memories may have together.
    pub fn max_memory(mut self, bytes: usize) -> Self {
        self.memory = bytes;
        self
    }

    /// The most elements that all the container's tables may have together.
    pub fn max_table_elements(mut self, elements: usize) -> Self {
        self.table_elements = elements;
        self
    }

    /// The most core instances a container may create (a component is several).
    pub fn max_instances(mut self, instances: usize) -> Self {
        self.instances = instances;
        self
    }

    /// The most linear memories and tables.
    pub fn max_memories_and_tables(mut self, memories: usize, tables: usize) -> Self {
        self.memories = memories;
        self.tables = tables;
        self
    }

    /// The CPU deadline of each call (and of instantiation), or `None` for no deadline.
    ///
    /// It is kept on the engine's epoch clock: a call is given at least the deadline, and ends
    /// at most one tick (10 ms by default) after it.
    pub fn deadline(mut self, deadline: Option<Duration>) -> Self {
        self.deadline = deadline;
        self
    }

    /// Whether a refused `memory.grow` / `table.grow` traps (the default) or returns -1 to the
    /// guest as the core spec allows.
    pub fn trap_on_grow_failure(mut self, trap: bool) -> Self {
        self.trap_on_grow_failure = trap;
        self
    }

    /// The memory limit in bytes (the total of all memories).
    pub fn memory_limit(&self) -> usize {
        self.memory
    }

    /// The table-elements limit (the total of all tables).
    pub fn table_limit(&self) -> usize {
        self.table_elements
    }

    /// The deadline.
    pub fn deadline_limit(&self) -> Option<Duration> {
        self.deadline
    }
}

/// The limit a guest ran into; carried as the error of the failed grow so the call's error can
/// say which limit it was.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct LimitHit {
    pub(crate) kind: LimitKind,
    pub(crate) message: String,
}

impl fmt::Display for LimitHit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for LimitHit {}

impl LimitHit {
    fn memory(message: String) -> Self {
        Self {
            kind: LimitKind::Memory,
            message,
        }
    }

    fn table(message: String) -> Self {
        Self {
            kind: LimitKind::Table,
            message,
        }
    }
}

/// The [`wasmtime::ResourceLimiter`] of a container's store: it keeps the totals of memory and
/// table elements that the store's instances have been given, so that the limits hold for the
/// container and not for each memory or table alone.
///
/// wasmtime tells the limiter the old and new size of the one memory or table that grows (and
/// 0 and the initial size when one is created), so the total moves by the difference. Memories
/// and tables are never freed while the store lives; a new store (a restart) gets a new limiter.
pub(crate) struct Limiter {
    limits: Limits,
    memory: usize,
    table_elements: usize,
}

impl Limiter {
    pub(crate) fn new(limits: Limits) -> Self {
        Self {
            limits,
            memory: 0,
            table_elements: 0,
        }
    }
}

fn mib(bytes: usize) -> String {
    if bytes.is_multiple_of(1 << 20) {
        format!("{} MiB", bytes >> 20)
    } else if bytes.is_multiple_of(1 << 10) {
        format!("{} KiB", bytes >> 10)
    } else {
        format!("{bytes} bytes")
    }
}

/// The total after a grow from `current` to `desired`, or `None` past `limit`.
fn grown_total(total: usize, current: usize, desired: usize, limit: usize) -> Option<usize> {
    total
        .checked_add(desired.saturating_sub(current))
        .filter(|&after| after <= limit)
}

impl wasmtime::ResourceLimiter for Limiter {
    fn memory_growing(
        &mut self,
        current: usize,
        desired: usize,
        maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        if maximum.is_some_and(|max| desired > max) {
            return Ok(false);
        }
        let Some(after) = grown_total(self.memory, current, desired, self.limits.memory) else {
            if self.limits.trap_on_grow_failure {
                return Err(LimitHit::memory(format!(
                    "memory limit of {} reached (the container's memories have {} together, and \
                     one asked to grow from {} to {})",
                    mib(self.limits.memory),
                    mib(self.memory),
                    mib(current),
                    mib(desired)
                ))
                .into());
            }
            return Ok(false);
        };
        self.memory = after;
        Ok(true)
    }

    fn memory_grow_failed(&mut self, error: wasmtime::Error) -> wasmtime::Result<()> {
        if self.limits.trap_on_grow_failure {
            Err(LimitHit::memory(format!("memory growth failed: {error}")).into())
        } else {
            Ok(())
        }
    }

    fn table_growing(
        &mut self,
        current: usize,
        desired: usize,
        maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        if maximum.is_some_and(|max| desired > max) {
            return Ok(false);
        }
        let Some(after) = grown_total(
            self.table_elements,
            current,
            desired,
            self.limits.table_elements,
        ) else {
            if self.limits.trap_on_grow_failure {
                return Err(LimitHit::table(format!(
                    "table limit of {} elements reached (the container's tables have {} \
                     together, and one asked to grow from {current} to {desired})",
                    self.limits.table_elements, self.table_elements
                ))
                .into());
            }
            return Ok(false);
        };
        self.table_elements = after;
        Ok(true)
    }
    fn table_grow_failed(&mut self, error: wasmtime::Error) -> wasmtime::Result<()> {
        if self.limits.trap_on_grow_failure {
            Err(LimitHit::table(format!("table growth failed: {error}")).into())
        } else {
            Ok(())
        }
    }

    fn instances(&self) -> usize {
        self.limits.instances
    }

    fn tables(&self) -> usize {
        self.limits.tables
    }

    fn memories(&self) -> usize {
        self.limits.memories
    }
}
