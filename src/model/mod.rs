//! The classifier: a trained linear model with the analysis chain it was trained with; it turns
//! a message into a label, a confidence, tags and evidence.

pub mod file;
pub mod hyperparams;
pub mod linear;
pub mod metrics;
pub mod train;

use std::path::Path;

use crate::analysis::{Analysis, Analyzer, AnalyzerError};
use crate::features::Namespace;
use crate::labels::{Label, Tag, TagSet};

pub use file::{ModelFileError, ModelMeta};
pub use hyperparams::{LinearParams, ValidLinearParams};
pub use linear::{LinearModel, Scores, SparseRecords, TrainTargets};
pub use metrics::{Evaluation, evaluate};
pub use train::{Example, TrainReport, cross_validate, train};

/// The default model, trained from `data/` and compiled into the binary.
pub static DEFAULT_MODEL: &[u8] = include_bytes!("../../models/default.model");

/// Why a model could not be trained, loaded or used.
#[derive(Debug, thiserror::Error)]
pub enum ModelError {
    #[error("no training rows")]
    EmptyDataset,
    #[error("{0} feature rows but {1} targets")]
    Shape(usize, usize),
    #[error("invalid hyper-parameters: {0}")]
    InvalidParams(String),
    #[error(transparent)]
    File(#[from] ModelFileError),
    #[error(transparent)]
    Analyzer(#[from] AnalyzerError),
    #[error(transparent)]
    Linfa(#[from] linfa::Error),
    #[error("reading model {path}: {source}")]
    Io { path: String, source: std::io::Error },
}

/// A character span of the original text, end exclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Span {
    pub start: u32,
    pub end: u32,
}

/// What the classifier says about one message.
#[derive(Debug, Clone, PartialEq)]
pub struct Prediction {
    pub label: Label,
    /// Probability of `label`.
    pub confidence: f32,
    pub scores: Scores,
    pub tags: TagSet,
    /// Spans of the original text that drove the label, in text order.
    pub evidence: Vec<Span>,
}

/// How many spans of evidence at most, and how many of them may come from model features.
const MAX_EVIDENCE: usize = 6;
const MAX_FEATURE_EVIDENCE: usize = 3;
/// Lexicon terms weaker than this do not add a tag on their own.
const TAG_TERM_WEIGHT: f32 = 1.0;

/// A model and its analysis chain. Build once; share between threads (`&Classifier` is `Sync`).
pub struct Classifier {
    analyzer: Analyzer,
    model: LinearModel,
    meta: ModelMeta,
}

impl Classifier {
    pub fn new(meta: ModelMeta, model: LinearModel) -> Result<Classifier, ModelError> {
        let analyzer = Analyzer::new(&meta.resources, meta.features.clone())?;
        Ok(Classifier { analyzer, model, meta })
    }

    /// Reads a model from the bytes of a model file.
    pub fn from_bytes(bytes: &[u8]) -> Result<Classifier, ModelError> {
        let (meta, model) = file::from_bytes(bytes)?;
        Classifier::new(meta, model)
    }

    /// Reads a model file.
    pub fn load(path: &Path) -> Result<Classifier, ModelError> {
        let bytes =
            std::fs::read(path).map_err(|source| ModelError::Io { path: path.display().to_string(), source })?;
        Classifier::from_bytes(&bytes)
    }

    /// The default model compiled into this build.
    pub fn bundled() -> Result<Classifier, ModelError> {
        Classifier::from_bytes(DEFAULT_MODEL)
    }

    /// The serialized model file.
    pub fn to_bytes(&self) -> Vec<u8> {
        file::to_bytes(&self.meta, &self.model)
    }

    pub fn analyzer(&self) -> &Analyzer {
        &self.analyzer
    }

    pub fn model(&self) -> &LinearModel {
        &self.model
    }

    pub fn meta(&self) -> &ModelMeta {
        &self.meta
    }

    /// Analyses and classifies one message; `a` holds the analysis afterwards.
    pub fn predict(&self, text: &str, a: &mut Analysis) -> Prediction {
        self.analyzer.analyze(text, a);
        let scores = self.model.scores(&a.features);
        let (label, confidence) = scores.best();
        let tags = self.tags(label, &scores, a);
        let evidence = self.evidence(label, tags, a);
        Prediction { label, confidence, scores, tags, evidence }
    }

    /// Tags: the harms named by un-negated lexicon terms and by the tag outputs, for the two
    /// unlawful labels only; an image threat always carries `image`, intimidation never does.
    fn tags(&self, label: Label, scores: &Scores, a: &Analysis) -> TagSet {
        let mut tags = TagSet::default();
        if !label.is_unlawful() {
            return tags;
        }
        let lexicon = self.analyzer.lexicon();
        for hit in a.hits.iter().filter(|h| !h.negated) {
            let entry = lexicon.entry(hit);
            if entry.weight >= TAG_TERM_WEIGHT {
                tags.insert(entry.tag);
            }
        }
        for (tag, &p) in Tag::ALL.iter().zip(&scores.tags) {
            if p >= 0.5 {
                tags.insert(*tag);
            }
        }
        let mut out = TagSet::default();
        for tag in tags.iter().filter(|t| *t != Tag::Image) {
            out.insert(tag);
        }
        if label == Label::DoctoredImageThreat {
            out.insert(Tag::Image);
        } else if out.is_empty() {
            let best = Tag::ALL
                .iter()
                .zip(&scores.tags)
                .filter(|(t, _)| **t != Tag::Image)
                .max_by(|a, b| a.1.total_cmp(b.1))
                .map(|(t, _)| *t);
            if let Some(t) = best {
                out.insert(t);
            }
        }
        out
    }

    /// Evidence: lexicon terms that agree with the label (threat terms for unlawful labels,
    /// negated terms for lawful reminders), then the features that pushed hardest towards the
    /// label, mapped back to the original text.
    fn evidence(&self, label: Label, tags: TagSet, a: &Analysis) -> Vec<Span> {
        let lexicon = self.analyzer.lexicon();
        let mut spans: Vec<(u32, u32)> = Vec::new();
        for hit in &a.hits {
            let entry = lexicon.entry(hit);
            let keep = match label {
                Label::Intimidation | Label::DoctoredImageThreat => !hit.negated && tags.contains(entry.tag),
                Label::LawfulReminder => hit.negated,
                Label::Other => false,
            };
            if keep {
                spans.push((hit.start, hit.end));
            }
        }
        let k = label.index();
        let mut ranked: Vec<(f32, u32, u32)> = a
            .occurrences
            .iter()
            .filter(|o| matches!(o.namespace, Namespace::Word | Namespace::WordNgram | Namespace::LexTerm))
            .filter_map(|o| {
                let pos = a.features.indices.binary_search(&o.bucket).ok()?;
                let row = self.model.row(o.bucket);
                let others = (0..linear::N_LABELS).filter(|&j| j != k).map(|j| row[j]).sum::<f32>()
                    / (linear::N_LABELS - 1) as f32;
                let contribution = a.features.values[pos] * (row[k] - others);
                (contribution > 0.0).then_some((contribution, o.start, o.end))
            })
            .collect();
        ranked.sort_by(|x, y| y.0.total_cmp(&x.0).then(x.1.cmp(&y.1)));
        let mut added = 0;
        for (_, s, e) in ranked {
            if added == MAX_FEATURE_EVIDENCE {
                break;
            }
            let slice = a.normalized_slice(s, e);
            // A span must be a word or more, and must not contain the field's own separator.
            if slice.chars().filter(|c| c.is_alphanumeric()).count() < 2 || slice.contains([';', '\n', '\r']) {
                continue;
            }
            if !spans.iter().any(|&(ps, pe)| ps <= s && e <= pe) {
                spans.push((s, e));
                added += 1;
            }
        }
        // Map to the original text, merge overlaps, keep text order.
        let mut original: Vec<Span> = spans
            .into_iter()
            .map(|(s, e)| {
                let (os, oe) = a.normalized.original_span(s as usize, e as usize);
                Span { start: os, end: oe }
            })
            .filter(|s| s.end > s.start)
            .collect();
        original.sort();
        let mut merged: Vec<Span> = Vec::new();
        for s in original {
            match merged.last_mut() {
                Some(last) if s.start < last.end => last.end = last.end.max(s.end),
                _ => merged.push(s),
            }
        }
        merged.truncate(MAX_EVIDENCE);
        merged
    }
}

/// Writes evidence as `SPAN@START-END;…`, SPAN being the original text between the character
/// offsets START and END (end exclusive).
pub fn format_evidence(text: &str, spans: &[Span]) -> String {
    let mut out = String::new();
    if spans.is_empty() {
        return out;
    }
    let chars: Vec<char> = text.chars().collect();
    for (i, s) in spans.iter().enumerate() {
        if i > 0 {
            out.push(';');
        }
        let (a, b) = (s.start as usize, (s.end as usize).min(chars.len()));
        out.extend(&chars[a.min(b)..b]);
        out.push_str(&format!("@{}-{}", s.start, s.end));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn evidence_is_written_with_character_offsets() {
        let text = "😀再不还就爆 通 讯 录";
        let spans = [Span { start: 5, end: 12 }];
        assert_eq!(format_evidence(text, &spans), "爆 通 讯 录@5-12");
        assert_eq!(format_evidence(text, &[]), "");
    }
}
