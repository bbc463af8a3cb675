//! The guest of `wit-native-macro`: a notebook whose notes live in the host's files.
//!
//! Every note is a file `notes/{title}.txt` written, listed, read and deleted through the
//! host's `filesystem` interface; the guest never stores anything itself.

wit_bindgen::generate!({
    path: "../../../wit/notes",
    world: "notes-plugin",
});

use example::notes::filesystem;
use exports::example::notes::notes::{Guest, Note};

const DIR: &str = "notes/";

fn path_of(title: &str) -> String {
    format!("{DIR}{title}.txt")
}

struct Notebook;

impl Guest for Notebook {
    fn save(title: String, body: String) -> Result<String, String> {
        if title.is_empty() {
            return Err("a title cannot be empty".to_string());
        }
        if title.contains('/') {
            return Err(format!("a title cannot contain `/`: {title:?}"));
        }
        let path = path_of(&title);
        filesystem::write(&path, body.as_bytes())?;
        Ok(path)
    }

    fn all() -> Result<Vec<Note>, String> {
        let mut notes = Vec::new();
        for path in filesystem::list(DIR)? {
            let Some(title) = path
                .strip_prefix(DIR)
                .and_then(|name| name.strip_suffix(".txt"))
            else {
                continue;
            };
            let bytes = filesystem::read(&path)?;
            let body = String::from_utf8(bytes).map_err(|e| format!("{path}: {e}"))?;
            notes.push(Note {
                title: title.to_string(),
                body,
            });
        }
        Ok(notes)
    }

    fn remove(title: String) -> Result<(), String> {
        filesystem::delete(&path_of(&title))
    }

    fn word_count() -> Result<u32, String> {
        let words: usize = Self::all()?
            .iter()
            .map(|note| note.body.split_whitespace().count())
            .sum();
        Ok(words as u32)
    }
}

export!(Notebook);
