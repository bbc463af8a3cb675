//! WASI waits that end at the call's deadline.
//!
//! The epoch check that enforces a deadline runs in compiled wasm; a guest blocked in a WASI
//! wait (`std::thread::sleep` is `subscribe-duration` then `pollable.block`; `wasi:io/poll#poll`)
//! is in host code, where it cannot reach. In a sync container the two blocking waits are
//! therefore replaced by versions that wait for the pollables, the call's deadline or an
//! interrupt, whichever comes first. (In an async container the call's own timeout covers
//! every await.) Nothing else changes, so calls that do not wait pay nothing for it.

use std::future::Future;

use wasmtime::component::{Linker, Resource, ResourceTable};
use wasmtime_wasi::p2::DynPollable;
use wasmtime_wasi_io::bindings::wasi::io::poll::{Host as _, HostPollable as _};

use super::fault::Interrupted;
use super::interrupt::CallClock;
use crate::host_state::HostState;
use crate::surface;

/// The WASI interface whose waits are replaced, at any 0.2 version.
const POLL: &str = "wasi:io/poll@0.2.0";

/// Replaces `poll` and `[method]pollable.block` of the `wasi:io/poll` that `linker` has (from
/// `wasmtime_wasi::p2::add_to_linker_sync`) with deadline-aware ones.
pub(super) fn link<T: Send + 'static>(linker: &mut Linker<HostState<T>>) -> wasmtime::Result<()> {
    let Some(name) = surface::provided_instance_name(linker, POLL) else {
        return Ok(());
    };
    linker.allow_shadowing(true);
    let mut poll = linker.instance(&name)?;
    poll.func_wrap(
        "poll",
        |mut store, (pollables,): (Vec<Resource<DynPollable>>,)| {
            let state: &mut HostState<T> = store.data_mut();
            let clock = state.clock.clone();
            let ready = wait(&clock, ResourceTable::poll(state.table(), pollables))??;
            Ok((ready,))
        },
    )?;
    poll.func_wrap(
        "[method]pollable.block",
        |mut store, (pollable,): (Resource<DynPollable>,)| {
            let state: &mut HostState<T> = store.data_mut();
            let clock = state.clock.clone();
            wait(&clock, ResourceTable::block(state.table(), pollable))??;
            Ok(())
        },
    )?;
    linker.allow_shadowing(false);
    Ok(())
}

/// Runs `wait` on WASI's runtime until it is done, the call's deadline passes, or the call is
/// interrupted.
fn wait<F: Future>(clock: &CallClock, wait: F) -> wasmtime::Result<F::Output> {
    let deadline = clock.deadline_instant();
    let interrupt = clock.interrupt.clone();
    wasmtime_wasi::runtime::in_tokio(async move {
        let woken = interrupt.wake.notified();
        tokio::pin!(woken);
        // Registered before the check, so an interrupt between the two is not lost.
        woken.as_mut().enable();
        if interrupt.requested() {
            return Err(Interrupted::ByHost.into());
        }
        let expired = async {
            match deadline {
                Some(at) => tokio::time::sleep_until(at.into()).await,
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            biased;
            out = wait => Ok(out),
            () = woken => Err(Interrupted::ByHost.into()),
            () = expired => Err(Interrupted::Deadline.into()),
        }
    })
}
