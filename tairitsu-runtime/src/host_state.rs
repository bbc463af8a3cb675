//! The state a container's store holds: the user's data, WASI, resources and limits.

use wasmtime::component::ResourceTable;
use wasmtime_wasi::{WasiCtx, WasiCtxView, WasiView};

use crate::container::CallClock;
use crate::http::HttpState;
use crate::limits::Limiter;

/// What a container's [`wasmtime::Store`] holds: your data `T`, the guest's WASI context (granting
/// only what the container's [`Sandbox`](crate::Sandbox) allows), a resource table for the
/// handles of host resources, and the container's limiter.
///
/// Host functions registered on the container's linker receive `&mut HostState<T>`; generated
/// `add_to_linker` functions take a getter such as `|state| state.data_mut()`.
///
/// A restart builds a new `HostState` around the same `T`: WASI and resources start fresh, your
/// data carries over.
pub struct HostState<T = ()> {
    data: T,
    wasi: WasiCtx,
    table: ResourceTable,
    pub(crate) limiter: Limiter,
    /// The deadline of the call in progress.
    pub(crate) clock: CallClock,
    http: HttpState,
}

impl<T> HostState<T> {
    pub(crate) fn new(data: T, wasi: WasiCtx, limiter: Limiter, clock: CallClock) -> Self {
        Self {
            data,
            wasi,
            table: ResourceTable::new(),
            limiter,
            clock,
            http: HttpState::default(),
        }
    }

    /// Replaces the default `wasi:http` state (every request refused).
    pub(crate) fn with_http(mut self, http: HttpState) -> Self {
        self.http = http;
        self
    }

    /// Your data.
    pub fn data(&self) -> &T {
        &self.data
    }

    /// Your data, mutably.
    pub fn data_mut(&mut self) -> &mut T {
        &mut self.data
    }

    /// The table that holds host resources handed to the guest.
    pub fn table(&mut self) -> &mut ResourceTable {
        &mut self.table
    }

    /// The guest's WASI context.
    pub fn wasi(&mut self) -> &mut WasiCtx {
        &mut self.wasi
    }

    pub(crate) fn into_data(self) -> T {
        self.data
    }
}

impl<T: Send> WasiView for HostState<T> {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView {
            ctx: &mut self.wasi,
            table: &mut self.table,
        }
    }
}

impl<T: Send> wasmtime_wasi_http::WasiHttpView for HostState<T> {
    fn http(&mut self) -> wasmtime_wasi_http::WasiHttpCtxView<'_> {
        wasmtime_wasi_http::WasiHttpCtxView {
            ctx: &mut self.http.ctx,
            table: &mut self.table,
            hooks: &mut self.http.hooks,
        }
    }
}

impl<T: std::fmt::Debug> std::fmt::Debug for HostState<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HostState")
            .field("data", &self.data)
            .finish_non_exhaustive()
    }
}
