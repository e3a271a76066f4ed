//! Normalization: a chain of small stages that fold width, case, script, separators, evasion
//! spellings and numbers, keeping for every output character the span of the original it came from.

use std::sync::atomic::{AtomicU64, Ordering};

use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};
use unicode_normalization::UnicodeNormalization;

use super::openings::Openings;

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

    /// Appends `src`'s characters `range`, with their spans.
    fn extend_from(&mut self, src: &CharBuf, range: std::ops::Range<usize>) {
        self.chars.extend_from_slice(&src.chars[range.clone()]);
        self.spans.extend_from_slice(&src.spans[range]);
    }

    fn fill_identity(&mut self, text: &str) {
        self.clear();
        self.chars.reserve(text.len());
        self.chars.extend(text.chars());
        let n = self.chars.len() as u32;
        self.spans.extend((0..n).map(|i| (i, i + 1)));
    }

    /// The original span covered by output characters `start..end`.
    fn span_of(&self, start: usize, end: usize) -> (u32, u32) {
        (self.spans[start].0, self.spans[end - 1].1)
    }
}

/// What a stage did with its input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// The output is in `dst`.
    Written,
    /// The output would equal the input, so `dst` was left alone: the next stage reads `src`.
    Unchanged,
}

/// Buffers a stage may reuse from one message to the next (each stage clears what it uses).
#[derive(Debug, Default)]
pub struct StageScratch {
    text: String,
    text2: String,
    /// Byte offset in `text` of each character, then its length.
    offsets: Vec<u32>,
    units: Vec<(usize, usize)>,
}

/// One step of the chain: reads `src` and either writes `dst` (clearing it first) or, when it
/// would change nothing, returns [`Outcome::Unchanged`] without touching `dst`.
pub trait Stage: Send + Sync {
    fn apply(&self, src: &CharBuf, dst: &mut CharBuf, scratch: &mut StageScratch) -> Outcome;
}

/// A stage's output built as its input with some ranges replaced: nothing is copied before the
/// first replacement, and a stage that replaces nothing finishes [`Outcome::Unchanged`].
struct Edits<'a> {
    src: &'a CharBuf,
    dst: &'a mut CharBuf,
    /// Characters of `src` before this are in `dst` (or replaced).
    copied: usize,
    written: bool,
}

impl<'a> Edits<'a> {
    fn new(src: &'a CharBuf, dst: &'a mut CharBuf) -> Edits<'a> {
        Edits { src, dst, copied: 0, written: false }
    }

    /// Copies the untouched characters up to `start`, the start of a replacement.
    fn copy_to(&mut self, start: usize) {
        if !self.written {
            self.dst.clear();
            self.written = true;
        }
        self.dst.extend_from(self.src, self.copied..start);
    }

    /// Drops characters `start..end`.
    fn delete(&mut self, start: usize, end: usize) {
        self.copy_to(start);
        self.copied = end;
    }

    /// Replaces characters `start..end` by `with`, each standing for the span they covered.
    fn replace(&mut self, start: usize, end: usize, with: impl IntoIterator<Item = char>) {
        self.copy_to(start);
        let span = self.src.span_of(start, end);
        for c in with {
            self.dst.push(c, span);
        }
        self.copied = end;
    }

    fn finish(self) -> Outcome {
        if !self.written {
            return Outcome::Unchanged;
        }
        self.dst.extend_from(self.src, self.copied..self.src.chars.len());
        Outcome::Written
    }
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

impl WidthCaseFold {
    /// The folding of one character, given to `emit` (none for an invisible character).
    fn fold(c: char, mut emit: impl FnMut(char)) {
        if WidthCaseFold::keeps(c) {
            emit(c);
        } else if let '\u{FF01}'..='\u{FF5E}' = c {
            // full-width ASCII: NFKC gives the ASCII character U+FEE0 below
            emit(char::from((c as u32 - 0xFEE0) as u8).to_ascii_lowercase());
        } else {
            WidthCaseFold::fold_one(c, emit);
        }
    }

    /// The folding of one character, the long way.
    fn fold_one(c: char, mut emit: impl FnMut(char)) {
        if c.is_ascii() {
            emit(c.to_ascii_lowercase());
        } else if matches!(c, '\u{4E00}'..='\u{9FFF}') {
            emit(c);
        } else if is_invisible(c) {
            // dropped
        } else if c == '\u{3000}' {
            emit(' ');
        } else {
            for folded in std::iter::once(c).nfkc() {
                if is_invisible(folded) {
                    continue;
                }
                for lower in folded.to_lowercase() {
                    emit(lower);
                }
            }
        }
    }

    /// Whether the folding gives `c` back (false beyond plane 1, whatever it does there): a bit
    /// per character, so that mixed Chinese, Latin and punctuation costs no mispredicted branch.
    fn keeps(c: char) -> bool {
        fn test(c: char) -> bool {
            let mut out = ['\0'; 2];
            let mut n = 0;
            WidthCaseFold::fold_one(c, |f| {
                if let Some(slot) = out.get_mut(n) {
                    *slot = f;
                }
                n += 1;
            });
            n == 1 && out[0] == c
        }
        static KEEPS: LazyBits<2048, 32> = LazyBits::new(0, test);
        KEEPS.get(c)
    }
}

/// A bit per character of `base..base + 64 * BLOCKS`, from a pure `test`, computed 64 characters
/// at a time on first use: a process pays only for the blocks its texts use. `WORDS` is
/// `BLOCKS / 64`.
struct LazyBits<const BLOCKS: usize, const WORDS: usize> {
    base: u32,
    test: fn(char) -> bool,
    bits: [AtomicU64; BLOCKS],
    /// A bit per block: computed.
    done: [AtomicU64; WORDS],
}

impl<const BLOCKS: usize, const WORDS: usize> LazyBits<BLOCKS, WORDS> {
    const fn new(base: u32, test: fn(char) -> bool) -> Self {
        // evaluated at compile time, for a static
        assert!(BLOCKS == WORDS * 64);
        LazyBits { base, test, bits: [const { AtomicU64::new(0) }; BLOCKS], done: [const { AtomicU64::new(0) }; WORDS] }
    }

    /// The bit of `c`; false outside the range.
    fn get(&self, c: char) -> bool {
        let i = (c as u32).wrapping_sub(self.base) as usize;
        let block = i / 64;
        let (Some(bits), Some(done)) = (self.bits.get(block), self.done.get(block / 64)) else { return false };
        let flag = 1 << (block % 64);
        if done.load(Ordering::Acquire) & flag == 0 {
            // Threads racing here compute the same word.
            let first = self.base + (block * 64) as u32;
            let mut word = 0u64;
            for k in 0..64 {
                if char::from_u32(first + k).is_some_and(self.test) {
                    word |= 1 << k;
                }
            }
            bits.store(word, Ordering::Relaxed);
            done.fetch_or(flag, Ordering::Release);
        }
        bits.load(Ordering::Relaxed) & (1 << (i % 64)) != 0
    }
}

impl Stage for WidthCaseFold {
    fn apply(&self, src: &CharBuf, dst: &mut CharBuf, _scratch: &mut StageScratch) -> Outcome {
        let Some(first) = src.chars.iter().position(|&c| !WidthCaseFold::keeps(c)) else {
            return Outcome::Unchanged;
        };
        dst.clear();
        dst.extend_from(src, 0..first);
        let mut k = first;
        while let Some(&c) = src.chars.get(k) {
            let span = src.spans[k];
            WidthCaseFold::fold(c, |f| dst.push(f, span));
            // then the run of characters that stay
            let end = src.chars[k + 1..]
                .iter()
                .position(|&c| !WidthCaseFold::keeps(c))
                .map_or(src.chars.len(), |p| k + 1 + p);
            dst.extend_from(src, k + 1..end);
            k = end;
        }
        Outcome::Written
    }
}

/// ASCII lower-casing only: the `basic` chain, kept to measure what the full chain adds.
pub struct AsciiLowercase;

impl Stage for AsciiLowercase {
    fn apply(&self, src: &CharBuf, dst: &mut CharBuf, _scratch: &mut StageScratch) -> Outcome {
        if !src.chars.iter().any(char::is_ascii_uppercase) {
            return Outcome::Unchanged;
        }
        dst.clear();
        dst.chars.extend(src.chars.iter().map(char::to_ascii_lowercase));
        dst.spans.extend_from_slice(&src.spans);
        Outcome::Written
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

/// Whether zhconv's `zh-Hans` conversion changes `c` on its own (only characters of
/// [`CJK_RANGES`] are checked).
fn is_traditional(c: char) -> bool {
    fn test(c: char) -> bool {
        let u = c as u32;
        if !CJK_RANGES.iter().any(|&(lo, hi)| (lo..=hi).contains(&u)) {
            return false;
        }
        let mut buf = [0u8; 4];
        let one: &str = c.encode_utf8(&mut buf);
        zhconv::get_builtin_converter(zhconv::Variant::ZhHans).convert(one) != one
    }
    // from the first character of CJK_RANGES to the last
    static CONVERTIBLE: LazyBits<896, 14> = LazyBits::new(0x2000, test);
    CONVERTIBLE.get(c)
}

/// Traditional to simplified Chinese characters (zhconv's `zh-Hans` tables).
pub struct ScriptFold;

impl Stage for ScriptFold {
    fn apply(&self, src: &CharBuf, dst: &mut CharBuf, scratch: &mut StageScratch) -> Outcome {
        // Most messages are already simplified: skip the converter unless some character would change.
        if !src.chars.iter().any(|&c| is_traditional(c)) {
            return Outcome::Unchanged;
        }
        dst.clear();
        let converter = zhconv::get_builtin_converter(zhconv::Variant::ZhHans);
        let StageScratch { text: input, text2: output, .. } = scratch;
        input.clear();
        input.extend(src.chars.iter());
        output.clear();
        converter.convert_to(input, output);
        if output.chars().count() == src.chars.len() {
            for (c, &span) in output.chars().zip(&src.spans) {
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
        Outcome::Written
    }
}

fn is_separator(c: char) -> bool {
    // a bit per character of planes 0 and 1
    static SEPARATORS: LazyBits<2048, 32> = LazyBits::new(0, is_separator_char);
    if (c as u32) < 0x2_0000 { SEPARATORS.get(c) } else { is_separator_char(c) }
}

fn is_separator_char(c: char) -> bool {
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
    fn apply(&self, src: &CharBuf, dst: &mut CharBuf, scratch: &mut StageScratch) -> Outcome {
        let chars = &src.chars;
        let n = chars.len();
        let Some(mut i) = chars.iter().position(|&c| is_separator(c)) else { return Outcome::Unchanged };
        // Units: the runs of non-separators.
        let units = &mut scratch.units;
        units.clear();
        if i > 0 {
            units.push((0, i));
        }
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
        // Drop the separators between two units that glue.
        let mut edits = Edits::new(src, dst);
        for k in 0..units.len().saturating_sub(1) {
            if CollapseSeparators::glue(chars, units, k) {
                edits.delete(units[k].1, units[k + 1].0);
            }
        }
        edits.finish()
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
    /// Per rule: whether the variant begins, and whether it ends, with an ASCII letter or digit
    /// (it then applies only where it does not touch another one on that side).
    latin_ends: Vec<(bool, bool)>,
    /// How every variant opens, to skip the automaton on the texts (most) where none can match.
    openings: Openings,
}

impl FoldVariants {
    /// `rules` must already be in normalized form (see [`Normalizer::new`]).
    pub fn new(rules: Vec<VariantRule>) -> FoldVariants {
        let automaton = if rules.is_empty() {
            None
        } else {
            // A DFA is larger than the default NFA but several times faster on CJK text, where the
            // automaton's prefilters do not help; the NFA if the DFA is too big.
            let build = |kind| {
                AhoCorasick::builder()
                    .match_kind(MatchKind::LeftmostLongest)
                    .kind(kind)
                    .build(rules.iter().map(|r| r.variant.as_str()))
                    .ok()
            };
            build(Some(AhoCorasickKind::DFA)).or_else(|| build(None))
        };
        let latin = |c: char| c.is_ascii_alphanumeric();
        let latin_ends = rules.iter().map(|r| (r.variant.starts_with(latin), r.variant.ends_with(latin))).collect();
        let openings = Openings::new(rules.iter().map(|r| r.variant.as_str()));
        FoldVariants { automaton, rules, latin_ends, openings }
    }
}

fn is_ascii_word(c: Option<char>) -> bool {
    c.is_some_and(|c| c.is_ascii_alphanumeric())
}

impl Stage for FoldVariants {
    fn apply(&self, src: &CharBuf, dst: &mut CharBuf, scratch: &mut StageScratch) -> Outcome {
        let Some(ac) = &self.automaton else { return Outcome::Unchanged };
        if !self.openings.any_in(&src.chars) {
            return Outcome::Unchanged;
        }
        let StageScratch { text, offsets, .. } = scratch;
        text.clear();
        offsets.clear();
        for &c in &src.chars {
            offsets.push(text.len() as u32);
            text.push(c);
        }
        offsets.push(text.len() as u32);
        let text = text.as_str();
        let char_at = |from: usize, byte: usize| from + offsets[from..].partition_point(|&b| (b as usize) < byte);
        let mut edits = Edits::new(src, dst);
        let mut start_char = 0; // matches come in text order
        for m in ac.find_iter(text) {
            start_char = char_at(start_char, m.start());
            let end_char = char_at(start_char, m.end());
            let rule = m.pattern().as_usize();
            let (latin_start, latin_end) = self.latin_ends[rule];
            let before = start_char.checked_sub(1).map(|k| src.chars[k]);
            let after = src.chars.get(end_char).copied();
            if (latin_start && is_ascii_word(before)) || (latin_end && is_ascii_word(after)) {
                continue;
            }
            let rule = &self.rules[rule];
            if !rule.context.is_empty() && !rule.context.iter().any(|w| text.contains(w.as_str())) {
                continue;
            }
            edits.replace(start_char, end_char, rule.canonical.chars());
        }
        edits.finish()
    }
}

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

/// The normalized text of a message and, per character, the original character span.
#[derive(Debug, Default, Clone)]
pub struct Normalized {
    pub text: String,
    pub spans: Vec<(u32, u32)>,
    /// Per character, its byte offset in `text`.
    pub char_starts: Vec<u32>,
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
    stage: StageScratch,
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
        let NormalizeScratch { a, b, stage: s } = scratch;
        a.fill_identity(text);
        for stage in &self.stages {
            if stage.apply(a, b, s) == Outcome::Written {
                std::mem::swap(a, b);
            }
        }
        out.text.clear();
        out.text.extend(a.chars.iter());
        out.char_starts.clear();
        out.char_starts.extend(a.chars.iter().scan(0, |at, &c| {
            let start = *at;
            *at += c.len_utf8() as u32;
            Some(start)
        }));
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
    fn character_tables_agree_with_the_long_way() {
        let mut fast = Vec::new();
        let mut slow = Vec::new();
        for c in (0..0x3_0000).filter_map(char::from_u32) {
            fast.clear();
            slow.clear();
            WidthCaseFold::fold(c, |f| fast.push(f));
            WidthCaseFold::fold_one(c, |f| slow.push(f));
            assert_eq!(fast, slow, "fold of U+{:04X}", c as u32);
            assert!(!WidthCaseFold::keeps(c) || slow == [c], "U+{:04X} kept", c as u32);
            assert_eq!(is_separator(c), is_separator_char(c), "U+{:04X} separator", c as u32);
        }
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
