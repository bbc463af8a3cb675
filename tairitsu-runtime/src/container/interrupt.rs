//! Stopping a call from outside it: the container's interrupt handle, and the clock each call
//! reads its deadline from.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use tokio::sync::Notify;

/// A handle that stops the call a container is running, from another thread or task.
///
/// [`interrupt`](Self::interrupt) ends the running call with
/// [`Error::Interrupted`](crate::Error::Interrupted); the container is then
/// [`Failed`](crate::ContainerState::Failed) and [`restart`](crate::Container::restart) gives
/// it a fresh instance. A guest running wasm stops at the next epoch tick (10 ms by default);
/// a guest waiting in WASI (a sleep, a poll) or, in an async container, in an awaiting host
/// import stops at once. A call that starts after the interrupt is not affected.
///
/// The handle is `Send + Sync`, cheap to clone, and stays valid across restarts.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use tairitsu_runtime::{Container, Error, Image, Limits};
///
/// let image = Image::from_bytes(tairitsu_fixtures::faults())?;
/// let mut container = Container::builder(image)
///     .with_limits(Limits::new().deadline(None))
///     .build()?;
/// let handle = container.interrupt_handle();
/// std::thread::spawn(move || {
///     std::thread::sleep(Duration::from_millis(50));
///     handle.interrupt();
/// });
/// // `spin` loops forever; the interrupt ends it.
/// let err = container.call_ron("spin()").unwrap_err();
/// assert!(matches!(err, Error::Interrupted { .. }), "{err}");
/// container.restart()?;
/// # Ok::<(), tairitsu_runtime::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct InterruptHandle {
    pub(crate) shared: Arc<Interrupt>,
}

impl InterruptHandle {
    /// Stops the call the container is running now, if any.
    pub fn interrupt(&self) {
        self.shared.requested.store(true, Ordering::Release);
        self.shared.wake.notify_waiters();
    }
}

/// What an interrupt handle and the running call share.
#[derive(Debug, Default)]
pub(crate) struct Interrupt {
    requested: AtomicBool,
    /// Wakes a call waiting in WASI or in an async host import.
    pub(crate) wake: Notify,
}

impl Interrupt {
    /// Whether an interrupt was requested since the call began.
    #[inline]
    pub(crate) fn requested(&self) -> bool {
        self.requested.load(Ordering::Acquire)
    }

    /// Forgets an interrupt meant for an earlier call.
    #[inline]
    pub(crate) fn clear(&self) {
        self.requested.store(false, Ordering::Relaxed);
    }
}

/// The deadline of the call in progress, kept in the store's data so that the epoch callback
/// and the WASI waits can read it.
#[derive(Debug, Clone)]
pub(crate) struct CallClock {
    /// The engine's tick count.
    pub(crate) ticks: Arc<AtomicU64>,
    /// How long one tick is.
    pub(crate) tick: Duration,
    /// The tick at which the call's deadline passes (`u64::MAX`: none).
    pub(crate) deadline_tick: u64,
    /// Whether the call is async: the guest then yields to the executor at every tick.
    pub(crate) asynchronous: bool,
    pub(crate) interrupt: Arc<Interrupt>,
}

impl CallClock {
    /// A clock on `engine`'s ticks with no call in progress.
    pub(crate) fn new(engine: &crate::Engine, interrupt: Arc<Interrupt>) -> Self {
        Self {
            ticks: engine.ticks().clone(),
            tick: engine.config().tick(),
            deadline_tick: u64::MAX,
            asynchronous: false,
            interrupt,
        }
    }

    /// The tick count now.
    #[inline]
    pub(crate) fn now(&self) -> u64 {
        self.ticks.load(Ordering::Acquire)
    }

    /// Starts a call whose deadline is `ticks` ticks from now (`None`: no deadline).
    #[inline]
    pub(crate) fn begin(&mut self, ticks: Option<u64>, asynchronous: bool) {
        self.deadline_tick = ticks.map_or(u64::MAX, |t| self.now().saturating_add(t));
        self.asynchronous = asynchronous;
        self.interrupt.clear();
    }

    /// Whether the deadline has passed.
    pub(crate) fn expired(&self) -> bool {
        self.now() >= self.deadline_tick
    }

    /// When the deadline passes, as an instant (`None`: no deadline). Accurate to a tick.
    pub(crate) fn deadline_instant(&self) -> Option<Instant> {
        if self.deadline_tick == u64::MAX {
            return None;
        }
        let left = self.deadline_tick.saturating_sub(self.now());
        let left = u32::try_from(left).unwrap_or(u32::MAX);
        Some(Instant::now() + self.tick.saturating_mul(left))
    }
}
