//! The guest of `wit-native-simple`: a word counter. It logs through the host, reads its
//! settings from the host, and keeps every count in the host's key-value store.

wit_bindgen::generate!({
    path: "../../../wit/simple",
    world: "word-counter",
});

use example::simple::logger::{self, Level};
use example::simple::{config, kv};
use exports::example::simple::counter::Guest;

struct Counter;

/// The count stored for `word`, 0 when there is none (or it is not a number).
fn stored(word: &str) -> u32 {
    kv::get(word).and_then(|v| v.parse().ok()).unwrap_or(0)
}

impl Guest for Counter {
    fn count(text: String) -> String {
        let min_length: usize = config::get("min-length")
            .and_then(|v| v.parse().ok())
            .unwrap_or(1);
        let insensitive = config::get("case").as_deref() == Some("insensitive");
        logger::log(
            Level::Info,
            &format!("counting {:?} (min-length {min_length})", text),
        );
        let (mut counted, mut skipped, mut new) = (0, 0, 0);
        for raw in text.split(|c: char| !c.is_alphanumeric()) {
            if raw.is_empty() {
                continue;
            }
            if raw.chars().count() < min_length {
                skipped += 1;
                continue;
            }
            let word = if insensitive {
                raw.to_lowercase()
            } else {
                raw.to_string()
            };
            let next = stored(&word) + 1;
            if kv::set(&word, &next.to_string()).is_none() {
                new += 1;
            }
            counted += 1;
        }
        if skipped > 0 {
            logger::log(Level::Warn, &format!("skipped {skipped} short words"));
        }
        logger::log(Level::Debug, &format!("{new} new words in the store"));
        format!("{counted} words counted ({new} new), {skipped} skipped")
    }

    fn occurrences(word: String) -> u32 {
        stored(&word)
    }
}

export!(Counter);
