//! A text-analytics plugin written in Rust: the guest of `wit-compile-time` and
//! `wit-dynamic-advanced`.

wit_bindgen::generate!({
    path: "../../../wit/analytics",
    world: "analytics",
});

use exports::tairitsu::analytics::analyzer::{Features, Guest, Mood, Problem, Report};
use tairitsu::analytics::storage;

/// The longest text the plugin analyses, in bytes.
const MAX_LEN: u32 = 10_000;
const COUNTER: &str = "analyzed";

const POSITIVE: &[&str] = &["good", "great", "love", "happy", "nice", "excellent"];
const NEGATIVE: &[&str] = &["bad", "awful", "hate", "sad", "terrible", "poor"];

struct Plugin;

fn words(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| !c.is_alphanumeric() && c != '\'')
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
}

impl Guest for Plugin {
    fn analyze(text: String) -> Result<Report, Problem> {
        if text.len() > MAX_LEN as usize {
            return Err(Problem::TooLong(MAX_LEN));
        }
        let all: Vec<String> = words(&text).collect();
        if all.is_empty() {
            return Err(Problem::Empty);
        }
        let score: i32 = all
            .iter()
            .map(|w| {
                i32::from(POSITIVE.contains(&w.as_str()))
                    - i32::from(NEGATIVE.contains(&w.as_str()))
            })
            .sum();
        let mut features = Features::empty();
        if text.chars().any(|c| c.is_ascii_digit()) {
            features = features | Features::HAS_NUMBERS;
        }
        if text.contains('?') {
            features = features | Features::HAS_QUESTIONS;
        }
        if text.contains('!') {
            features = features | Features::HAS_EXCLAMATIONS;
        }
        let count = storage::get(COUNTER)
            .and_then(|n| n.parse::<u32>().ok())
            .unwrap_or(0);
        storage::set(COUNTER, &(count + 1).to_string());
        Ok(Report {
            words: all.len() as u32,
            sentences: text
                .split(['.', '!', '?'])
                .filter(|s| !s.trim().is_empty())
                .count() as u32,
            longest_word: all.iter().max_by_key(|w| w.chars().count()).cloned(),
            mood: match score {
                s if s > 0 => Mood::Positive,
                0 => Mood::Neutral,
                _ => Mood::Negative,
            },
            features,
        })
    }

    fn top_words(text: String, n: u32) -> Vec<(String, u32)> {
        let mut counts: Vec<(String, u32)> = Vec::new();
        for word in words(&text) {
            match counts.iter_mut().find(|(w, _)| *w == word) {
                Some((_, c)) => *c += 1,
                None => counts.push((word, 1)),
            }
        }
        // Most frequent first; ties in the order the words first appear.
        counts.sort_by(|a, b| b.1.cmp(&a.1));
        counts.truncate(n as usize);
        counts
    }

    fn analyzed() -> u32 {
        storage::get(COUNTER)
            .and_then(|n| n.parse().ok())
            .unwrap_or(0)
    }
}

export!(Plugin);
