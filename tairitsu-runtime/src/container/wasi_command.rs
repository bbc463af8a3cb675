//! Running a `wasi:cli/command` component: its `wasi:cli/run` export, with the exit code the
//! guest chose.

use wasmtime::component::Val;

use super::lifecycle::Container;
use crate::{Error, Result};

/// The interface a command component exports, without its version.
const RUN_INTERFACE: &str = "wasi:cli/run";

impl<T: Send + 'static> Container<T> {
    /// Whether the image is a `wasi:cli/command`: it exports `wasi:cli/run` (any 0.2 version)
    /// with its `run` function.
    pub fn is_command(&self) -> bool {
        self.image
            .surface()
            .resolve(&format!("{RUN_INTERFACE}#run"))
            .is_ok()
    }

    /// Runs a `wasi:cli/command` component: calls its `wasi:cli/run#run` export once and
    /// returns the exit code, as a shell would see it.
    ///
    /// * `0` when `run` returns `ok`;
    /// * `1` when it returns `err`, which is also what a guest's `exit` with a failure status
    ///   becomes: WASI 0.2's `exit` carries only success or failure, so a Rust guest's
    ///   `std::process::exit(3)` ends with `1`;
    /// * the guest's code when it exits through `wasi:cli/exit#exit-with-code` (unstable in
    ///   WASI 0.2, and only there when the host links it).
    ///
    /// What the guest may touch is the container's [`Sandbox`](crate::Sandbox): give it
    /// arguments (program name first), environment, directories and stdio there. The
    /// container's deadline and memory limit apply to the whole run.
    ///
    /// A guest that exits through `wasi:cli/exit` leaves its instance unusable, so the
    /// container is then stopped (a [`start`](Self::start) gives a fresh instance); a guest
    /// whose `run` returns stays running.
    ///
    /// ```no_run
    /// use tairitsu_runtime::{Container, Image, Limits, Sandbox};
    ///
    /// let image = Image::from_file("hello.wasm")?;
    /// let mut container = Container::builder(image)
    ///     .with_sandbox(Sandbox::new().args(["hello", "world"]).inherit_stdio())
    ///     .with_limits(Limits::new().deadline(None))
    ///     .build()?;
    /// let code = container.run_command()?;
    /// std::process::exit(code);
    /// # Ok::<_, tairitsu_runtime::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::ExportType`] when the component does not export `wasi:cli/run` (it is not a
    /// command; its functions are called with the dynamic calls instead), and the guest
    /// failures of [`invoke`](Self::invoke): a trap (a Rust guest's panic is one), the deadline,
    /// a limit.
    pub fn run_command(&mut self) -> Result<i32> {
        let image = self.image.clone();
        let name = format!("{RUN_INTERFACE}#run");
        let surface = image.surface();
        let number = surface.resolve(&name).map_err(|_| Error::ExportType {
            name: name.clone(),
            message: format!(
                "`{}` is not a `wasi:cli/command`: it does not export `{RUN_INTERFACE}`",
                image.display_name()
            ),
        })?;
        let export = surface.export_at(number);
        if export.params != 0 || export.results != 1 {
            return Err(Error::ExportType {
                name: export.qualified.clone(),
                message: "expected `run: func() -> result`".into(),
            });
        }
        let func = self.core.func(number, export)?;
        let mut results = [Val::Bool(false)];
        // An exit through `wasi:cli/exit` is how the guest ends, not a fault.
        let exited = self.core.guarded(&export.qualified, |run| {
            match func.call(&mut run.store, &[], &mut results) {
                Ok(()) => Ok(None),
                Err(e) => match e.downcast_ref::<wasmtime_wasi::I32Exit>() {
                    Some(exit) => Ok(Some(exit.0)),
                    None => Err(e),
                },
            }
        })?;
        if let Some(code) = exited {
            tracing::debug!(container = %self.display_name(), code, "the guest exited");
            self.stop();
            return Ok(code);
        }
        match &results[0] {
            Val::Result(Ok(_)) => Ok(0),
            Val::Result(Err(_)) => Ok(1),
            other => Err(Error::ExportType {
                name: export.qualified.clone(),
                message: format!("returned {other:?} where a `result` was expected"),
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{ContainerState, Image, Limits};

    /// A command component whose `run` does `body`. It imports `wasi:cli/exit@0.2.0`, older
    /// than the 0.2.6 that WASI defines: the missing-import check once looked names up exactly
    /// and refused it, as it refused every Rust guest built against WASI 0.2.0.
    fn command(body: &str) -> Image {
        const WIT: &str = "package wasi:cli@0.2.0;
            interface run { run: func() -> result; }
            interface exit { exit: func(status: result); }
            world fixture { import exit; export run; }";
        let bodies = tairitsu_fixtures::Bodies::new().wat("run#run", body);
        let bytes = tairitsu_fixtures::generate(WIT, "fixture", &bodies).expect("fixture");
        Image::from_bytes(bytes).expect("image")
    }

    fn run(body: &str) -> (Result<i32>, Container) {
        let mut container = Container::builder(command(body))
            .with_limits(Limits::new().deadline(Some(std::time::Duration::from_millis(200))))
            .build()
            .unwrap();
        assert!(container.is_command());
        (container.run_command(), container)
    }

    #[test]
    fn run_returning_ok_and_err() {
        let (code, container) = run("(i32.const 0)");
        assert_eq!(code.unwrap(), 0);
        assert_eq!(*container.state(), ContainerState::Running);
        assert_eq!(run("(i32.const 1)").0.unwrap(), 1);
    }

    #[test]
    fn exit_stops_the_container() {
        let (code, mut container) = run(r#"(call $"exit#exit" (i32.const 1)) (i32.const 0)"#);
        assert_eq!(code.unwrap(), 1);
        assert_eq!(*container.state(), ContainerState::Stopped);
        container.start().unwrap();
        let (code, _) = run(r#"(call $"exit#exit" (i32.const 0)) (i32.const 1)"#);
        assert_eq!(code.unwrap(), 0);
    }

    #[test]
    fn traps_and_deadlines_are_guest_failures() {
        let err = run("unreachable").0.unwrap_err();
        assert!(matches!(err, Error::Trap { .. }), "{err}");
        let err = run("(loop $l (br $l)) (i32.const 0)").0.unwrap_err();
        assert!(matches!(err, Error::DeadlineExceeded { .. }), "{err}");
    }

    #[test]
    fn a_plugin_is_not_a_command() {
        let image = Image::from_bytes(tairitsu_fixtures::root()).unwrap();
        let mut container = Container::builder(image).build().unwrap();
        assert!(!container.is_command());
        let err = container.run_command().unwrap_err().to_string();
        assert!(err.contains("is not a `wasi:cli/command`"), "{err}");
    }
}
