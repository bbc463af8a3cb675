//! The one error type of the runtime.

use std::path::PathBuf;
use std::time::Duration;

/// A specialized `Result` for the runtime.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong in the runtime.
///
/// Messages say what happened, to which image, container or call, and, when known, what to do
/// about it. Failures of a guest ([`Error::Trap`], [`Error::DeadlineExceeded`],
/// [`Error::LimitExceeded`]) leave the container in the
/// [`Failed`](crate::ContainerState::Failed) state until it is restarted.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Reading or writing a file failed.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// What the OS said.
        #[source]
        source: std::io::Error,
    },

    /// The bytes are not a WebAssembly component.
    #[error("{what} is not a WebAssembly component: {reason}")]
    NotAComponent {
        /// The file name or `"input"`.
        what: String,
        /// What the bytes are instead, and how to get a component.
        reason: String,
    },

    /// The bytes look like a component but wasmtime rejected them (truncated, malformed, or
    /// using a feature this engine does not enable).
    #[error("{what} is not a valid component: {message}")]
    InvalidComponent {
        /// The file name or `"input"`.
        what: String,
        /// wasmtime's message.
        message: String,
    },

    /// An image reference is not of the form `name` or `name:tag`.
    #[error("invalid image reference `{reference}`: {reason}")]
    InvalidReference {
        /// The text given.
        reference: String,
        /// What is wrong with it.
        reason: &'static str,
    },

    /// Linking or instantiating failed: a missing import, an import of the wrong type, or an
    /// error from the guest's start function or the user's initializer.
    #[error("cannot start `{image}`: {message}")]
    Instantiate {
        /// The image.
        image: String,
        /// What went wrong.
        message: String,
        /// wasmtime's error, when wasmtime reported it.
        #[source]
        source: Option<WasmtimeError>,
    },

    /// The component imports functions (or resource types) that nobody provides.
    #[error("`{image}` imports {} that nobody provides: {}", count_imports(missing), missing.join(", "))]
    MissingImports {
        /// The image.
        image: String,
        /// Each missing import, qualified (`pkg:ns/iface@ver#func`, and
        /// `pkg:ns/iface@ver#[resource]name` for a resource type).
        missing: Vec<String>,
    },

    /// The guest trapped.
    #[error("`{call}` trapped: {message}")]
    Trap {
        /// The call, as `container/function`.
        call: String,
        /// The trap (for example `wasm trap: wasm `unreachable` instruction executed`), with the
        /// guest's backtrace when there is one.
        message: String,
        /// wasmtime's error (`source.inner().downcast_ref::<wasmtime::Trap>()` gives the trap
        /// code).
        #[source]
        source: Option<WasmtimeError>,
    },

    /// A call ran past the container's CPU deadline and was interrupted.
    #[error("`{call}` was interrupted: it ran past the {deadline:?} deadline")]
    DeadlineExceeded {
        /// The call.
        call: String,
        /// The deadline.
        deadline: Duration,
    },

    /// The host interrupted the call through the container's
    /// [`InterruptHandle`](crate::InterruptHandle), or dropped the call's future.
    #[error("`{call}` was interrupted by the host")]
    Interrupted {
        /// The call.
        call: String,
    },

    /// The guest hit a container limit (linear memory, table elements, instances).
    #[error("`{call}` exceeded a limit: {message}")]
    LimitExceeded {
        /// The call.
        call: String,
        /// Which limit.
        limit: LimitKind,
        /// The limit and what the guest asked for.
        message: String,
    },

    /// A call from the guest into the host failed: the host function returned an error or
    /// panicked, or the guest passed it arguments that do not lift (invalid UTF-8, a pointer
    /// out of bounds), which wasmtime reports the same way before the host function runs.
    #[error("`{call}` failed in a call to the host: {message}")]
    Host {
        /// The call.
        call: String,
        /// What went wrong: the host's error, or why the guest's arguments did not lift.
        message: String,
        /// wasmtime's error, with the host's error in its chain.
        #[source]
        source: Option<WasmtimeError>,
    },

    /// The container failed earlier and must be restarted before it takes calls.
    #[error("container `{container}` has failed ({reason}); restart it first")]
    ContainerFailed {
        /// The container.
        container: String,
        /// The earlier failure.
        reason: String,
    },

    /// The container is stopped.
    #[error("container `{container}` is stopped; start or restart it first")]
    ContainerStopped {
        /// The container.
        container: String,
    },

    /// No export has the given name.
    #[error("`{image}` has no export `{name}`{}", candidates_note(candidates))]
    UnknownExport {
        /// The image.
        image: String,
        /// The name asked for.
        name: String,
        /// Exports with a similar or the same bare name.
        candidates: Vec<String>,
    },

    /// A bare name matches functions in more than one exported interface.
    #[error("`{name}` is ambiguous in `{image}`; qualify it as one of: {}", candidates.join(", "))]
    AmbiguousExport {
        /// The image.
        image: String,
        /// The name asked for.
        name: String,
        /// The qualified names it matches.
        candidates: Vec<String>,
    },

    /// An export exists but is not what was asked for (its type differs from the typed call, or
    /// it uses a feature the dynamic path does not support).
    #[error("export `{name}`: {message}")]
    ExportType {
        /// The export.
        name: String,
        /// The mismatch.
        message: String,
    },

    /// A value in RON or WAVE text, or a `Val`, does not fit the WIT type expected.
    #[error(transparent)]
    Value(#[from] crate::dynamic::ValueError),

    /// An entry of [`Sandbox::allow_http`](crate::Sandbox::allow_http) is not a host pattern.
    #[error(transparent)]
    InvalidHostPattern(#[from] crate::http::HostPatternError),

    /// A configuration that cannot work: engine settings this build does not support, a
    /// sandbox grant that cannot be made.
    #[error("invalid configuration: {0}")]
    Config(String),

    /// A sync call on an async container (its host imports may await), or an async call on a
    /// sync one.
    #[error("{}", call_mode_message(container, *asynchronous))]
    CallMode {
        /// The container.
        container: String,
        /// Whether the container is async.
        asynchronous: bool,
    },

    /// The container lost its host data in an earlier start that failed while taking it.
    #[error("container `{container}` lost its host data in an earlier failed start")]
    HostDataLost {
        /// The container.
        container: String,
    },

    /// An image compiled for one [`Engine`](crate::Engine) was given to a registry or container
    /// of another.
    #[error("image `{image}` was compiled for another engine than this registry's")]
    EngineMismatch {
        /// The image.
        image: String,
    },

    /// A call of a container tried to lock, stop, restart or remove that same container (from
    /// a host import): the call holds the container for its whole length, so it would wait for
    /// itself forever.
    #[error(
        "a call of container `{container}` tried to lock the container itself (a host import \
         cannot lock, stop, restart or remove its own container; do it after the call returns)"
    )]
    ReentrantLock {
        /// The container.
        container: String,
    },
    /// The operation needs a container that is not running, and was not forced.
    #[error("container `{container}` is running; stop it first or force the removal")]
    ContainerRunning {
        /// The container.
        container: String,
    },
    /// A file of the image store is damaged: a `refs` line that does not parse, a `refs` file
    /// that is not UTF-8 text, a component file that no longer matches its digest. Nothing is
    /// guessed or dropped: the file stays as it is for a person to look at.
    #[error("the image store is damaged: {}{}: {reason}", path.display(), line.map(|l| format!(":{l}")).unwrap_or_default())]
    StoreDamaged {
        /// The file.
        path: PathBuf,
        /// The line, for a line that does not parse (from 1).
        line: Option<usize>,
        /// What is wrong, and what to do about it.
        reason: String,
    },

    /// Talking to an OCI registry failed: unreachable, refused credentials, no such image,
    /// not a Wasm artifact, a digest that does not match.
    #[cfg(feature = "oci")]
    #[error(transparent)]
    Registry(#[from] crate::oci::RegistryError),

    /// The registry has no such image.
    #[error("no image `{0}` in the registry")]
    ImageNotFound(String),

    /// The image is used by containers and removal was not forced.
    #[error("image `{image}` is used by {} ({}); stop and remove them or force the removal", plural(containers.len(), "container"), containers.join(", "))]
    ImageInUse {
        /// The image.
        image: String,
        /// The containers using it.
        containers: Vec<String>,
    },

    /// The registry has no such container.
    #[error("no container `{0}` in the registry")]
    ContainerNotFound(String),

    /// A container name is taken.
    #[error("a container named `{0}` exists already")]
    NameTaken(String),

    /// A container could not move to another image: the new instance did not start. The
    /// container is back on its previous image (with a fresh instance when `restarted`).
    #[error("container `{container}` cannot upgrade to `{image}`{}: {source}", if *restarted { " (back on its previous image)" } else { " (and its previous image did not start again)" })]
    Upgrade {
        /// The container.
        container: String,
        /// The image it could not move to.
        image: String,
        /// Whether the previous image started again.
        restarted: bool,
        /// Why the new instance did not start.
        #[source]
        source: Box<Error>,
    },

    /// A new image does not export what the one it replaces exported, with the same
    /// signatures: the update was refused (it can be forced).
    #[error("`{image}` is not compatible with `{previous}`: {}", differences.join("; "))]
    Incompatible {
        /// The image refused.
        image: String,
        /// The image it would have replaced.
        previous: String,
        /// Each difference, e.g. ``export `add` is missing`` or ``export `add` was
        /// `add: func(a: u32) -> u32`, is `add: func(a: string) -> u32` ``.
        differences: Vec<String>,
    },

    /// A container answered its health check wrongly, or the check itself failed.
    #[error("container `{container}` failed its health check `{check}`: {answer}")]
    HealthCheck {
        /// The container.
        container: String,
        /// The check: the call text, or `closure`.
        check: String,
        /// What came back instead of the expected answer.
        answer: String,
    },

    /// A tag has no earlier version to roll back to.
    #[error("`{0}` has no earlier version to roll back to")]
    NoPreviousVersion(String),

    /// A rollout stopped at a container that did not take the new version; that container
    /// and those upgraded before it went back to the previous image, and the tag points at it
    /// again.
    #[error(
        "rollout of `{image}` to `{reference}` stopped at container `{container}` and was rolled back: {source}"
    )]
    RolledBack {
        /// The tag.
        reference: String,
        /// The image that was rolled out.
        image: String,
        /// The container where it failed.
        container: String,
        /// Why; the same error the [`RegistryEvent`](crate::RegistryEvent)s carry.
        #[source]
        source: std::sync::Arc<Error>,
    },

    /// An error that was also delivered to a [`RegistryEvent`](crate::RegistryEvent) receiver,
    /// which keeps its copy: the same error, shared.
    #[error(transparent)]
    Shared(std::sync::Arc<Error>),

    /// Watching a file failed to start.
    #[error("cannot watch {}: {message}", path.display())]
    Watch {
        /// The file.
        path: PathBuf,
        /// What the file watcher said.
        message: String,
    },

    /// A call failed in wasmtime before it reached the guest (arguments of the wrong type, an
    /// export of another instance).
    #[error("{call}: {message}")]
    Wasmtime {
        /// The call.
        call: String,
        /// wasmtime's message and its causes.
        message: String,
        /// wasmtime's error.
        #[source]
        source: WasmtimeError,
    },

    /// The engine's epoch clock thread could not be started, so no call deadline could fire;
    /// the engine is not created rather than run without deadlines.
    #[error("cannot start the epoch clock thread that enforces call deadlines: {source}")]
    EpochClock {
        /// Why the thread did not start.
        #[source]
        source: std::io::Error,
    },

    /// The compiled-artifact cache directory (or its key file) is not safe to load native
    /// code from: another user could write it. See [`CacheDir`](crate::CacheDir).
    #[error("refusing the compiled-artifact cache {}: {problem}", path.display())]
    UnsafeCache {
        /// The directory or file.
        path: PathBuf,
        /// What is wrong with it.
        problem: crate::CacheProblem,
    },
}

/// Which container limit a guest ran into.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum LimitKind {
    /// Linear memory.
    Memory,
    /// Table elements.
    Table,
}

/// A wasmtime error kept as the cause of an [`Error`].
///
/// wasmtime's own error type does not implement [`std::error::Error`] (it derefs to one);
/// this wrapper does, and [`WasmtimeError::inner`] gives the original back, for
/// `downcast_ref::<wasmtime::Trap>()` and the like.
#[derive(Debug)]
pub struct WasmtimeError(wasmtime::Error);

impl WasmtimeError {
    /// Wraps a wasmtime error.
    pub fn new(error: wasmtime::Error) -> Self {
        Self(error)
    }

    /// The wasmtime error.
    pub fn inner(&self) -> &wasmtime::Error {
        &self.0
    }

    /// The wasmtime error, by value.
    pub fn into_inner(self) -> wasmtime::Error {
        self.0
    }
}

impl std::fmt::Display for WasmtimeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Display::fmt(&self.0, f)
    }
}

impl std::error::Error for WasmtimeError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        (*self.0).source()
    }
}

impl From<wasmtime::Error> for WasmtimeError {
    fn from(error: wasmtime::Error) -> Self {
        Self(error)
    }
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}

/// `1 function`, `2 functions and 1 resource type`: what a list of missing imports holds
/// (resource types are listed as `iface#[resource]name`).
pub(crate) fn count_imports(missing: &[String]) -> String {
    let resources = missing.iter().filter(|m| m.contains("#[resource]")).count();
    let functions = missing.len() - resources;
    match (functions, resources) {
        (_, 0) => plural(functions, "function"),
        (0, _) => plural(resources, "resource type"),
        _ => format!(
            "{} and {}",
            plural(functions, "function"),
            plural(resources, "resource type")
        ),
    }
}

fn call_mode_message(container: &str, asynchronous: bool) -> String {
    if asynchronous {
        format!(
            "container `{container}` is async (its host imports may await): call it with the \
             `_async` methods (`call_ron_async`, `invoke_async`, `restart_async`, ...)"
        )
    } else {
        format!(
            "container `{container}` is sync: build it with `ContainerBuilder::with_async(true)` \
             to call it with the `_async` methods"
        )
    }
}

fn candidates_note(candidates: &[String]) -> String {
    if candidates.is_empty() {
        String::new()
    } else {
        format!("; did you mean one of: {}", candidates.join(", "))
    }
}

impl Error {
    /// What would fix this error, in the library's terms, when there is a known remedy: for
    /// [`Error::MissingImports`], what would provide each kind of missing import
    /// ([`Provider::hint`](crate::Provider::hint)).
    pub fn hint(&self) -> Option<String> {
        match self {
            Error::MissingImports { missing, .. } => {
                Some(crate::Provider::hint(missing)).filter(|h| !h.is_empty())
            }
            _ => None,
        }
    }

    /// Whether this error is a failure of the guest (trap, deadline, limit, host) that put the
    /// container into the failed state.
    pub fn is_guest_failure(&self) -> bool {
        matches!(
            self,
            Error::Trap { .. }
                | Error::DeadlineExceeded { .. }
                | Error::Interrupted { .. }
                | Error::LimitExceeded { .. }
                | Error::Host { .. }
        )
    }
}
