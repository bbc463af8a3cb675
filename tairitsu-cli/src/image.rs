//! `tairitsu image load|ls|inspect|rm|pull|push`: the local image store, and registries.

use std::path::Path;
use std::process::ExitCode;
use std::time::{Instant, UNIX_EPOCH};

use serde::Serialize;
use sha2::{Digest, Sha256};
use tairitsu_runtime::{Error as RuntimeError, ImageOrigin, ImageRef};

use crate::cli::{
    ImageCommand, ImageInspectArgs, ImageLoadArgs, ImageLsArgs, ImagePullArgs, ImagePushArgs,
    ImageRmArgs,
};
use crate::error::CliError;
use crate::inspect;
use crate::load::{self, open_store, with_progress};
use crate::output::outln;
use crate::remote::{self, PushSource, Report};
use crate::units::{format_age, format_duration, format_size};

/// Runs one `tairitsu image` subcommand.
pub fn image(command: &ImageCommand, store: Option<&Path>) -> Result<ExitCode, CliError> {
    match command {
        ImageCommand::Load(args) => load(args, store),
        ImageCommand::Ls(args) => ls(args, store),
        ImageCommand::Inspect(args) => inspect(args, store),
        ImageCommand::Rm(args) => rm(args, store),
        ImageCommand::Pull(args) => pull(args, store),
        ImageCommand::Push(args) => push(args, store),
    }
}

fn pull(args: &ImagePullArgs, store_dir: Option<&Path>) -> Result<ExitCode, CliError> {
    let remote = tairitsu_runtime::oci::RemoteRef::parse_with_defaults(&args.reference)?;
    let client = remote::client(&args.registry)?;
    let store = open_store(store_dir)?;
    remote::pull(&store, &remote, &client, Report::Stdout)?;
    Ok(ExitCode::SUCCESS)
}

fn push(args: &ImagePushArgs, store_dir: Option<&Path>) -> Result<ExitCode, CliError> {
    // Check the target before anything is read or compiled.
    tairitsu_runtime::oci::RemoteRef::parse_with_defaults(&args.reference)?;
    let client = remote::client(&args.registry)?;
    let loaded = load::load(&args.image, store_dir, None)?;
    match &loaded.stored {
        Some(_) => {
            let store = open_store(store_dir)?;
            remote::push(
                PushSource::Stored(&store, &loaded.image.digest()),
                &args.reference,
                &client,
            )?;
        }
        None => {
            remote::push(PushSource::File(&loaded.image), &args.reference, &client)?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn load(args: &ImageLoadArgs, store_dir: Option<&Path>) -> Result<ExitCode, CliError> {
    let tags = if args.tags.is_empty() {
        vec![default_tag(&args.file)?]
    } else {
        args.tags.clone()
    };
    for tag in &tags {
        tag.parse::<ImageRef>()?;
    }
    let bytes = std::fs::read(&args.file).map_err(|source| RuntimeError::Io {
        path: args.file.clone(),
        source,
    })?;
    let store = open_store(store_dir)?;
    let engine = store.registry().engine().clone();
    let digest = hex::encode(Sha256::digest(&bytes));
    let label = args.file.display().to_string();
    let started = Instant::now();
    let mut how = String::new();
    for (i, tag) in tags.iter().enumerate() {
        let image = if i == 0 {
            let image = with_progress(&engine, &digest, bytes.len() as u64, &label, || {
                store.load_file(tag, &args.file)
            })?;
            how = match image.origin() {
                ImageOrigin::Compiled => {
                    format!("compiled in {}", format_duration(started.elapsed()))
                }
                ImageOrigin::Cache => "from the compiled-artifact cache".to_string(),
            };
            image
        } else {
            store.load(tag, &bytes)?
        };
        let reference = image
            .reference()
            .map_or_else(|| tag.clone(), ToString::to_string);
        outln!(
            "loaded {reference} {} ({}, {how})",
            image.digest(),
            format_size(image.size() as u64)
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// `calc.wasm` → `calc`; `My_Plugin v2.wasm` → `my_plugin-v2`.
fn default_tag(file: &Path) -> Result<String, CliError> {
    let stem = file
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or_default();
    let name: String = stem
        .chars()
        .map(|c| {
            let c = c.to_ascii_lowercase();
            if c.is_ascii_lowercase() || c.is_ascii_digit() || "-._".contains(c) {
                c
            } else {
                '-'
            }
        })
        .collect();
    let name = name.trim_start_matches(['-', '.', '_']).to_string();
    match name.parse::<ImageRef>() {
        Ok(r) => Ok(r.to_string()),
        Err(_) => Err(CliError::input(format!(
            "cannot make an image name from the file name `{}`",
            file.display()
        ))
        .hint("name it with `--tag NAME[:TAG]`")),
    }
}

#[derive(Serialize)]
struct Row {
    digest: String,
    references: Vec<String>,
    repo_digests: Vec<String>,
    size: u64,
    /// Seconds since the Unix epoch.
    loaded: Option<u64>,
    path: String,
}

fn ls(args: &ImageLsArgs, store_dir: Option<&Path>) -> Result<ExitCode, CliError> {
    let store = open_store(store_dir)?;
    let images = store.list()?;
    if args.json {
        let rows: Vec<Row> = images
            .into_iter()
            .map(|s| Row {
                digest: s.digest,
                references: s.references,
                repo_digests: s.repo_digests,
                size: s.size,
                loaded: s
                    .loaded
                    .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
                    .map(|d| d.as_secs()),
                path: s.path.display().to_string(),
            })
            .collect();
        let text = serde_json::to_string_pretty(&rows).map_err(anyhow::Error::from)?;
        outln!("{text}");
        return Ok(ExitCode::SUCCESS);
    }
    if args.quiet {
        for image in &images {
            outln!("{}", image.digest);
        }
        return Ok(ExitCode::SUCCESS);
    }
    // One row per reference, as `docker images` does.
    let mut table = vec![[
        "REFERENCE".to_string(),
        "DIGEST".to_string(),
        "SIZE".to_string(),
        "LOADED".to_string(),
    ]];
    for image in &images {
        let short = image.digest["sha256:".len()..][..12].to_string();
        let size = format_size(image.size);
        let loaded = image
            .loaded
            .and_then(|t| t.elapsed().ok())
            .map_or_else(|| "-".to_string(), format_age);
        let references = match (image.references.is_empty(), image.repo_digests.is_empty()) {
            (false, _) => image.references.clone(),
            // Pulled by digest alone: the registry digest is its name.
            (true, false) => image.repo_digests.clone(),
            (true, true) => vec!["<none>".to_string()],
        };
        for reference in references {
            table.push([reference, short.clone(), size.clone(), loaded.clone()]);
        }
    }
    let widths: Vec<usize> = (0..4)
        .map(|c| table.iter().map(|row| row[c].len()).max().unwrap_or(0))
        .collect();
    for row in &table {
        let line = format!(
            "{:w0$}  {:w1$}  {:w2$}  {}",
            row[0],
            row[1],
            row[2],
            row[3],
            w0 = widths[0],
            w1 = widths[1],
            w2 = widths[2],
        );
        outln!("{}", line.trim_end());
    }
    if images.is_empty() {
        eprintln!(
            "the store ({}) is empty; add a component with `tairitsu image load FILE`",
            store.dir().display()
        );
    }
    Ok(ExitCode::SUCCESS)
}

fn inspect(args: &ImageInspectArgs, store_dir: Option<&Path>) -> Result<ExitCode, CliError> {
    // Only the store: a file of the same name must not answer for it.
    let store = open_store(store_dir)?;
    let loaded = load::load_stored(&store, &args.image)?;
    inspect::print(&loaded, args.json)?;
    Ok(ExitCode::SUCCESS)
}

fn rm(args: &ImageRmArgs, store_dir: Option<&Path>) -> Result<ExitCode, CliError> {
    let store = open_store(store_dir)?;
    let mut failed = None;
    for image in &args.images {
        match store.remove(image) {
            Ok(removed) => {
                for r in &removed.untagged {
                    outln!("untagged {r}");
                }
                if let Some(digest) = &removed.deleted {
                    match removed.evicted {
                        0 => outln!("deleted {digest}"),
                        _ => outln!("deleted {digest} and its compiled code"),
                    }
                }
            }
            Err(e) => {
                let error = load::store_error(e, &store);
                error.report();
                failed = Some(error.failure);
            }
        }
    }
    Ok(match failed {
        Some(failure) => ExitCode::from(failure.code()),
        None => ExitCode::SUCCESS,
    })
}
