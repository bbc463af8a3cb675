//! Durations and sizes as people write them: `500ms`, `2s`, `2m 30s`, `64MiB`, `512k`, read
//! by `humantime` and `bytesize`, with the CLI's own messages.

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

/// Reads what `humantime` reads (`500ms`, `2s`, `1.5s`, `2m 30s`, `1h`, `250us`), or `none`
/// for no deadline. A bare number is refused: `500` could be seconds or milliseconds.
pub fn parse_timeout(text: &str) -> Result<Timeout, String> {
    let text = text.trim();
    if matches!(text, "none" | "never" | "off") {
        return Ok(Timeout::Never);
    }
    if !text.starts_with(|c: char| c.is_ascii_digit()) {
        return Err(format!("`{text}` does not start with a number"));
    }
    if text.parse::<f64>().is_ok() {
        return Err(format!(
            "`{text}` has no unit: write for example `{text}ms` or `{text}s`"
        ));
    }
    let duration = humantime::parse_duration(text).map_err(|e| match e {
        humantime::DurationError::UnknownUnit { unit, .. } => {
            format!("`{unit}` is not a unit of time: use ns, us, ms, s, m or h (or `none`)")
        }
        humantime::DurationError::NumberOverflow => format!("`{text}` is too long"),
        other => format!("`{text}` is not a duration: {other}"),
    })?;
    if duration.is_zero() {
        return Err("a timeout of zero would stop every call; write `none` for no deadline".into());
    }
    Ok(Timeout::After(duration))
}

/// Reads sizes as `bytesize` does (`64MiB`, `1GiB`, `512KiB`, `100MB` = 10^8 bytes, `65536`),
/// except that a one-letter unit is binary, as Docker's `--memory 64m` is: `64M` = 64 MiB.
pub fn parse_size(text: &str) -> Result<usize, String> {
    let text = text.trim().replace('_', "");
    if !text.starts_with(|c: char| c.is_ascii_digit() || c == '.') {
        return Err(format!("`{text}` does not start with a number"));
    }
    let unit_at = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(unit_at);
    let unit = unit.trim();
    let unit = match unit.to_ascii_lowercase().as_str() {
        "k" => "KiB",
        "m" => "MiB",
        "g" => "GiB",
        _ => unit,
    };
    let size: bytesize::ByteSize = format!("{number} {unit}").trim_end().parse().map_err(|_| {
        format!("`{unit}` is not a unit of size: use KiB, MiB, GiB (or KB, MB, GB)")
    })?;
    if size.as_u64() == 0 {
        return Err("a size of zero leaves no room for any memory".into());
    }
    usize::try_from(size.as_u64()).map_err(|_| format!("`{text}` is too large"))
}

/// `23.4 KiB`, `1.0 MiB`, `512 B`.
pub fn format_size(bytes: u64) -> String {
    bytesize::ByteSize::b(bytes).display().iec().to_string()
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
        assert_eq!(ok(" 10ms "), Timeout::After(Duration::from_millis(10)));
        assert_eq!(ok("2m 30s"), Timeout::After(Duration::from_secs(150)));
        assert_eq!(ok("none"), Timeout::Never);
        assert_eq!(ok("none").deadline(), None);
        let err = |t: &str| parse_timeout(t).unwrap_err();
        assert!(err("500").contains("no unit"), "{}", err("500"));
        assert!(err("5 parsecs").contains("not a unit of time"));
        assert!(err("ms").contains("number"));
        assert!(err("0s").contains("none"));
        assert!(
            err("1e3s").contains("not a unit of time"),
            "{}",
            err("1e3s")
        );
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
