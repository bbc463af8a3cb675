//! Whether a new image can replace an old one: every old export still there, same signature.

use crate::image::Image;

/// What `new` lacks to replace `old`: each export of `old` that `new` does not have, or has
/// with another signature, as one line of text. Empty when `new` can replace `old`.
///
/// Exports are matched by their qualified name (`pkg:ns/iface@ver#func`, or the bare name of a
/// root export) and compared by their WIT signature (parameter names and types, result). New
/// exports are allowed. Imports are checked when a container links the new image: one that
/// the container cannot provide fails that upgrade before the container is touched.
pub fn export_differences(old: &Image, new: &Image) -> Vec<String> {
    let new_surface = new.surface();
    old.surface()
        .exports()
        .iter()
        .filter_map(|export| {
            let wanted = export.signature();
            let found = new_surface
                .exports()
                .iter()
                .find(|e| e.qualified() == export.qualified());
            match found {
                None => Some(format!("export `{}` is missing", export.qualified())),
                Some(e) if e.signature() != wanted => Some(format!(
                    "export `{}` was `{}`, is `{}`",
                    export.qualified(),
                    wanted.to_wit(),
                    e.signature().to_wit()
                )),
                Some(_) => None,
            }
        })
        .collect()
}
