//! Which containers this thread is calling into now, so that a host import that locks, stops or
//! removes its own container fails at once instead of waiting for itself forever.
//!
//! A call holds its container's lock from start to end, and the host imports it makes run on the
//! same thread inside it (in an async call, inside a poll of the call's future), so a
//! thread-local mark set around the call (around each poll) tells a lock taken from an import
//! apart from one taken by anybody else.

use std::cell::RefCell;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use super::interrupt::Interrupt;

thread_local! {
    /// The containers being called on this thread, innermost last (a host import may call
    /// another container, which may call a third).
    static CALLING: RefCell<Vec<usize>> = const { RefCell::new(Vec::new()) };
}

/// A container's identity for the mark: its interrupt state, shared by the container and every
/// registry handle to it, and kept across restarts.
pub(crate) fn identity(interrupt: &Arc<Interrupt>) -> usize {
    Arc::as_ptr(interrupt).addr()
}

/// Whether this thread is inside a call of the container `id`.
pub(crate) fn is_calling(id: usize) -> bool {
    CALLING.with(|calling| calling.borrow().contains(&id))
}

/// Marks this thread as calling the container `id` until the mark drops.
pub(crate) struct Mark(());

impl Mark {
    pub(crate) fn new(id: usize) -> Self {
        CALLING.with(|calling| calling.borrow_mut().push(id));
        Mark(())
    }
}

impl Drop for Mark {
    fn drop(&mut self) {
        // Marks are scoped, so this one is the innermost.
        let _ = CALLING.try_with(|calling| calling.borrow_mut().pop());
    }
}

/// A future polled with the container `id` marked as calling.
pub(crate) struct Marked<F> {
    pub(crate) id: usize,
    pub(crate) inner: F,
}

impl<F: Future + Unpin> Future for Marked<F> {
    type Output = F::Output;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let _mark = Mark::new(self.id);
        Pin::new(&mut self.inner).poll(cx)
    }
}
