//! Sorting what went wrong in a guest call: trap, deadline, limit, host failure, or an error that
//! never reached the guest.

use std::any::Any;
use std::time::Duration;

use wasmtime::{Trap, WasmBacktrace};

use crate::Error;
use crate::error::WasmtimeError;
use crate::limits::LimitHit;

/// What ended a call when it did not return: an error, a host panic, or an interruption from
/// outside (an [`InterruptHandle`](crate::InterruptHandle) or a dropped future).
pub(crate) enum Fault {
    Error(wasmtime::Error),
    Panic(Box<dyn Any + Send>),
}

/// A typed call whose guest object is not the type the caller named: refused before the guest
/// ran, so it leaves the container running. Carried as the call's error so that the one downcast
/// inside the call is the only type check on the fast path.
#[derive(Debug)]
pub(crate) struct WrongGuest(pub(crate) &'static str);

impl std::fmt::Display for WrongGuest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(
            "the container's guest is not of this type; load it with `with_bindings::<W>()`",
        )
    }
}

impl std::error::Error for WrongGuest {}

/// A [`WrongGuest`] error for `W`, out of line.
#[cold]
pub(crate) fn wrong_guest<W>() -> wasmtime::Error {
    wasmtime::Error::new(WrongGuest(std::any::type_name::<W>()))
}

/// The error of a failed call. `call` is computed only here, on the failure path.
pub(crate) fn classify(call: &str, fault: Fault, deadline: Option<Duration>) -> Error {
    let e = match fault {
        Fault::Error(e) => e,
        Fault::Panic(panic) => {
            return Error::Host {
                call: call.to_string(),
                message: format!("the host panicked: {}", panic_message(&*panic)),
                source: None,
            };
        }
    };
    if let Some(wrong) = e.downcast_ref::<WrongGuest>() {
        return Error::ExportType {
            name: wrong.0.to_string(),
            message: wrong.to_string(),
        };
    }
    if let Some(hit) = e.downcast_ref::<LimitHit>() {
        return Error::LimitExceeded {
            call: call.to_string(),
            limit: hit.kind,
            message: hit.message.clone(),
        };
    }
    if let Some(interrupted) = e.downcast_ref::<Interrupted>() {
        return match interrupted {
            Interrupted::Deadline => Error::DeadlineExceeded {
                call: call.to_string(),
                deadline: deadline.unwrap_or_default(),
            },
            Interrupted::ByHost => Error::Interrupted {
                call: call.to_string(),
            },
        };
    }
    if let Some(trap) = e.downcast_ref::<Trap>() {
        if *trap == Trap::Interrupt {
            return Error::DeadlineExceeded {
                call: call.to_string(),
                deadline: deadline.unwrap_or_default(),
            };
        }
        return Error::Trap {
            call: call.to_string(),
            message: describe(&e),
            source: Some(WasmtimeError::new(e)),
        };
    }
    if e.downcast_ref::<WasmBacktrace>().is_some() {
        // The error passed through guest frames: a host function called by the guest failed.
        return Error::Host {
            call: call.to_string(),
            message: describe(&e),
            source: Some(WasmtimeError::new(e)),
        };
    }
    Error::Wasmtime {
        call: call.to_string(),
        message: describe(&e),
        source: WasmtimeError::new(e),
    }
}

/// Why a call was stopped from outside the guest; carried as the call's wasmtime error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Interrupted {
    /// The call ran past its deadline while it waited (in a host await or a WASI wait), where
    /// the epoch check cannot reach it.
    Deadline,
    /// The host interrupted it.
    ByHost,
}

impl std::fmt::Display for Interrupted {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Interrupted::Deadline => "interrupted: the call ran past its deadline",
            Interrupted::ByHost => "interrupted by the host",
        })
    }
}

impl std::error::Error for Interrupted {}

/// What went wrong first, then where in the guest: wasmtime puts the backtrace first
/// ("error while executing at wasm backtrace: …") and the cause after it.
pub(crate) fn describe(e: &wasmtime::Error) -> String {
    let causes: Vec<String> = e
        .chain()
        .map(ToString::to_string)
        .filter(|m| !m.starts_with("error while executing at wasm backtrace"))
        .collect();
    let mut message = if causes.is_empty() {
        e.to_string()
    } else {
        causes.join(": ")
    };
    if let Some(backtrace) = e.downcast_ref::<WasmBacktrace>() {
        let text = backtrace.to_string();
        let frames: Vec<&str> = text
            .lines()
            .filter(|l| !l.starts_with("error while executing at wasm backtrace"))
            .filter(|l| !l.trim().is_empty())
            .collect();
        if !frames.is_empty() {
            message.push_str("\nguest backtrace:");
            for frame in frames {
                message.push_str("\n  ");
                message.push_str(frame.trim());
            }
        }
    }
    message
}

/// The message of a panic payload.
pub(crate) fn panic_message(panic: &(dyn Any + Send)) -> String {
    if let Some(s) = panic.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = panic.downcast_ref::<String>() {
        s.clone()
    } else {
        "a non-string panic payload".to_string()
    }
}
