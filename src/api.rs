//! The batch API that bindings use: classify many texts at once, in parallel, and get back the
//! same label, confidence, tags and evidence fields that `cuishou classify` writes.
//!
//! ```
//! use cuishou::Classifier;
//! use cuishou::api::{Classification, classify_batch};
//!
//! // Load once (about half a second), then share: `&Classifier` is `Sync`.
//! let classifier = Classifier::bundled()?;
//! let out: Vec<Classification> =
//!     classify_batch(&classifier, &["再不还钱就把你P成遗照发到你家族群", "您的借款将于明日到期，请按时还款"]);
//! assert_eq!(out.len(), 2);
//! assert_eq!(out[0].label, "doctored_image_threat");
//! assert!(out[0].tags.contains("image"));
//! assert!((0.0..=1.0).contains(&out[1].confidence));
//! # Ok::<(), cuishou::model::ModelError>(())
//! ```

use rayon::prelude::*;

use crate::analysis::Analysis;
use crate::io::{DEFAULT_MAX_CHARS, check_text};
use crate::model::{Classifier, Prediction, format_evidence};

/// One message's result, as the command line writes it: `label`, `confidence` rounded to four
/// decimals, `tags` joined as in the CSV and JSON Lines output, and `evidence` as
/// `SPAN@START-END;…` with character offsets.
#[derive(Debug, Clone, PartialEq)]
pub struct Classification {
    pub label: String,
    pub confidence: f64,
    pub tags: String,
    pub evidence: String,
}

impl Classification {
    /// The output fields of one prediction for `text`.
    pub fn new(text: &str, p: &Prediction) -> Classification {
        Classification {
            label: p.label.as_str().to_string(),
            confidence: round4(p.confidence),
            tags: p.tags.to_field(),
            evidence: format_evidence(text, &p.evidence),
        }
    }
}

/// Probability rounded to four decimals, exactly as the CSV and JSON Lines writers round it.
pub fn round4(confidence: f32) -> f64 {
    (f64::from(confidence) * 10_000.0).round() / 10_000.0
}

/// Classifies every text, in parallel on rayon's global pool, one result per text in input order.
///
/// Every text is classified, whatever its length; use [`reject_reason`] first to apply the
/// command line's input checks.
pub fn classify_batch(classifier: &Classifier, texts: &[&str]) -> Vec<Classification> {
    texts
        .par_iter()
        .with_min_len(64)
        .map_init(Analysis::default, |a, text| Classification::new(text, &classifier.predict(text, a)))
        .collect()
}

/// Why `cuishou classify` (with its default `--max-chars`) would reject this text rather than
/// classify it, if it would: a NUL byte, or more than [`DEFAULT_MAX_CHARS`] characters.
pub fn reject_reason(text: &str) -> Option<String> {
    reject_reason_with(text, DEFAULT_MAX_CHARS)
}

/// [`reject_reason`] with another limit, as `--max-chars N` sets it.
pub fn reject_reason_with(text: &str, max_chars: usize) -> Option<String> {
    check_text(text, max_chars, false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_batch_keeps_input_order_and_matches_single_predictions() {
        let classifier = Classifier::bundled().unwrap();
        let texts: Vec<&str> = ["您的账单已出，请按时还款", "不还钱就爆你通讯录", "", "今晚一起吃饭吗"].repeat(50);
        let batch = classify_batch(&classifier, &texts);
        assert_eq!(batch.len(), texts.len());
        let mut a = Analysis::default();
        for (text, got) in texts.iter().zip(&batch) {
            assert_eq!(*got, Classification::new(text, &classifier.predict(text, &mut a)));
        }
        assert!(classify_batch(&classifier, &[]).is_empty());
    }

    #[test]
    fn rejects_are_the_command_lines() {
        assert_eq!(reject_reason("还钱"), None);
        assert_eq!(reject_reason("a\0b").as_deref(), Some("NUL byte in the text"));
        let long = "还".repeat(DEFAULT_MAX_CHARS + 1);
        assert!(reject_reason(&long).unwrap().starts_with("text longer than --max-chars"));
        assert_eq!(reject_reason_with("还钱啊", 2).as_deref(), Some("text longer than --max-chars (3 > 2 characters)"));
    }
}
