//! The one wasmtime engine every image is compiled for, its configuration, and the epoch clock
//! that enforces call deadlines.

use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use wasmtime::{InstanceAllocationStrategy, PoolingAllocationConfig};

use crate::cache::ArtifactCache;
use crate::{Error, Result};

/// How often the epoch clock ticks. A call deadline is rounded up to whole ticks, so this is
/// also the precision of deadlines.
pub const DEFAULT_EPOCH_TICK: Duration = Duration::from_millis(10);

/// A compiled-code engine shared by images, with its artifact cache and epoch clock.
///
/// Cloning is cheap (a reference count). Images compiled for one engine only run in containers
/// of that engine. Most programs use [`Engine::shared`], the process-wide engine with the
/// default configuration; `Image::from_bytes` and friends use it.
///
/// The defaults follow the performance rules of the project:
/// - component-model concurrency support is **off**: with it on, wasmtime 48 makes every
///   component call about three times slower;
/// - epoch interruption is on, driven by one clock thread per engine (not one per container),
///   so that container deadlines cost a counter check in compiled code;
/// - compiled artifacts are cached on disk (see [`CacheDir`]).
///
/// # Examples
///
/// ```no_run
/// use tairitsu_runtime::{Engine, EngineConfig};
///
/// let engine = Engine::new(EngineConfig::new().pooling(true))?;
/// # Ok::<_, tairitsu_runtime::Error>(())
/// ```
#[derive(Clone)]
pub struct Engine {
    inner: Arc<EngineInner>,
}

struct EngineInner {
    wasmtime: wasmtime::Engine,
    config: EngineConfig,
    cache: Option<ArtifactCache>,
    /// The ticks of the epoch clock so far: the engine's epoch, readable (wasmtime does not
    /// expose it), so a call can know its deadline in ticks without reading the time.
    ticks: Arc<AtomicU64>,
}

/// Where compiled artifacts are cached.
///
/// # Trust
///
/// An artifact is native code that a later process maps and runs without compiling, so
/// whoever can write the cache chooses what that process executes. The cache therefore
/// belongs to one user:
///
/// - a missing directory is created `0700` (parents included);
/// - on Unix, a directory that belongs to another user, or that group or others may write
///   (`chmod g+w`, `/tmp`-like `1777`), is refused with [`Error::UnsafeCache`]. With
///   [`CacheDir::Path`] that is [`Engine::new`]'s error; with [`CacheDir::Default`] the engine
///   runs without a cache (every image compiles) and says why in a `tracing` warning;
/// - every artifact is sealed: it ends with an HMAC-SHA256 over the component's digest, the
///   engine's compatibility hash and the artifact, keyed by the 32 random bytes of the
///   directory's `key` file (created `0600` on first use, refused when another user owns it or
///   may read it). An artifact without this key's seal for that component (copied in from
///   another cache or machine, renamed to another component, changed on disk) is deleted and
///   the component compiled; the seal is checked on the very bytes that are deserialized.
///
/// Sharing a cache between users, or restoring one from elsewhere, therefore costs a
/// recompilation unless its `key` file comes along, which is the same as trusting whoever made
/// it. Nothing here protects against the user's own account, which can read the key (or change
/// the host program). On platforms without Unix permissions only the seal applies.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum CacheDir {
    /// `$TAIRITSU_CACHE_DIR`, else `$XDG_CACHE_HOME/tairitsu`, else `$HOME/.cache/tairitsu`,
    /// else (on Windows) `%LOCALAPPDATA%\tairitsu\cache`, else no cache.
    #[default]
    Default,
    /// This directory (created `0700` when missing; refused when others could write it).
    Path(PathBuf),
    /// No cache: every load compiles.
    Disabled,
}

impl CacheDir {
    fn resolve(&self) -> Option<PathBuf> {
        self.resolve_from(|name| std::env::var_os(name))
    }

    fn resolve_from(&self, var: impl Fn(&str) -> Option<std::ffi::OsString>) -> Option<PathBuf> {
        let var = |name| var(name).filter(|v| !v.is_empty()).map(PathBuf::from);
        match self {
            CacheDir::Disabled => None,
            CacheDir::Path(p) => Some(p.clone()),
            CacheDir::Default => var("TAIRITSU_CACHE_DIR")
                .or_else(|| var("XDG_CACHE_HOME").map(|d| d.join("tairitsu")))
                .or_else(|| var("HOME").map(|d| d.join(".cache/tairitsu")))
                .or_else(|| var("LOCALAPPDATA").map(|d| d.join("tairitsu").join("cache"))),
        }
    }
}

/// The configuration of an [`Engine`]. Build with [`EngineConfig::new`] and the setters.
#[derive(Debug, Clone)]
pub struct EngineConfig {
    cache: CacheDir,
    pooling: Option<PoolingAllocationConfig>,
    epoch_tick: Duration,
    concurrency: bool,
    max_wasm_stack: usize,
    parallel_compilation: bool,
    memory_reservation: Option<u64>,
    memory_guard_size: Option<u64>,
}

impl Default for EngineConfig {
    fn default() -> Self {
        Self {
            cache: CacheDir::Default,
            pooling: None,
            epoch_tick: DEFAULT_EPOCH_TICK,
            concurrency: false,
            max_wasm_stack: 512 * 1024,
            parallel_compilation: true,
            memory_reservation: None,
            memory_guard_size: None,
        }
    }
}

impl EngineConfig {
    /// The defaults: on-demand allocation, the default cache directory, 10 ms epoch ticks,
    /// concurrency support off, a 512 KiB wasm stack.
    pub fn new() -> Self {
        Self::default()
    }

    /// Where to cache compiled artifacts.
    pub fn cache(mut self, cache: CacheDir) -> Self {
        self.cache = cache;
        self
    }

    /// Switches the pooling instance allocator on or off, with defaults sized for many small
    /// containers (1000 component instances, 1000 memories, 1000 tables).
    ///
    /// Pooling reserves virtual memory for every slot up front, and then makes instantiation
    /// (container start and restart) cheaper: no `mmap` per start, memories reset with
    /// `madvise`. Use [`EngineConfig::pooling_config`] to size it.
    pub fn pooling(mut self, enable: bool) -> Self {
        self.pooling = enable.then(PoolingAllocationConfig::default);
        self
    }

    /// Switches the pooling allocator on with the given wasmtime configuration.
    pub fn pooling_config(mut self, config: PoolingAllocationConfig) -> Self {
        self.pooling = Some(config);
        self
    }

    /// How often the epoch clock ticks; deadlines are rounded up to whole ticks. Default 10 ms.
    /// A tick of zero is raised to 1 ms.
    pub fn epoch_tick(mut self, tick: Duration) -> Self {
        self.epoch_tick = tick.max(Duration::from_millis(1));
        self
    }

    /// Component-model concurrency support (async lifts, streams, futures). Off by default:
    /// with it on, every component call is about three times slower in wasmtime 48. Turning it
    /// on needs wasmtime's `component-model-async` feature, which this build does not enable,
    /// so [`Engine::new`] then fails with an error saying so.
    pub fn concurrency_support(mut self, enable: bool) -> Self {
        self.concurrency = enable;
        self
    }

    /// The maximum wasm stack, in bytes. Deep recursion past it traps with a stack overflow.
    pub fn max_wasm_stack(mut self, bytes: usize) -> Self {
        self.max_wasm_stack = bytes;
        self
    }

    /// Whether to compile functions in parallel (default on).
    pub fn parallel_compilation(mut self, enable: bool) -> Self {
        self.parallel_compilation = enable;
        self
    }

    /// How much virtual memory each linear memory reserves up front (wasmtime's
    /// `Config::memory_reservation`; 4 GiB on 64-bit hosts by default, which lets compiled
    /// code skip bounds checks). Lower it, with a small [guard](Self::memory_guard_size), to
    /// pack thousands of pooled containers into one process: accesses then pay a bounds check.
    pub fn memory_reservation(mut self, bytes: u64) -> Self {
        self.memory_reservation = Some(bytes);
        self
    }

    /// The guard region after each linear memory (wasmtime's `Config::memory_guard_size`).
    pub fn memory_guard_size(mut self, bytes: u64) -> Self {
        self.memory_guard_size = Some(bytes);
        self
    }

    /// Whether pooling is on.
    pub fn is_pooling(&self) -> bool {
        self.pooling.is_some()
    }

    /// The epoch tick.
    pub fn tick(&self) -> Duration {
        self.epoch_tick
    }

    fn to_wasmtime(&self) -> wasmtime::Config {
        let mut config = wasmtime::Config::new();
        config
            .wasm_component_model(true)
            .concurrency_support(self.concurrency)
            .epoch_interruption(true)
            .max_wasm_stack(self.max_wasm_stack)
            .parallel_compilation(self.parallel_compilation);
        if let Some(bytes) = self.memory_reservation {
            config.memory_reservation(bytes);
        }
        if let Some(bytes) = self.memory_guard_size {
            config.memory_guard_size(bytes);
        }
        if let Some(pooling) = &self.pooling {
            config.allocation_strategy(InstanceAllocationStrategy::Pooling(pooling.clone()));
        }
        config
    }
}

static SHARED: OnceLock<std::result::Result<Engine, String>> = OnceLock::new();

impl Engine {
    /// The process-wide engine with the default [`EngineConfig`], created on first use.
    ///
    /// # Errors
    ///
    /// When wasmtime cannot create an engine on this machine (for example an unsupported CPU);
    /// every later call returns the same error.
    pub fn shared() -> Result<&'static Engine> {
        SHARED
            .get_or_init(|| Engine::new(EngineConfig::default()).map_err(|e| e.to_string()))
            .as_ref()
            .map_err(|e| Error::Config(e.clone()))
    }

    /// A new engine with its own configuration, cache and epoch clock.
    ///
    /// # Errors
    ///
    /// When wasmtime rejects the configuration; when the epoch clock thread cannot be started
    /// ([`Error::EpochClock`]: without it no deadline would ever fire); when an explicitly
    /// given cache directory cannot be created, or is not safe to run code from
    /// ([`Error::UnsafeCache`], see [`CacheDir`]). An unusable *default* cache directory is not
    /// an error: the engine then compiles every image, and says why in a `tracing` warning.
    pub fn new(config: EngineConfig) -> Result<Engine> {
        Self::with_clock_spawner(config, spawn_thread)
    }

    /// [`Engine::new`], starting the epoch clock with `spawn` (tests pass one that fails).
    pub(crate) fn with_clock_spawner(config: EngineConfig, spawn: ClockSpawner) -> Result<Engine> {
        let wasmtime = wasmtime::Engine::new(&config.to_wasmtime())
            .map_err(|e| Error::Config(format!("{e:#}")))?;
        // Before the cache: without the clock there is no engine, so there is nothing to cache
        // for.
        let ticks = Arc::new(AtomicU64::new(0));
        start_epoch_clock(&wasmtime, config.epoch_tick, ticks.clone(), spawn)?;
        let cache = match config.cache.resolve() {
            Some(dir) => match ArtifactCache::open(dir, &wasmtime) {
                Ok(cache) => Some(cache),
                // An unusable default directory (read-only home, sandbox, a directory others
                // can write) must not stop the host: it only costs compile time.
                Err(e) if config.cache == CacheDir::Default => {
                    tracing::warn!("compiled-artifact cache disabled, every image compiles: {e}");
                    None
                }
                Err(e) => return Err(e),
            },
            None => None,
        };
        Ok(Engine {
            inner: Arc::new(EngineInner {
                wasmtime,
                config,
                cache,
                ticks,
            }),
        })
    }

    /// The wasmtime engine underneath.
    pub fn wasmtime(&self) -> &wasmtime::Engine {
        &self.inner.wasmtime
    }

    /// The configuration this engine was made with.
    pub fn config(&self) -> &EngineConfig {
        &self.inner.config
    }

    /// The directory of the compiled-artifact cache, if there is one.
    pub fn cache_dir(&self) -> Option<&std::path::Path> {
        self.inner.cache.as_ref().map(ArtifactCache::dir)
    }

    pub(crate) fn cache(&self) -> Option<&ArtifactCache> {
        self.inner.cache.as_ref()
    }

    /// The epoch clock's ticks so far.
    pub(crate) fn ticks(&self) -> &Arc<AtomicU64> {
        &self.inner.ticks
    }

    /// Epoch ticks for a deadline: rounded up, plus one for the tick in progress when a call
    /// begins, which has partly passed. A call then gets at least its deadline and at most one
    /// tick more; counted from the tick in progress, it ended up to a tick early (491 ms for a
    /// 500 ms deadline, `tests/reliability/tests/deadlines.rs`).
    pub(crate) fn ticks_for(&self, deadline: Duration) -> u64 {
        let tick = self.inner.config.epoch_tick.as_nanos().max(1);
        let ticks = deadline.as_nanos().div_ceil(tick).saturating_add(1);
        u64::try_from(ticks).unwrap_or(u64::MAX / 2)
    }

    /// Whether two handles are the same engine.
    pub fn same(&self, other: &Engine) -> bool {
        Arc::ptr_eq(&self.inner, &other.inner)
    }
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine")
            .field("pooling", &self.inner.config.is_pooling())
            .field("epoch_tick", &self.inner.config.epoch_tick)
            .field("cache_dir", &self.cache_dir())
            .finish()
    }
}

/// Starts a thread running the closure it is given (the epoch clock's body).
pub(crate) type ClockSpawner = fn(Box<dyn FnOnce() + Send + 'static>) -> std::io::Result<()>;

/// The spawner of [`Engine::new`]: a named OS thread.
fn spawn_thread(body: Box<dyn FnOnce() + Send + 'static>) -> std::io::Result<()> {
    std::thread::Builder::new()
        .name("tairitsu-epoch".into())
        .spawn(body)
        .map(drop)
}

/// One thread per engine advances its epoch; it holds only a weak reference and ends when the
/// engine is dropped.
///
/// # Errors
///
/// [`Error::EpochClock`] when the thread cannot be started: compiled code would then never see
/// the epoch move and no deadline would fire, so the engine must not exist (failing open would
/// let a guest that loops hold its caller forever).
fn start_epoch_clock(
    engine: &wasmtime::Engine,
    tick: Duration,
    ticks: Arc<AtomicU64>,
    spawn: ClockSpawner,
) -> Result<()> {
    let weak = engine.weak();
    spawn(Box::new(move || {
        loop {
            std::thread::sleep(tick);
            match weak.upgrade() {
                Some(engine) => {
                    ticks.fetch_add(1, Ordering::Release);
                    engine.increment_epoch();
                }
                None => break,
            }
        }
    }))
    .map_err(|source| Error::EpochClock { source })
}

#[cfg(test)]
mod tests {
    use std::path::{Path, PathBuf};
    use std::time::{Duration, Instant};

    use super::{CacheDir, Engine, EngineConfig};
    use crate::{Container, Error, Image, Limits};

    /// Regression: a deadline counted from the tick in progress, which has partly passed, ended
    /// calls up to a tick early. A tick never passes faster than its length, so no call may end
    /// before its deadline, wherever in a tick it starts.
    #[test]
    fn bug_a_deadline_ended_calls_up_to_a_tick_early() {
        let engine = Engine::new(EngineConfig::new().cache(CacheDir::Disabled)).unwrap();
        let image = Image::from_bytes_with(&engine, tairitsu_fixtures::faults()).unwrap();
        let deadline = Duration::from_millis(30);
        let mut c = Container::builder(image)
            .with_limits(Limits::new().deadline(Some(deadline)))
            .build()
            .unwrap();
        for wait in 0..10 {
            // Start at another point of a tick each time.
            std::thread::sleep(Duration::from_millis(wait));
            let start = Instant::now();
            let err = c.call_ron("spin()").unwrap_err();
            let took = start.elapsed();
            assert!(matches!(err, Error::DeadlineExceeded { .. }), "{err}");
            assert!(
                took >= deadline,
                "ended after {took:?}, before its deadline"
            );
            c.restart().unwrap();
        }
    }

    /// Regression: when the clock thread could not be spawned the engine was created anyway,
    /// with a log line nobody saw, and every deadline was silently off.
    #[test]
    fn bug_an_epoch_clock_that_cannot_start_failed_open() {
        fn refuse(_: Box<dyn FnOnce() + Send + 'static>) -> std::io::Result<()> {
            Err(std::io::Error::new(
                std::io::ErrorKind::WouldBlock,
                "Resource temporarily unavailable (os error 11)",
            ))
        }
        let config = EngineConfig::new().cache(CacheDir::Disabled);
        let err = Engine::with_clock_spawner(config.clone(), refuse).unwrap_err();
        assert!(matches!(err, Error::EpochClock { .. }), "{err:?}");
        let text = err.to_string();
        assert!(text.contains("epoch clock"), "{text}");
        assert!(text.contains("deadline"), "{text}");
        assert!(
            std::error::Error::source(&err).is_some_and(|s| s.to_string().contains("os error 11")),
            "{err:?}"
        );

        // The spawner that is used otherwise starts a clock that does stop a loop.
        let engine = Engine::with_clock_spawner(config, super::spawn_thread).unwrap();
        let image = Image::from_bytes_with(&engine, tairitsu_fixtures::faults()).unwrap();
        let mut container = Container::builder(image)
            .with_limits(Limits::new().deadline(Some(Duration::from_millis(50))))
            .build()
            .unwrap();
        let started = Instant::now();
        let err = container.call_ron("spin()").unwrap_err();
        assert!(matches!(err, Error::DeadlineExceeded { .. }), "{err:?}");
        assert!(started.elapsed() < Duration::from_secs(30));
    }

    #[test]
    fn the_default_cache_dir_follows_the_environment() {
        let dir = |vars: &[(&str, &str)]| {
            CacheDir::Default.resolve_from(|name| {
                vars.iter()
                    .find(|(k, _)| *k == name)
                    .map(|(_, v)| (*v).into())
            })
        };
        let all = [
            ("TAIRITSU_CACHE_DIR", "/c"),
            ("XDG_CACHE_HOME", "/x"),
            ("HOME", "/h"),
            ("LOCALAPPDATA", "C:/l"),
        ];
        assert_eq!(dir(&all), Some(PathBuf::from("/c")));
        assert_eq!(dir(&all[1..]), Some(Path::new("/x/tairitsu").into()));
        assert_eq!(dir(&all[2..]), Some(Path::new("/h/.cache/tairitsu").into()));
        assert_eq!(
            dir(&all[3..]),
            Some(Path::new("C:/l/tairitsu/cache").into())
        );
        assert_eq!(
            dir(&[("XDG_CACHE_HOME", ""), ("HOME", "/h")]),
            Some(Path::new("/h/.cache/tairitsu").into())
        );
        assert_eq!(dir(&[]), None);
        assert_eq!(CacheDir::Disabled.resolve_from(|_| Some("/c".into())), None);
    }
}
