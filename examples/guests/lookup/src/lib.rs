//! The guest of `wit-async-server`: a plugin that asks its host's store for values.
//!
//! To the guest, `store::get` is an ordinary call. The host serves it with an async closure that
//! awaits (a timer standing in for a database round trip), and the guest's call suspends there
//! without holding an executor thread.

wit_bindgen::generate!({
    path: "../../../wit/lookup",
    world: "plugin",
});

use exports::tairitsu::lookup::api::Guest;
use tairitsu::lookup::store;

struct Plugin;

impl Guest for Plugin {
    fn greet(name: String) -> String {
        format!("Hello, {name}!")
    }

    fn lookup(key: String) -> String {
        match store::get(&key) {
            Some(value) => format!("{key} = {value}"),
            None => format!("{key} is not in the store"),
        }
    }

    fn lookup_all(keys: Vec<String>) -> Vec<Option<String>> {
        keys.iter().map(|key| store::get(key)).collect()
    }
}

export!(Plugin);
