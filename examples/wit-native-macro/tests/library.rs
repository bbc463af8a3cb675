//! The library parts: the handler alone, the macros' WIT against the guest's, and the guest
//! driven through the dispatcher with a host that answers differently.

use tairitsu::{Image, WitCommandDispatcher};
use wit_native_macro::{FsService, GUEST_WASM, MemoryFs, files, filesystem, notes, send, start};

use filesystem::{FilesystemCommand, FilesystemHandler, FilesystemResponse};
use notes::{Note, NotesCommand, NotesResponse};

#[test]
fn the_memory_fs_alone() {
    let mut fs = MemoryFs::default();
    assert_eq!(fs.write("a/1".into(), b"x".to_vec()), Ok(()));
    assert_eq!(fs.write("b/2".into(), b"y".to_vec()), Ok(()));
    assert_eq!(fs.read("a/1".into()), Ok(b"x".to_vec()));
    assert_eq!(fs.list("a/".into()), Ok(vec!["a/1".to_string()]));
    assert_eq!(fs.delete("a/1".into()), Ok(()));
    assert_eq!(fs.delete("a/1".into()), Err("no such file: a/1".into()));
    assert_eq!(fs.read("a/1".into()), Err("no such file: a/1".into()));
    assert_eq!(fs.calls["delete"], 2);

    // Through the generated command enum and a dispatcher, as a guest's calls arrive.
    let mut dispatcher = WitCommandDispatcher::new();
    filesystem::register(&mut dispatcher, fs);
    assert_eq!(
        dispatcher.dispatch(FilesystemCommand::Read { path: "b/2".into() }),
        Ok(FilesystemResponse::Read(Ok(b"y".to_vec())))
    );
    let fs = dispatcher
        .handler::<FilesystemCommand, FsService>()
        .unwrap();
    assert_eq!(fs.0.calls["read"], 3);
}

/// What the macros declare is what the guest was built against: the component's own imports
/// and exports, function by function.
#[test]
fn the_macros_wit_is_the_guests_wit() {
    let image = Image::from_file(GUEST_WASM).unwrap();
    let own_imports: Vec<String> = image
        .imports()
        .iter()
        .filter(|f| f.interface.as_deref() == Some(filesystem::INTERFACE))
        .map(|f| f.to_wit())
        .collect();
    let declared: Vec<String> = filesystem::DESCRIPTORS.iter().map(|f| f.to_wit()).collect();
    assert_eq!(own_imports, declared);
    let exports: Vec<String> = image.exports().iter().map(|f| f.to_wit()).collect();
    let declared: Vec<String> = notes::DESCRIPTORS.iter().map(|f| f.to_wit()).collect();
    assert_eq!(exports, declared);
}

/// The guest's answers are made of the host's: start it with files the guest never wrote.
#[test]
fn the_guest_reads_what_the_host_serves() {
    let mut fs = MemoryFs::default();
    fs.files
        .insert("notes/seeded.txt".into(), b"planted by the host".to_vec());
    fs.files
        .insert("elsewhere.txt".into(), b"not a note".to_vec());
    let mut container = start(GUEST_WASM, fs).unwrap();
    assert_eq!(
        send(&mut container, NotesCommand::All).unwrap(),
        NotesResponse::All(Ok(vec![Note {
            title: "seeded".into(),
            body: "planted by the host".into(),
        }]))
    );
    assert_eq!(
        send(&mut container, NotesCommand::WordCount).unwrap(),
        NotesResponse::WordCount(Ok(4))
    );
    send(
        &mut container,
        NotesCommand::Save {
            title: "new".into(),
            body: "from the guest".into(),
        },
    )
    .unwrap();
    let fs = files(&container).unwrap();
    assert_eq!(fs.files["notes/new.txt"], b"from the guest");
    assert_eq!(fs.files.len(), 3);
}

/// Without a handler for `filesystem`, the guest's first call to it traps, and the message
/// names the interface.
#[test]
fn without_a_handler_the_guests_call_traps() {
    let mut container = start(GUEST_WASM, MemoryFs::default()).unwrap();
    container
        .data_mut()
        .unwrap()
        .unregister::<FilesystemCommand>();
    let err = send(&mut container, NotesCommand::All)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("no handler is registered for interface `example:notes/filesystem@0.1.0`"),
        "{err}"
    );
}
