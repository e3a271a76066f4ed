//! Features: hashed word n-grams, character n-grams and lexicon hits, each in its own namespace,
//! folded into one sparse, L2-normalized vector.

pub mod hash;
pub mod lexicon;

use serde::{Deserialize, Serialize};

pub use lexicon::{Hit, Lexicon, LexiconEntry, LexiconError};

use crate::text::TokenSpan;
use crate::text::is_content_token;

/// Which features are extracted, and how many buckets they are hashed into. Saved in the model
/// file, so a model always featurizes exactly as it was trained.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeatureConfig {
    /// log2 of the number of hash buckets.
    pub bucket_bits: u8,
    /// Word n-grams up to this length (1: unigrams, 2: unigrams and bigrams).
    pub word_ngrams: u8,
    /// Character n-grams from `char_ngram_min` to `char_ngram_max` (0 disables them).
    pub char_ngram_min: u8,
    /// Longest character n-gram, at most 5.
    pub char_ngram_max: u8,
    /// Lexicon hits (term and tag, plain or negated) as features.
    pub lexicon: bool,
    /// Which normalization chain runs before segmentation.
    #[serde(default)]
    pub normalization: Normalization,
    /// One feature for the message's length class (see [`length_class`]), so that a model can
    /// learn how little a two-character reply says (absent in older model files: off).
    #[serde(default)]
    pub length: bool,
}

/// The normalization chain a model uses.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "cli", derive(clap::ValueEnum))]
#[serde(rename_all = "lowercase")]
pub enum Normalization {
    /// Width, case, script, separators, evasion spellings, numbers.
    #[default]
    Full,
    /// ASCII case and numbers only (for measuring what the full chain adds).
    Basic,
}

impl Default for FeatureConfig {
    fn default() -> Self {
        FeatureConfig {
            bucket_bits: 18,
            word_ngrams: 2,
            char_ngram_min: 1,
            char_ngram_max: 2,
            lexicon: true,
            normalization: Normalization::Full,
            length: true,
        }
    }
}

/// A feature configuration that cannot work.
#[derive(Debug, thiserror::Error)]
#[error("invalid feature configuration: {0}")]
pub struct FeatureConfigError(pub String);

impl FeatureConfig {
    /// Checks the ranges: `bucket_bits` 10..=24, `word_ngrams` 1..=3, and character n-grams
    /// `min <= max <= 5`.
    pub fn check(&self) -> Result<(), FeatureConfigError> {
        if !(10..=24).contains(&self.bucket_bits) {
            return Err(FeatureConfigError(format!("bucket_bits {} is outside 10..=24", self.bucket_bits)));
        }
        if !(1..=3).contains(&self.word_ngrams) {
            return Err(FeatureConfigError(format!("word_ngrams {} is outside 1..=3", self.word_ngrams)));
        }
        if self.char_ngram_max > 5 || self.char_ngram_min > self.char_ngram_max {
            return Err(FeatureConfigError(format!(
                "char n-grams {}..={} must satisfy min <= max <= 5",
                self.char_ngram_min, self.char_ngram_max
            )));
        }
        Ok(())
    }

    /// The number of hash buckets, `2^bucket_bits`.
    pub fn buckets(&self) -> usize {
        1 << self.bucket_bits
    }
}

/// The feature families. Each hashes with its own seed, so the same string in two families
/// lands in different buckets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Namespace {
    /// A content word of the segmenter.
    Word = 1,
    /// Consecutive content words within a clause, up to `word_ngrams` long.
    WordNgram = 2,
    /// A character n-gram, whitespace skipped.
    Char = 3,
    /// A lexicon term that is not negated.
    LexTerm = 4,
    /// The tag of a lexicon term that is not negated.
    LexTag = 5,
    /// A negated lexicon term.
    NegTerm = 6,
    /// The tag of a negated lexicon term.
    NegTag = 7,
    /// The message's length class.
    Length = 8,
}

impl Namespace {
    /// The family's prefix in readable feature names (`w`, `wn`, `c`, `lex`, …).
    pub fn name(self) -> &'static str {
        match self {
            Namespace::Word => "w",
            Namespace::WordNgram => "wn",
            Namespace::Char => "c",
            Namespace::LexTerm => "lex",
            Namespace::LexTag => "lextag",
            Namespace::NegTerm => "neg",
            Namespace::NegTag => "negtag",
            Namespace::Length => "len",
        }
    }

    fn seed(self) -> u64 {
        self as u64
    }
}

/// One feature occurrence: its bucket, where it came from in the normalized text, its family.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Occurrence {
    /// Hash bucket of the feature, below [`FeatureConfig::buckets`].
    pub bucket: u32,
    /// First character of the span in the normalized text.
    pub start: u32,
    /// One past the last character of the span.
    pub end: u32,
    /// The feature family.
    pub namespace: Namespace,
}

/// A sparse feature vector: unique buckets, in the order they first occur, and their values.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SparseVec {
    /// The bucket of each entry.
    pub indices: Vec<u32>,
    /// The value of each entry.
    pub values: Vec<f32>,
}

impl SparseVec {
    /// Empties the vector, keeping its capacity.
    pub fn clear(&mut self) {
        self.indices.clear();
        self.values.clear();
    }

    /// The number of entries.
    pub fn len(&self) -> usize {
        self.indices.len()
    }

    /// Whether the vector has no entries.
    pub fn is_empty(&self) -> bool {
        self.indices.is_empty()
    }

    /// The `(bucket, value)` entries, in order.
    pub fn iter(&self) -> impl Iterator<Item = (u32, f32)> + '_ {
        self.indices.iter().copied().zip(self.values.iter().copied())
    }

    /// Builds the vector from raw bucket occurrences (see [`BucketCounter::fold`]).
    pub fn from_buckets(&mut self, buckets: &[u32]) {
        BucketCounter::default().fold(buckets.iter().copied(), self, &mut Vec::new());
    }
}

/// Folds bucket occurrences into a [`SparseVec`] without sorting them: an open-addressing table,
/// reused from message to message, finds the entry of each bucket.
#[derive(Debug, Default)]
pub struct BucketCounter {
    /// Per slot, a bucket and the index of its entry; `EMPTY` for a free slot.
    slots: Vec<(u32, u32)>,
}

impl BucketCounter {
    const EMPTY: u32 = u32::MAX;

    /// Fills `out` from `buckets`: counts damped with `1 + ln(count)`, scaled to unit L2 norm.
    /// `positions` receives, for each occurrence, the index of its bucket's entry in `out`.
    pub fn fold(&mut self, buckets: impl ExactSizeIterator<Item = u32>, out: &mut SparseVec, positions: &mut Vec<u32>) {
        let n = buckets.len();
        // Written by index, then cut to length: no capacity check per occurrence.
        out.indices.clear();
        out.indices.resize(n, 0);
        out.values.clear();
        out.values.resize(n, 0.0);
        positions.clear();
        positions.resize(n, 0);
        // At most half full, so probes stay short.
        let size = (n * 2).next_power_of_two().max(64);
        let shift = 32 - size.trailing_zeros();
        let mask = size - 1;
        self.slots.clear();
        self.slots.resize(size, (Self::EMPTY, 0));
        let mut len = 0usize;
        for (b, position) in buckets.zip(positions.iter_mut()) {
            let mut slot = (b.wrapping_mul(0x9E37_79B1) >> shift) as usize;
            loop {
                let (bucket, entry) = self.slots[slot];
                if bucket == Self::EMPTY {
                    self.slots[slot] = (b, len as u32);
                    out.indices[len] = b;
                    out.values[len] = 1.0;
                    *position = len as u32;
                    len += 1;
                    break;
                }
                if bucket == b {
                    out.values[entry as usize] += 1.0;
                    *position = entry;
                    break;
                }
                slot = (slot + 1) & mask;
            }
        }
        out.indices.truncate(len);
        out.values.truncate(len);
        let mut norm = 0.0f32;
        for v in &mut out.values {
            if *v > 1.0 {
                *v = 1.0 + v.ln();
            }
            norm += *v * *v;
        }
        if norm > 0.0 {
            let scale = 1.0 / norm.sqrt();
            for v in &mut out.values {
                *v *= scale;
            }
        }
    }
}

/// Everything the extractor reads about one message.
pub struct FeatureInput<'a> {
    /// The normalized text.
    pub text: &'a str,
    /// The segmenter's words of `text`.
    pub tokens: &'a [TokenSpan],
    /// The lexicon terms found in `text`.
    pub hits: &'a [Hit],
    /// The lexicon that `hits` index into.
    pub lexicon: &'a Lexicon,
}

/// Appends the feature occurrences of one message to `out` (cleared first).
pub fn extract(config: &FeatureConfig, input: &FeatureInput<'_>, out: &mut Vec<Occurrence>) {
    out.clear();
    let bits = config.bucket_bits;
    let mut push = |h: u64, start: u32, end: u32, namespace: Namespace| {
        out.push(Occurrence { bucket: hash::bucket(h, bits), start, end, namespace });
    };

    // Words and word n-grams over content tokens.
    let word = |t: &TokenSpan| &input.text[t.byte_start as usize..t.byte_end as usize];
    let mut window: [Option<(u64, u32)>; 3] = [None; 3];
    for t in input.tokens {
        if !is_content_token(word(t)) {
            // punctuation ends a clause: n-grams do not reach across it
            if !word(t).trim().is_empty() {
                window = [None; 3];
            }
            continue;
        }
        let h = hash::fnv1a(Namespace::Word.seed(), word(t).as_bytes());
        push(h, t.start, t.end, Namespace::Word);
        window.rotate_right(1);
        window[0] = Some((h, t.start));
        let mut gram = h ^ Namespace::WordNgram.seed().rotate_right(8);
        for n in 2..=usize::from(config.word_ngrams) {
            match window[n - 1] {
                Some((prev, start)) => {
                    gram = hash::combine(gram, prev);
                    push(gram ^ n as u64, start, t.end, Namespace::WordNgram);
                }
                None => break,
            }
        }
    }

    // Character n-grams, ignoring whitespace, emitted at their last character.
    if config.char_ngram_max > 0 {
        let max = usize::from(config.char_ngram_max);
        let min = usize::from(config.char_ngram_min.max(1));
        let mut recent: [(u64, u32); 5] = [(0, 0); 5];
        let mut seen = 0usize;
        for (pos, c) in input.text.chars().enumerate() {
            if c.is_whitespace() {
                continue;
            }
            recent.rotate_right(1);
            recent[0] = (hash::mix(c as u64 | Namespace::Char.seed() << 32), pos as u32);
            seen += 1;
            let mut h = recent[0].0;
            for n in 1..=max.min(seen) {
                if n > 1 {
                    h = hash::combine(h, recent[n - 1].0);
                }
                if n >= min {
                    push(h ^ ((n as u64) << 56), recent[n - 1].1, pos as u32 + 1, Namespace::Char);
                }
            }
        }
    }

    if config.length {
        let (class, chars) = length_class(input.text);
        push(hash::mix(class as u64 | Namespace::Length.seed() << 32), 0, chars, Namespace::Length);
    }

    // Lexicon hits: the term and its tag, plain or negated.
    if config.lexicon {
        for hit in input.hits {
            let entry = input.lexicon.entry(hit);
            let (term_ns, tag_ns) = if hit.negated {
                (Namespace::NegTerm, Namespace::NegTag)
            } else {
                (Namespace::LexTerm, Namespace::LexTag)
            };
            push(hash::fnv1a(term_ns.seed(), entry.term.as_bytes()), hit.start, hit.end, term_ns);
            push(hash::fnv1a(tag_ns.seed(), entry.tag.as_str().as_bytes()), hit.start, hit.end, tag_ns);
        }
    }
}

/// Upper bounds of the length classes, in characters other than whitespace.
const LENGTH_CLASSES: [u32; 7] = [2, 5, 10, 20, 40, 80, 160];

/// The length class of a text (0 for 1–2 characters … 7 for over 160) and its length in
/// characters.
pub fn length_class(text: &str) -> (usize, u32) {
    let (mut chars, mut visible) = (0u32, 0u32);
    for c in text.chars() {
        chars += 1;
        visible += u32::from(!c.is_whitespace());
    }
    (LENGTH_CLASSES.iter().position(|&b| visible <= b).unwrap_or(LENGTH_CLASSES.len()), chars)
}

/// A readable name for an occurrence, for `explain` (the audit view of a hashed feature).
pub fn occurrence_name(occ: &Occurrence, normalized: &str, lexicon_tag: Option<&str>) -> String {
    let span: String = normalized.chars().skip(occ.start as usize).take((occ.end - occ.start) as usize).collect();
    let span = crate::text::normalize::display_placeholders(&span);
    match (occ.namespace, lexicon_tag) {
        (Namespace::LexTag | Namespace::NegTag, Some(tag)) => {
            format!("{}:{tag}", occ.namespace.name())
        }
        (Namespace::Length, _) => {
            let (class, _) = length_class(normalized);
            let low = if class == 0 { 1 } else { LENGTH_CLASSES[class - 1] + 1 };
            match LENGTH_CLASSES.get(class) {
                Some(high) => format!("len:{low}-{high}"),
                None => format!("len:{low}+"),
            }
        }
        _ => format!("{}:{span}", occ.namespace.name()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sparse_vectors_are_unique_in_first_seen_order_and_unit_length() {
        let mut v = SparseVec::default();
        v.from_buckets(&[5, 1, 5, 9, 5]);
        assert_eq!(v.indices, vec![5, 1, 9]);
        let norm: f32 = v.values.iter().map(|x| x * x).sum();
        assert!((norm - 1.0).abs() < 1e-5);
        // 1 + ln 3 against 1
        assert!((v.values[0] / v.values[1] - (1.0 + 3f32.ln())).abs() < 1e-5);
        assert_eq!(v.values[1], v.values[2]);
    }

    #[test]
    fn bucket_counter_reuses_its_table_and_reports_positions() {
        let mut counter = BucketCounter::default();
        let (mut v, mut positions) = (SparseVec::default(), Vec::new());
        // many colliding buckets, then a short message on the same table
        let many: Vec<u32> = (0..500).map(|i| (i % 130) << 10).collect();
        counter.fold(many.iter().copied(), &mut v, &mut positions);
        assert_eq!(v.len(), 130);
        assert_eq!(positions.len(), 500);
        assert!(positions.iter().zip(&many).all(|(&p, &b)| v.indices[p as usize] == b));
        counter.fold([7, 7, 3].into_iter(), &mut v, &mut positions);
        assert_eq!((v.indices.clone(), positions.clone()), (vec![7, 3], vec![0, 0, 1]));
        counter.fold(std::iter::empty(), &mut v, &mut positions);
        assert!(v.is_empty() && positions.is_empty());
    }

    #[test]
    fn length_classes() {
        assert_eq!(length_class("嗯").0, 0);
        assert_eq!(length_class("在 吗 ？").0, 1);
        assert_eq!(length_class("明天最后一天了哈，别忘了").0, 3);
        assert_eq!(length_class(&"长".repeat(500)).0, 7);
        assert_eq!(length_class("").0, 0);
    }

    #[test]
    fn config_is_checked() {
        assert!(FeatureConfig::default().check().is_ok());
        let bad = FeatureConfig { char_ngram_min: 4, char_ngram_max: 2, ..FeatureConfig::default() };
        assert!(bad.check().is_err());
        let bad = FeatureConfig { bucket_bits: 40, ..FeatureConfig::default() };
        assert!(bad.check().is_err());
    }
}
