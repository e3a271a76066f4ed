//! Message times as the reports read them: ISO 8601, `YYYY-MM-DD HH:MM[:SS]`, `YYYY/MM/DD`
//! (with or without a time), epoch seconds or milliseconds, and the common Chinese forms
//! (`2025年3月3日 10:00`, `3月3日 上午10:00`, `昨天 22:15`, `下午3点半`; the forms without a year or
//! date need a reference date, the day the export was made), kept as the wall-clock time of the
//! sender's zone.

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
/// Chinese forms without a year or a date (`3月3日 10:00`, `昨天 10:00`) need
/// [`parse_with_reference`].
pub fn parse(field: &str) -> Option<Stamp> {
    parse_with_reference(field, None)
}

/// [`parse`], with `reference` the day the export was made: `今天`, `昨天` and `前天` count from it,
/// and a date without a year takes its year.
pub fn parse_with_reference(field: &str, reference: Option<NaiveDate>) -> Option<Stamp> {
    let s = field.trim();
    if s.is_empty() {
        return None;
    }
    let stamp = if s.bytes().all(|b| b.is_ascii_digit()) {
        parse_epoch(s)?
    } else {
        match parse_text(s) {
            Some(t) => t,
            None => Stamp { local: parse_chinese(s, reference)?, offset: None },
        }
    };
    YEARS.contains(&stamp.local.year()).then_some(stamp)
}

/// `2025年3月3日 10:00`, `2025年03月03日10时05分`, `3月3日 上午10:00`, `3月3号 下午3点半`, `昨天 22:15`,
/// `今天 10:00`, `前天` (full-width digits and colons too).
fn parse_chinese(s: &str, reference: Option<NaiveDate>) -> Option<NaiveDateTime> {
    let s = super::platform::half_width(s);
    let s = s.trim();
    let relative = [("今天", 0), ("昨天", 1), ("前天", 2)];
    let (date, clock) = if let Some((rest, back)) = relative.iter().find_map(|(w, d)| Some((s.strip_prefix(w)?, *d))) {
        (reference?.checked_sub_days(chrono::Days::new(back))?, rest)
    } else {
        let end = s.find(['日', '号'])?;
        let (day_part, rest) = (&s[..end], &s[end + '日'.len_utf8()..]);
        let (year, month_day) = match day_part.split_once('年') {
            Some((y, md)) => (y.trim().parse().ok()?, md),
            None => (reference?.year(), day_part),
        };
        let (month, day) = month_day.split_once('月')?;
        (NaiveDate::from_ymd_opt(year, month.trim().parse().ok()?, day.trim().parse().ok()?)?, rest)
    };
    Some(date.and_time(parse_clock(clock.trim())?))
}

/// `10:00`, `10:05:30`, `10点`, `10点半`, `10时05分`, after an optional 上午/下午/晚上/中午/凌晨/早上;
/// nothing at all is midnight.
fn parse_clock(s: &str) -> Option<NaiveTime> {
    if s.is_empty() {
        return Some(NaiveTime::MIN);
    }
    let periods = [
        ("凌晨", false),
        ("早上", false),
        ("上午", false),
        ("中午", true),
        ("下午", true),
        ("傍晚", true),
        ("晚上", true),
    ];
    let (afternoon, s) = match periods.iter().find_map(|(p, pm)| Some((*pm, s.strip_prefix(p)?))) {
        Some((pm, rest)) => (Some(pm), rest.trim()),
        None => (None, s),
    };
    let s = s.replace("点半", ":30").replace(['点', '时'], ":").replace(['分', '秒'], "");
    let mut parts = s.trim_end_matches(':').split(':');
    let mut hour: u32 = parts.next()?.trim().parse().ok()?;
    let minute: u32 = parts.next().map_or(Some(0), |m| m.trim().parse().ok())?;
    let second: u32 = parts.next().map_or(Some(0), |m| m.trim().parse().ok())?;
    if afternoon == Some(true) && hour < 12 {
        hour += 12;
    }
    NaiveTime::from_hms_opt(hour, minute, second)
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
    fn the_common_chinese_forms_parse() {
        let reference = NaiveDate::from_ymd_opt(2025, 3, 5);
        let iso = |s: &str| parse_with_reference(s, reference).map(|t| t.to_iso());
        assert_eq!(iso("2025年3月3日 10:00").as_deref(), Some("2025-03-03T10:00:00"));
        assert_eq!(iso("2025年03月03日10时05分").as_deref(), Some("2025-03-03T10:05:00"));
        assert_eq!(iso("3月3日 上午10:00").as_deref(), Some("2025-03-03T10:00:00"));
        assert_eq!(iso("3月3号 下午3点半").as_deref(), Some("2025-03-03T15:30:00"));
        assert_eq!(iso("昨天 22:15").as_deref(), Some("2025-03-04T22:15:00"));
        assert_eq!(iso("今天 晚上9点").as_deref(), Some("2025-03-05T21:00:00"));
        assert_eq!(iso("前天").as_deref(), Some("2025-03-03T00:00:00"));
        assert_eq!(iso("２０２５年３月３日 １０：００").as_deref(), Some("2025-03-03T10:00:00"));
        assert_eq!(iso("中午12:30").as_deref(), None, "a time alone has no date");
        // without a reference, the forms that need one do not parse; the full ones do
        assert_eq!(parse("昨天 22:15"), None);
        assert_eq!(parse("3月3日 10:00"), None);
        assert!(parse("2025年3月3日 下午3:05").is_some_and(|t| t.to_display() == "2025-03-03 15:05"));
        assert_eq!(parse("2025年2月30日"), None);
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
