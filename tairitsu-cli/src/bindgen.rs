//! `tairitsu bindgen`: what `tairitsu-build` generates, printed or written.

use tairitsu_build::Builder;

use crate::cli::BindgenArgs;
use crate::error::CliError;
use crate::output::{out, outln};

/// `tairitsu bindgen WIT_DIR [--world W]…`.
pub fn bindgen(args: &BindgenArgs) -> Result<(), CliError> {
    if !args.wit_dir.exists() {
        return Err(CliError::input(format!(
            "`{}` does not exist",
            args.wit_dir.display()
        ))
        .hint("give a directory of `.wit` files (with `deps/` for dependencies) or one `.wit` file"));
    }
    let mut builder = Builder::new()
        .wit_dir(&args.wit_dir)
        .runtime_path(&args.runtime_path)
        .emit_rerun_if_changed(false);
    for world in &args.worlds {
        builder = builder.world(world);
    }
    if args.all_worlds {
        builder = builder.all_worlds();
    }
    builder = builder
        .trappable_imports(args.trappable_imports)
        .features(args.features.iter().map(|f| f.trim()))
        .async_imports(args.async_all || args.async_imports)
        .async_exports(args.async_all || args.async_exports);
    if args.all_features {
        builder = builder.all_features();
    }
    for function in &args.async_import {
        builder = builder.async_import(function.trim());
    }
    for function in &args.async_export {
        builder = builder.async_export(function.trim());
    }
    for derive in &args.derives {
        builder = builder.additional_derive(derive.trim());
    }
    for with in &args.with {
        let Some((resource, path)) = with.split_once('=') else {
            return Err(CliError::input(format!(
                "`--with {with}` is not of the form RESOURCE=PATH"
            ))
            .hint("for example `--with my:plugin/files/file=crate::OpenFile`"));
        };
        builder = builder.with_resource(resource.trim(), path.trim());
    }
    let worlds = builder.generate().map_err(|e| {
        let hint = match &e {
            tairitsu_build::Error::NoWorldSelected { .. } => {
                Some("choose one with `--world NAME`, or all with `--all-worlds`")
            }
            tairitsu_build::Error::UnstableWorld { .. } => {
                Some("enable it with `--features NAME`, or all with `--all-features`")
            }
            _ => None,
        };
        let error = CliError::from(e);
        match hint {
            Some(hint) => error.hint(hint),
            None => error,
        }
    })?;
    match &args.out_dir {
        None => {
            for (i, world) in worlds.iter().enumerate() {
                if i > 0 {
                    outln!();
                }
                out!("{}", world.source);
            }
        }
        Some(dir) => {
            std::fs::create_dir_all(dir)
                .map_err(|e| CliError::input(format!("cannot create `{}`: {e}", dir.display())))?;
            for world in &worlds {
                let path = dir.join(format!("{}.rs", world.name));
                let unchanged = std::fs::read_to_string(&path).is_ok_and(|old| old == world.source);
                if !unchanged {
                    std::fs::write(&path, &world.source).map_err(|e| {
                        CliError::input(format!("cannot write `{}`: {e}", path.display()))
                    })?;
                }
                eprintln!(
                    "{} {} ({})",
                    if unchanged { "unchanged" } else { "wrote" },
                    path.display(),
                    world.world
                );
            }
        }
    }
    Ok(())
}
