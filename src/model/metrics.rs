//! Classification metrics in one place: accuracy, per-label precision / recall / F1, macro-F1, the
//! confusion matrix, and their mean and spread over cross-validation folds, over a model's label
//! set (labels are output indices into it).

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

impl Evaluation {
    /// Whether `label` occurs among the gold labels or the predictions (the labels macro-F1
    /// averages over).
    pub fn label_occurs(&self, name: &str) -> bool {
        self.per_label.get(name).is_some_and(|s| s.support > 0)
            || self.confusion.values().any(|row| row.get(name).is_some_and(|&n| n > 0))
    }
}

/// The mean and the (population) standard deviation of `values`; both 0 for no values.
pub fn mean_std(values: &[f64]) -> (f64, f64) {
    if values.is_empty() {
        return (0.0, 0.0);
    }
    let n = values.len() as f64;
    let mean = values.iter().sum::<f64>() / n;
    let var = values.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / n;
    (mean, var.sqrt())
}

/// One statistic (the mean, or the standard deviation) of the fold scores.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FoldStats {
    /// Of the folds' accuracies.
    pub accuracy: f64,
    /// Of the folds' macro-F1.
    pub macro_f1: f64,
    /// Label name → of the label's F1, over the folds in which the label occurs (see
    /// [`Evaluation::label_occurs`]; 0 when it occurs in none).
    pub per_label_f1: BTreeMap<String, f64>,
}

/// The mean and standard deviation over cross-validation folds.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FoldSummary {
    /// The means.
    pub mean: FoldStats,
    /// The population standard deviations (numpy's default, `ddof=0`).
    pub std: FoldStats,
}

/// The mean and standard deviation of the folds' accuracy, macro-F1 and per-label F1.
pub fn summarize_folds(folds: &[&Evaluation]) -> FoldSummary {
    let of = |get: &dyn Fn(&Evaluation) -> f64| mean_std(&folds.iter().map(|e| get(e)).collect::<Vec<_>>());
    let accuracy = of(&|e| e.accuracy);
    let macro_f1 = of(&|e| e.macro_f1);
    let mut mean = FoldStats { accuracy: accuracy.0, macro_f1: macro_f1.0, per_label_f1: BTreeMap::new() };
    let mut std = FoldStats { accuracy: accuracy.1, macro_f1: macro_f1.1, per_label_f1: BTreeMap::new() };
    // every fold is scored over the same label set
    let names = folds.first().map_or(&[][..], |e| e.labels.names());
    for name in names {
        let f1s: Vec<f64> = folds.iter().filter(|e| e.label_occurs(name)).map(|e| e.per_label[name].f1).collect();
        let (m, s) = mean_std(&f1s);
        mean.per_label_f1.insert(name.clone(), m);
        std.per_label_f1.insert(name.clone(), s);
    }
    FoldSummary { mean, std }
}

/// A plain-text table: one row per fold (rows, accuracy, macro-F1, each label's F1; `-` for a
/// label absent from the fold), then the mean and standard deviation, then the pooled held-out
/// scores.
pub fn folds_to_text(folds: &[&Evaluation], summary: &FoldSummary, pooled: &Evaluation) -> String {
    use std::fmt::Write;
    let names = pooled.labels.names();
    let widths: Vec<usize> = names.iter().map(|l| l.chars().count().max(6)).collect();
    let mut s = String::new();
    let _ = write!(s, "{:<7} {:>7} {:>9} {:>9}", "fold", "rows", "accuracy", "macro-F1");
    for (label, w) in names.iter().zip(&widths) {
        let _ = write!(s, "  {label:>w$}");
    }
    let _ = writeln!(s);
    let row = |s: &mut String, name: &str, rows: String, e: &Evaluation| {
        let _ = write!(s, "{name:<7} {rows:>7} {:>9.4} {:>9.4}", e.accuracy, e.macro_f1);
        for (label, w) in names.iter().zip(&widths) {
            let f1 = if e.label_occurs(label) { format!("{:.4}", e.per_label[label].f1) } else { "-".into() };
            let _ = write!(s, "  {f1:>w$}");
        }
        let _ = writeln!(s);
    };
    for (i, e) in folds.iter().enumerate() {
        row(&mut s, &(i + 1).to_string(), e.rows.to_string(), e);
    }
    for (name, stats) in [("mean", &summary.mean), ("std", &summary.std)] {
        let _ = write!(s, "{name:<7} {:>7} {:>9.4} {:>9.4}", "", stats.accuracy, stats.macro_f1);
        for (label, w) in names.iter().zip(&widths) {
            let _ = write!(s, "  {:>w$.4}", stats.per_label_f1.get(label).copied().unwrap_or(0.0));
        }
        let _ = writeln!(s);
    }
    row(&mut s, "pooled", pooled.rows.to_string(), pooled);
    s
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
    fn mean_and_population_std_by_hand() {
        let (m, s) = mean_std(&[2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0]);
        assert!((m - 5.0).abs() < 1e-12 && (s - 2.0).abs() < 1e-12, "{m} {s}");
        assert_eq!(mean_std(&[0.7]), (0.7, 0.0));
        assert_eq!(mean_std(&[]), (0.0, 0.0));
    }

    #[test]
    fn fold_summary_by_hand() {
        // fold 1: all right (accuracy 1, every F1 1); fold 2: half right, no `other` row at all
        let a = evaluate(
            &[LawfulReminder, Intimidation, DoctoredImageThreat, Other],
            &[LawfulReminder, Intimidation, DoctoredImageThreat, Other],
        );
        let b = evaluate(
            &[LawfulReminder, LawfulReminder, Intimidation, Intimidation],
            &[LawfulReminder, Intimidation, Intimidation, LawfulReminder],
        );
        assert!(!b.label_occurs("other") && !b.label_occurs("doctored_image_threat") && b.label_occurs("intimidation"));
        let s = summarize_folds(&[&a, &b]);
        assert!((s.mean.accuracy - 0.75).abs() < 1e-12 && (s.std.accuracy - 0.25).abs() < 1e-12);
        assert!((s.mean.macro_f1 - 0.75).abs() < 1e-12 && (s.std.macro_f1 - 0.25).abs() < 1e-12);
        // intimidation: F1 1 then 0.5
        assert!((s.mean.per_label_f1["intimidation"] - 0.75).abs() < 1e-12);
        assert!((s.std.per_label_f1["intimidation"] - 0.25).abs() < 1e-12);
        // other occurs in fold 1 only: its mean is fold 1's, not pulled down by fold 2's absence
        assert_eq!((s.mean.per_label_f1["other"], s.std.per_label_f1["other"]), (1.0, 0.0));
        let text = folds_to_text(&[&a, &b], &s, &evaluate(&[Other], &[Other]));
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 6, "{text}");
        assert!(lines[0].starts_with("fold") && lines[0].contains("doctored_image_threat"), "{text}");
        assert!(lines[2].starts_with("2 ") && lines[2].trim_end().ends_with('-'), "{text}");
        assert!(
            lines[3].starts_with("mean") && lines[4].starts_with("std") && lines[5].starts_with("pooled"),
            "{text}"
        );
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
