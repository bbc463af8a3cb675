//! The image store's and the artifact cache's writes, seen from the system calls: every file is
//! synced before it is renamed into place and its directory is synced after, so that a power
//! loss leaves the old or the new content, never a renamed empty file. Needs `strace` (Debian
//! package `strace`).

use std::collections::HashMap;
use std::path::Path;
use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_tairitsu");

#[test]
fn store_and_cache_writes_sync_the_file_before_the_rename_and_the_directory_after() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("root.wasm");
    std::fs::write(&file, tairitsu_fixtures::root()).unwrap();
    let trace = tmp.path().join("trace");
    let status = Command::new("strace")
        .args(["-f", "-qq", "-o"])
        .arg(&trace)
        .args(["-e", "trace=openat,fsync,rename,renameat,renameat2"])
        .arg(BIN)
        .args(["image", "load"])
        .arg(&file)
        .args(["--tag", "root:1.0"])
        .env("TAIRITSU_STORE", tmp.path().join("store"))
        .env("TAIRITSU_CACHE_DIR", tmp.path().join("cache"))
        .status()
        .expect("strace runs (apt-get install strace)");
    assert!(status.success());
    let trace = std::fs::read_to_string(&trace).unwrap();

    // fd → path of the last `openat` that returned it, per process; fds synced since.
    let mut open: HashMap<(String, String), String> = HashMap::new();
    let mut synced: Vec<String> = Vec::new();
    let mut renames = Vec::new();
    // A call another thread interrupted is split over two lines: `… <unfinished ...>`, then
    // `<... NAME resumed>…`.
    let mut pending: HashMap<String, String> = HashMap::new();
    for line in trace.lines() {
        let (pid, call) = line.split_once(' ').unwrap_or(("", line));
        let call = call.trim();
        if let Some(start) = call.strip_suffix("<unfinished ...>") {
            pending.insert(pid.to_string(), start.to_string());
            continue;
        }
        let joined;
        let call = match call.split_once(" resumed>") {
            Some((_, rest)) if call.starts_with("<...") => {
                joined = format!("{}{rest}", pending.remove(pid).unwrap_or_default());
                joined.as_str()
            }
            _ => call,
        };
        let result = call.rsplit_once(" = ").map(|(_, r)| r.trim().to_string());
        if let Some(rest) = call.strip_prefix("openat(") {
            let path = rest.split('"').nth(1).unwrap_or_default().to_string();
            if let Some(fd) = result.filter(|r| !r.starts_with('-')) {
                open.insert((pid.to_string(), fd), path);
            }
        } else if let Some(rest) = call.strip_prefix("fsync(") {
            let fd = rest.split(')').next().unwrap_or_default().to_string();
            if let Some(path) = open.get(&(pid.to_string(), fd)) {
                synced.push(path.clone());
            }
        } else if call.starts_with("rename") {
            let quoted: Vec<&str> = call.split('"').collect();
            let (from, to) = (quoted[1].to_string(), quoted[3].to_string());
            if Path::new(&from)
                .file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with(".tmp-"))
            {
                assert!(
                    synced.contains(&from),
                    "{from} was renamed without an fsync first:\n{trace}"
                );
                renames.push((to, synced.len()));
            }
        }
    }
    // The blob, `refs`, and the compiled artifact in the cache.
    assert!(renames.len() >= 3, "{renames:?}\n{trace}");
    for (to, synced_before) in &renames {
        let dir = Path::new(to)
            .parent()
            .unwrap()
            .to_string_lossy()
            .into_owned();
        assert!(
            synced[*synced_before..].contains(&dir),
            "the directory of {to} was not synced after the rename:\n{trace}"
        );
    }
    assert!(renames.iter().any(|(to, _)| to.ends_with("/refs")));
    assert!(renames.iter().any(|(to, _)| to.ends_with(".cwasm")));
    assert!(renames.iter().any(|(to, _)| to.ends_with(".wasm")));
}
