//! Stage: numbers folded to placeholders (amounts, phone numbers, links, codes, dates).

use super::placeholder::Placeholder;
use super::{CharBuf, Edits, Outcome, Stage, StageScratch};

const URL_TLDS: &[&str] = &[
    "com", "cn", "net", "org", "top", "xyz", "vip", "cc", "me", "io", "app", "info", "co", "tk", "ltd", "shop", "site",
    "link", "club", "wang", "hk", "tw", "ly", "gl", "la", "fun",
];

fn is_url_char(c: char) -> bool {
    c.is_ascii_alphanumeric()
        || matches!(c, '.' | '/' | ':' | '?' | '=' | '&' | '_' | '%' | '#' | '~' | '+' | '-' | '@')
}

/// Whether a run of [`is_url_char`] characters is a link.
fn looks_like_url(run: &[char]) -> bool {
    if run.windows(3).any(|w| w == [':', '/', '/']) || run.starts_with(&['w', 'w', 'w', '.']) {
        return true;
    }
    // domain.tld, optionally followed by a path
    let host = run.split(|&c| c == '/').next().unwrap_or(&[]);
    match host.iter().rposition(|&c| c == '.') {
        Some(dot) => {
            let (name, tld) = (&host[..dot], &host[dot + 1..]);
            name.first().is_some_and(char::is_ascii_alphanumeric)
                && URL_TLDS.iter().any(|t| t.chars().eq(tld.iter().copied()))
        }
        None => false,
    }
}

const MONEY_UNITS: &[char] = &['元', '块', '万', '千', '百', '角', '刀', 'w', 'k', '圆', '米'];
const DATE_UNITS: &[char] = &['年', '月', '日', '号'];

/// Folds numbers to placeholders: amounts, phone numbers, links, codes, dates, other numbers.
pub struct FoldNumbers;

impl FoldNumbers {
    fn classify(chars: &[char], start: usize, end: usize, currency_before: bool) -> Placeholder {
        let run = &chars[start..end];
        let digits = run.iter().filter(|c| c.is_ascii_digit()).count();
        let mut next = end;
        while next < chars.len() && chars[next] == ' ' {
            next += 1;
        }
        let next = chars.get(next).copied();
        // The digit groups between the other characters: how many, the first three lengths, the longest.
        let (mut groups, mut lengths, mut longest) = (0usize, [0usize; 3], 0usize);
        for group in run.split(|c| !c.is_ascii_digit()) {
            if let Some(l) = lengths.get_mut(groups) {
                *l = group.len();
            }
            longest = longest.max(group.len());
            groups += 1;
        }
        let dashed = run.contains(&'-');
        let date_like = groups == 3
            && lengths[0] == 4
            && lengths[1] <= 2
            && lengths[2] <= 2
            && run.iter().any(|c| matches!(c, '-' | '/' | '.'));
        let time_like = run.contains(&':') && groups <= 3 && longest <= 2;
        if date_like || time_like {
            return Placeholder::Date;
        }
        if currency_before || next.is_some_and(|c| MONEY_UNITS.contains(&c)) {
            return Placeholder::Money;
        }
        if next.is_some_and(|c| DATE_UNITS.contains(&c)) {
            return Placeholder::Date;
        }
        let starts = |p: &str| run.iter().take(p.len()).copied().eq(p.chars());
        if (dashed && digits >= 7)
            || (digits == 11 && run[0] == '1')
            || (digits >= 10 && (starts("400") || starts("800")))
        {
            return Placeholder::Phone;
        }
        if run.contains(&',') || (groups == 2 && run.contains(&'.') && lengths[1] == 2) {
            return Placeholder::Money;
        }
        if digits >= 4 && !run.contains(&'.') {
            return Placeholder::Code;
        }
        Placeholder::Num
    }
}

impl Stage for FoldNumbers {
    fn apply(&self, src: &CharBuf, dst: &mut CharBuf, _scratch: &mut StageScratch) -> Outcome {
        let chars = &src.chars;
        let n = chars.len();
        // Links and numbers begin with an ASCII letter or digit, or a currency sign.
        let candidate = |c: &char| c.is_ascii_alphanumeric() || matches!(c, '¥' | '$' | '€' | '£');
        let Some(mut i) = chars.iter().position(candidate) else { return Outcome::Unchanged };
        let mut edits = Edits::new(src, dst);
        while i < n {
            let c = chars[i];
            // Links: an ASCII run that looks like a URL or a domain.
            if c.is_ascii_alphanumeric() && (i == 0 || !is_url_char(chars[i - 1])) {
                let mut j = i;
                while j < n && is_url_char(chars[j]) {
                    j += 1;
                }
                let mut end = j;
                while end > i && matches!(chars[end - 1], '.' | ':' | '?' | '-') {
                    end -= 1;
                }
                if looks_like_url(&chars[i..end]) {
                    edits.replace(i, end, [Placeholder::Url.as_char()]);
                    i = end;
                    continue;
                }
            }
            let currency = matches!(c, '¥' | '$' | '€' | '£') && chars.get(i + 1).is_some_and(char::is_ascii_digit);
            if c.is_ascii_digit() || currency {
                let start = if currency { i + 1 } else { i };
                let mut j = start;
                while j < n {
                    let d = chars[j];
                    let digit_at = |k: usize| chars.get(k).is_some_and(char::is_ascii_digit);
                    // a comma groups thousands only before exactly three digits
                    let inner = match d {
                        ',' => (1..=3).all(|k| digit_at(j + k)) && !digit_at(j + 4),
                        '.' | '-' | '/' | ':' => digit_at(j + 1),
                        _ => false,
                    };
                    if d.is_ascii_digit() || inner {
                        j += 1;
                    } else {
                        break;
                    }
                }
                // A number glued to latin letters (an order id like a12b3) is left to the URL/word path.
                let p = FoldNumbers::classify(chars, start, j, currency);
                edits.replace(i, j, [p.as_char()]);
                i = j;
                continue;
            }
            i += 1;
        }
        edits.finish()
    }
}
