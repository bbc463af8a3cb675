//! Per-container limits: linear memory, tables, instances, and the CPU deadline of each call.

use std::fmt;
use std::time::Duration;

/// The limits of one container. The defaults are safe for untrusted guests and roomy for
/// ordinary plugins:
///
/// | limit | default |
/// | --- | --- |
/// | linear memory, per memory | 128 MiB |
/// | table elements, per table | 10,000 |
/// | core instances | 1,000 |
/// | memories / tables | 100 each |
/// | CPU deadline per call | 5 s |
/// | a failed grow | traps (the call fails with [`Error::LimitExceeded`](crate::Error::LimitExceeded)) |
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

    /// The largest size, in bytes, that any one linear memory may have.
    pub fn max_memory(mut self, bytes: usize) -> Self {
        self.memory = bytes;
        self
    }

    /// The most elements any one table may have.
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

    /// The memory limit in bytes.
    pub fn memory_limit(&self) -> usize {
        self.memory
    }

    /// The table-elements limit.
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
pub(crate) struct LimitHit(pub(crate) String);

impl fmt::Display for LimitHit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for LimitHit {}

/// The [`wasmtime::ResourceLimiter`] of a container's store.
pub(crate) struct Limiter {
    limits: Limits,
}

impl Limiter {
    pub(crate) fn new(limits: Limits) -> Self {
        Self { limits }
    }
}

fn mib(bytes: usize) -> String {
    if bytes.is_multiple_of(1 << 20) {
        format!("{} MiB", bytes >> 20)
    } else {
        format!("{bytes} bytes")
    }
}

impl wasmtime::ResourceLimiter for Limiter {
    fn memory_growing(
        &mut self,
        current: usize,
        desired: usize,
        maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        if desired > self.limits.memory {
            if self.limits.trap_on_grow_failure {
                return Err(LimitHit(format!(
                    "memory limit of {} reached (the guest has {} and asked for {})",
                    mib(self.limits.memory),
                    mib(current),
                    mib(desired)
                ))
                .into());
            }
            return Ok(false);
        }
        Ok(maximum.is_none_or(|max| desired <= max))
    }

    fn memory_grow_failed(&mut self, error: wasmtime::Error) -> wasmtime::Result<()> {
        if self.limits.trap_on_grow_failure {
            Err(LimitHit(format!("memory growth failed: {error}")).into())
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
        if desired > self.limits.table_elements {
            if self.limits.trap_on_grow_failure {
                return Err(LimitHit(format!(
                    "table limit of {} elements reached (the guest has {current} and asked for \
                     {desired})",
                    self.limits.table_elements
                ))
                .into());
            }
            return Ok(false);
        }
        Ok(maximum.is_none_or(|max| desired <= max))
    }

    fn table_grow_failed(&mut self, error: wasmtime::Error) -> wasmtime::Result<()> {
        if self.limits.trap_on_grow_failure {
            Err(LimitHit(format!("table growth failed: {error}")).into())
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
