//! Which containers this thread is calling into now, so that a host import that locks, stops or
//! removes its own container fails at once instead of waiting for itself forever.
//!
//! A call holds its container's lock from start to end, and the host imports it makes run on the
//! same thread inside it (in an async call, inside a poll of the call's future), so a
//! thread-local mark set around the call (around each poll) tells a lock taken from an import
//! apart from one taken by anybody else.

use std::cell::Cell;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use super::interrupt::Interrupt;

/// How deeply nested container calls on one thread are remembered (a host import may call
/// another container, which may call a third). Deeper calls still work; only the re-entry
/// check misses them.
const DEPTH: usize = 32;

/// The containers being called on this thread, innermost last.
///
/// Only `Cell`s of integers, so the thread-local needs no destructor: each access is a plain
/// load and store, with no lazy registration to check. The `RefCell<Vec>` this replaces cost
/// about 3% of a typed `add` call (`perf` on `benches/paired_dynamic.rs`).
struct Calling {
    /// Marks set, `DEPTH` or more.
    len: Cell<usize>,
    ids: [Cell<usize>; DEPTH],
}

thread_local! {
    static CALLING: Calling = const {
        Calling {
            len: Cell::new(0),
            ids: [const { Cell::new(0) }; DEPTH],
        }
    };
}

/// A container's identity for the mark: its interrupt state, shared by the container and every
/// registry handle to it, and kept across restarts.
pub(crate) fn identity(interrupt: &Arc<Interrupt>) -> usize {
    Arc::as_ptr(interrupt).addr()
}

/// Whether this thread is inside a call of the container `id`.
pub(crate) fn is_calling(id: usize) -> bool {
    CALLING.with(|calling| {
        let len = calling.len.get().min(DEPTH);
        calling.ids[..len].iter().any(|marked| marked.get() == id)
    })
}

/// Marks this thread as calling the container `id` until the mark drops.
pub(crate) struct Mark(());

impl Mark {
    #[inline]
    pub(crate) fn new(id: usize) -> Self {
        CALLING.with(|calling| {
            let len = calling.len.get();
            if let Some(slot) = calling.ids.get(len) {
                slot.set(id);
            }
            calling.len.set(len + 1);
        });
        Mark(())
    }
}

impl Drop for Mark {
    #[inline]
    fn drop(&mut self) {
        // Marks are scoped, so this one is the innermost.
        CALLING.with(|calling| calling.len.set(calling.len.get().saturating_sub(1)));
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marks_nest_and_unwind_in_order() {
        assert!(!is_calling(1));
        let outer = Mark::new(1);
        let inner = Mark::new(2);
        assert!(is_calling(1) && is_calling(2) && !is_calling(3));
        drop(inner);
        assert!(is_calling(1) && !is_calling(2));
        drop(outer);
        assert!(!is_calling(1));
    }

    #[test]
    fn calls_nested_deeper_than_remembered_keep_the_outer_marks_right() {
        let marks: Vec<Mark> = (1..=DEPTH + 3).map(Mark::new).collect();
        assert!(is_calling(1) && is_calling(DEPTH));
        // Past `DEPTH` a mark is counted but not remembered.
        assert!(!is_calling(DEPTH + 1));
        drop(marks);
        assert!(!is_calling(1) && !is_calling(DEPTH));
        let again = Mark::new(7);
        assert!(is_calling(7));
        drop(again);
    }
}
