//! The threat lexicon: terms with a tag and a weight, matched in one Aho-Corasick pass, with negation.

use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};

use crate::labels::Tag;
use crate::text::openings::Openings;
use crate::text::{NormalizeScratch, Normalized, Normalizer};

/// One lexicon term, in normalized form.
#[derive(Debug, Clone, PartialEq)]
pub struct LexiconEntry {
    /// The term, normalized.
    pub term: String,
    /// The harm the term names.
    pub tag: Tag,
    /// How strong the term is (1 when the table gives none); a term below 1 adds no tag on its own.
    pub weight: f32,
}

/// A lexicon term found in a normalized text, as character offsets into it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Hit {
    /// Index of the term in [`Lexicon::entries`].
    pub entry: u32,
    /// First character of the match.
    pub start: u32,
    /// One past the last character of the match.
    pub end: u32,
    /// Preceded, in the same clause and within a short window, by a negator such as 不会.
    pub negated: bool,
}

/// An error in the lexicon table.
#[derive(Debug, thiserror::Error)]
#[error("lexicon line {line}: {reason}")]
pub struct LexiconError {
    /// Line of the table, 1-based; 0 when the automaton could not be built.
    pub line: usize,
    /// What is wrong.
    pub reason: String,
}

/// Words that turn a following threat into a promise not to do it.
pub const NEGATORS: &[&str] = &[
    "不会",
    "绝不",
    "决不",
    "不得",
    "承诺不",
    "从不",
    "禁止",
    "严禁",
    "不再",
    "杜绝",
    "并不会",
    "不可以",
    "不允许",
    "不能",
    "没有",
    "从未",
    "拒绝",
    "不存在",
    "没人会",
    "没有人会",
    "不打算",
    "没打算",
    "不搞",
];

/// How many characters before a hit are searched for a negator.
pub const NEGATION_WINDOW: usize = 12;

fn is_clause_break(c: char) -> bool {
    matches!(c, '，' | ',' | '。' | '！' | '!' | '？' | '?' | '；' | ';' | '\n' | '：' | ':')
}

/// The lexicon compiled into an automaton over normalized text.
pub struct Lexicon {
    automaton: Option<AhoCorasick>,
    negators: AhoCorasick,
    entries: Vec<LexiconEntry>,
    /// Per entry: whether the term begins, and whether it ends, with an ASCII letter or digit (such
    /// a term must not touch another one on that side).
    latin_ends: Vec<(bool, bool)>,
    /// A bit for each negator's first character, at its code point modulo 64.
    negator_openings: u64,
    /// How the terms open: the search starts where the first one may.
    openings: Openings,
}

impl Lexicon {
    /// Parses `term<TAB>tag[<TAB>weight]` lines after a header and normalizes each term with
    /// `normalizer`, so terms match whatever spelling the message used.
    pub fn parse(table: &str, normalizer: &Normalizer) -> Result<Lexicon, LexiconError> {
        let mut entries = Vec::new();
        let mut scratch = NormalizeScratch::default();
        let mut norm = Normalized::default();
        for (i, line) in table.lines().enumerate().skip(1) {
            if line.trim().is_empty() || line.starts_with('#') {
                continue;
            }
            let err = |reason: String| LexiconError { line: i + 1, reason };
            let mut parts = line.split('\t');
            let term = parts.next().unwrap_or("").trim();
            let tag = parts.next().unwrap_or("").trim();
            let weight = parts.next().unwrap_or("1").trim();
            if term.is_empty() {
                return Err(err(format!("empty term in {line:?}")));
            }
            let tag: Tag = tag.parse().map_err(|e| err(format!("{e}")))?;
            let weight: f32 = if weight.is_empty() {
                1.0
            } else {
                weight.parse().map_err(|_| err(format!("weight {weight:?} is not a number")))?
            };
            normalizer.normalize(term, &mut scratch, &mut norm);
            let term = norm.text.trim().to_string();
            if term.is_empty() {
                return Err(err(format!("term {line:?} is empty once normalized")));
            }
            entries.push(LexiconEntry { term, tag, weight });
        }
        let automaton = if entries.is_empty() {
            None
        } else {
            // A DFA (2.5 MB for the bundled lexicon) is twice as fast as the default NFA at
            // overlapping search over CJK text, where no prefilter helps; the NFA if it is too big.
            let build = |kind| {
                AhoCorasick::builder()
                    .match_kind(MatchKind::Standard)
                    .kind(kind)
                    .build(entries.iter().map(|e| e.term.as_str()))
            };
            Some(
                build(Some(AhoCorasickKind::DFA))
                    .or_else(|_| build(None))
                    .map_err(|e| LexiconError { line: 0, reason: e.to_string() })?,
            )
        };
        let negators = AhoCorasick::builder()
            .kind(Some(AhoCorasickKind::DFA))
            .build(NEGATORS)
            .map_err(|e| LexiconError { line: 0, reason: e.to_string() })?;
        let latin = |c: char| c.is_ascii_alphanumeric();
        let latin_ends = entries.iter().map(|e| (e.term.starts_with(latin), e.term.ends_with(latin))).collect();
        let negator_openings =
            NEGATORS.iter().filter_map(|n| n.chars().next()).fold(0, |bits, c| bits | 1 << (c as u32 % 64));
        let openings = Openings::new(entries.iter().map(|e| e.term.as_str()));
        Ok(Lexicon { automaton, negators, entries, latin_ends, negator_openings, openings })
    }

    /// The terms, in table order.
    pub fn entries(&self) -> &[LexiconEntry] {
        &self.entries
    }

    /// The term that `hit` found.
    pub fn entry(&self, hit: &Hit) -> &LexiconEntry {
        &self.entries[hit.entry as usize]
    }

    /// Finds every (possibly overlapping) term in `text`. `char_of_byte` maps a byte offset of
    /// `text` at a character boundary to its character offset.
    pub fn find(&self, text: &str, char_of_byte: impl Fn(usize) -> usize, out: &mut Vec<Hit>) {
        out.clear();
        let Some(ac) = &self.automaton else { return };
        // No term begins before `first`, so none ends there, and the automaton would be in its
        // start state there: searching from `first` finds the same matches, in the same order.
        let Some(first) = self.openings.first_in(text) else { return };
        let bytes = text.as_bytes();
        for m in ac.find_overlapping_iter(aho_corasick::Input::new(text).span(first..text.len())) {
            let (latin_start, latin_end) = self.latin_ends[m.pattern().as_usize()];
            // A match starts and ends at character boundaries, so the byte before (after) it is
            // an ASCII letter or digit exactly when the character before (after) it is one.
            let word = |b: Option<&u8>| b.is_some_and(u8::is_ascii_alphanumeric);
            if (latin_start && word(m.start().checked_sub(1).and_then(|i| bytes.get(i))))
                || (latin_end && word(bytes.get(m.end())))
            {
                continue;
            }
            let negated = self.negated_before(text, m.start());
            out.push(Hit {
                entry: m.pattern().as_u32(),
                start: char_of_byte(m.start()) as u32,
                end: char_of_byte(m.end()) as u32,
                negated,
            });
        }
    }

    /// Whether a negator stands in the window before byte `start`, in the same clause.
    fn negated_before(&self, text: &str, start: usize) -> bool {
        let mut from = start;
        // whether some character of the window may begin a negator (if none does, none is there)
        let mut may_open = false;
        for (n, (i, c)) in text[..start].char_indices().rev().enumerate() {
            if n >= NEGATION_WINDOW || is_clause_break(c) {
                break;
            }
            from = i;
            may_open |= self.negator_openings & (1 << (c as u32 % 64)) != 0;
        }
        may_open && self.negators.is_match(&text[from..start])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::parse_variants;

    fn lexicon() -> (Lexicon, Normalizer) {
        let normalizer = Normalizer::new(parse_variants("v\tc\n通迅录\t通讯录\t\n").unwrap());
        let table = "term\ttag\tweight\n通讯录\tcontacts\t1.5\n爆通讯录\tcontacts\t2\nP图\timage\t2\n\
                     去你家\tvisit\t1\n714高炮\tinsult\t1\n";
        (Lexicon::parse(table, &normalizer).unwrap(), normalizer)
    }

    fn hits(text: &str) -> Vec<(String, bool)> {
        let (lex, normalizer) = lexicon();
        let mut norm = Normalized::default();
        normalizer.normalize(text, &mut NormalizeScratch::default(), &mut norm);
        let t = norm.text.clone();
        let mut out = Vec::new();
        lex.find(&t, |b| t[..b].chars().count(), &mut out);
        out.iter()
            .map(|h| {
                let s: String = t.chars().skip(h.start as usize).take((h.end - h.start) as usize).collect();
                (s, h.negated)
            })
            .collect()
    }

    #[test]
    fn finds_overlapping_terms_in_normalized_form() {
        let h = hits("再不还就爆你通迅录，爆通讯录");
        assert!(h.contains(&("通讯录".to_string(), false)));
        assert!(h.contains(&("爆通讯录".to_string(), false)));
        // terms with digits are normalized like the text
        assert_eq!(hits("又是714高炮"), vec![("714高炮".replace("714", "\u{E000}"), false)]);
    }

    #[test]
    fn negation_marks_promises_not_threats() {
        assert_eq!(hits("本平台不会P图"), vec![("p图".to_string(), true)]);
        let h = hits("我们不会爆你通讯录，我们直接去你家找你爸妈");
        assert!(h.contains(&("通讯录".to_string(), true)));
        assert!(h.contains(&("去你家".to_string(), false)));
        // a clause break ends the window
        assert_eq!(hits("不会吧，P图"), vec![("p图".to_string(), false)]);
    }

    #[test]
    fn latin_terms_match_whole_words_only() {
        assert_eq!(hits("下载app图标"), vec![]);
        assert_eq!(hits("给你p图"), vec![("p图".to_string(), false)]);
    }

    #[test]
    fn bad_tables_name_the_line() {
        let normalizer = Normalizer::new(Vec::new());
        let err = Lexicon::parse("term\ttag\n通讯录\tbogus\n", &normalizer).err().unwrap();
        assert!(err.to_string().contains("line 2"), "{err}");
        let err = Lexicon::parse("term\ttag\tweight\nx\timage\theavy\n", &normalizer).err().unwrap();
        assert!(err.to_string().contains("heavy"), "{err}");
    }
}
