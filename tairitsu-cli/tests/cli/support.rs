//! What every test of the `tairitsu` binary shares: the fixtures as files, an invocation, its
//! outcome, and a store of its own.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;

use sha2::{Digest, Sha256};

pub(crate) const BIN: &str = env!("CARGO_BIN_EXE_tairitsu");

/// The fixtures as files, written once per test process (atomically, so that concurrent test
/// processes never see half a file).
pub(crate) fn fixtures() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("tairitsu-cli-fixtures");
        std::fs::create_dir_all(&dir).unwrap();
        for (name, bytes) in [
            ("root", tairitsu_fixtures::root()),
            ("calc", tairitsu_fixtures::calc()),
            ("faults", tairitsu_fixtures::faults()),
            ("kitchen", tairitsu_fixtures::kitchen()),
            ("host", tairitsu_fixtures::host_import()),
        ] {
            write_atomically(&dir.join(format!("{name}.wasm")), &bytes);
        }
        write_atomically(&dir.join("core.wasm"), b"\0asm\x01\0\0\0");
        dir
    })
}

pub(crate) fn write_atomically(path: &Path, bytes: &[u8]) {
    let tmp = path.with_extension(format!("tmp{}", std::process::id()));
    std::fs::write(&tmp, bytes).unwrap();
    std::fs::rename(&tmp, path).unwrap();
}

/// `examples/guests/probe` built into a component (once per test process), copied next to
/// the fixtures as `probe.wasm`.
pub(crate) fn probe() -> &'static Path {
    static PROBE: OnceLock<PathBuf> = OnceLock::new();
    PROBE.get_or_init(|| {
        let built = tairitsu_build::Guest::new(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/guests/probe"),
        )
        .emit_rerun_if_changed(false)
        .build()
        .unwrap_or_else(|e| panic!("cannot build the probe guest: {e}"));
        let path = fixtures().join("probe.wasm");
        write_atomically(&path, &std::fs::read(built).unwrap());
        path
    })
}

pub(crate) fn sha256(path: &Path) -> String {
    hex::encode(Sha256::digest(std::fs::read(path).unwrap()))
}

/// A `tairitsu` invocation in the fixtures directory.
pub(crate) struct Tairitsu {
    pub(crate) cmd: Command,
    pub(crate) stdin: Option<String>,
}

/// What an invocation did.
#[derive(Debug)]
pub(crate) struct Out {
    pub(crate) code: i32,
    pub(crate) stdout: String,
    pub(crate) stderr: String,
}

pub(crate) fn tairitsu<S: AsRef<std::ffi::OsStr>>(args: impl IntoIterator<Item = S>) -> Tairitsu {
    let tmp = Path::new(env!("CARGO_TARGET_TMPDIR"));
    let mut cmd = Command::new(BIN);
    cmd.args(args)
        .current_dir(fixtures())
        .env("TAIRITSU_CACHE_DIR", tmp.join("tairitsu-cli-cache"))
        .env("TAIRITSU_STORE", tmp.join("tairitsu-cli-no-store"))
        .env_remove("XDG_DATA_HOME")
        .env_remove("RUST_BACKTRACE");
    Tairitsu { cmd, stdin: None }
}

impl Tairitsu {
    pub(crate) fn env(mut self, key: &str, value: impl AsRef<std::ffi::OsStr>) -> Self {
        self.cmd.env(key, value);
        self
    }

    pub(crate) fn stdin(mut self, text: &str) -> Self {
        self.stdin = Some(text.to_string());
        self
    }

    pub(crate) fn run(mut self) -> Out {
        self.cmd
            .stdin(if self.stdin.is_some() {
                Stdio::piped()
            } else {
                Stdio::null()
            })
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = self.cmd.spawn().expect("the tairitsu binary runs");
        if let Some(text) = &self.stdin {
            child
                .stdin
                .take()
                .unwrap()
                .write_all(text.as_bytes())
                .unwrap();
        }
        let output = child.wait_with_output().unwrap();
        Out {
            code: output.status.code().expect("exited, not killed"),
            stdout: String::from_utf8(output.stdout).unwrap(),
            stderr: String::from_utf8(output.stderr).unwrap(),
        }
    }
}

impl Out {
    /// The stdout of a successful run, without the final newline.
    pub(crate) fn ok(&self) -> &str {
        assert_eq!(self.code, 0, "expected success: {self:#?}");
        self.stdout.strip_suffix('\n').unwrap_or(&self.stdout)
    }

    /// Checks a failure: the exit code, `error: ` first on stderr, each needle in stderr,
    /// nothing on stdout and no Rust panic or backtrace.
    pub(crate) fn fails(&self, code: i32, needles: &[&str]) -> &Self {
        assert_eq!(self.code, code, "exit code: {self:#?}");
        assert!(self.stderr.starts_with("error: "), "{self:#?}");
        for needle in needles {
            assert!(self.stderr.contains(needle), "`{needle}` not in {self:#?}");
        }
        assert_eq!(self.stdout, "", "{self:#?}");
        assert!(!self.stderr.contains("panicked"), "{self:#?}");
        assert!(!self.stderr.contains("RUST_BACKTRACE"), "{self:#?}");
        self
    }

    pub(crate) fn hint(&self, needle: &str) {
        let hint = self
            .stderr
            .lines()
            .find(|l| l.starts_with("hint: "))
            .unwrap_or_else(|| panic!("no hint: {self:#?}"));
        assert!(hint.contains(needle), "`{needle}` not in {hint}");
    }
}

pub(crate) fn call(component: &str, call: &str, extra: &[&str]) -> Out {
    let mut args = vec!["call", component, call];
    args.extend_from_slice(extra);
    tairitsu(args).run()
}

pub(crate) fn lines(text: &str) -> Vec<&str> {
    text.lines().collect()
}

/// A store and a cache of its own, so that the first load compiles.
pub(crate) struct Store {
    pub(crate) dir: tempfile::TempDir,
}

impl Store {
    pub(crate) fn new() -> Self {
        Self {
            dir: tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).unwrap(),
        }
    }

    pub(crate) fn run<S: AsRef<std::ffi::OsStr>>(&self, args: impl IntoIterator<Item = S>) -> Out {
        tairitsu(args)
            .env("TAIRITSU_STORE", self.dir.path().join("store"))
            .env("TAIRITSU_CACHE_DIR", self.dir.path().join("cache"))
            .run()
    }
}
