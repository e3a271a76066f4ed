//! Classification metrics in one place: accuracy, per-label precision / recall / F1, macro-F1 and
//! the confusion matrix, over a model's label set (labels are output indices into it).

use std::collections::BTreeMap;

use serde::Serialize;

use crate::labels::{Label, LabelSet, Tag, TagSet};

/// Precision, recall, F1 and support of one label.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct LabelScores {
    /// Share of the rows predicted as the label that have it (0 when none is predicted).
    pub precision: f64,
    /// Share of the rows of the label predicted as it (0 when there are none).
    pub recall: f64,
    /// Harmonic mean of precision and recall (0 when both are 0).
    pub f1: f64,
    /// Rows whose gold label it is.
    pub support: u64,
}

/// The result of comparing predictions with gold labels.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Evaluation {
    /// Share of the rows predicted correctly, 0 to 1 (0 for no rows).
    pub accuracy: f64,
    /// Mean F1 over the labels that occur in the gold labels or the predictions.
    pub macro_f1: f64,
    /// The scores of every label, by label name.
    pub per_label: BTreeMap<String, LabelScores>,
    /// `confusion[gold][predicted]` = number of rows.
    pub confusion: BTreeMap<String, BTreeMap<String, u64>>,
    /// Rows compared.
    pub rows: u64,
    /// The labels, in the model's order (the order of the text report).
    #[serde(skip)]
    pub labels: LabelSet,
}

fn ratio(a: u64, b: u64) -> f64 {
    if b == 0 { 0.0 } else { a as f64 / b as f64 }
}

/// The `n`×`n` matrix `m[gold][predicted]` of output indices below `n` (others are not counted).
pub fn confusion_matrix(n: usize, gold: &[usize], predicted: &[usize]) -> Vec<Vec<u64>> {
    let mut m = vec![vec![0u64; n]; n];
    for (&g, &p) in gold.iter().zip(predicted) {
        if g < n && p < n {
            m[g][p] += 1;
        }
    }
    m
}

/// Scores `predicted` against `gold` (same length, same order), both output indices of `labels`.
pub fn evaluate(labels: &LabelSet, gold: &[usize], predicted: &[usize]) -> Evaluation {
    let n = labels.len();
    let m = confusion_matrix(n, gold, predicted);
    let rows: u64 = m.iter().flatten().sum();
    let correct: u64 = (0..n).map(|k| m[k][k]).sum();
    let mut per_label = BTreeMap::new();
    let mut f1_sum = 0.0;
    let mut f1_count = 0;
    for (k, name) in labels.names().iter().enumerate() {
        let tp = m[k][k];
        let support: u64 = m[k].iter().sum();
        let predicted_k: u64 = (0..n).map(|g| m[g][k]).sum();
        let precision = ratio(tp, predicted_k);
        let recall = ratio(tp, support);
        let f1 = if precision + recall > 0.0 { 2.0 * precision * recall / (precision + recall) } else { 0.0 };
        if support > 0 || predicted_k > 0 {
            f1_sum += f1;
            f1_count += 1;
        }
        per_label.insert(name.clone(), LabelScores { precision, recall, f1, support });
    }
    let names = labels.names();
    let confusion = names
        .iter()
        .zip(&m)
        .map(|(g, row)| (g.clone(), names.iter().cloned().zip(row.iter().copied()).collect()))
        .collect();
    Evaluation {
        accuracy: ratio(correct, rows),
        macro_f1: if f1_count == 0 { 0.0 } else { f1_sum / f1_count as f64 },
        per_label,
        confusion,
        rows,
        labels: labels.clone(),
    }
}

impl Evaluation {
    /// A plain-text report: accuracy, macro-F1, a per-label table and the confusion matrix.
    pub fn to_text(&self) -> String {
        use std::fmt::Write;
        let mut s = String::new();
        let _ = writeln!(s, "rows      {}", self.rows);
        let _ = writeln!(s, "accuracy  {:.4}", self.accuracy);
        let _ = writeln!(s, "macro-F1  {:.4}\n", self.macro_f1);
        let _ = writeln!(s, "{:<22} {:>9} {:>9} {:>9} {:>8}", "label", "precision", "recall", "f1", "support");
        let names = self.labels.names();
        for (name, l) in names.iter().filter_map(|n| Some((n, self.per_label.get(n)?))) {
            let _ = writeln!(s, "{:<22} {:>9.4} {:>9.4} {:>9.4} {:>8}", name, l.precision, l.recall, l.f1, l.support);
        }
        let _ = writeln!(s, "\nconfusion (rows: gold, columns: predicted)");
        let _ = write!(s, "{:<22}", "");
        for p in names {
            let _ = write!(s, " {:>10}", short(p));
        }
        let _ = writeln!(s);
        for (g, row) in names.iter().filter_map(|n| Some((n, self.confusion.get(n)?))) {
            let _ = write!(s, "{g:<22}");
            for p in names {
                let _ = write!(s, " {:>10}", row.get(p).copied().unwrap_or(0));
            }
            let _ = writeln!(s);
        }
        s
    }
}

/// Bins of the expected calibration error that `eval` and `train --loso` report.
pub const ECE_BINS: usize = 15;

/// Expected calibration error: rows are put in `bins` equal-width bins by confidence; the error
/// is the row-weighted mean gap between each bin's accuracy and its mean confidence.
pub fn expected_calibration_error(confidence: &[f32], correct: &[bool], bins: usize) -> f64 {
    let bins = bins.max(1);
    let mut count = vec![0u64; bins];
    let mut conf = vec![0f64; bins];
    let mut right = vec![0u64; bins];
    for (&c, &ok) in confidence.iter().zip(correct) {
        let b = ((c.clamp(0.0, 1.0) as f64 * bins as f64) as usize).min(bins - 1);
        count[b] += 1;
        conf[b] += c as f64;
        right[b] += ok as u64;
    }
    let n: u64 = count.iter().sum();
    (0..bins)
        .filter(|&b| count[b] > 0)
        .map(|b| (count[b] as f64 / n as f64) * (right[b] as f64 / count[b] as f64 - conf[b] / count[b] as f64).abs())
        .sum()
}

/// Precision, recall, F1 and support of each tag, over rows whose gold tags are known (`None`
/// rows are skipped). Support is the number of rows whose gold tags have the tag.
pub fn evaluate_tags(gold: &[Option<TagSet>], predicted: &[TagSet]) -> BTreeMap<&'static str, LabelScores> {
    Tag::ALL
        .iter()
        .map(|&tag| {
            let (mut tp, mut fp, mut fneg) = (0u64, 0u64, 0u64);
            for (g, p) in gold.iter().zip(predicted) {
                let Some(g) = g else { continue };
                match (g.contains(tag), p.contains(tag)) {
                    (true, true) => tp += 1,
                    (false, true) => fp += 1,
                    (true, false) => fneg += 1,
                    (false, false) => {}
                }
            }
            let precision = ratio(tp, tp + fp);
            let recall = ratio(tp, tp + fneg);
            let f1 = if precision + recall > 0.0 { 2.0 * precision * recall / (precision + recall) } else { 0.0 };
            (tag.as_str(), LabelScores { precision, recall, f1, support: tp + fneg })
        })
        .collect()
}

/// A plain-text table of per-tag scores.
pub fn tags_to_text(tags: &BTreeMap<&'static str, LabelScores>) -> String {
    use std::fmt::Write;
    let mut s = String::new();
    let _ = writeln!(s, "{:<22} {:>9} {:>9} {:>9} {:>8}", "tag", "precision", "recall", "f1", "support");
    for tag in Tag::ALL {
        if let Some(t) = tags.get(tag.as_str()) {
            let _ = writeln!(
                s,
                "{:<22} {:>9.4} {:>9.4} {:>9.4} {:>8}",
                tag.as_str(),
                t.precision,
                t.recall,
                t.f1,
                t.support
            );
        }
    }
    s
}

/// A label's name in a confusion matrix column: short names for the built-in labels, others cut
/// at 10 characters.
fn short(name: &str) -> &str {
    match name.parse::<Label>() {
        Ok(Label::LawfulReminder) => "lawful",
        Ok(Label::Intimidation) => "intimid.",
        Ok(Label::DoctoredImageThreat) => "image",
        _ => name.char_indices().nth(10).map_or(name, |(i, _)| &name[..i]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Label::*;
    use linfa::prelude::ToConfusionMatrix;
    use ndarray::Array1;

    fn evaluate(gold: &[Label], predicted: &[Label]) -> Evaluation {
        let index = |v: &[Label]| v.iter().map(|l| l.index()).collect::<Vec<_>>();
        super::evaluate(&LabelSet::builtin(), &index(gold), &index(predicted))
    }

    #[test]
    fn a_label_set_of_ones_own_is_scored_by_name() {
        let labels = LabelSet::new(&["bill", "promo", "personal"]).unwrap();
        let e = super::evaluate(&labels, &[0, 0, 1, 2], &[0, 1, 1, 2]);
        assert_eq!((e.rows, e.confusion["bill"]["promo"], e.per_label["promo"].support), (4, 1, 1));
        assert!((e.accuracy - 0.75).abs() < 1e-12);
        let text = e.to_text();
        assert!(text.contains("personal") && text.find("bill") < text.find("promo"), "{text}");
        let json = serde_json::to_value(&e).unwrap();
        assert_eq!(json["confusion"]["personal"]["personal"], 1);
    }

    #[test]
    fn hand_computed_case() {
        let gold = [LawfulReminder, LawfulReminder, Intimidation, Intimidation, DoctoredImageThreat, Other];
        let pred = [LawfulReminder, Intimidation, Intimidation, Intimidation, DoctoredImageThreat, LawfulReminder];
        let e = evaluate(&gold, &pred);
        assert!((e.accuracy - 4.0 / 6.0).abs() < 1e-12);
        let lr = e.per_label["lawful_reminder"];
        assert!((lr.precision - 0.5).abs() < 1e-12 && (lr.recall - 0.5).abs() < 1e-12);
        let it = e.per_label["intimidation"];
        assert!((it.precision - 2.0 / 3.0).abs() < 1e-12 && (it.recall - 1.0).abs() < 1e-12);
        assert!((it.f1 - 0.8).abs() < 1e-12);
        assert_eq!(e.per_label["other"].f1, 0.0);
        // (0.5 + 0.8 + 1.0 + 0.0) / 4
        assert!((e.macro_f1 - 2.3 / 4.0).abs() < 1e-12);
        assert_eq!(e.confusion["other"]["lawful_reminder"], 1);
    }

    #[test]
    fn calibration_error_by_hand() {
        // bin 0.9-1.0: two rows at 0.95, one right: |0.5 - 0.95| = 0.45, weight 2/4
        // bin 0.6-0.7: two rows at 0.65, both right: |1 - 0.65| = 0.35, weight 2/4
        let ece = expected_calibration_error(&[0.95, 0.95, 0.65, 0.65], &[true, false, true, true], 10);
        assert!((ece - 0.4).abs() < 1e-6, "{ece}");
        assert_eq!(expected_calibration_error(&[], &[], 15), 0.0);
    }

    #[test]
    fn tag_scores_by_hand() {
        let t = |s: &str| TagSet::parse_field(s).unwrap();
        let gold = [Some(t("contacts;visit")), Some(t("")), None, Some(t("visit"))];
        let pred = [t("contacts"), t("visit"), t("visit"), t("visit")];
        let s = evaluate_tags(&gold, &pred);
        // visit: tp 1 (row 3), fp 1 (row 1), fn 1 (row 0); row 2 is skipped
        assert!((s["visit"].precision - 0.5).abs() < 1e-12 && (s["visit"].recall - 0.5).abs() < 1e-12);
        assert_eq!(s["contacts"].support, 1);
        assert_eq!(s["contacts"].precision, 1.0);
    }

    #[test]
    fn agrees_with_linfa_when_every_label_occurs() {
        let gold = [0usize, 0, 1, 1, 2, 3, 3, 2, 1, 0];
        let pred = [0usize, 1, 1, 1, 2, 3, 0, 2, 2, 0];
        let to_labels = |v: &[usize]| v.iter().map(|&i| Label::ALL[i]).collect::<Vec<_>>();
        let ours = evaluate(&to_labels(&gold), &to_labels(&pred));
        let cm = Array1::from(pred.to_vec()).confusion_matrix(Array1::from(gold.to_vec())).unwrap();
        assert!((cm.accuracy() as f64 - ours.accuracy).abs() < 1e-6);
        // linfa 0.8.1 lays its one-vs-all matrices out so that what it calls precision is the
        // share of gold rows found (our recall) and the other way round; the numbers agree.
        for (label, bin) in Label::ALL.iter().zip(cm.split_one_vs_all()) {
            let s = ours.per_label[label.as_str()];
            assert!((bin.precision() as f64 - s.recall).abs() < 1e-6, "{label}");
            assert!((bin.recall() as f64 - s.precision).abs() < 1e-6, "{label}");
        }
    }
}
