//! Durations and sizes as people write them: `500ms`, `2s`, `1.5m`, `64MiB`, `512k`.

use std::time::Duration;

/// A deadline given on the command line: a duration, or none at all.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Timeout {
    /// Interrupt a call that runs longer.
    After(Duration),
    /// Never interrupt.
    Never,
}

impl Timeout {
    /// The deadline for [`tairitsu_runtime::Limits::deadline`].
    pub fn deadline(self) -> Option<Duration> {
        match self {
            Timeout::After(d) => Some(d),
            Timeout::Never => None,
        }
    }
}

/// Reads `500ms`, `2s`, `1.5s`, `1m`, `1h`, `250us`, or `none` for no deadline.
pub fn parse_timeout(text: &str) -> Result<Timeout, String> {
    let text = text.trim();
    if matches!(text, "none" | "never" | "off") {
        return Ok(Timeout::Never);
    }
    let (number, unit) = split_number(text)?;
    let seconds_per_unit = match unit {
        "ns" => 1e-9,
        "us" | "µs" => 1e-6,
        "ms" => 1e-3,
        "s" | "sec" | "secs" => 1.0,
        "m" | "min" | "mins" => 60.0,
        "h" => 3600.0,
        "" => {
            return Err(format!(
                "`{text}` has no unit: write for example `{text}ms` or `{text}s`"
            ));
        }
        other => {
            return Err(format!(
                "`{other}` is not a unit of time: use ns, us, ms, s, m or h (or `none`)"
            ));
        }
    };
    let seconds = number * seconds_per_unit;
    if seconds == 0.0 {
        return Err("a timeout of zero would stop every call; write `none` for no deadline".into());
    }
    Duration::try_from_secs_f64(seconds)
        .map(Timeout::After)
        .map_err(|_| format!("`{text}` is too long"))
}

/// Reads `64MiB`, `1GiB`, `512KiB`, `64M` (= MiB), `100MB` (= 10^8 bytes), `65536`.
pub fn parse_size(text: &str) -> Result<usize, String> {
    let text = text.trim();
    let (number, unit) = split_number(text)?;
    let multiplier: f64 = match unit.to_ascii_lowercase().as_str() {
        "" | "b" => 1.0,
        "k" | "kib" => 1024.0,
        "m" | "mib" => 1024.0 * 1024.0,
        "g" | "gib" => 1024.0 * 1024.0 * 1024.0,
        "kb" => 1e3,
        "mb" => 1e6,
        "gb" => 1e9,
        _ => {
            return Err(format!(
                "`{unit}` is not a unit of size: use KiB, MiB, GiB (or KB, MB, GB)"
            ));
        }
    };
    let bytes = (number * multiplier).round();
    if bytes < 1.0 {
        return Err("a size of zero leaves no room for any memory".into());
    }
    if bytes > usize::MAX as f64 {
        return Err(format!("`{text}` is too large"));
    }
    Ok(bytes as usize)
}

/// Splits `1.5GiB` into `1.5` and `GiB`.
fn split_number(text: &str) -> Result<(f64, &str), String> {
    let end = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '_'))
        .unwrap_or(text.len());
    let (digits, unit) = text.split_at(end);
    let digits = digits.replace('_', "");
    if digits.is_empty() {
        return Err(format!("`{text}` does not start with a number"));
    }
    let number: f64 = digits
        .parse()
        .map_err(|_| format!("`{text}` does not start with a number"))?;
    Ok((number, unit.trim()))
}

/// `23.4 KiB`, `1.0 MiB`, `512 B`.
pub fn format_size(bytes: u64) -> String {
    const UNITS: [&str; 4] = ["KiB", "MiB", "GiB", "TiB"];
    if bytes < 1024 {
        return format!("{bytes} B");
    }
    let mut value = bytes as f64 / 1024.0;
    let mut unit = 0;
    while value >= 1024.0 && unit + 1 < UNITS.len() {
        value /= 1024.0;
        unit += 1;
    }
    format!("{value:.1} {}", UNITS[unit])
}

/// `1.25 s`, `340 ms`.
pub fn format_duration(d: Duration) -> String {
    if d >= Duration::from_secs(1) {
        format!("{:.2} s", d.as_secs_f64())
    } else {
        format!("{} ms", d.as_millis())
    }
}

/// `just now`, `5 minutes ago`, `3 days ago`.
pub fn format_age(age: Duration) -> String {
    let secs = age.as_secs();
    let (n, unit) = match secs {
        0..60 => return "just now".into(),
        60..3600 => (secs / 60, "minute"),
        3600..86_400 => (secs / 3600, "hour"),
        86_400..2_592_000 => (secs / 86_400, "day"),
        2_592_000..31_536_000 => (secs / 2_592_000, "month"),
        _ => (secs / 31_536_000, "year"),
    };
    format!("{n} {unit}{} ago", if n == 1 { "" } else { "s" })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timeouts() {
        let ok = |t: &str| parse_timeout(t).unwrap();
        assert_eq!(ok("500ms"), Timeout::After(Duration::from_millis(500)));
        assert_eq!(ok("2s"), Timeout::After(Duration::from_secs(2)));
        assert_eq!(ok("1.5s"), Timeout::After(Duration::from_millis(1500)));
        assert_eq!(ok("1m"), Timeout::After(Duration::from_secs(60)));
        assert_eq!(ok("2h"), Timeout::After(Duration::from_secs(7200)));
        assert_eq!(ok("250us"), Timeout::After(Duration::from_micros(250)));
        assert_eq!(ok(" 10 ms "), Timeout::After(Duration::from_millis(10)));
        assert_eq!(ok("none"), Timeout::Never);
        assert_eq!(ok("none").deadline(), None);
        let err = |t: &str| parse_timeout(t).unwrap_err();
        assert!(err("500").contains("no unit"), "{}", err("500"));
        assert!(err("5 parsecs").contains("not a unit of time"));
        assert!(err("ms").contains("number"));
        assert!(err("0s").contains("none"));
        assert!(err("1e3s").contains("not a unit of time"));
    }

    #[test]
    fn sizes() {
        let ok = |t: &str| parse_size(t).unwrap();
        assert_eq!(ok("64MiB"), 64 << 20);
        assert_eq!(ok("64mib"), 64 << 20);
        assert_eq!(ok("64M"), 64 << 20);
        assert_eq!(ok("1GiB"), 1 << 30);
        assert_eq!(ok("512KiB"), 512 << 10);
        assert_eq!(ok("1.5 KiB"), 1536);
        assert_eq!(ok("100MB"), 100_000_000);
        assert_eq!(ok("65536"), 65536);
        assert_eq!(ok("1_000B"), 1000);
        let err = |t: &str| parse_size(t).unwrap_err();
        assert!(err("64 furlongs").contains("not a unit of size"));
        assert!(err("MiB").contains("number"));
        assert!(err("0").contains("zero"));
    }

    #[test]
    fn formats() {
        assert_eq!(format_size(512), "512 B");
        assert_eq!(format_size(1536), "1.5 KiB");
        assert_eq!(format_size(64 << 20), "64.0 MiB");
        assert_eq!(format_duration(Duration::from_millis(340)), "340 ms");
        assert_eq!(format_duration(Duration::from_millis(1250)), "1.25 s");
        assert_eq!(format_age(Duration::from_secs(5)), "just now");
        assert_eq!(format_age(Duration::from_secs(60)), "1 minute ago");
        assert_eq!(format_age(Duration::from_secs(7200)), "2 hours ago");
        assert_eq!(format_age(Duration::from_secs(86_400 * 3)), "3 days ago");
    }
}
