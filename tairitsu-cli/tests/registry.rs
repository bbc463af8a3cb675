//! `tairitsu image pull|push` and pull-on-use by `call`, against a real registry (the CNCF
//! distribution registry, `docker-registry`, started by each test on 127.0.0.1), and the
//! digest forms of references.
//!
//! Every command runs with its own `TAIRITSU_STORE`, a shared `TAIRITSU_CACHE_DIR` and an
//! empty `DOCKER_CONFIG` under cargo's test temporary directory, never the user's.

use std::io::Write as _;
use std::path::Path;
use std::process::{Command, Stdio};

use tairitsu_fixtures::{RegistryAuth, TestRegistry};

const BIN: &str = env!("CARGO_BIN_EXE_tairitsu");

/// A directory with the fixtures as files and room for stores.
struct Scratch {
    dir: tempfile::TempDir,
}

impl Scratch {
    fn new() -> Scratch {
        let dir = tempfile::tempdir().unwrap();
        for (name, bytes) in [
            ("root", tairitsu_fixtures::root()),
            ("calc", tairitsu_fixtures::calc()),
        ] {
            std::fs::write(dir.path().join(format!("{name}.wasm")), bytes).unwrap();
        }
        std::fs::create_dir(dir.path().join("docker")).unwrap();
        Scratch { dir }
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    /// `tairitsu ARGS` with the store `store` (a directory name under the scratch directory).
    fn run(&self, store: &str, args: &[&str]) -> Out {
        self.run_with(store, args, None, &[])
    }

    fn run_with(
        &self,
        store: &str,
        args: &[&str],
        stdin: Option<&str>,
        env: &[(&str, &Path)],
    ) -> Out {
        let mut cmd = Command::new(BIN);
        cmd.args(args)
            .current_dir(self.path())
            .env(
                "TAIRITSU_CACHE_DIR",
                Path::new(env!("CARGO_TARGET_TMPDIR")).join("tairitsu-registry-cache"),
            )
            .env("TAIRITSU_STORE", self.path().join(store))
            .env("DOCKER_CONFIG", self.path().join("docker"))
            // Pushes record this creation time, so the same bytes give the same manifest.
            .env("SOURCE_DATE_EPOCH", "1764547200")
            .env_remove("RUST_BACKTRACE")
            .stdin(if stdin.is_some() {
                Stdio::piped()
            } else {
                Stdio::null()
            })
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        for (key, value) in env {
            cmd.env(key, value);
        }
        let mut child = cmd.spawn().expect("the tairitsu binary runs");
        if let Some(text) = stdin {
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

#[derive(Debug)]
struct Out {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Out {
    fn ok(&self) -> &str {
        assert_eq!(self.code, 0, "expected success: {self:#?}");
        self.stdout.strip_suffix('\n').unwrap_or(&self.stdout)
    }

    /// A failure with exit code 2, each needle in the error, and `hint` in the hint line
    /// (as with docker, the report's first line may come before the error).
    fn fails(&self, needles: &[&str], hint: &str) {
        assert_eq!(self.code, 2, "exit code: {self:#?}");
        assert!(
            self.stderr.lines().any(|l| l.starts_with("error: ")),
            "{self:#?}"
        );
        for needle in needles {
            assert!(self.stderr.contains(needle), "`{needle}` not in {self:#?}");
        }
        let hint_line = self
            .stderr
            .lines()
            .find(|l| l.starts_with("hint: "))
            .unwrap_or_else(|| panic!("no hint: {self:#?}"));
        assert!(hint_line.contains(hint), "`{hint}` not in {hint_line}");
        assert!(!self.stderr.contains("panicked"), "{self:#?}");
    }
}

fn registry() -> TestRegistry {
    TestRegistry::start()
        .expect("the CNCF distribution registry runs (apt-get install docker-registry)")
}

/// The value after `key` in a `docker push`-like line `… key VALUE …`.
fn word_after<'a>(text: &'a str, key: &str) -> &'a str {
    let at = text
        .find(key)
        .unwrap_or_else(|| panic!("no `{key}` in {text}"))
        + key.len();
    text[at..].split_whitespace().next().unwrap()
}

#[test]
fn push_pull_ls_inspect_and_call_by_reference() {
    let registry = registry();
    let scratch = Scratch::new();
    let host = registry.host();
    let one = format!("{host}/calc:1.0");
    let stable = format!("{host}/calc:stable");

    // A file, then an image of the store, each to its own tag.
    let out = scratch.run("a", &["image", "push", "calc.wasm", &one]);
    let text = out.ok();
    assert!(
        text.starts_with(&format!("The push refers to repository [{host}/calc]")),
        "{text}"
    );
    assert!(text.contains(": Pushed"), "{text}");
    let manifest = word_after(text, "1.0: digest:").to_string();
    assert!(
        manifest.starts_with("sha256:") && manifest.len() == 71,
        "{text}"
    );
    scratch
        .run("a", &["image", "load", "calc.wasm", "--tag", "calc:1.0"])
        .ok();
    let text = scratch
        .run("a", &["image", "push", "calc:1.0", &stable])
        .ok()
        .to_string();
    assert!(text.contains("Layer already exists"), "{text}");
    assert_eq!(
        word_after(&text, "stable: digest:"),
        manifest,
        "same bytes, same manifest? {text}"
    );

    // Both tags into an empty store: one image with two references.
    let text = scratch.run("b", &["image", "pull", &one]).ok().to_string();
    assert!(
        text.starts_with(&format!("1.0: Pulling from {host}/calc")),
        "{text}"
    );
    assert!(text.contains("Pull complete"), "{text}");
    assert!(text.contains(&format!("Digest: {manifest}")), "{text}");
    assert!(text.ends_with(&one), "{text}");
    let text = scratch
        .run("b", &["image", "pull", &stable])
        .ok()
        .to_string();
    assert!(text.contains("Already exists"), "{text}");
    let ls = scratch.run("b", &["image", "ls"]).ok().to_string();
    let rows: Vec<&str> = ls.lines().skip(1).collect();
    assert_eq!(rows.len(), 2, "{ls}");
    assert!(
        rows[0].starts_with(&one) && rows[1].starts_with(&stable),
        "{ls}"
    );
    assert_eq!(
        rows[0].split_whitespace().nth(1),
        rows[1].split_whitespace().nth(1),
        "{ls}"
    );

    // Inspect prints the registry digest to pin, and pulling by it works.
    let inspect = scratch
        .run("b", &["image", "inspect", &one])
        .ok()
        .to_string();
    let pinned = format!("{host}/calc@{manifest}");
    assert!(inspect.contains(&pinned), "{inspect}");
    let text = scratch
        .run("c", &["image", "pull", &pinned])
        .ok()
        .to_string();
    assert!(text.contains("Downloaded newer image"), "{text}");
    assert_eq!(
        scratch
            .run(
                "c",
                &[
                    "call",
                    &pinned,
                    "test:calc/api.add(2, 3)",
                    "--pull",
                    "never"
                ]
            )
            .ok(),
        "5"
    );

    // Called by reference, from the store.
    assert_eq!(
        scratch
            .run("b", &["call", &stable, "test:calc/extra.describe()"])
            .ok(),
        "\"calc extra\""
    );
}

#[test]
fn call_pulls_on_first_use_as_pull_says() {
    let registry = registry();
    let scratch = Scratch::new();
    let reference = format!("{}/root:1.0", registry.host());
    scratch
        .run("a", &["image", "push", "root.wasm", &reference])
        .ok();

    // `never`: not in the store, so it fails and says how to pull.
    scratch
        .run("b", &["call", &reference, "add(1, 2)", "--pull", "never"])
        .fails(&["is not in the store"], "tairitsu image pull");
    // `missing` (the default): pulled once, the result alone on stdout.
    let out = scratch.run("b", &["call", &reference, "add(1, 2)"]);
    assert_eq!(out.ok(), "3");
    assert!(out.stderr.contains("Unable to find image"), "{out:#?}");
    let out = scratch.run("b", &["call", &reference, "add(2, 2)"]);
    assert_eq!(out.ok(), "4");
    assert!(
        !out.stderr.contains("Pulling"),
        "already in the store: {out:#?}"
    );
    // `always`: asks the registry again, and says the image is up to date.
    let out = scratch.run("b", &["call", &reference, "add(3, 3)", "--pull", "always"]);
    assert_eq!(out.ok(), "6");
    assert!(out.stderr.contains("Image is up to date"), "{out:#?}");
    // The registry gone: `always` fails clearly, `missing` uses the store.
    registry.stop();
    scratch
        .run("b", &["call", &reference, "add(1, 1)", "--pull", "always"])
        .fails(
            &["cannot reach the registry", &registry.host()],
            "registry is running",
        );
    assert_eq!(
        scratch.run("b", &["call", &reference, "add(1, 1)"]).ok(),
        "2"
    );
}

#[test]
fn basic_auth_from_stdin_and_from_the_docker_config() {
    let registry = TestRegistry::start_with(RegistryAuth::Basic {
        username: "ada".into(),
        password: "s3cret".into(),
    })
    .expect("the registry runs with htpasswd auth (apt-get install docker-registry apache2-utils)");
    let scratch = Scratch::new();
    let host = registry.host();
    let reference = format!("{host}/private/root:1.0");

    scratch
        .run("a", &["image", "push", "root.wasm", &reference])
        .fails(&["401", "none were given"], "--password-stdin");
    scratch
        .run_with(
            "a",
            &[
                "image",
                "push",
                "root.wasm",
                &reference,
                "--username",
                "ada",
                "--password-stdin",
            ],
            Some("wrong\n"),
            &[],
        )
        .fails(&["401", "not accepted"], "check the user name");
    scratch
        .run_with(
            "a",
            &[
                "image",
                "push",
                "root.wasm",
                &reference,
                "--username",
                "ada",
                "--password-stdin",
            ],
            Some("s3cret\n"),
            &[],
        )
        .ok();
    scratch
        .run("b", &["image", "pull", &reference])
        .fails(&["refused pulling", "private/root"], "auths");

    let config = scratch.path().join("auth-config");
    std::fs::create_dir(&config).unwrap();
    std::fs::write(
        config.join("config.json"),
        format!(r#"{{"auths": {{"{host}": {{"auth": "YWRhOnMzY3JldA=="}}}}}}"#),
    )
    .unwrap();
    let out = scratch.run_with(
        "b",
        &["call", &reference, "greet(\"Ada\")"],
        None,
        &[("DOCKER_CONFIG", &config)],
    );
    assert_eq!(out.ok(), "\"Hello, Ada!\"");
}

#[test]
fn registry_errors_say_what_happened() {
    let registry = registry();
    let scratch = Scratch::new();
    let host = registry.host();
    scratch
        .run("a", &["image", "pull", &format!("{host}/nothing:2.0")])
        .fails(
            &["`nothing:2.0` was not found", &host],
            "repository and the tag",
        );
    scratch
        .run(
            "a",
            &[
                "image",
                "push",
                "root.wasm",
                &format!("{host}/x@sha256:{}", "a".repeat(64)),
            ],
        )
        .fails(&["not to a digest"], "reference");
    let out = scratch.run(
        "a",
        &[
            "image",
            "push",
            "root.wasm",
            &format!("{host}/insecure:1"),
            "--insecure",
        ],
    );
    out.ok();
    assert!(
        out.stderr.contains("--insecure: using plain HTTP"),
        "{out:#?}"
    );
    // Nothing listens there.
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    scratch
        .run("a", &["image", "pull", &format!("{closed}/x:1")])
        .fails(&["cannot reach the registry"], "registry is running");
}

/// The issue's case: `image load other.wasm -t sha256:<digest of good.wasm>` must not make
/// `call sha256:<digest of good.wasm>` run `other.wasm`.
#[test]
fn a_digest_cannot_be_spoofed_by_a_tag_or_a_file() {
    let scratch = Scratch::new();
    let good = scratch
        .run("s", &["image", "load", "root.wasm", "--tag", "good"])
        .ok()
        .to_string();
    let digest = word_after(&good, "good:latest").to_string();
    assert!(digest.starts_with("sha256:"), "{good}");

    scratch
        .run("s", &["image", "load", "calc.wasm", "-t", &digest])
        .fails(&["invalid image reference", "digest"], "reference");
    scratch
        .run("s", &["image", "load", "calc.wasm", "-t", &digest[7..]])
        .fails(&["64 hex digits"], "reference");
    // A file named like the digest does not answer for it either.
    std::fs::copy(
        scratch.path().join("calc.wasm"),
        scratch.path().join(&digest),
    )
    .unwrap();
    assert_eq!(scratch.run("s", &["call", &digest, "add(1, 2)"]).ok(), "3");
    assert_eq!(
        scratch.run("s", &["call", &digest, "version()"]).ok(),
        "\"1.0.0\""
    );
    let ls = scratch.run("s", &["image", "ls", "-q"]).ok().to_string();
    assert_eq!(ls.lines().collect::<Vec<_>>(), [digest.as_str()]);
}

#[test]
fn a_token_registry_asks_for_a_log_in_and_takes_the_credentials() {
    let registry = TestRegistry::start_with(RegistryAuth::Token {
        username: "ada".into(),
        password: "s3cret".into(),
    })
    .expect("the registry runs with token auth (apt-get install docker-registry openssl)");
    let scratch = Scratch::new();
    let reference = format!("{}/team/root:1.0", registry.host());
    let with_password = |store: &str, args: &[&str], password: &str| {
        let mut all = args.to_vec();
        all.extend(["--username", "ada", "--password-stdin"]);
        scratch.run_with(store, &all, Some(password), &[])
    };

    scratch
        .run("a", &["image", "push", "root.wasm", &reference])
        .fails(&["401", "none were given", "team/root"], "log in");
    with_password("a", &["image", "push", "root.wasm", &reference], "wrong\n")
        .fails(&["401", "not accepted"], "check the user name");
    let out = with_password("a", &["image", "push", "root.wasm", &reference], "s3cret\n");
    assert!(out.ok().contains("1.0: digest: sha256:"), "{out:#?}");

    scratch
        .run("b", &["image", "pull", &reference])
        .fails(&["refused pulling", "none were given"], "log in");
    assert_eq!(scratch.run("b", &["image", "ls", "-q"]).ok(), "");
    let out = with_password("b", &["call", &reference, "add(40, 2)"], "s3cret\n");
    assert_eq!(out.ok(), "42");
    // Every token the registry accepted came from the token server, for ada.
    assert!(
        registry
            .token_requests()
            .iter()
            .any(|r| r.user.as_deref() == Some("ada") && r.status == 200),
        "{:?}",
        registry.token_requests()
    );
}

#[test]
fn a_certificate_this_machine_does_not_trust_is_a_tls_error_until_trusted() {
    let registry = TestRegistry::start_tls(RegistryAuth::Anonymous)
        .expect("the registry runs over TLS (apt-get install docker-registry openssl)");
    let scratch = Scratch::new();
    let reference = format!("{}/secure/root:1.0", registry.host());
    let certificate = registry.tls_certificate().unwrap().to_str().unwrap();

    scratch
        .run("a", &["image", "push", "root.wasm", &reference, "--tls"])
        .fails(&["TLS with the registry", &registry.host()], "--ca-file");
    scratch
        .run("a", &["image", "pull", &reference, "--tls"])
        .fails(&["TLS with the registry", "certificate"], "--ca-file");
    assert_eq!(scratch.run("a", &["image", "ls", "-q"]).ok(), "");

    scratch
        .run(
            "a",
            &[
                "image",
                "push",
                "root.wasm",
                &reference,
                "--tls",
                "--ca-file",
                certificate,
            ],
        )
        .ok();
    let out = scratch.run(
        "b",
        &[
            "call",
            &reference,
            "add(1, 2)",
            "--tls",
            "--ca-file",
            certificate,
        ],
    );
    assert_eq!(out.ok(), "3");

    // SSL_CERT_FILE, as for OpenSSL, replaces the system's roots.
    let out = scratch.run_with(
        "c",
        &["image", "pull", &reference, "--tls"],
        None,
        &[("SSL_CERT_FILE", Path::new(certificate))],
    );
    assert!(out.ok().contains("Downloaded newer image"), "{out:#?}");

    // Without --tls a registry on this machine is spoken to in plain HTTP, which an
    // HTTPS-only one refuses.
    scratch
        .run("d", &["image", "pull", &reference])
        .fails(&["answered unexpectedly", &registry.host()], "--tls");
    assert_eq!(scratch.run("d", &["image", "ls", "-q"]).ok(), "");
}
