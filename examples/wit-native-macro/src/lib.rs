//! The macro path: two `wit_interface!` blocks give this host typed commands, a handler trait
//! and the linker wiring for a real guest, with no WIT file and no build step on the host side.
//!
//! - [`filesystem`] is the original README's interface, written with Rust types. The host
//!   serves it ([`MemoryFs`]) through a [`WitCommandDispatcher`]: every call the guest makes to
//!   it becomes a `FilesystemCommand` dispatched to the registered handler.
//! - [`notes`] is written in WIT. The guest (`examples/guests/notes`) exports it; the host sends
//!   it `NotesCommand`s and gets `NotesResponse`s back.
//!
//! The guest's own WIT is `wit/notes/notes.wit`; what the macros say must match it, and the
//! tests check that it does.

use std::collections::BTreeMap;

use tairitsu::{Container, HostState, Image, WitCommandDispatcher, wit_interface};

wit_interface! {
    package example:notes@0.1.0;

    /// Files kept by the host: the interface of the original README, in its Rust spelling.
    pub interface filesystem {
        read: func(path: String) -> Result<Vec<u8>, String>;
        write: func(path: String, data: Vec<u8>) -> Result<(), String>;
        delete: func(path: String) -> Result<(), String>;
        list: func(directory: String) -> Result<Vec<String>, String>;
    }
}

wit_interface! {
    package example:notes@0.1.0;

    /// What the plugin offers, in WIT spelling: the guest exports it and the host calls it.
    pub export interface notes {
        /// One note.
        record note {
            title: string,
            body: string,
        }

        /// Saves a note as `notes/{title}.txt` and returns that path.
        save: func(title: string, body: string) -> result<string, string>;
        /// Every note, read back from the host's files.
        all: func() -> result<list<note>, string>;
        /// Removes a note.
        remove: func(title: string) -> result<_, string>;
        /// The number of words in all notes.
        word-count: func() -> result<u32, string>;
    }
}

/// The guest component `build.rs` built from `examples/guests/notes`.
pub const GUEST_WASM: &str = env!("NOTES_WASM");

/// The host's side of `filesystem`: files in a map, and a count of the guest's calls.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct MemoryFs {
    /// Path to contents.
    pub files: BTreeMap<String, Vec<u8>>,
    /// Function name to the number of calls.
    pub calls: BTreeMap<&'static str, u32>,
}

impl MemoryFs {
    fn count(&mut self, function: &'static str) {
        *self.calls.entry(function).or_default() += 1;
    }
}

impl filesystem::FilesystemHandler for MemoryFs {
    fn read(&mut self, path: String) -> Result<Vec<u8>, String> {
        self.count("read");
        self.files
            .get(&path)
            .cloned()
            .ok_or(format!("no such file: {path}"))
    }

    fn write(&mut self, path: String, data: Vec<u8>) -> Result<(), String> {
        self.count("write");
        self.files.insert(path, data);
        Ok(())
    }

    fn delete(&mut self, path: String) -> Result<(), String> {
        self.count("delete");
        match self.files.remove(&path) {
            Some(_) => Ok(()),
            None => Err(format!("no such file: {path}")),
        }
    }

    fn list(&mut self, directory: String) -> Result<Vec<String>, String> {
        self.count("list");
        Ok(self
            .files
            .keys()
            .filter(|path| path.starts_with(&directory))
            .cloned()
            .collect())
    }
}

/// How a [`MemoryFs`] sits in the dispatcher: wrapped as the generated service.
pub type FsService = filesystem::FilesystemService<MemoryFs>;

/// A container running the component at `wasm`, its `filesystem` imports served by `fs`
/// through a dispatcher in the host state, its `notes` exports loaded as typed callers.
///
/// # Errors
///
/// When the component cannot be read or compiled, or does not fit the interfaces.
pub fn start(wasm: &str, fs: MemoryFs) -> tairitsu::Result<Container<WitCommandDispatcher>> {
    let mut dispatcher = WitCommandDispatcher::new();
    filesystem::register(&mut dispatcher, fs);
    Container::builder(Image::from_file(wasm)?)
        .with_host_state(dispatcher)
        .with_linker(|linker| filesystem::add_to_linker_dispatch(linker, HostState::data_mut))
        .with_bindings::<notes::NotesWorld>()
        .build()
}

/// Sends one command to the guest's `notes` export and returns its response.
///
/// # Errors
///
/// When the guest traps (or a host handler fails, which traps the guest's call).
pub fn send(
    container: &mut Container<WitCommandDispatcher>,
    command: notes::NotesCommand,
) -> tairitsu::Result<notes::NotesResponse> {
    container.invoke(|world: &notes::NotesWorld, store| world.notes().call(store, command))
}

/// The host's files as the guest left them, read back from the dispatcher.
pub fn files(container: &Container<WitCommandDispatcher>) -> Option<&MemoryFs> {
    let dispatcher = container.data()?;
    let service = dispatcher.handler::<filesystem::FilesystemCommand, FsService>()?;
    Some(&service.0)
}
