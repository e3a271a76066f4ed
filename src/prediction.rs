//! What the classifier says about one message: label, confidence, scores, tags and evidence
//! spans. The shared vocabulary of the model, the readers and writers and the reports.

use std::ops::{Deref, DerefMut};

use crate::labels::{Label, MAX_LABELS, N_LABELS, N_TAGS, TagSet};

/// A character span of the original text, end exclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Span {
    /// First character of the span (0-based, in characters, not bytes).
    pub start: u32,
    /// One past the last character of the span.
    pub end: u32,
}

/// One value per label of a model's label set (scores or probabilities), in output order: a
/// slice of up to [`MAX_LABELS`] values kept inline, so that a prediction needs no allocation.
#[derive(Clone, Copy)]
pub struct LabelValues {
    values: [f32; MAX_LABELS],
    len: u8,
}

impl LabelValues {
    /// `n` zeros (`n` at most [`MAX_LABELS`]).
    #[inline]
    pub fn zeros(n: usize) -> LabelValues {
        debug_assert!(n <= MAX_LABELS);
        LabelValues { values: [0.0; MAX_LABELS], len: n.min(MAX_LABELS) as u8 }
    }

    /// A copy of `values` (at most [`MAX_LABELS`] of them are kept).
    #[inline]
    pub fn from_slice(values: &[f32]) -> LabelValues {
        let mut out = LabelValues::zeros(values.len());
        let n = out.len as usize;
        out.values[..n].copy_from_slice(&values[..n]);
        out
    }
}

impl Deref for LabelValues {
    type Target = [f32];
    #[inline]
    fn deref(&self) -> &[f32] {
        &self.values[..self.len as usize]
    }
}

impl DerefMut for LabelValues {
    #[inline]
    fn deref_mut(&mut self) -> &mut [f32] {
        &mut self.values[..self.len as usize]
    }
}

impl PartialEq for LabelValues {
    fn eq(&self, other: &Self) -> bool {
        **self == **other
    }
}

impl std::fmt::Debug for LabelValues {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

/// Label probabilities and tag probabilities for one message.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Scores {
    /// One probability per label of the model's label set, in its order (for the built-in set,
    /// the order of [`Label::ALL`]).
    pub labels: LabelValues,
    /// One probability per tag, in the order of [`Tag::ALL`](crate::Tag::ALL); zero for a model
    /// with its own label set.
    pub tags: [f32; N_TAGS],
}

impl Scores {
    /// The output index of the most probable label, and its probability.
    pub fn best(&self) -> (usize, f32) {
        best_label(&self.labels)
    }
}

/// The index of the largest value of a probability (or score) vector (the first of equals), and
/// the value.
pub fn best_label(labels: &[f32]) -> (usize, f32) {
    let mut best = 0;
    for k in 1..labels.len() {
        if labels[k] > labels[best] {
            best = k;
        }
    }
    (best, labels[best])
}

/// What the classifier says about one message.
#[derive(Debug, Clone, PartialEq)]
pub struct Prediction {
    /// The output index of the label given in the model's label set
    /// ([`Classifier::labels`](crate::Classifier::labels)), whatever the set.
    pub class: usize,
    /// The label given as a built-in label, for a model with the built-in labels. A model with
    /// its own label set gives no built-in label: this is then [`Label::Other`] and means
    /// nothing; read `class`.
    pub label: Label,
    /// Probability of `label`.
    pub confidence: f32,
    /// Label probabilities, and tag probabilities for the unlawful labels (zero for the others:
    /// tags are only given to unlawful messages, so their outputs are not computed).
    pub scores: Scores,
    /// The harms named, for the unlawful labels.
    pub tags: TagSet,
    /// Spans of the original text that drove the label, in text order. For a message sent to
    /// review, the spans that drove the collection label it was given before.
    pub evidence: Vec<Span>,
    /// The model gave a collection label with less confidence than the minimum asked for
    /// (`Classifier::set_min_confidence`); the message is labelled `other` and should be read
    /// by a person.
    pub review: bool,
}

impl Prediction {
    /// A prediction read back from a classified file: `label` with `confidence`, no other scores.
    pub fn recorded(label: Label, confidence: f32, tags: TagSet, evidence: Vec<Span>) -> Prediction {
        let mut labels = LabelValues::zeros(N_LABELS);
        labels[label.index()] = confidence;
        Prediction {
            class: label.index(),
            label,
            confidence,
            scores: Scores { labels, tags: [0.0; N_TAGS] },
            tags,
            evidence,
            review: false,
        }
    }
}
