//! Whole text calls on a real container: arbitrary text goes through `Container::call_text`
//! (name resolution, argument parsing, the guest call, result printing) of a `kitchen` container,
//! in RON and WAVE. Nothing may panic; an error is either the caller's (the container keeps
//! running) or a guest failure (the container is failed, and a restart brings it back).
//!
//! The kitchen's imported `blob` resource is served by `HostImports` RON closures (so that
//! `blob-size(…)` runs the host-resource path: handles out of a constructor, into a method,
//! and the drop); its other imports trap.

#![no_main]

use std::sync::{Mutex, OnceLock};

use libfuzzer_sys::fuzz_target;
use tairitsu_runtime::dynamic::HostImports;
use tairitsu_runtime::{Container, ContainerState, Format, Image};

fn container() -> &'static Mutex<Container> {
    static CONTAINER: OnceLock<Mutex<Container>> = OnceLock::new();
    CONTAINER.get_or_init(|| {
        let image = Image::from_bytes(tairitsu_fixtures::kitchen()).expect("the kitchen loads");
        // Blobs are their length: the constructor answers `Handle(len)`, `size` reads it back.
        let imports = HostImports::new()
            .resource("test:kitchen/blobs#blob", |_| Ok(()))
            .ron_func("test:kitchen/blobs#[constructor]blob", |args| {
                Ok(format!("Handle({})", args.matches(',').count()))
            })
            .ron_func("test:kitchen/blobs#[method]blob.size", |args| {
                let rep = args.trim_start_matches("(Handle(").trim_end_matches("))");
                Ok(rep.to_string())
            })
            // The relay functions call host imports that trap: guest failures to recover from.
            .define_unknown_imports_as_traps(true);
        let container = Container::builder(image)
            .with_host_imports(imports)
            .build()
            .expect("the kitchen starts");
        Mutex::new(container)
    })
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    let format = |bit: u8| {
        if mode & bit == 0 {
            Format::Ron
        } else {
            Format::Wave
        }
    };
    let mut c = container().lock().unwrap_or_else(|e| e.into_inner());
    match c.call_text(text, format(1), format(2)) {
        Ok(_) => assert_eq!(*c.state(), ContainerState::Running),
        Err(e) if e.is_guest_failure() => {
            assert!(matches!(c.state(), ContainerState::Failed { .. }), "{e}");
            c.restart().expect("a restart");
        }
        Err(e) => assert_eq!(*c.state(), ContainerState::Running, "{e}"),
    }
    // Resources issued to RON results pile up; start afresh now and then.
    if c.handle_count() > 1000 {
        c.restart().expect("a restart");
    }
});
