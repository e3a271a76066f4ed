//! Training and cross-validation: featurize labelled rows in parallel, fit the linear model,
//! and score held-out folds that keep related rows together. The label set is the one the rows'
//! labels make ([`LabelSet::of_names`]): the built-in four, or the user's own.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use linfa::DatasetBase;
use linfa::traits::Fit;
use rayon::prelude::*;
use serde::Serialize;

use super::calibration::{Calibration, fit_temperature};
use super::classifier::Scratch;
use super::file::{ModelMeta, TrainingRecord};
use super::grid::{DEFAULT_GRID, Grid, GridKey};
use super::hyperparams::ValidLinearParams;
use super::linear::{LinearModel, SparseRecords, TrainTargets};
use super::metrics::{
    ECE_BINS, Evaluation, FoldSummary, evaluate, expected_calibration_error, folds_to_text, summarize_folds,
};
use super::{Classifier, ModelError};
use crate::analysis::{AnalyzedText, Analyzer, Resources};
use crate::features::{FeatureConfig, Normalization, SparseVec, hash};
use crate::labels::{LabelSet, Tag, TagSet};
use crate::prediction::LabelValues;

/// One labelled row.
#[derive(Debug, Clone, PartialEq)]
pub struct Example {
    /// The message text.
    pub text: String,
    /// Its gold label's name: a built-in label, or one of the user's own.
    pub label: String,
    /// The row's tags, if its file has a tags column (trained for the built-in labels only).
    pub tags: Option<TagSet>,
    /// Rows with the same group (a written row and its augmented variants) stay in one fold.
    pub group: String,
    /// The corpus slice the row belongs to: its id up to the first `-` (`lr2-0002` → `lr2`), or
    /// its file when it has no id. Leave-one-slice-out holds out one slice at a time.
    pub slice: String,
    /// Whether the row is an augmented variant of another (its id has a `~`); held-out scores are
    /// computed on the rows that are not.
    pub augmented: bool,
}

impl Example {
    /// A written row of no particular slice: its own group, not augmented.
    pub fn new(text: &str, label: impl ToString, tags: Option<TagSet>) -> Example {
        let label = label.to_string();
        Example { text: text.to_string(), label, tags, group: text.to_string(), slice: String::new(), augmented: false }
    }
}

/// The label set that `examples` train ([`LabelSet::of_names`]) and each example's output index
/// in it.
pub fn label_classes(examples: &[Example]) -> Result<(LabelSet, Vec<usize>), ModelError> {
    let labels = LabelSet::of_names(examples.iter().map(|e| e.label.as_str()))
        .map_err(|e| ModelError::Labels(format!("the training labels: {e}")))?;
    let classes = gold_classes(&labels, examples)?;
    Ok((labels, classes))
}

/// The output index in `labels` of each example's gold label; a label not in the set is an error
/// that names it and the example.
pub fn gold_classes(labels: &LabelSet, examples: &[Example]) -> Result<Vec<usize>, ModelError> {
    examples
        .iter()
        .map(|e| {
            labels.index(&e.label).ok_or_else(|| {
                ModelError::Labels(format!(
                    "row {} has the label {:?}, which is not one of the model's labels ({})",
                    e.group,
                    e.label,
                    labels.joined()
                ))
            })
        })
        .collect()
}

/// What a training run did.
#[derive(Debug, Clone)]
pub struct TrainReport {
    /// Training rows per label name, every label included.
    pub rows_per_label: BTreeMap<String, usize>,
    /// Wall time spent turning the rows into features.
    pub featurize_time: Duration,
    /// Wall time spent fitting the model.
    pub fit_time: Duration,
}

/// One candidate of a search: feature settings and hyper-parameters. The default is the shipped
/// model's.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Setting {
    /// How text becomes features.
    pub features: FeatureConfig,
    /// How the linear model is fitted.
    pub params: ValidLinearParams,
}

impl Setting {
    /// The setting as `cuishou train` flags, reusable as an argument line.
    pub fn to_args(&self) -> String {
        let f = &self.features;
        let mut args: String = GridKey::ALL.iter().map(|k| format!("--{k} {} ", k.value_of(self))).collect();
        args.push_str(&format!("--seed {}", self.params.seed()));
        if !f.lexicon {
            args.push_str(" --no-lexicon");
        }
        if !f.length {
            args.push_str(" --no-length");
        }
        if f.normalization == Normalization::Basic {
            args.push_str(" --normalization basic");
        }
        args
    }
}

/// The grid that a search tries around `base` ([`DEFAULT_GRID`]): character n-grams none, 1-2,
/// 1-3 and 2-4, learning rates 0.1 and 0.3, 5 and 15 epochs; the rest as in `base`.
pub fn default_grid(base: &Setting) -> Result<Vec<Setting>, ModelError> {
    Ok(DEFAULT_GRID.parse::<Grid>()?.settings(base)?)
}

/// One setting a search tried, and how it did.
#[derive(Debug, Clone, Serialize)]
pub struct Candidate {
    /// The setting as `cuishou train` flags ([`Setting::to_args`]).
    pub args: String,
    /// The setting.
    pub setting: Setting,
    /// Its cross-validation.
    pub cv: CvReport,
    /// Wall time of its cross-validation, featurizing included.
    pub seconds: f64,
}

/// Every candidate of a search, in the order tried, and the winner.
#[derive(Debug, Clone, Serialize)]
pub struct SearchReport {
    /// The candidates, in the order tried.
    pub candidates: Vec<Candidate>,
    /// Index of the winner in `candidates`: the best pooled macro-F1, the first of equals.
    pub winner: usize,
}

impl SearchReport {
    /// The winning candidate.
    pub fn best(&self) -> &Candidate {
        &self.candidates[self.winner]
    }

    /// Writes the search log: a CSV header, then one row per candidate with its value for each
    /// [`GridKey`] (a column named by [`GridKey::column`]), its pooled held-out `accuracy` and
    /// `macro_f1`, the mean and standard deviation of both over folds, its pooled F1 per label
    /// (`f1_LABEL`), `fit_seconds` (summed over the folds' fits) and `winner` (`true` once).
    pub fn write_log<W: std::io::Write>(&self, out: W) -> csv::Result<W> {
        let mut w = csv::Writer::from_writer(out);
        let mut header: Vec<String> = vec!["candidate".to_string()];
        header.extend(GridKey::ALL.iter().map(|k| k.column()));
        header.extend(
            ["accuracy", "macro_f1", "mean_accuracy", "std_accuracy", "mean_macro_f1", "std_macro_f1"]
                .map(String::from),
        );
        // every candidate is scored over the labels of the same rows
        let labels = self.candidates.first().map_or(&[][..], |c| c.cv.pooled.labels.names());
        header.extend(labels.iter().map(|l| format!("f1_{l}")));
        header.extend(["fit_seconds", "winner"].map(String::from));
        w.write_record(&header)?;
        for (i, c) in self.candidates.iter().enumerate() {
            let cv = &c.cv;
            let mut row: Vec<String> = vec![(i + 1).to_string()];
            row.extend(GridKey::ALL.iter().map(|k| k.value_of(&c.setting)));
            let (mean, std) = (&cv.summary.mean, &cv.summary.std);
            let scores =
                [cv.pooled.accuracy, cv.pooled.macro_f1, mean.accuracy, std.accuracy, mean.macro_f1, std.macro_f1];
            row.extend(scores.iter().map(|v| format!("{v:.4}")));
            row.extend(labels.iter().map(|l| format!("{:.4}", cv.pooled.per_label.get(l).map_or(0.0, |s| s.f1))));
            row.push(format!("{:.3}", cv.fit_seconds()));
            row.push((i == self.winner).to_string());
            w.write_record(&row)?;
        }
        w.into_inner().map_err(|e| e.into_error().into())
    }
}

/// Scores each candidate by `folds`-fold cross-validation (see [`cross_validate`]), calling
/// `tried` after each; the winner has the best pooled macro-F1 (the first of equals).
pub fn search(
    examples: &[Example],
    resources: &Resources,
    candidates: Vec<Setting>,
    folds: usize,
    mut tried: impl FnMut(&Candidate),
) -> Result<SearchReport, ModelError> {
    let mut report = SearchReport { candidates: Vec::new(), winner: 0 };
    for setting in candidates {
        let started = Instant::now();
        let cv = cross_validate(examples, resources, &setting.features, &setting.params, folds)?;
        let candidate = Candidate { args: setting.to_args(), setting, cv, seconds: started.elapsed().as_secs_f64() };
        tried(&candidate);
        if candidate.cv.pooled.macro_f1
            > report.candidates.get(report.winner).map_or(f64::NEG_INFINITY, |b| b.cv.pooled.macro_f1)
        {
            report.winner = report.candidates.len();
        }
        report.candidates.push(candidate);
    }
    if report.candidates.is_empty() {
        return Err(ModelError::InvalidParams("no setting to search".to_string()));
    }
    Ok(report)
}

/// Featurizes texts in parallel; the result is in input order.
pub fn featurize(analyzer: &Analyzer, texts: &[&str]) -> Vec<SparseVec> {
    texts
        .par_iter()
        .map_init(AnalyzedText::default, |a, text| {
            analyzer.analyze(text, a);
            a.features.clone()
        })
        .collect()
}

/// What the rows (`examples` with output indices `classes` of `labels`) should predict; a row
/// without a tags column keeps `tags: None` ("unknown"), which the tag outputs skip (see
/// [`TrainTargets`]). A label set of one's own has no tag outputs: its rows' tags are ignored.
fn targets(labels: &LabelSet, examples: &[&Example], classes: Vec<usize>) -> TrainTargets {
    let tagged = labels.is_builtin();
    TrainTargets {
        n_labels: labels.len(),
        tagged,
        labels: classes,
        tags: examples.iter().map(|e| if tagged { e.tags } else { None }).collect(),
    }
}

fn fit(
    rows: Vec<SparseVec>,
    labels: &LabelSet,
    examples: &[&Example],
    classes: Vec<usize>,
    buckets: usize,
    params: &ValidLinearParams,
) -> Result<LinearModel, ModelError> {
    let dataset = DatasetBase::new(SparseRecords { rows, buckets }, targets(labels, examples, classes));
    let model = params.fit(&dataset)?;
    if !model.is_finite() {
        return Err(ModelError::Diverged);
    }
    Ok(model)
}

/// Rows per label, by label name, every label of `set` included.
pub fn count_labels<'a>(set: &LabelSet, labels: impl Iterator<Item = &'a str>) -> BTreeMap<String, usize> {
    let mut counts: BTreeMap<String, usize> = set.names().iter().map(|l| (l.clone(), 0)).collect();
    for l in labels {
        *counts.entry(l.to_string()).or_default() += 1;
    }
    counts
}

/// Trains a classifier on `examples`.
pub fn train(
    examples: &[Example],
    resources: Resources,
    features: FeatureConfig,
    params: ValidLinearParams,
) -> Result<(Classifier, TrainReport), ModelError> {
    if examples.is_empty() {
        return Err(ModelError::EmptyDataset);
    }
    let (labels, classes) = label_classes(examples)?;
    let analyzer = Analyzer::new(&resources, features.clone())?;
    let started = Instant::now();
    let texts: Vec<&str> = examples.iter().map(|e| e.text.as_str()).collect();
    let rows = featurize(&analyzer, &texts);
    let featurize_time = started.elapsed();
    let started = Instant::now();
    let refs: Vec<&Example> = examples.iter().collect();
    let model = fit(rows, &labels, &refs, classes, features.buckets(), &params)?;
    let fit_time = started.elapsed();
    let rows_per_label = count_labels(&labels, examples.iter().map(|e| e.label.as_str()));
    let classifier = classifier_of(model, &labels, resources, features, params, rows_per_label.clone())?;
    Ok((classifier, TrainReport { rows_per_label, featurize_time, fit_time }))
}

/// A fitted model with the metadata that makes it a classifier (uncalibrated).
fn classifier_of(
    model: LinearModel,
    labels: &LabelSet,
    resources: Resources,
    features: FeatureConfig,
    params: ValidLinearParams,
    trained_on: BTreeMap<String, usize>,
) -> Result<Classifier, ModelError> {
    let meta = ModelMeta {
        labels: labels.names().to_vec(),
        tags: if labels.is_builtin() { Tag::ALL.iter().map(|t| t.as_str().to_string()).collect() } else { Vec::new() },
        features,
        params,
        trained_on,
        resources,
        calibration: Default::default(),
        record: TrainingRecord { cuishou_version: env!("CARGO_PKG_VERSION").to_string(), metrics: BTreeMap::new() },
    };
    Classifier::new(meta, model)
}

/// The fold of a group, stable across runs.
pub fn fold_of(group: &str, folds: usize) -> usize {
    (hash::mix(hash::fnv1a(0, group.as_bytes())) % folds as u64) as usize
}

/// The held-out scores of one cross-validation fold.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FoldScore {
    /// The fold's number, from 1.
    pub fold: usize,
    /// Rows trained on (those of the other folds).
    pub train_rows: usize,
    /// Wall time of the fold's fit.
    pub fit_seconds: f64,
    /// The fold's rows scored by the model trained on the other folds (`rows` is the fold's size).
    #[serde(flatten)]
    pub evaluation: Evaluation,
}

/// K-fold cross-validation: each fold's held-out scores, their mean and standard deviation, and
/// the scores of all held-out predictions pooled.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CvReport {
    /// The number of folds.
    pub k: usize,
    /// Each fold, in order.
    pub folds: Vec<FoldScore>,
    /// Mean and standard deviation over the folds (serialized as `mean` and `std`).
    #[serde(flatten)]
    pub summary: FoldSummary,
    /// Every row scored once, by the model that did not train on it.
    pub pooled: Evaluation,
}

impl CvReport {
    /// The fits' wall times, summed over the folds.
    pub fn fit_seconds(&self) -> f64 {
        self.folds.iter().map(|f| f.fit_seconds).sum()
    }

    /// A table: each fold's rows, accuracy, macro-F1 and F1 per label, then mean, std and pooled.
    pub fn to_text(&self) -> String {
        let folds: Vec<&Evaluation> = self.folds.iter().map(|f| &f.evaluation).collect();
        folds_to_text(&folds, &self.summary, &self.pooled)
    }
}

/// K-fold cross-validation with folds by group ([`fold_of`]): for each fold, a model trained on
/// the other folds scores the fold's rows. Every fold must hold rows.
pub fn cross_validate(
    examples: &[Example],
    resources: &Resources,
    features: &FeatureConfig,
    params: &ValidLinearParams,
    folds: usize,
) -> Result<CvReport, ModelError> {
    if folds < 2 {
        return Err(ModelError::InvalidParams(format!("cross-validation needs at least 2 folds, got {folds}")));
    }
    let fold: Vec<usize> = examples.iter().map(|e| fold_of(&e.group, folds)).collect();
    if let Some(empty) = (0..folds).find(|f| !fold.contains(f)) {
        let groups: std::collections::BTreeSet<&str> = examples.iter().map(|e| e.group.as_str()).collect();
        return Err(ModelError::InvalidParams(format!(
            "cross-validation fold {} of {folds} holds no rows ({} rows in {} id groups): use fewer folds",
            empty + 1,
            examples.len(),
            groups.len()
        )));
    }
    let (labels, gold) = label_classes(examples)?;
    let analyzer = Analyzer::new(resources, features.clone())?;
    let texts: Vec<&str> = examples.iter().map(|e| e.text.as_str()).collect();
    let rows = featurize(&analyzer, &texts);
    let results: Vec<(FoldScore, Vec<(usize, usize)>)> = (0..folds)
        .into_par_iter()
        .map(|f| {
            let (test_idx, train_idx): (Vec<usize>, Vec<usize>) = (0..examples.len()).partition(|&i| fold[i] == f);
            let train_rows = train_idx.iter().map(|&i| rows[i].clone()).collect();
            let train_ex: Vec<&Example> = train_idx.iter().map(|&i| &examples[i]).collect();
            let classes = train_idx.iter().map(|&i| gold[i]).collect();
            let started = Instant::now();
            let model = fit(train_rows, &labels, &train_ex, classes, features.buckets(), params)?;
            let fit_seconds = started.elapsed().as_secs_f64();
            let predicted: Vec<(usize, usize)> =
                test_idx.iter().map(|&i| (i, model.scores(&rows[i]).best().0)).collect();
            let fold_gold: Vec<usize> = test_idx.iter().map(|&i| gold[i]).collect();
            let fold_predicted: Vec<usize> = predicted.iter().map(|p| p.1).collect();
            let evaluation = evaluate(&labels, &fold_gold, &fold_predicted);
            Ok((FoldScore { fold: f + 1, train_rows: train_idx.len(), fit_seconds, evaluation }, predicted))
        })
        .collect::<Result<_, ModelError>>()?;
    let mut predicted = vec![0; examples.len()];
    let mut scores = Vec::with_capacity(folds);
    for (score, held_out) in results {
        for (i, k) in held_out {
            predicted[i] = k;
        }
        scores.push(score);
    }
    let summary = summarize_folds(&scores.iter().map(|s| &s.evaluation).collect::<Vec<_>>());
    Ok(CvReport { k: folds, folds: scores, summary, pooled: evaluate(&labels, &gold, &predicted) })
}

/// One held-out prediction of [`leave_one_slice_out`]: the row, its raw label scores, and the
/// label the classifier gave it (the model's best label, or a rule's correction of it), as
/// output indices of the report's label set.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct HeldOut {
    /// Index of the row in the examples given.
    pub index: usize,
    /// The row's raw label scores (before calibration and softmax) under the held-out model.
    pub logits: LabelValues,
    /// The row's gold label.
    pub gold: usize,
    /// The label the held-out classifier gave it.
    pub class: usize,
}

/// How one held-out slice did.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SliceScore {
    /// The slice's name.
    pub slice: String,
    /// Written (not augmented) rows of the slice, the rows scored.
    pub rows: usize,
    /// Share of the scored rows labelled correctly, 0 to 1 (0 when none).
    pub accuracy: f64,
    /// Gold label → rows of that label in the slice.
    pub labels: BTreeMap<String, usize>,
}

/// Leave-one-slice-out: for every slice, a model trained on all the other slices (their augmented
/// rows included, the held-out slice's excluded) predicts the held-out slice's written rows.
#[derive(Debug, Clone)]
pub struct LosoReport {
    /// The labels of every held-out model, those of all the examples.
    pub labels: LabelSet,
    /// By slice name.
    pub slices: Vec<SliceScore>,
    /// Every held-out prediction, in example order.
    pub held_out: Vec<HeldOut>,
}

impl LosoReport {
    /// The slice with the lowest accuracy.
    pub fn worst(&self) -> Option<&SliceScore> {
        self.slices.iter().min_by(|a, b| a.accuracy.total_cmp(&b.accuracy))
    }

    /// Gold labels and predicted labels (output indices of `labels`) of every held-out row.
    pub fn classes(&self) -> (Vec<usize>, Vec<usize>) {
        self.held_out.iter().map(|h| (h.gold, h.class)).unzip()
    }

    /// The pooled held-out scores, the worst slice, and the calibration temperature fitted on the
    /// held-out predictions with the calibration error before and after it.
    pub fn summarize(&self) -> LosoSummary {
        let (gold, predicted) = self.classes();
        let logits: Vec<_> = self.held_out.iter().map(|h| h.logits).collect();
        let correct: Vec<bool> = gold.iter().zip(&predicted).map(|(g, p)| g == p).collect();
        let ece = |c: Calibration| {
            let conf: Vec<f32> =
                logits.iter().map(|z| c.probabilities(z).iter().copied().fold(0.0, f32::max)).collect();
            expected_calibration_error(&conf, &correct, ECE_BINS)
        };
        let fitted = fit_temperature(&logits, &gold);
        LosoSummary {
            pooled: evaluate(&self.labels, &gold, &predicted),
            worst: self.worst().cloned(),
            temperature: fitted.temperature,
            ece_before: ece(Calibration::default()),
            ece_after: ece(fitted),
        }
    }
}

/// What leave-one-slice-out comes to (see [`LosoReport::summarize`]).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LosoSummary {
    /// The scores of every held-out prediction pooled.
    pub pooled: Evaluation,
    /// The slice with the lowest accuracy.
    pub worst: Option<SliceScore>,
    /// The calibration temperature fitted on the held-out predictions.
    pub temperature: f32,
    /// Expected calibration error of the held-out predictions uncalibrated (temperature 1).
    pub ece_before: f64,
    /// The same at the fitted temperature.
    pub ece_after: f64,
}

/// Runs leave-one-slice-out over the slices of `examples` (see [`Example::slice`]); slices are
/// fitted in parallel, each single-threaded and seeded, so the result does not depend on threads.
pub fn leave_one_slice_out(
    examples: &[Example],
    resources: &Resources,
    features: &FeatureConfig,
    params: &ValidLinearParams,
) -> Result<LosoReport, ModelError> {
    if examples.is_empty() {
        return Err(ModelError::EmptyDataset);
    }
    let (labels, gold) = label_classes(examples)?;
    let analyzer = Analyzer::new(resources, features.clone())?;
    let texts: Vec<&str> = examples.iter().map(|e| e.text.as_str()).collect();
    let rows = featurize(&analyzer, &texts);
    let slices: Vec<&str> = {
        let set: std::collections::BTreeSet<&str> =
            examples.iter().filter(|e| !e.augmented).map(|e| e.slice.as_str()).collect();
        set.into_iter().collect()
    };
    if slices.len() < 2 {
        return Err(ModelError::InvalidParams(format!(
            "leave-one-slice-out needs at least 2 slices of written rows, found {}",
            slices.len()
        )));
    }
    let results: Vec<Result<(SliceScore, Vec<HeldOut>), ModelError>> = slices
        .par_iter()
        .map(|&slice| {
            let (test_idx, train_idx): (Vec<usize>, Vec<usize>) =
                (0..examples.len()).partition(|&i| examples[i].slice == slice);
            let train_rows = train_idx.iter().map(|&i| rows[i].clone()).collect();
            let train_ex: Vec<&Example> = train_idx.iter().map(|&i| &examples[i]).collect();
            let classes = train_idx.iter().map(|&i| gold[i]).collect();
            let model = fit(train_rows, &labels, &train_ex, classes, features.buckets(), params)?;
            let trained_on = count_labels(&labels, train_ex.iter().map(|e| e.label.as_str()));
            let classifier =
                classifier_of(model, &labels, resources.clone(), features.clone(), params.clone(), trained_on)?;
            let mut scratch = Scratch::default();
            let held: Vec<HeldOut> = test_idx
                .iter()
                .filter(|&&i| !examples[i].augmented)
                .map(|&i| HeldOut {
                    index: i,
                    logits: classifier.model().label_logits(&rows[i]),
                    gold: gold[i],
                    class: classifier.predict(&examples[i].text, &mut scratch).class,
                })
                .collect();
            let correct = held.iter().filter(|h| h.class == h.gold).count();
            let score = SliceScore {
                slice: slice.to_string(),
                rows: held.len(),
                accuracy: if held.is_empty() { 0.0 } else { correct as f64 / held.len() as f64 },
                labels: count_labels(&labels, held.iter().map(|h| examples[h.index].label.as_str()))
                    .into_iter()
                    .filter(|(_, n)| *n > 0)
                    .collect(),
            };
            Ok((score, held))
        })
        .collect();
    let mut report = LosoReport { labels, slices: Vec::new(), held_out: Vec::new() };
    for r in results {
        let (score, held) = r?;
        report.slices.push(score);
        report.held_out.extend(held);
    }
    report.held_out.sort_by_key(|h| h.index);
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::labels::Label;
    use crate::model::LinearParams;
    use linfa::ParamGuard;

    #[test]
    fn to_args_names_every_setting_in_flag_order() {
        assert_eq!(
            Setting::default().to_args(),
            "--bucket-bits 18 --word-ngrams 2 --char-ngrams 1-2 --epochs 15 --learning-rate 0.3 --l2 0.000001 \
             --tag-weight 0.5 --seed 42"
        );
        let features = FeatureConfig { lexicon: false, normalization: Normalization::Basic, ..Default::default() };
        let s = Setting { features, ..Setting::default() };
        assert!(s.to_args().ends_with("--seed 42 --no-lexicon --normalization basic"), "{}", s.to_args());
    }

    #[test]
    fn the_default_grid_varies_char_ngrams_slowest_then_learning_rate_then_epochs() {
        let params = LinearParams::default().l2(0.01).tag_weight(2.0).seed(7).check().unwrap();
        let b = Setting { params, ..Setting::default() };
        let grid = default_grid(&b).unwrap();
        assert_eq!(grid.len(), 16);
        let first: Vec<(u8, u8, f32, usize)> = grid[..5]
            .iter()
            .map(|s| {
                (s.features.char_ngram_min, s.features.char_ngram_max, s.params.learning_rate(), s.params.epochs())
            })
            .collect();
        assert_eq!(first, [(0, 0, 0.1, 5), (0, 0, 0.1, 15), (0, 0, 0.3, 5), (0, 0, 0.3, 15), (1, 2, 0.1, 5)]);
        assert!(grid.iter().all(|s| s.params.l2() == 0.01 && s.params.tag_weight() == 2.0 && s.params.seed() == 7));
    }

    fn examples() -> Vec<Example> {
        let rows = [
            ("您的借款将于明日到期，请按时还款。", Label::LawfulReminder),
            ("您已逾期3天，请尽快还款。", Label::LawfulReminder),
            ("我方将依法向法院提起诉讼。", Label::LawfulReminder),
            ("再不还钱就打爆你通讯录。", Label::Intimidation),
            ("明天我们的人去你单位找你领导。", Label::Intimidation),
            ("走夜路小心点。", Label::Intimidation),
            ("把你P成遗照发到你家族群。", Label::DoctoredImageThreat),
            ("你的裸照合成好了。", Label::DoctoredImageThreat),
            ("给你做张通缉令贴满你小区。", Label::DoctoredImageThreat),
            ("快递已到驿站。", Label::Other),
            ("周末一起吃火锅吗？", Label::Other),
            ("您尾号8821的卡消费128元。", Label::Other),
        ];
        rows.iter().map(|(t, l)| Example::new(t, *l, None)).collect()
    }

    #[test]
    fn cross_validation_scores_each_fold_on_rows_it_did_not_train_on() {
        let examples = examples();
        let s = Setting {
            features: FeatureConfig { bucket_bits: 12, ..Default::default() },
            params: LinearParams::default().epochs(2).check().unwrap(),
        };
        let cv = cross_validate(&examples, &Resources::bundled(), &s.features, &s.params, 3).unwrap();
        let n = examples.len() as u64;
        assert_eq!((cv.k, cv.folds.len(), cv.pooled.rows), (3, 3, n));
        assert_eq!(cv.folds.iter().map(|f| f.evaluation.rows).sum::<u64>(), n, "each row is held out once");
        for (i, f) in cv.folds.iter().enumerate() {
            assert_eq!(f.fold, i + 1);
            assert_eq!(f.train_rows as u64 + f.evaluation.rows, n, "a fold trains on the other folds only");
            let held = examples.iter().filter(|e| fold_of(&e.group, 3) == i).count() as u64;
            assert_eq!(f.evaluation.rows, held);
        }
        let accuracies: Vec<f64> = cv.folds.iter().map(|f| f.evaluation.accuracy).collect();
        assert_eq!(cv.summary.mean.accuracy, crate::model::metrics::mean_std(&accuracies).0);
        // more folds than groups leaves a fold empty: an error that says so
        let err = cross_validate(&examples, &Resources::bundled(), &s.features, &s.params, 40).unwrap_err();
        assert!(err.to_string().contains("holds no rows") && err.to_string().contains("12 id groups"), "{err}");
    }

    use crate::features::FeatureConfig;

    fn own_examples() -> Vec<Example> {
        let rows = [
            ("您本月的电费账单为128元，请于25日前缴纳", "bill"),
            ("本期信用卡账单金额3560元，最后还款日为15日", "bill"),
            ("您的话费账单已出，本月消费89元", "bill"),
            ("双十一大促，全场五折，点击链接抢购", "promo"),
            ("新店开业，进店即送优惠券，欢迎光临", "promo"),
            ("限时特价，会员专享满减活动火热进行中", "promo"),
            ("晚上一起吃饭吗，我在老地方等你", "personal"),
            ("妈妈说周末回家，记得带点水果", "personal"),
            ("生日快乐，祝你天天开心", "personal"),
        ];
        rows.iter().map(|(text, label)| Example::new(text, label, None)).collect()
    }

    fn small() -> (FeatureConfig, ValidLinearParams) {
        let features = FeatureConfig { bucket_bits: 12, ..FeatureConfig::default() };
        (features, LinearParams::default().epochs(10).check().unwrap())
    }

    #[test]
    fn a_label_set_of_ones_own_trains_and_predicts_by_its_names() {
        let (features, params) = small();
        let examples = own_examples();
        let (classifier, report) = train(&examples, Resources::bundled(), features.clone(), params.clone()).unwrap();
        let labels = classifier.labels();
        assert!(!labels.is_builtin());
        assert_eq!(labels.names(), ["bill", "personal", "promo"], "sorted, whatever the row order");
        assert_eq!(report.rows_per_label["promo"], 3);
        assert!(classifier.meta().tags.is_empty() && !classifier.model().is_tagged());
        let mut scratch = Scratch::default();
        for e in &examples {
            let p = classifier.predict(&e.text, &mut scratch);
            assert_eq!(classifier.label_name(p.class), e.label, "{}", e.text);
            assert_eq!(p.scores.labels.len(), 3);
            assert!((p.scores.labels.iter().sum::<f32>() - 1.0).abs() < 1e-4);
            assert!(p.tags.is_empty() && !p.review);
        }
        // evidence: spans of the original text, from the features that pushed to the label
        let p = classifier.classify("本期信用卡账单金额3560元");
        assert!(!p.evidence.is_empty() && p.evidence.iter().all(|s| s.end <= 16), "{:?}", p.evidence);
        // same data and seed, same bytes; another row order, the same label order
        let mut reversed = examples.clone();
        reversed.reverse();
        let (again, _) = train(&examples, Resources::bundled(), features.clone(), params.clone()).unwrap();
        assert_eq!(again.to_bytes(), classifier.to_bytes());
        let (other_order, _) = train(&reversed, Resources::bundled(), features, params).unwrap();
        assert_eq!(other_order.labels(), labels);
        // and the file reads back as the same model
        let loaded = Classifier::from_bytes(&classifier.to_bytes()).unwrap();
        assert_eq!(loaded.classify("生日快乐"), classifier.classify("生日快乐"));
    }

    #[test]
    fn the_decision_flags_follow_the_label_set() {
        let (features, params) = small();
        let (mut classifier, _) =
            train(&own_examples(), Resources::bundled(), features.clone(), params.clone()).unwrap();
        // no `other` to send doubtful messages to
        let err = classifier.set_min_confidence(0.9).unwrap_err().to_string();
        assert!(err.contains("bill, personal, promo"), "{err}");
        assert!(classifier.set_min_confidence(0.0).is_ok());
        // a prior by the set's names
        classifier.set_prior(&[("promo", 0.9)]).unwrap();
        let err = classifier.set_prior(&[("other", 0.5)]).unwrap_err().to_string();
        assert!(err.contains("\"other\"") && err.contains("bill, personal, promo"), "{err}");
        // with a label named `other`, doubtful messages go there
        let mut with_other = own_examples();
        for e in with_other.iter_mut().filter(|e| e.label == "personal") {
            e.label = "other".to_string();
        }
        let (mut classifier, _) = train(&with_other, Resources::bundled(), features, params).unwrap();
        classifier.set_min_confidence(1.0).unwrap();
        let p = classifier.classify("双十一大促，全场五折");
        assert_eq!((classifier.label_name(p.class), p.review), ("other", true));
    }

    #[test]
    fn eval_rows_must_carry_the_models_labels() {
        let labels = LabelSet::new(&["bill", "promo"]).unwrap();
        let rows = [Example::new("a", "bill", None), Example::new("b", "spam", None)];
        let err = gold_classes(&labels, &rows).unwrap_err().to_string();
        assert!(err.contains("\"spam\"") && err.contains("row b") && err.contains("bill, promo"), "{err}");
    }
}
