//! Building Rust guests (`wasm32-wasip2` components) from a host crate's `build.rs`.
//!
//! A host crate that ships its own plugin builds it here, so that `cargo run` and `cargo test`
//! need nothing but the stock toolchain: the `wasm32-wasip2` target is installed with rustup
//! when it is missing, and the guest is built by a nested `cargo build` into its own target
//! directory (the outer build holds the lock on the host's).

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The target Rust guests are built for: its output is a component.
pub const GUEST_TARGET: &str = "wasm32-wasip2";

/// Builds a Rust guest crate into a component.
///
/// In the `build.rs` of a host crate whose guest lives in `guest/`:
///
/// ```no_run
/// let wasm = tairitsu_build::Guest::new("guest").build().unwrap_or_else(|e| {
///     eprintln!("{e}");
///     std::process::exit(1);
/// });
/// println!("cargo:rustc-env=GUEST_WASM={}", wasm.display());
/// ```
///
/// Building costs a nested `cargo build --release --target wasm32-wasip2` (seconds when
/// nothing changed); `cargo:rerun-if-changed` lines for the guest's sources are printed so
/// that the host's build script reruns only when they change.
#[derive(Debug, Clone)]
pub struct Guest {
    manifest_dir: PathBuf,
    package: Option<String>,
    target_dir: Option<PathBuf>,
    release: bool,
    install_target: bool,
    watch: Vec<PathBuf>,
    rerun_if_changed: bool,
}

/// Why a guest could not be built.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum GuestError {
    /// The target is missing and could not be installed.
    #[error(
        "the `{GUEST_TARGET}` target is not installed and `rustup target add {GUEST_TARGET}` \
         failed: {0}\nInstall it by hand (`rustup target add {GUEST_TARGET}`) and build again."
    )]
    Target(String),
    /// `cargo build` of the guest failed; its output went to the build log above.
    #[error("building the guest {} for {GUEST_TARGET} failed: {message}", manifest.display())]
    Build {
        /// The guest's manifest.
        manifest: PathBuf,
        /// What went wrong.
        message: String,
    },
    /// The build succeeded but the component is not where cargo puts it.
    #[error("the guest built, but {} is missing", .0.display())]
    Missing(PathBuf),
}

impl Guest {
    /// A guest crate (or workspace member, see [`Guest::package`]) whose `Cargo.toml` is in
    /// `dir`. Relative paths are relative to the current directory, which in a build script is
    /// the host crate's root.
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Self {
            manifest_dir: dir.into(),
            package: None,
            target_dir: None,
            release: true,
            install_target: true,
            watch: Vec::new(),
            rerun_if_changed: true,
        }
    }

    /// The package to build when `dir` is a workspace (its name is also the `.wasm` file name).
    pub fn package(mut self, name: impl Into<String>) -> Self {
        self.package = Some(name.into());
        self
    }

    /// Where cargo puts the guest's build (default `target` next to its `Cargo.toml`, or next
    /// to the workspace root when `dir` is a member).
    pub fn target_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.target_dir = Some(dir.into());
        self
    }

    /// Release (default) or debug build.
    pub fn release(mut self, release: bool) -> Self {
        self.release = release;
        self
    }

    /// Whether to run `rustup target add wasm32-wasip2` when the target is missing (default
    /// yes).
    pub fn install_target(mut self, install: bool) -> Self {
        self.install_target = install;
        self
    }

    /// Another file or folder whose change rebuilds the guest (its WIT folder, say).
    pub fn watch(mut self, path: impl Into<PathBuf>) -> Self {
        self.watch.push(path.into());
        self
    }

    /// Whether to print `cargo:rerun-if-changed` lines (default yes).
    pub fn emit_rerun_if_changed(mut self, emit: bool) -> Self {
        self.rerun_if_changed = emit;
        self
    }

    /// Builds the guest and returns the path of its component.
    ///
    /// # Errors
    ///
    /// [`GuestError::Target`] when the target is missing and cannot be installed,
    /// [`GuestError::Build`] when cargo fails, [`GuestError::Missing`] when the output is not
    /// where it should be.
    pub fn build(&self) -> Result<PathBuf, GuestError> {
        ensure_target(self.install_target)?;
        let manifest = self.manifest_dir.join("Cargo.toml");
        let target_dir = match &self.target_dir {
            Some(dir) => dir.clone(),
            None => workspace_root(&self.manifest_dir).join("target"),
        };
        let mut cmd = cargo();
        cmd.arg("build")
            .arg("--target")
            .arg(GUEST_TARGET)
            .arg("--manifest-path")
            .arg(&manifest)
            .env("CARGO_TARGET_DIR", &target_dir);
        if self.release {
            cmd.arg("--release");
        }
        if let Some(package) = &self.package {
            cmd.arg("--package").arg(package);
        }
        let status = cmd.status().map_err(|e| GuestError::Build {
            manifest: manifest.clone(),
            message: format!("cannot run cargo: {e}"),
        })?;
        if !status.success() {
            return Err(GuestError::Build {
                manifest,
                message: format!("cargo exited with {status}"),
            });
        }
        let name = match &self.package {
            Some(p) => p.clone(),
            None => package_name(&manifest).ok_or_else(|| GuestError::Build {
                manifest: manifest.clone(),
                message: "cannot read the package name from Cargo.toml".into(),
            })?,
        };
        let wasm = target_dir
            .join(GUEST_TARGET)
            .join(if self.release { "release" } else { "debug" })
            .join(format!("{}.wasm", name.replace('-', "_")));
        if self.rerun_if_changed {
            for path in [self.manifest_dir.join("src"), manifest.clone()]
                .iter()
                .chain(&self.watch)
            {
                println!("cargo:rerun-if-changed={}", path.display());
            }
        }
        if wasm.is_file() {
            Ok(wasm)
        } else {
            Err(GuestError::Missing(wasm))
        }
    }
}

/// A `cargo` for the nested build, cleared of what the outer build set for itself.
fn cargo() -> Command {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| OsString::from("cargo"));
    let mut cmd = Command::new(cargo);
    for (key, _) in std::env::vars_os() {
        let Some(key) = key.to_str() else { continue };
        let outer = key.starts_with("CARGO_")
            && !matches!(
                key,
                "CARGO_HOME" | "CARGO_NET_OFFLINE" | "CARGO_REGISTRIES_CRATES_IO_PROTOCOL"
            );
        if outer
            || matches!(
                key,
                "RUSTFLAGS"
                    | "RUSTC"
                    | "RUSTC_WRAPPER"
                    | "RUSTC_WORKSPACE_WRAPPER"
                    | "RUSTDOC"
                    | "TARGET"
                    | "HOST"
                    | "OUT_DIR"
                    | "OPT_LEVEL"
                    | "PROFILE"
                    | "DEBUG"
                    | "NUM_JOBS"
            )
        {
            cmd.env_remove(key);
        }
    }
    cmd
}

/// The `rustc` the build uses (`$RUSTC` in a build script), else `rustc` from `PATH`.
fn rustc() -> OsString {
    std::env::var_os("RUSTC").unwrap_or_else(|| OsString::from("rustc"))
}

/// Whether `rustc` has the standard library of the guest target.
fn target_installed(rustc: &std::ffi::OsStr) -> bool {
    Command::new(rustc)
        .args(["--print", "target-libdir", "--target", GUEST_TARGET])
        .output()
        .ok()
        .filter(|out| out.status.success())
        .and_then(|out| String::from_utf8(out.stdout).ok())
        .map(|dir| PathBuf::from(dir.trim()))
        .is_some_and(|dir| {
            std::fs::read_dir(&dir).is_ok_and(|mut entries| {
                entries.any(|e| {
                    e.is_ok_and(|e| e.file_name().to_string_lossy().starts_with("libstd-"))
                })
            })
        })
}

fn ensure_target(install: bool) -> Result<(), GuestError> {
    ensure_target_with(&rustc(), "rustup", install)
}

/// [`ensure_target`] with the programs named, so that tests can stand in for them.
fn ensure_target_with(
    rustc: &std::ffi::OsStr,
    rustup: &str,
    install: bool,
) -> Result<(), GuestError> {
    if target_installed(rustc) {
        return Ok(());
    }
    if !install {
        return Err(GuestError::Target("installing was switched off".into()));
    }
    println!("cargo:warning=installing the {GUEST_TARGET} target with rustup (once)");
    let out = Command::new(rustup)
        .args(["target", "add", GUEST_TARGET])
        .output()
        .map_err(|e| GuestError::Target(format!("cannot run {rustup}: {e}")))?;
    if !out.status.success() {
        return Err(GuestError::Target(
            String::from_utf8_lossy(&out.stderr).trim().to_string(),
        ));
    }
    if target_installed(rustc) {
        Ok(())
    } else {
        Err(GuestError::Target(
            "rustup reported success but the target's standard library is still missing".into(),
        ))
    }
}

/// The directory of the workspace `dir` belongs to: the nearest ancestor (or `dir` itself)
/// whose `Cargo.toml` has a `[workspace]` table, else `dir`.
fn workspace_root(dir: &Path) -> PathBuf {
    let start = dir.canonicalize().unwrap_or_else(|_| dir.to_path_buf());
    start
        .ancestors()
        .find(|d| {
            std::fs::read_to_string(d.join("Cargo.toml"))
                .is_ok_and(|text| text.lines().any(|l| l.trim() == "[workspace]"))
        })
        .map_or(start.clone(), Path::to_path_buf)
}

/// The `name` of the `[package]` table of a manifest.
fn package_name(manifest: &Path) -> Option<String> {
    let text = std::fs::read_to_string(manifest).ok()?;
    let mut in_package = false;
    for line in text.lines() {
        let line = line.trim();
        if line.starts_with('[') {
            in_package = line == "[package]";
        } else if in_package
            && let Some(value) = line.strip_prefix("name")
            && let Some(value) = value.trim_start().strip_prefix('=')
        {
            return Some(value.trim().trim_matches('"').to_string());
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A stand-in `rustc` whose target-libdir is an empty folder: the target looks missing.
    fn missing_target_rustc(dir: &Path) -> PathBuf {
        let empty = dir.join("empty-libdir");
        std::fs::create_dir_all(&empty).unwrap();
        let script = dir.join("rustc");
        std::fs::write(&script, format!("#!/bin/sh\necho {}\n", empty.display())).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
        }
        script
    }

    #[test]
    #[cfg(unix)]
    fn a_missing_target_that_cannot_be_installed_says_what_to_do() {
        let dir = tempfile::tempdir().unwrap();
        let rustc = missing_target_rustc(dir.path());
        assert!(!target_installed(rustc.as_os_str()));

        let off = ensure_target_with(rustc.as_os_str(), "rustup", false).unwrap_err();
        let text = off.to_string();
        assert!(
            text.contains("`wasm32-wasip2` target is not installed"),
            "{text}"
        );
        assert!(text.contains("rustup target add wasm32-wasip2"), "{text}");

        let no_rustup =
            ensure_target_with(rustc.as_os_str(), "/nonexistent/rustup", true).unwrap_err();
        assert!(
            no_rustup
                .to_string()
                .contains("cannot run /nonexistent/rustup"),
            "{no_rustup}"
        );
        assert!(
            no_rustup.to_string().contains("Install it by hand"),
            "{no_rustup}"
        );
    }

    #[test]
    fn reads_package_names() {
        let dir = tempfile::tempdir().unwrap();
        let manifest = dir.path().join("Cargo.toml");
        std::fs::write(
            &manifest,
            "[workspace]\n\n[package]\nname = \"my-guest\"\nversion = \"0.1.0\"\n[dependencies]\nname = \"x\"\n",
        )
        .unwrap();
        assert_eq!(package_name(&manifest).as_deref(), Some("my-guest"));
        assert_eq!(
            workspace_root(dir.path()),
            dir.path().canonicalize().unwrap()
        );
    }
}
