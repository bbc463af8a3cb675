//! Hot reload: a host keeps calling a plugin while new versions of it take over.
//!
//! ```text
//! cargo run -p wit-hot-reload
//! ```
//!
//! Two containers run the tag `plugin:live`, and a thread calls them without a pause. Then:
//!
//! 1. version 2 is rolled out (`update_image` + `rollout`), checked by a health call, with the
//!    plugin's counter handed over (`save` on the old instance, `load` on the new);
//! 2. the plugin's file is watched (`Registry::watch`): writing version 3 there is enough;
//! 3. a half-written file is rejected, and version 3 keeps answering;
//! 4. a version that fails its health check is rolled back automatically.
//!
//! The calling thread prints which version answered each time that changes, and at the end
//! how many calls each version answered: none fails.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use anyhow::{Context as _, Result, bail};
use tairitsu::{Image, Registry, RegistryEvent, RolloutPolicy};

const TAG: &str = "plugin:live";

fn main() -> Result<()> {
    let registry = Arc::new(Registry::new()?);
    let (events, event) = mpsc::channel();
    registry.on_event(move |e| {
        let _ = events.send(e.clone());
    });

    let dir = std::env::temp_dir().join(format!("wit-hot-reload-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let file = dir.join("plugin.wasm");
    replace(&file, &tairitsu_fixtures::plugin(1))?;
    registry.load_image_file(TAG, &file)?;
    let containers = [
        ("left", registry.run(TAG, Some("left"), Ok)?),
        ("right", registry.run(TAG, Some("right"), Ok)?),
    ];
    println!("start  2 containers of {TAG} on version 1");

    // The host's work: call both containers in turn, without a pause, until told to stop.
    let stop = Arc::new(AtomicBool::new(false));
    let (answered, answer) = mpsc::channel::<u32>();
    let caller = {
        let stop = stop.clone();
        std::thread::spawn(move || -> Result<BTreeMap<u32, u64>> {
            let mut calls = BTreeMap::new();
            let mut last = [0; 2];
            while !stop.load(Ordering::Relaxed) {
                for ((name, container), last) in containers.iter().zip(&mut last) {
                    let text = container.lock().call_ron("version()")?;
                    let version: u32 = text.parse()?;
                    *calls.entry(version).or_insert(0) += 1;
                    if version != *last {
                        println!("answer version {version} from {name}");
                        *last = version;
                        let _ = answered.send(version);
                    }
                    container.lock().call_ron("bump()")?;
                }
            }
            Ok(calls)
        })
    };
    wait_for(&answer, 1)?;

    // 1. A rollout: checked by a health call, the counter handed from `save` to `load`.
    let policy = RolloutPolicy::new()
        .with_health_call("healthy()", "true")
        .with_state_handoff("save", "load");
    let v2 = Image::from_bytes_with(registry.engine(), tairitsu_fixtures::plugin(2))?;
    registry.update_image(TAG, v2)?;
    let rollout = registry.rollout(TAG, &policy)?;
    println!(
        "rollout version 2 to {} containers, healthy, their counters handed over",
        rollout.upgraded.len()
    );
    wait_for(&answer, 2)?;

    // 2. Watching the file: a new version is written there, the registry does the rest.
    let watch = registry.watch_with(&file, TAG, policy.clone())?;
    let written = Instant::now();
    replace(&file, &tairitsu_fixtures::plugin(3))?;
    wait_for(&answer, 3)?;
    println!(
        "watch  version 3 answered {} ms after the file was written",
        written.elapsed().as_millis()
    );
    expect(&event, "the file was loaded", |e| {
        matches!(e, RegistryEvent::FileLoaded { .. })
    })?;

    // 3. A half-written file: rejected, version 3 keeps answering.
    let mut half = tairitsu_fixtures::plugin(4);
    half.truncate(half.len() / 2);
    replace(&file, &half)?;
    let why = expect(&event, "the file was rejected", |e| {
        matches!(e, RegistryEvent::FileRejected { .. })
    })?;
    if let RegistryEvent::FileRejected { error, .. } = why {
        println!("reject half a file: {error}");
    }
    drop(watch);

    // 4. A version that fails its health check: rolled back, version 3 keeps answering.
    let sick = Image::from_bytes_with(registry.engine(), tairitsu_fixtures::plugin_unhealthy(5))?;
    registry.update_image(TAG, sick)?;
    match registry.rollout(TAG, &policy) {
        Err(error) => println!("refuse version 5: {error}"),
        Ok(_) => bail!("version 5 fails its health check, yet it was rolled out"),
    }
    let serving = registry.container("right")?.lock().call_ron("version()")?;
    println!("serve  version {serving} after the rollback");

    stop.store(true, Ordering::Relaxed);
    let calls = caller
        .join()
        .map_err(|_| anyhow::anyhow!("the calling thread panicked"))??;
    for (version, count) in &calls {
        println!("calls  version {version}: {count}");
    }
    println!("calls  failed: 0");
    std::fs::remove_dir_all(&dir)?;
    Ok(())
}

/// Replaces `path` as build tools do: written aside, then renamed over it.
fn replace(path: &Path, bytes: &[u8]) -> Result<()> {
    let aside = path.with_extension("partial");
    std::fs::write(&aside, bytes)?;
    std::fs::rename(&aside, path)?;
    Ok(())
}

/// Waits until the calling thread has seen `version` answer.
fn wait_for(answers: &mpsc::Receiver<u32>, version: u32) -> Result<()> {
    let until = Instant::now() + Duration::from_secs(10);
    while let Some(left) = until.checked_duration_since(Instant::now()) {
        if answers
            .recv_timeout(left)
            .context("the calling thread stopped")?
            == version
        {
            return Ok(());
        }
    }
    bail!("version {version} did not answer within 10 s")
}

/// Waits for the first event that `wanted` accepts.
fn expect(
    events: &mpsc::Receiver<RegistryEvent>,
    what: &str,
    wanted: impl Fn(&RegistryEvent) -> bool,
) -> Result<RegistryEvent> {
    let until = Instant::now() + Duration::from_secs(10);
    while let Some(left) = until.checked_duration_since(Instant::now()) {
        match events.recv_timeout(left) {
            Ok(e) if wanted(&e) => return Ok(e),
            Ok(_) => {}
            Err(_) => break,
        }
    }
    bail!("no event saying {what} within 10 s")
}
