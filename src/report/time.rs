//! Message times as the reports read them: ISO 8601, `YYYY-MM-DD HH:MM[:SS]`, `YYYY/MM/DD`
//! (with or without a time) and epoch seconds or milliseconds, kept as the wall-clock time of
//! the sender's zone.

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime};

/// A parsed message time: the wall-clock time as written, and its offset when the input gave
/// one (epoch times are read in China time, +08:00, as the SMS-backup reader does).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stamp {
    /// The wall-clock time as written.
    pub local: NaiveDateTime,
    /// The UTC offset, when known.
    pub offset: Option<FixedOffset>,
}

impl Stamp {
    /// `YYYY-MM-DDTHH:MM:SS`, followed by the offset when known (`+08:00`).
    pub fn to_iso(&self) -> String {
        let base = self.local.format("%Y-%m-%dT%H:%M:%S").to_string();
        match self.offset {
            Some(o) => format!("{base}{o}"),
            None => base,
        }
    }

    /// `YYYY-MM-DD HH:MM`, for people.
    pub fn to_display(&self) -> String {
        self.local.format("%Y-%m-%d %H:%M").to_string()
    }

    /// The calendar date of the wall-clock time.
    pub fn date(&self) -> NaiveDate {
        self.local.date()
    }

    /// `YYYY-MM`.
    pub fn month(&self) -> String {
        month_key(self.local.year(), self.local.month())
    }
}

/// `YYYY-MM` for a year and a month.
pub fn month_key(year: i32, month: u32) -> String {
    format!("{year:04}-{month:02}")
}

/// Years outside this range are taken for a misread field, not a time.
const YEARS: std::ops::RangeInclusive<i32> = 1990..=2100;

fn china() -> Option<FixedOffset> {
    FixedOffset::east_opt(8 * 3600)
}

/// Parses a message time; `None` when the field is empty or not a time this module knows.
pub fn parse(field: &str) -> Option<Stamp> {
    let s = field.trim();
    if s.is_empty() {
        return None;
    }
    let stamp = if s.bytes().all(|b| b.is_ascii_digit()) { parse_epoch(s)? } else { parse_text(s)? };
    YEARS.contains(&stamp.local.year()).then_some(stamp)
}

/// Ten digits are epoch seconds, twelve or thirteen epoch milliseconds.
fn parse_epoch(s: &str) -> Option<Stamp> {
    let n: i64 = s.parse().ok()?;
    let utc = match s.len() {
        10 => DateTime::from_timestamp(n, 0)?,
        12 | 13 => DateTime::from_timestamp_millis(n)?,
        _ => return None,
    };
    let tz = china()?;
    Some(Stamp { local: utc.with_timezone(&tz).naive_local(), offset: Some(tz) })
}

fn parse_text(s: &str) -> Option<Stamp> {
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Some(Stamp { local: t.naive_local(), offset: Some(*t.offset()) });
    }
    // ISO 8601 without seconds but with an offset: 2024-03-10T12:00+08:00
    for f in ["%Y-%m-%dT%H:%M%:z", "%Y-%m-%d %H:%M%:z", "%Y-%m-%d %H:%M:%S%:z", "%Y-%m-%dT%H:%M:%S%.f%:z"] {
        if let Ok(t) = DateTime::parse_from_str(s, f) {
            return Some(Stamp { local: t.naive_local(), offset: Some(*t.offset()) });
        }
    }
    let s = s.strip_suffix('Z').unwrap_or(s);
    for f in [
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%d %H:%M",
        "%Y/%m/%d %H:%M:%S",
        "%Y/%m/%d %H:%M",
    ] {
        if let Ok(t) = NaiveDateTime::parse_from_str(s, f) {
            return Some(Stamp { local: t, offset: None });
        }
    }
    for f in ["%Y-%m-%d", "%Y/%m/%d", "%Y年%m月%d日"] {
        if let Ok(d) = NaiveDate::parse_from_str(s, f) {
            return Some(Stamp { local: d.and_time(NaiveTime::MIN), offset: None });
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn iso(s: &str) -> Option<String> {
        parse(s).map(|t| t.to_iso())
    }

    #[test]
    fn the_documented_forms_parse() {
        assert_eq!(iso("2024-03-10T12:00:00+08:00").as_deref(), Some("2024-03-10T12:00:00+08:00"));
        assert_eq!(iso("2024-03-10T04:00:00Z").as_deref(), Some("2024-03-10T04:00:00+00:00"));
        assert_eq!(iso("2024-03-10T12:00+08:00").as_deref(), Some("2024-03-10T12:00:00+08:00"));
        assert_eq!(iso("2026-03-09 21:03").as_deref(), Some("2026-03-09T21:03:00"));
        assert_eq!(iso("2026-03-09 21:03:07").as_deref(), Some("2026-03-09T21:03:07"));
        assert_eq!(iso("2026/03/09").as_deref(), Some("2026-03-09T00:00:00"));
        assert_eq!(iso("2026/3/9 8:05").as_deref(), Some("2026-03-09T08:05:00"));
        assert_eq!(iso("2024-03-10").as_deref(), Some("2024-03-10T00:00:00"));
        // epoch milliseconds and seconds read in China time, like the SMS-backup reader
        assert_eq!(iso("1710043200000").as_deref(), Some("2024-03-10T12:00:00+08:00"));
        assert_eq!(iso("1710043200").as_deref(), Some("2024-03-10T12:00:00+08:00"));
    }

    #[test]
    fn non_times_do_not_parse() {
        for s in ["", "  ", "yesterday", "42", "13811112222", "1850-01-01", "2024-13-01"] {
            assert_eq!(parse(s), None, "{s:?}");
        }
    }

    #[test]
    fn months_and_days_come_from_the_wall_clock() {
        let t = parse("2024-03-31T23:30:00+08:00").unwrap();
        assert_eq!(t.month(), "2024-03");
        assert_eq!(t.date().to_string(), "2024-03-31");
        assert_eq!(t.to_display(), "2024-03-31 23:30");
    }
}
