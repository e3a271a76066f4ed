//! What the classifier says about one message: label, confidence, scores, tags and evidence
//! spans. The shared vocabulary of the model, the readers and writers and the reports.

use crate::labels::{Label, N_LABELS, N_TAGS, TagSet};

/// A character span of the original text, end exclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Span {
    /// First character of the span (0-based, in characters, not bytes).
    pub start: u32,
    /// One past the last character of the span.
    pub end: u32,
}

/// Label probabilities and tag probabilities for one message.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Scores {
    /// One probability per label, in the order of [`Label::ALL`].
    pub labels: [f32; N_LABELS],
    /// One probability per tag, in the order of [`Tag::ALL`](crate::Tag::ALL).
    pub tags: [f32; N_TAGS],
}

impl Scores {
    /// The most probable label and its probability.
    pub fn best(&self) -> (Label, f32) {
        best_label(&self.labels)
    }
}

/// The most probable label of a probability (or score) vector, and its value.
pub fn best_label(labels: &[f32; N_LABELS]) -> (Label, f32) {
    let mut best = 0;
    for k in 1..N_LABELS {
        if labels[k] > labels[best] {
            best = k;
        }
    }
    (Label::ALL[best], labels[best])
}

/// What the classifier says about one message.
#[derive(Debug, Clone, PartialEq)]
pub struct Prediction {
    /// The label given.
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
        let mut labels = [0.0; N_LABELS];
        labels[label.index()] = confidence;
        Prediction { label, confidence, scores: Scores { labels, tags: [0.0; N_TAGS] }, tags, evidence, review: false }
    }
}
