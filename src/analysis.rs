//! The analysis chain for one message: normalize → segment → lexicon → features, with reusable buffers.

use serde::{Deserialize, Serialize};

use crate::features::{
    self, BucketCounter, FeatureConfig, FeatureInput, Hit, Lexicon, Normalization, Occurrence, SparseVec,
};
use crate::text::{NormalizeScratch, Normalized, Normalizer, Segmenter, TokenSpan, parse_variants};

/// The data files the chain is built from. A model file carries its own copy, so a model
/// analyses text exactly as it did when it was trained.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Resources {
    /// jieba user dictionary: `word freq [tag]` per line.
    pub domain_dict: String,
    /// Threat lexicon: header, then `term<TAB>tag<TAB>weight`.
    pub lexicon: String,
    /// Evasion spellings: header, then `variant<TAB>canonical<TAB>context`.
    pub variants: String,
}

impl Resources {
    /// The files in `data/`, as compiled into this binary.
    pub fn bundled() -> Resources {
        Resources {
            domain_dict: include_str!("../data/dict/collection.dict").to_string(),
            lexicon: include_str!("../data/lexicon.tsv").to_string(),
            variants: include_str!("../data/variants.tsv").to_string(),
        }
    }
}

/// A resource that could not be built.
#[derive(Debug, thiserror::Error)]
pub enum AnalyzerError {
    /// The variants table has a bad line.
    #[error(transparent)]
    Variants(#[from] crate::text::normalize::VariantsError),
    /// The domain dictionary could not be loaded into the segmenter.
    #[error(transparent)]
    Dict(#[from] crate::text::segment::DictError),
    /// The lexicon table has a bad line, or its automaton could not be built.
    #[error(transparent)]
    Lexicon(#[from] crate::features::LexiconError),
    /// The feature configuration is out of range.
    #[error(transparent)]
    Config(#[from] crate::features::FeatureConfigError),
}

/// Normalizer, segmenter, lexicon and feature configuration, built once and shared by all threads.
pub struct Analyzer {
    normalizer: Normalizer,
    segmenter: Segmenter,
    lexicon: Lexicon,
    config: FeatureConfig,
}

/// One message's analysis, every stage's result. Reuse one per thread: every buffer is cleared,
/// not reallocated.
#[derive(Default)]
pub struct AnalyzedText {
    /// The normalized text, with its map back to the original.
    pub normalized: Normalized,
    /// The segmenter's words.
    pub tokens: Vec<TokenSpan>,
    /// Lexicon terms found in the normalized text.
    pub hits: Vec<Hit>,
    /// Every feature occurrence, with its span.
    pub occurrences: Vec<Occurrence>,
    /// The hashed feature vector.
    pub features: SparseVec,
    /// For each occurrence, the index of its bucket's entry in `features`.
    pub positions: Vec<u32>,
    counter: BucketCounter,
    scratch: NormalizeScratch,
}

impl AnalyzedText {
    /// The normalized text of tokens or spans `start..end` (character offsets).
    pub fn normalized_slice(&self, start: u32, end: u32) -> &str {
        let starts = &self.normalized.char_starts;
        let b = |c: u32| starts.get(c as usize).map_or(self.normalized.text.len(), |&b| b as usize);
        &self.normalized.text[b(start)..b(end)]
    }

    /// The word of a token.
    pub fn token_text(&self, t: &TokenSpan) -> &str {
        &self.normalized.text[t.byte_start as usize..t.byte_end as usize]
    }
}

impl Analyzer {
    /// Builds the chain from `resources` after checking `config`; the basic normalization does not
    /// read the variants table.
    pub fn new(resources: &Resources, config: FeatureConfig) -> Result<Analyzer, AnalyzerError> {
        config.check()?;
        let normalizer = match config.normalization {
            Normalization::Full => Normalizer::new(parse_variants(&resources.variants)?),
            Normalization::Basic => Normalizer::basic(),
        };
        let segmenter = Segmenter::new(&resources.domain_dict)?;
        let lexicon = Lexicon::parse(&resources.lexicon, &normalizer)?;
        Ok(Analyzer { normalizer, segmenter, lexicon, config })
    }

    /// The feature configuration.
    pub fn config(&self) -> &FeatureConfig {
        &self.config
    }

    /// The compiled lexicon.
    pub fn lexicon(&self) -> &Lexicon {
        &self.lexicon
    }

    /// The segmenter.
    pub fn segmenter(&self) -> &Segmenter {
        &self.segmenter
    }

    /// Runs the whole chain on `text`, leaving every intermediate result in `a`.
    pub fn analyze(&self, text: &str, a: &mut AnalyzedText) {
        self.normalizer.normalize(text, &mut a.scratch, &mut a.normalized);
        let norm = a.normalized.text.as_str();
        self.segmenter.segment(norm, &mut a.tokens);
        let starts = &a.normalized.char_starts;
        self.lexicon.find(norm, |byte| starts.partition_point(|&s| (s as usize) < byte), &mut a.hits);
        let input = FeatureInput { text: norm, tokens: &a.tokens, hits: &a.hits, lexicon: &self.lexicon };
        features::extract(&self.config, &input, &mut a.occurrences);
        a.counter.fold(a.occurrences.iter().map(|o| o.bucket), &mut a.features, &mut a.positions);
    }
}
