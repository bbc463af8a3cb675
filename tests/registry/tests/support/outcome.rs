//! What the registry tests check of an outcome: the registry error inside an `Error`, and the
//! temporary files a store was left with. Included with `#[path]` by the tests that use it.

use tairitsu_runtime::oci::RegistryError;
use tairitsu_runtime::{Error, ImageStore};

pub fn registry_error(error: Error) -> RegistryError {
    match error {
        Error::Registry(e) => e,
        other => panic!("not a registry error: {other:?}"),
    }
}

pub fn leftovers(store: &ImageStore) -> Vec<String> {
    match std::fs::read_dir(store.dir()) {
        Ok(entries) => entries
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .filter(|n| n.starts_with(".tmp-"))
            .collect(),
        Err(_) => Vec::new(),
    }
}
