//! Training and cross-validation: featurize labelled rows in parallel, fit the linear model,
//! and score held-out folds that keep related rows together.

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
use super::linear::{LinearModel, N_LABELS, SparseRecords, TrainTargets};
use super::metrics::{
    ECE_BINS, Evaluation, FoldSummary, evaluate, expected_calibration_error, folds_to_text, summarize_folds,
};
use super::{Classifier, ModelError};
use crate::analysis::{AnalyzedText, Analyzer, Resources};
use crate::features::{FeatureConfig, Normalization, SparseVec, hash};
use crate::labels::{Label, Tag, TagSet};

/// One labelled row.
#[derive(Debug, Clone, PartialEq)]
pub struct Example {
    /// The message text.
    pub text: String,
    /// Its gold label.
    pub label: Label,
    /// The row's tags, if its file has a tags column.
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
    pub fn new(text: &str, label: Label, tags: Option<TagSet>) -> Example {
        Example { text: text.to_string(), label, tags, group: text.to_string(), slice: String::new(), augmented: false }
    }
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
        header.extend(Label::ALL.iter().map(|l| format!("f1_{l}")));
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
            row.extend(Label::ALL.iter().map(|l| format!("{:.4}", cv.pooled.per_label[l.as_str()].f1)));
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

/// What the rows should predict; a row without a tags column keeps `tags: None` ("unknown"),
/// which the tag outputs skip (see [`TrainTargets`]).
fn targets(examples: &[&Example]) -> TrainTargets {
    TrainTargets { labels: examples.iter().map(|e| e.label).collect(), tags: examples.iter().map(|e| e.tags).collect() }
}

fn fit(
    rows: Vec<SparseVec>,
    examples: &[&Example],
    buckets: usize,
    params: &ValidLinearParams,
) -> Result<LinearModel, ModelError> {
    let dataset = DatasetBase::new(SparseRecords { rows, buckets }, targets(examples));
    let model = params.fit(&dataset)?;
    if !model.is_finite() {
        return Err(ModelError::Diverged);
    }
    Ok(model)
}

/// Rows per label, by label name.
pub fn count_labels<'a>(labels: impl Iterator<Item = &'a Label>) -> BTreeMap<String, usize> {
    let mut counts: BTreeMap<String, usize> = Label::ALL.iter().map(|l| (l.as_str().to_string(), 0)).collect();
    for l in labels {
        *counts.entry(l.as_str().to_string()).or_default() += 1;
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
    let analyzer = Analyzer::new(&resources, features.clone())?;
    let started = Instant::now();
    let texts: Vec<&str> = examples.iter().map(|e| e.text.as_str()).collect();
    let rows = featurize(&analyzer, &texts);
    let featurize_time = started.elapsed();
    let started = Instant::now();
    let refs: Vec<&Example> = examples.iter().collect();
    let model = fit(rows, &refs, features.buckets(), &params)?;
    let fit_time = started.elapsed();
    let rows_per_label = count_labels(examples.iter().map(|e| &e.label));
    let classifier = classifier_of(model, resources, features, params, rows_per_label.clone())?;
    Ok((classifier, TrainReport { rows_per_label, featurize_time, fit_time }))
}

/// A fitted model with the metadata that makes it a classifier (uncalibrated).
fn classifier_of(
    model: LinearModel,
    resources: Resources,
    features: FeatureConfig,
    params: ValidLinearParams,
    trained_on: BTreeMap<String, usize>,
) -> Result<Classifier, ModelError> {
    let meta = ModelMeta {
        labels: Label::ALL.iter().map(|l| l.as_str().to_string()).collect(),
        tags: Tag::ALL.iter().map(|t| t.as_str().to_string()).collect(),
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
    let analyzer = Analyzer::new(resources, features.clone())?;
    let texts: Vec<&str> = examples.iter().map(|e| e.text.as_str()).collect();
    let rows = featurize(&analyzer, &texts);
    let gold: Vec<Label> = examples.iter().map(|e| e.label).collect();
    let results: Vec<(FoldScore, Vec<(usize, Label)>)> = (0..folds)
        .into_par_iter()
        .map(|f| {
            let (test_idx, train_idx): (Vec<usize>, Vec<usize>) = (0..examples.len()).partition(|&i| fold[i] == f);
            let train_rows = train_idx.iter().map(|&i| rows[i].clone()).collect();
            let train_ex: Vec<&Example> = train_idx.iter().map(|&i| &examples[i]).collect();
            let started = Instant::now();
            let model = fit(train_rows, &train_ex, features.buckets(), params)?;
            let fit_seconds = started.elapsed().as_secs_f64();
            let predicted: Vec<(usize, Label)> =
                test_idx.iter().map(|&i| (i, model.scores(&rows[i]).best().0)).collect();
            let fold_gold: Vec<Label> = test_idx.iter().map(|&i| gold[i]).collect();
            let fold_predicted: Vec<Label> = predicted.iter().map(|p| p.1).collect();
            let evaluation = evaluate(&fold_gold, &fold_predicted);
            Ok((FoldScore { fold: f + 1, train_rows: train_idx.len(), fit_seconds, evaluation }, predicted))
        })
        .collect::<Result<_, ModelError>>()?;
    let mut predicted = vec![Label::Other; examples.len()];
    let mut scores = Vec::with_capacity(folds);
    for (score, held_out) in results {
        for (i, l) in held_out {
            predicted[i] = l;
        }
        scores.push(score);
    }
    let summary = summarize_folds(&scores.iter().map(|s| &s.evaluation).collect::<Vec<_>>());
    Ok(CvReport { k: folds, folds: scores, summary, pooled: evaluate(&gold, &predicted) })
}

/// One held-out prediction of [`leave_one_slice_out`]: the row, its raw label scores, and the
/// label the classifier gave it (the model's best label, or a rule's correction of it).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct HeldOut {
    /// Index of the row in the examples given.
    pub index: usize,
    /// The row's raw label scores (before calibration and softmax) under the held-out model.
    pub logits: [f32; N_LABELS],
    /// The label the held-out classifier gave it.
    pub label: Label,
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

    /// Gold labels and predicted labels of every held-out row.
    pub fn labels(&self, examples: &[Example]) -> (Vec<Label>, Vec<Label>) {
        self.held_out.iter().map(|h| (examples[h.index].label, h.label)).unzip()
    }

    /// The pooled held-out scores, the worst slice, and the calibration temperature fitted on the
    /// held-out predictions with the calibration error before and after it.
    pub fn summarize(&self, examples: &[Example]) -> LosoSummary {
        let (gold, predicted) = self.labels(examples);
        let logits: Vec<[f32; N_LABELS]> = self.held_out.iter().map(|h| h.logits).collect();
        let correct: Vec<bool> = gold.iter().zip(&predicted).map(|(g, p)| g == p).collect();
        let ece = |c: Calibration| {
            let conf: Vec<f32> = logits.iter().map(|z| c.probabilities(z).into_iter().fold(0.0, f32::max)).collect();
            expected_calibration_error(&conf, &correct, ECE_BINS)
        };
        let fitted = fit_temperature(&logits, &gold);
        LosoSummary {
            pooled: evaluate(&gold, &predicted),
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
            let model = fit(train_rows, &train_ex, features.buckets(), params)?;
            let trained_on = count_labels(train_ex.iter().map(|e| &e.label));
            let classifier = classifier_of(model, resources.clone(), features.clone(), params.clone(), trained_on)?;
            let mut scratch = Scratch::default();
            let held: Vec<HeldOut> = test_idx
                .iter()
                .filter(|&&i| !examples[i].augmented)
                .map(|&i| HeldOut {
                    index: i,
                    logits: classifier.model().label_logits(&rows[i]),
                    label: classifier.predict(&examples[i].text, &mut scratch).label,
                })
                .collect();
            let correct = held.iter().filter(|h| h.label == examples[h.index].label).count();
            let score = SliceScore {
                slice: slice.to_string(),
                rows: held.len(),
                accuracy: if held.is_empty() { 0.0 } else { correct as f64 / held.len() as f64 },
                labels: count_labels(held.iter().map(|h| &examples[h.index].label))
                    .into_iter()
                    .filter(|(_, n)| *n > 0)
                    .collect(),
            };
            Ok((score, held))
        })
        .collect();
    let mut report = LosoReport { slices: Vec::new(), held_out: Vec::new() };
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
}
