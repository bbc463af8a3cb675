//! `wit_interface!` commands and handlers, served to a real guest.
//!
//! ```text
//! cargo run -p wit-native-macro
//! ```
//!
//! The host declares the guest's two interfaces with `wit_interface!`, serves `filesystem` from
//! an in-memory map registered on a `WitCommandDispatcher`, and drives the guest's `notes`
//! export with commands. Every answer below went through the guest; every file it mentions went
//! through the host.

use anyhow::Result;
use wit_native_macro::{GUEST_WASM, MemoryFs, files, filesystem, notes, send, start};

use notes::{NotesCommand, NotesWorld};

fn main() -> Result<()> {
    println!("The README's interface in Rust spelling, as the WIT it stands for:");
    let interface = filesystem::WIT
        .lines()
        .skip_while(|line| !line.starts_with("interface"))
        .take_while(|line| !line.starts_with("world"))
        .filter(|line| !line.is_empty());
    for line in interface {
        println!("wit     {line}");
    }
    println!(
        "host serves {} ({} functions); the guest exports {} ({} functions)",
        filesystem::INTERFACE,
        filesystem::DESCRIPTORS.len(),
        notes::INTERFACE,
        notes::DESCRIPTORS.len()
    );

    let mut container = start(GUEST_WASM, MemoryFs::default())?;
    let commands = [
        NotesCommand::Save {
            title: "groceries".into(),
            body: "eggs milk bread".into(),
        },
        NotesCommand::Save {
            title: "todo".into(),
            body: "write the docs".into(),
        },
        NotesCommand::Save {
            title: "bad/title".into(),
            body: "never stored".into(),
        },
        NotesCommand::All,
        NotesCommand::WordCount,
        NotesCommand::Remove {
            title: "todo".into(),
        },
        NotesCommand::Remove {
            title: "todo".into(),
        },
        NotesCommand::All,
    ];
    for command in commands {
        println!("command {}", command.to_ron()?);
        let response = send(&mut container, command)?;
        println!("answer  {}", response.to_ron()?);
    }

    // The typed caller of the same export, without a command.
    let words =
        container.invoke(|world: &NotesWorld, store| world.notes().call_word_count(store))?;
    println!("typed   word-count() = {words:?}");

    let fs = files(&container).expect("the filesystem handler is registered");
    for (path, data) in &fs.files {
        println!("host    {path} = {:?}", String::from_utf8_lossy(data));
    }
    let calls: Vec<String> = fs
        .calls
        .iter()
        .map(|(function, n)| format!("{function} {n}"))
        .collect();
    println!("host    the guest called: {}", calls.join(", "));
    Ok(())
}
