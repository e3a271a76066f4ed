//! Stage: evasion spellings (`通迅录`, `txl`, `批图`) folded to their canonical form, and the
//! parser of the variants table they come from.

use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};

use super::{CharBuf, Edits, Outcome, Stage, StageScratch};
use crate::text::openings::Openings;

/// One evasion spelling and its canonical form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VariantRule {
    /// The evasion spelling.
    pub variant: String,
    /// The canonical form it is folded to.
    pub canonical: String,
    /// The rule applies only when one of these words is in the same message (empty: always).
    pub context: Vec<String>,
}

/// An error in the variants table.
#[derive(Debug, thiserror::Error)]
#[error("variants table line {line}: {reason}")]
pub struct VariantsError {
    /// Line of the table, 1-based.
    pub line: usize,
    /// What is wrong.
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
    /// `rules` must already be in normalized form (see [`Normalizer::new`](super::Normalizer::new)).
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
