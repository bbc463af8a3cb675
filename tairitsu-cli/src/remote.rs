//! Registries from the command line: credentials from the options or Docker's configuration,
//! a progress bar for large layers, and reports worded like `docker pull` and `docker push`.

use std::collections::HashSet;
use std::io::{BufRead, IsTerminal};
use std::sync::{Arc, Mutex};

use indicatif::{ProgressBar, ProgressStyle};
use tairitsu_runtime::oci::{
    Credentials, Direction, DockerConfig, Progress, Pushed, RegistryClient, RemoteRef,
};
use tairitsu_runtime::{Image, ImageStore, StoredImage};

use crate::cli::RegistryArgs;
use crate::error::CliError;
use crate::output::outln;
use crate::units::format_size;

/// Layers at least this large show a progress bar (on a terminal).
const PROGRESS_MIN_SIZE: u64 = 1 << 20;

/// Where a report goes: stdout for `image pull|push`, stderr when stdout carries a result.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Report {
    /// stdout.
    Stdout,
    /// stderr.
    Stderr,
}

impl Report {
    fn line(self, text: &str) {
        match self {
            Report::Stdout => outln!("{text}"),
            Report::Stderr => eprintln!("{text}"),
        }
    }
}

/// The registry client the options describe: `--username` with the password from stdin, else
/// the Docker configuration's `auths`; plain HTTP with `--insecure`; a progress bar.
pub fn client(args: &RegistryArgs) -> Result<RegistryClient, CliError> {
    let mut client = RegistryClient::new()
        .insecure(args.insecure)
        .tls_on_loopback(args.tls)
        .on_progress(progress_bar());
    if let Some(path) = &args.ca_file {
        let pem = std::fs::read(path).map_err(|e| {
            CliError::input(format!("cannot read --ca-file {}: {e}", path.display()))
        })?;
        client = client.root_certificate(pem);
    }
    if let (Some(username), true) = (&args.username, args.password_stdin) {
        let mut password = String::new();
        std::io::stdin()
            .lock()
            .read_line(&mut password)
            .map_err(|e| CliError::input(format!("cannot read the password from stdin: {e}")))?;
        let password = password.trim_end_matches(['\r', '\n']);
        if password.is_empty() {
            return Err(
                CliError::input("--password-stdin read an empty password").hint(
                    "pipe it in: `echo \"$TOKEN\" | tairitsu … --username NAME --password-stdin`",
                ),
            );
        }
        client = client.credentials(Credentials::basic(username, password));
    } else {
        client = client.docker_config(DockerConfig::load_default()?);
    }
    if args.insecure {
        eprintln!(
            "warning: --insecure: using plain HTTP; what is transferred can be read and \
             (for a pull by tag) changed on the way"
        );
    }
    Ok(client)
}

/// Pulls `remote` into the store, reporting as `docker pull` does.
pub fn pull(
    store: &ImageStore,
    remote: &RemoteRef,
    client: &RegistryClient,
    report: Report,
) -> Result<StoredImage, CliError> {
    let before: HashSet<String> = store.list()?.into_iter().map(|s| s.digest).collect();
    let previous = store_key(remote).and_then(|key| store.get(&key).ok());
    match remote.tag() {
        Some(tag) => report.line(&format!("{tag}: Pulling from {}", remote.name())),
        None => report.line(&format!("Pulling {remote}")),
    }
    let stored = block_on(store.pull(&remote.to_string(), client))??;
    let short = &stored.digest["sha256:".len()..][..12];
    let fresh = !before.contains(&stored.digest);
    report.line(&format!(
        "{short}: {} ({})",
        if fresh {
            "Pull complete"
        } else {
            "Already exists"
        },
        format_size(stored.size)
    ));
    let manifest = stored
        .repo_digests
        .iter()
        .find(|d| d.starts_with(&format!("{}@", remote.name())))
        .and_then(|d| d.split_once('@'))
        .map(|(_, digest)| digest.to_string());
    if let Some(manifest) = &manifest {
        report.line(&format!("Digest: {manifest}"));
    }
    let unchanged = previous.is_some_and(|p| p.digest == stored.digest);
    report.line(&format!(
        "Status: {} {remote}",
        if unchanged {
            "Image is up to date for"
        } else {
            "Downloaded newer image for"
        }
    ));
    if report == Report::Stdout {
        report.line(&remote.to_string());
    }
    Ok(stored)
}

/// What `image push` pushes.
pub enum PushSource<'a> {
    /// A component file, loaded.
    File(&'a Image),
    /// An image of the store, by reference or digest (its registry digest is recorded there).
    Stored(&'a ImageStore, &'a str),
}

/// Pushes to `reference`, reporting as `docker push` does.
pub fn push(
    source: PushSource<'_>,
    reference: &str,
    client: &RegistryClient,
) -> Result<Pushed, CliError> {
    let remote = RemoteRef::parse_with_defaults(reference)?;
    outln!("The push refers to repository [{}]", remote.name());
    let pushed = match source {
        PushSource::File(image) => block_on(client.push(image, reference))??,
        PushSource::Stored(store, image) => block_on(store.push(image, reference, client))??,
    };
    let short = &pushed.layer_digest["sha256:".len()..][..12];
    outln!(
        "{short}: {}",
        if pushed.layer_existed {
            "Layer already exists"
        } else {
            "Pushed"
        }
    );
    outln!(
        "{}: digest: {} size: {}",
        pushed.reference.tag().unwrap_or("latest"),
        pushed.manifest_digest,
        pushed.manifest_size
    );
    Ok(pushed)
}

/// The store reference of a registry reference: its registry digest when it pins one, else
/// `registry/repository:tag`.
pub fn store_key(remote: &RemoteRef) -> Option<String> {
    remote
        .repo_digest()
        .or_else(|| remote.store_reference().map(|r| r.to_string()))
}

/// Runs a future on a runtime of this thread.
fn block_on<F: std::future::Future>(future: F) -> Result<F::Output, CliError> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| CliError::input(format!("cannot start the network runtime: {e}")))?;
    Ok(runtime.block_on(future))
}

/// Whether a transfer of `total` bytes shows a bar: large enough and watched on a terminal.
fn shows_bar(total: u64, terminal: bool) -> bool {
    total >= PROGRESS_MIN_SIZE && terminal
}

/// A progress callback that draws one bar per large layer on stderr, when it is a terminal.
fn progress_bar() -> impl Fn(&Progress<'_>) + Send + Sync + 'static {
    let terminal = std::io::stderr().is_terminal();
    let bar: Arc<Mutex<Option<ProgressBar>>> = Arc::default();
    move |progress: &Progress<'_>| {
        if !shows_bar(progress.total, terminal) {
            return;
        }
        let Ok(mut bar) = bar.lock() else { return };
        let bar = bar.get_or_insert_with(|| {
            let verb = match progress.direction {
                Direction::Pull => "Downloading",
                Direction::Push => "Pushing",
            };
            let short = progress
                .digest
                .strip_prefix("sha256:")
                .unwrap_or(progress.digest);
            let bar = ProgressBar::new(progress.total);
            bar.set_style(
                ProgressStyle::with_template(
                    "{msg} [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec} {eta}",
                )
                .unwrap_or_else(|_| ProgressStyle::default_bar())
                .progress_chars("=> "),
            );
            bar.set_message(format!("{}: {verb}", &short[..short.len().min(12)]));
            bar
        });
        bar.set_position(progress.done);
        if progress.done >= progress.total {
            bar.finish_and_clear();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{PROGRESS_MIN_SIZE, shows_bar};

    #[test]
    fn a_bar_only_for_a_large_layer_on_a_terminal() {
        assert!(shows_bar(PROGRESS_MIN_SIZE, true));
        assert!(!shows_bar(PROGRESS_MIN_SIZE - 1, true));
        assert!(!shows_bar(PROGRESS_MIN_SIZE, false));
    }
}
