//! The harness of the paired benches (`paired_dynamic.rs` here, `tairitsu-build/e2e`'s
//! `paired.rs`): a path and its anchor measured as alternating batches.
//!
//! Criterion measures one function for seconds, then the next. On the shared virtual machine
//! these benches run on, the speed of the whole machine drifts by 20-40% over seconds, so two
//! functions measured one after the other can differ by that much with the same code (the same
//! typed call through `bindgen!` measured 288 ns and 341 ns in two runs a minute apart). Here
//! each pair is measured as alternating batches (`BATCH` calls of one path, then `BATCH` of its
//! anchor, in alternating order), so both sides of each ratio see the same machine; the ratio
//! printed is the median over adjacent batch pairs (as many as fit in 4 s), with its quartiles.
//!
//! Arguments: `--bench` (given by `cargo bench`; without it, a smoke run of 5 pairs, as
//! `cargo test --benches` does), filters (keep the ratios whose label contains one), and
//! `--side=path` / `--side=anchor` to run one side only, for a profiler: with
//! `valgrind --tool=callgrind --toggle-collect='*run_side*'` the count is the instructions of
//! 2,000 calls, free of the setup, which no machine noise moves (`BENCHMARKS.md`).

use std::time::{Duration, Instant};

/// Calls per batch: long enough (tens of µs) that the clock read is noise, short enough that
/// the machine does not drift within a pair.
pub const BATCH: u32 = 200;

/// The fewest pairs a ratio is given, however slow its calls.
const MIN_PAIRS: usize = 50;

/// How a measured side runs `n` calls: it returns the time they took.
pub type Side<'a> = Box<dyn FnMut(u32) -> Duration + 'a>;

/// One ratio: a path and its anchor.
pub struct Pair<'a> {
    pub label: &'static str,
    /// The figure before the redesign (BENCHMARKS.md, 2026-11-24), or the goal, for the table.
    pub before: &'static str,
    pub path: Side<'a>,
    pub anchor: Side<'a>,
}

/// Times `n` calls of `f`.
pub fn timed(n: u32, mut f: impl FnMut()) -> Duration {
    let start = Instant::now();
    for _ in 0..n {
        f();
    }
    start.elapsed()
}

fn quantile(sorted: &[f64], q: f64) -> f64 {
    let at = (q * (sorted.len() - 1) as f64).round() as usize;
    sorted[at]
}

/// Runs `batches` batches of one side. Never inlined, so that callgrind's `--toggle-collect`
/// can count it alone.
#[inline(never)]
fn run_side(run: &mut Side<'_>, batches: usize) {
    for _ in 0..batches {
        run(BATCH);
    }
}

/// Measures `pairs` as the command line asks and prints a Markdown table.
pub fn run(pairs: &mut [Pair<'_>]) {
    let full = std::env::args().any(|a| a == "--bench");
    let side = std::env::args().find_map(|a| a.strip_prefix("--side=").map(str::to_owned));
    let filters: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    // Pairs per ratio: as many as fit in `budget` (at least `MIN_PAIRS`), at most `max_pairs`.
    let (budget, max_pairs) = if full {
        (Duration::from_secs(4), 2_000)
    } else {
        (Duration::ZERO, 5)
    };
    println!(
        "| ratio | before | median over pairs of {BATCH}-call batches | quartiles | pairs | \
         path, anchor (median ns a call) |"
    );
    println!("| --- | --- | --- | --- | --- | --- |");
    for pair in pairs.iter_mut() {
        if !filters.is_empty() && !filters.iter().any(|f| pair.label.contains(f.as_str())) {
            continue;
        }
        if let Some(side) = &side {
            let run = if side == "anchor" {
                &mut pair.anchor
            } else {
                &mut pair.path
            };
            run_side(run, 2 * max_pairs);
            println!("| {} | ran the {side} side only | | | |", pair.label);
            continue;
        }
        // Warm both sides up.
        (pair.path)(BATCH);
        (pair.anchor)(BATCH);
        let mut ratios = Vec::with_capacity(max_pairs);
        // The times themselves, to tell a slower path from a faster anchor across binaries.
        let mut times = (Vec::with_capacity(max_pairs), Vec::with_capacity(max_pairs));
        let start = Instant::now();
        for i in 0..max_pairs {
            if i >= MIN_PAIRS.min(max_pairs) && start.elapsed() > budget {
                break;
            }
            // Alternate which side goes first, so neither always runs on a warmer cache.
            let (p, a) = if i % 2 == 0 {
                let p = (pair.path)(BATCH);
                (p, (pair.anchor)(BATCH))
            } else {
                let a = (pair.anchor)(BATCH);
                ((pair.path)(BATCH), a)
            };
            ratios.push(p.as_secs_f64() / a.as_secs_f64());
            times.0.push(p.as_secs_f64() * 1e9 / f64::from(BATCH));
            times.1.push(a.as_secs_f64() * 1e9 / f64::from(BATCH));
        }
        ratios.sort_by(f64::total_cmp);
        times.0.sort_by(f64::total_cmp);
        times.1.sort_by(f64::total_cmp);
        println!(
            "| {} | {} | {:.2} | {:.2}-{:.2} | {} | {:.0}, {:.0} |",
            pair.label,
            pair.before,
            quantile(&ratios, 0.5),
            quantile(&ratios, 0.25),
            quantile(&ratios, 0.75),
            ratios.len(),
            quantile(&times.0, 0.5),
            quantile(&times.1, 0.5),
        );
    }
}
