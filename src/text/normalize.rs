//! Normalization: a chain of small stages that fold width, case, script, separators, evasion
//! spellings and numbers, keeping for every output character the span of the original it came from.

use aho_corasick::{AhoCorasick, MatchKind};
use unicode_normalization::UnicodeNormalization;

/// Characters with, for each, the half-open span of original characters it stands for.
#[derive(Debug, Default, Clone)]
pub struct CharBuf {
    pub chars: Vec<char>,
    pub spans: Vec<(u32, u32)>,
}

impl CharBuf {
    fn clear(&mut self) {
        self.chars.clear();
        self.spans.clear();
    }

    fn push(&mut self, c: char, span: (u32, u32)) {
        self.chars.push(c);
        self.spans.push(span);
    }

    fn fill_identity(&mut self, text: &str) {
        self.clear();
        for (i, c) in text.chars().enumerate() {
            self.push(c, (i as u32, i as u32 + 1));
        }
    }

    fn write_string(&self, out: &mut String) {
        out.clear();
        out.extend(self.chars.iter());
    }

    /// The original span covered by output characters `start..end`.
    fn span_of(&self, start: usize, end: usize) -> (u32, u32) {
        (self.spans[start].0, self.spans[end - 1].1)
    }
}

/// One step of the chain: reads `src`, writes `dst` (cleared first).
pub trait Stage: Send + Sync {
    fn apply(&self, src: &CharBuf, dst: &mut CharBuf, scratch: &mut String);
}

/// Placeholders that stand for numbers, amounts, phone numbers, links, codes and dates, so that
/// no particular number becomes a feature. They are private-use characters: one token each.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Placeholder {
    Num,
    Money,
    Phone,
    Url,
    Code,
    Date,
}

impl Placeholder {
    const ALL: [Placeholder; 6] = [
        Placeholder::Num,
        Placeholder::Money,
        Placeholder::Phone,
        Placeholder::Url,
        Placeholder::Code,
        Placeholder::Date,
    ];

    pub fn as_char(self) -> char {
        char::from_u32(0xE000 + self as u32).unwrap_or('\u{E000}')
    }

    pub fn from_char(c: char) -> Option<Placeholder> {
        let i = (c as u32).checked_sub(0xE000)?;
        Placeholder::ALL.get(i as usize).copied()
    }

    pub fn name(self) -> &'static str {
        match self {
            Placeholder::Num => "<num>",
            Placeholder::Money => "<money>",
            Placeholder::Phone => "<phone>",
            Placeholder::Url => "<url>",
            Placeholder::Code => "<code>",
            Placeholder::Date => "<date>",
        }
    }
}

/// Replaces placeholder characters by their readable names, for display.
pub fn display_placeholders(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match Placeholder::from_char(c) {
            Some(p) => out.push_str(p.name()),
            None => out.push(c),
        }
    }
    out
}

pub fn is_cjk(c: char) -> bool {
    matches!(c, '\u{4E00}'..='\u{9FFF}' | '\u{3400}'..='\u{4DBF}' | '\u{20000}'..='\u{2A6DF}')
}

pub fn is_emoji(c: char) -> bool {
    matches!(c,
        '\u{1F000}'..='\u{1FAFF}'
        | '\u{2600}'..='\u{27BF}'
        | '\u{2B00}'..='\u{2BFF}'
        | '\u{2190}'..='\u{21FF}'
        | '\u{25A0}'..='\u{25FF}'
        | '\u{3030}' | '\u{303D}' | '\u{3297}' | '\u{3299}')
}

/// Zero-width, joiner, variation-selector and combining characters: dropped.
fn is_invisible(c: char) -> bool {
    matches!(c,
        '\u{200B}'..='\u{200F}'
        | '\u{202A}'..='\u{202E}'
        | '\u{2060}'..='\u{2064}'
        | '\u{FEFF}'
        | '\u{00AD}'
        | '\u{FE00}'..='\u{FE0F}'
        | '\u{E0100}'..='\u{E01EF}'
        | '\u{20E3}'
        | '\u{0300}'..='\u{036F}'
        | '\u{1F3FB}'..='\u{1F3FF}')
}

/// Unicode compatibility folding (full width to half width, circled digits, compatibility
/// ideographs), lower-casing, and removal of invisible characters.
pub struct WidthCaseFold;

impl Stage for WidthCaseFold {
    fn apply(&self, src: &CharBuf, dst: &mut CharBuf, _scratch: &mut String) {
        dst.clear();
        for (&c, &span) in src.chars.iter().zip(&src.spans) {
            if c.is_ascii() {
                dst.push(c.to_ascii_lowercase(), span);
            } else if matches!(c, '\u{4E00}'..='\u{9FFF}') {
                dst.push(c, span);
            } else if is_invisible(c) {
                continue;
            } else if c == '\u{3000}' {
                dst.push(' ', span);
            } else {
                for folded in std::iter::once(c).nfkc() {
                    if is_invisible(folded) {
                        continue;
                    }
                    for lower in folded.to_lowercase() {
                        dst.push(lower, span);
                    }
                }
            }
        }
    }
}

/// ASCII lower-casing only: the `basic` chain, kept to measure what the full chain adds.
pub struct AsciiLowercase;

impl Stage for AsciiLowercase {
    fn apply(&self, src: &CharBuf, dst: &mut CharBuf, _scratch: &mut String) {
        dst.clear();
        for (&c, &span) in src.chars.iter().zip(&src.spans) {
            dst.push(c.to_ascii_lowercase(), span);
        }
    }
}

/// The ranges whose characters are checked once, at first use, for a simplified form (zhconv
/// converts nothing outside them).
const CJK_RANGES: [(u32, u32); 7] = [
    (0x2000, 0x206F), // general punctuation
    (0x3000, 0x303F), // CJK symbols and punctuation: zhconv turns 「」 into “”
    (0x3400, 0x4DBF),
    (0x4E00, 0x9FFF),
    (0xF900, 0xFAFF),
    (0xFE30, 0xFE4F),
    (0xFF00, 0xFFEF),
];

/// Whether zhconv's `zh-Hans` conversion changes `c` on its own: a bit per character of
/// [`CJK_RANGES`], computed once from zhconv's tables.
fn is_traditional(c: char) -> bool {
    static CONVERTIBLE: std::sync::OnceLock<Vec<u64>> = std::sync::OnceLock::new();
    let offset = |u: u32| {
        let mut base = 0;
        for (lo, hi) in CJK_RANGES {
            if (lo..=hi).contains(&u) {
                return Some(base + (u - lo) as usize);
            }
            base += (hi - lo + 1) as usize;
        }
        None
    };
    let Some(i) = offset(c as u32) else { return false };
    let bits = CONVERTIBLE.get_or_init(|| {
        let total: usize = CJK_RANGES.iter().map(|(lo, hi)| (hi - lo + 1) as usize).sum();
        let mut bits = vec![0u64; total.div_ceil(64)];
        let converter = zhconv::get_builtin_converter(zhconv::Variant::ZhHans);
        let mut one = String::new();
        for (lo, hi) in CJK_RANGES {
            for u in lo..=hi {
                let Some(ch) = char::from_u32(u) else { continue };
                one.clear();
                one.push(ch);
                if converter.convert(&one) != one
                    && let Some(k) = offset(u)
                {
                    bits[k / 64] |= 1 << (k % 64);
                }
            }
        }
        bits
    });
    bits[i / 64] & (1 << (i % 64)) != 0
}

/// Traditional to simplified Chinese characters (zhconv's `zh-Hans` tables).
pub struct ScriptFold;

impl Stage for ScriptFold {
    fn apply(&self, src: &CharBuf, dst: &mut CharBuf, scratch: &mut String) {
        dst.clear();
        // Most messages are already simplified: skip the converter unless some character would change.
        if !src.chars.iter().any(|&c| is_traditional(c)) {
            dst.chars.extend_from_slice(&src.chars);
            dst.spans.extend_from_slice(&src.spans);
            return;
        }
        let converter = zhconv::get_builtin_converter(zhconv::Variant::ZhHans);
        let input: String = src.chars.iter().collect();
        scratch.clear();
        converter.convert_to(&input, scratch);
        if scratch.chars().count() == src.chars.len() {
            for (c, &span) in scratch.chars().zip(&src.spans) {
                dst.push(c, span);
            }
        } else {
            // A phrase rule changed the length: convert character by character to keep the map.
            let mut one = String::new();
            for (&c, &span) in src.chars.iter().zip(&src.spans) {
                one.clear();
                one.push(c);
                for out in converter.convert(&one).chars() {
                    dst.push(out, span);
                }
            }
        }
    }
}

fn is_separator(c: char) -> bool {
    c.is_whitespace()
        || matches!(
            c,
            '*' | '.'
                | '-'
                | '_'
                | '/'
                | '|'
                | '\\'
                | '·'
                | '。'
                | '~'
                | '^'
                | '#'
                | '@'
                | '`'
                | '\''
                | '"'
                | '+'
                | '='
                | '•'
                | '…'
                | '丶'
                | '﹏'
                | '∙'
                | '⋅'
        )
        || is_emoji(c)
}

/// A separator that ordinary prose does not put between two Chinese characters.
fn is_strong_separator(c: char) -> bool {
    is_separator(c) && !c.is_whitespace() && c != '。'
}

fn is_gluable(c: char) -> bool {
    is_cjk(c) || c.is_ascii_alphabetic()
}

/// Removes separators inserted to split a word (`爆 通 讯 录`, `P*图`, `曝.光`, `t x l`): around
/// a run of two or more single characters, or a non-space symbol between a Chinese character and a
/// letter or another Chinese character. Spaces between ordinary multi-character words stay.
pub struct CollapseSeparators;

impl CollapseSeparators {
    /// Whether the separator run between `left` and `right` units should go.
    fn glue(chars: &[char], units: &[(usize, usize)], k: usize) -> bool {
        let (ls, le) = units[k];
        let (rs, re) = units[k + 1];
        let single = |u: usize| units.get(u).is_some_and(|&(s, e)| e - s == 1 && is_gluable(chars[s]));
        let left_char = chars[le - 1];
        let right_char = chars[rs];
        // a run of singles: both sides single, or one side single with a single beyond it
        let in_run = (single(k) && single(k + 1))
            || (single(k + 1) && single(k + 2) && is_gluable(left_char))
            || (k > 0 && single(k) && single(k - 1) && is_gluable(right_char));
        if in_run && (is_cjk(left_char) || is_cjk(right_char) || (re - rs == 1 && le - ls == 1)) {
            return true;
        }
        let strong = chars[le..rs].iter().all(|&c| is_strong_separator(c));
        strong && is_gluable(left_char) && is_gluable(right_char) && (is_cjk(left_char) || is_cjk(right_char))
    }
}

impl Stage for CollapseSeparators {
    fn apply(&self, src: &CharBuf, dst: &mut CharBuf, _scratch: &mut String) {
        dst.clear();
        let chars = &src.chars;
        let n = chars.len();
        let mut units: Vec<(usize, usize)> = Vec::new();
        let mut i = 0;
        while i < n {
            if is_separator(chars[i]) {
                i += 1;
                continue;
            }
            let start = i;
            while i < n && !is_separator(chars[i]) {
                i += 1;
            }
            units.push((start, i));
        }
        let copy = |dst: &mut CharBuf, from: usize, to: usize| {
            for (&c, &span) in chars[from..to].iter().zip(&src.spans[from..to]) {
                dst.push(c, span);
            }
        };
        let Some(&(first, _)) = units.first() else {
            copy(dst, 0, n);
            return;
        };
        copy(dst, 0, first);
        for k in 0..units.len() {
            let (s, e) = units[k];
            copy(dst, s, e);
            let next = units.get(k + 1).map_or(n, |u| u.0);
            if k + 1 == units.len() || !CollapseSeparators::glue(chars, &units, k) {
                copy(dst, e, next);
            }
        }
    }
}

/// One evasion spelling and its canonical form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VariantRule {
    pub variant: String,
    pub canonical: String,
    /// The rule applies only when one of these words is in the same message (empty: always).
    pub context: Vec<String>,
}

/// An error in the variants table.
#[derive(Debug, thiserror::Error)]
#[error("variants table line {line}: {reason}")]
pub struct VariantsError {
    pub line: usize,
    pub reason: String,
}

/// Parses the variants table: a header line, then `variant<TAB>canonical<TAB>context`.
pub fn parse_variants(table: &str) -> Result<Vec<VariantRule>, VariantsError> {
    let mut rules = Vec::new();
    for (i, line) in table.lines().enumerate().skip(1) {
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let mut parts = line.split('\t');
        let variant = parts.next().unwrap_or("").trim();
        let canonical = parts.next().unwrap_or("").trim();
        let context = parts.next().unwrap_or("").trim();
        if variant.is_empty() || canonical.is_empty() {
            return Err(VariantsError {
                line: i + 1,
                reason: format!("expected variant<TAB>canonical[<TAB>context], got {line:?}"),
            });
        }
        rules.push(VariantRule {
            variant: variant.to_string(),
            canonical: canonical.to_string(),
            context: context.split('|').map(str::trim).filter(|w| !w.is_empty()).map(String::from).collect(),
        });
    }
    Ok(rules)
}

/// Folds evasion spellings (`通迅录`, `txl`, `hei bai zhao`, `批图`) to their canonical form.
pub struct FoldVariants {
    automaton: Option<AhoCorasick>,
    rules: Vec<VariantRule>,
}

impl FoldVariants {
    /// `rules` must already be in normalized form (see [`Normalizer::new`]).
    pub fn new(rules: Vec<VariantRule>) -> FoldVariants {
        let automaton = if rules.is_empty() {
            None
        } else {
            AhoCorasick::builder()
                .match_kind(MatchKind::LeftmostLongest)
                .build(rules.iter().map(|r| r.variant.as_str()))
                .ok()
        };
        FoldVariants { automaton, rules }
    }
}

fn is_ascii_word(c: Option<char>) -> bool {
    c.is_some_and(|c| c.is_ascii_alphanumeric())
}

impl Stage for FoldVariants {
    fn apply(&self, src: &CharBuf, dst: &mut CharBuf, scratch: &mut String) {
        dst.clear();
        let Some(ac) = &self.automaton else {
            dst.chars.extend_from_slice(&src.chars);
            dst.spans.extend_from_slice(&src.spans);
            return;
        };
        src.write_string(scratch);
        let text = scratch.as_str();
        let mut copied_chars = 0usize; // chars of src already handled
        let mut byte_pos = 0usize; // byte offset matching `copied_chars`
        for m in ac.find_iter(text) {
            let rule = &self.rules[m.pattern().as_usize()];
            let before = text[..m.start()].chars().next_back();
            let after = text[m.end()..].chars().next();
            let latin_start = rule.variant.starts_with(|c: char| c.is_ascii_alphanumeric());
            let latin_end = rule.variant.ends_with(|c: char| c.is_ascii_alphanumeric());
            if (latin_start && is_ascii_word(before)) || (latin_end && is_ascii_word(after)) {
                continue;
            }
            if !rule.context.is_empty() && !rule.context.iter().any(|w| text.contains(w.as_str())) {
                continue;
            }
            // Copy the untouched characters before the match.
            let start_char = copied_chars + text[byte_pos..m.start()].chars().count();
            for k in copied_chars..start_char {
                dst.push(src.chars[k], src.spans[k]);
            }
            let end_char = start_char + text[m.start()..m.end()].chars().count();
            let span = src.span_of(start_char, end_char);
            for c in rule.canonical.chars() {
                dst.push(c, span);
            }
            copied_chars = end_char;
            byte_pos = m.end();
        }
        for k in copied_chars..src.chars.len() {
            dst.push(src.chars[k], src.spans[k]);
        }
    }
}

const URL_TLDS: &[&str] = &[
    "com", "cn", "net", "org", "top", "xyz", "vip", "cc", "me", "io", "app", "info", "co", "tk", "ltd", "shop", "site",
    "link", "club", "wang", "hk", "tw", "ly", "gl", "la", "fun",
];

fn is_url_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "./:?=&_%#~+-@".contains(c)
}

fn looks_like_url(run: &[char]) -> bool {
    let s: String = run.iter().collect();
    if s.contains("://") || s.starts_with("www.") {
        return true;
    }
    // domain.tld, optionally followed by a path
    let host = s.split('/').next().unwrap_or("");
    match host.rsplit_once('.') {
        Some((name, tld)) => {
            !name.is_empty()
                && name.chars().next().is_some_and(|c| c.is_ascii_alphanumeric())
                && URL_TLDS.contains(&tld)
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
        let groups: Vec<usize> = run.split(|c| !c.is_ascii_digit()).map(<[char]>::len).collect();
        let dashed = run.contains(&'-');
        let date_like = groups.len() == 3
            && groups[0] == 4
            && groups[1] <= 2
            && groups[2] <= 2
            && run.iter().any(|c| matches!(c, '-' | '/' | '.'));
        let time_like = run.contains(&':') && groups.len() <= 3 && groups.iter().all(|&g| g <= 2);
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
        if run.contains(&',') || (groups.len() == 2 && run.contains(&'.') && groups[1] == 2) {
            return Placeholder::Money;
        }
        if digits >= 4 && !run.contains(&'.') {
            return Placeholder::Code;
        }
        Placeholder::Num
    }
}

impl Stage for FoldNumbers {
    fn apply(&self, src: &CharBuf, dst: &mut CharBuf, _scratch: &mut String) {
        dst.clear();
        let chars = &src.chars;
        let n = chars.len();
        let mut i = 0;
        while i < n {
            let c = chars[i];
            // Links: an ASCII run that looks like a URL or a domain.
            if c.is_ascii_alphanumeric() && (i == 0 || !is_url_char(chars[i - 1])) {
                let mut j = i;
                while j < n && is_url_char(chars[j]) {
                    j += 1;
                }
                let mut end = j;
                while end > i && ".:?-".contains(chars[end - 1]) {
                    end -= 1;
                }
                if looks_like_url(&chars[i..end]) {
                    dst.push(Placeholder::Url.as_char(), src.span_of(i, end));
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
                dst.push(p.as_char(), src.span_of(i, j));
                i = j;
                continue;
            }
            dst.push(c, src.spans[i]);
            i += 1;
        }
    }
}

/// The normalized text of a message and, per character, the original character span.
#[derive(Debug, Default, Clone)]
pub struct Normalized {
    pub text: String,
    pub spans: Vec<(u32, u32)>,
}

impl Normalized {
    /// The original character span covered by normalized characters `start..end` (end exclusive).
    pub fn original_span(&self, start: usize, end: usize) -> (u32, u32) {
        if start >= end || end > self.spans.len() {
            return (0, 0);
        }
        (self.spans[start].0, self.spans[end - 1].1)
    }
}

/// Reusable buffers for [`Normalizer::normalize`].
#[derive(Default)]
pub struct NormalizeScratch {
    a: CharBuf,
    b: CharBuf,
    s: String,
}

/// The normalization chain: width and case, script, separators, variants, numbers.
pub struct Normalizer {
    stages: Vec<Box<dyn Stage>>,
}

impl Normalizer {
    /// Builds the chain. Variant rules are themselves normalized by the stages before them, so the
    /// table can be written in any width, case or script.
    pub fn new(rules: Vec<VariantRule>) -> Normalizer {
        let prefix =
            Normalizer { stages: vec![Box::new(WidthCaseFold), Box::new(ScriptFold), Box::new(CollapseSeparators)] };
        let mut scratch = NormalizeScratch::default();
        let mut out = Normalized::default();
        let mut norm = |s: &str| {
            prefix.run(s, &mut scratch, &mut out);
            out.text.clone()
        };
        let rules = rules
            .into_iter()
            .map(|r| VariantRule {
                variant: norm(&r.variant),
                canonical: norm(&r.canonical),
                context: r.context.iter().map(|w| norm(w)).collect(),
            })
            .filter(|r| !r.variant.is_empty() && r.variant != r.canonical)
            .collect();
        let mut stages = prefix.stages;
        stages.push(Box::new(FoldVariants::new(rules)));
        stages.push(Box::new(FoldNumbers));
        Normalizer { stages }
    }

    /// The basic chain: ASCII lower-casing and number placeholders, nothing else.
    pub fn basic() -> Normalizer {
        Normalizer { stages: vec![Box::new(AsciiLowercase), Box::new(FoldNumbers)] }
    }

    /// Normalizes `text` into `out`, reusing `scratch`.
    pub fn normalize(&self, text: &str, scratch: &mut NormalizeScratch, out: &mut Normalized) {
        self.run(text, scratch, out)
    }

    fn run(&self, text: &str, scratch: &mut NormalizeScratch, out: &mut Normalized) {
        let NormalizeScratch { a, b, s } = scratch;
        a.fill_identity(text);
        for stage in &self.stages {
            stage.apply(a, b, s);
            std::mem::swap(a, b);
        }
        a.write_string(&mut out.text);
        out.spans.clear();
        out.spans.extend_from_slice(&a.spans);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn normalizer() -> Normalizer {
        let table = "variant\tcanonical\tcontext\n通迅录\t通讯录\t\ntxl\t通讯录\t\n\
                     hei bai zhao\t黑白照\t\n批图\tp图\t\nyz\t遗照\t照片|图|发\n暴光\t曝光\t\n";
        Normalizer::new(parse_variants(table).unwrap())
    }

    fn norm(s: &str) -> String {
        let n = normalizer();
        let mut out = Normalized::default();
        n.normalize(s, &mut NormalizeScratch::default(), &mut out);
        display_placeholders(&out.text)
    }

    #[test]
    fn folds_width_case_and_script() {
        assert_eq!(norm("ＰＳ你的照片"), "ps你的照片");
        assert_eq!(norm("把你P成遺照發給通訊錄"), "把你p成遗照发给通讯录");
        assert_eq!(norm("通\u{200B}讯录"), "通讯录");
        assert!(is_traditional('遺') && is_traditional('錄') && is_traditional('發'));
        assert!(!is_traditional('遗') && !is_traditional('录') && !is_traditional('a'));
    }

    #[test]
    fn collapses_split_words_but_not_ordinary_spaces() {
        assert_eq!(norm("爆 通 讯 录"), "爆通讯录");
        assert_eq!(norm("P*图"), "p图");
        assert_eq!(norm("曝.光你"), "曝光你");
        assert_eq!(norm("爆😀通😀讯😀录"), "爆通讯录");
        assert_eq!(norm("爆。通。讯。录"), "爆通讯录");
        assert_eq!(norm("再不还就爆 通 讯 录 等着"), "再不还就爆通讯录等着");
        assert_eq!(norm("t x l"), "通讯录");
        assert_eq!(norm("今天 天气 不错"), "今天 天气 不错");
        assert_eq!(norm("hello world"), "hello world");
        assert_eq!(norm("好的。明天见。"), "好的。明天见。");
    }

    #[test]
    fn folds_variants_with_boundaries_and_context() {
        assert_eq!(norm("再不还就爆你txl"), "再不还就爆你通讯录");
        assert_eq!(norm("通迅录"), "通讯录");
        assert_eq!(norm("给你做张hei bai zhao"), "给你做张黑白照");
        assert_eq!(norm("暴 光"), "曝光");
        assert_eq!(norm("批图"), "p图");
        // latin variants need word boundaries, context rules need their context
        assert_eq!(norm("atxlb"), "atxlb");
        assert_eq!(norm("yz"), "yz");
        assert_eq!(norm("你的yz照片"), "你的遗照照片");
    }

    #[test]
    fn folds_numbers_to_placeholders() {
        assert_eq!(norm("验证码381920"), "验证码<code>");
        assert_eq!(norm("欠款1,280.00元"), "欠款<money>元");
        assert_eq!(norm("验证码482913，5分钟内有效"), "验证码<code>,<num>分钟内有效");
        assert_eq!(norm("￥500"), "<money>");
        assert_eq!(norm("逾期3天"), "逾期<num>天");
        assert_eq!(norm("致电13812345678"), "致电<phone>");
        assert_eq!(norm("客服400-123-4567"), "客服<phone>");
        assert_eq!(norm("2024-05-12到期"), "<date>到期");
        assert_eq!(norm("2024年"), "<date>年");
        assert_eq!(norm("点击 https://t.cn/a1b2 查看"), "点击 <url> 查看");
        assert_eq!(norm("登录 dai.example.com 还款"), "登录 <url> 还款");
    }

    #[test]
    fn spans_point_back_into_the_original() {
        let n = normalizer();
        let mut out = Normalized::default();
        let original = "😀你好，爆 通 讯 錄🙂txl";
        n.normalize(original, &mut NormalizeScratch::default(), &mut out);
        assert_eq!(out.text, "😀你好,爆通讯录通讯录");
        let chars: Vec<char> = original.chars().collect();
        let take = |s: (u32, u32)| chars[s.0 as usize..s.1 as usize].iter().collect::<String>();
        // 爆通讯录 is normalized chars 4..8
        assert_eq!(take(out.original_span(4, 8)), "爆 通 讯 錄");
        // the variant's canonical form maps back to the variant as written
        let last = out.text.chars().count();
        assert_eq!(take(out.original_span(last - 3, last)), "txl");
    }
}
