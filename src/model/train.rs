//! Training and cross-validation: featurize labelled rows in parallel, fit the linear model,
//! and score held-out folds that keep related rows together.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use linfa::DatasetBase;
use linfa::traits::Fit;
use rayon::prelude::*;
use serde::Serialize;

use super::classifier::Scratch;
use super::file::{ModelMeta, TrainingRecord};
use linfa::ParamGuard;

use super::hyperparams::{LinearParams, ValidLinearParams};
use super::linear::{LinearModel, N_LABELS, SparseRecords, TrainTargets};
use super::metrics::{Evaluation, evaluate};
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

/// One candidate of a search: feature settings and hyper-parameters.
#[derive(Debug, Clone, PartialEq)]
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
        let p = &self.params;
        let mut args = format!(
            "--bucket-bits {} --word-ngrams {} --char-ngrams {}-{} --epochs {} --learning-rate {} --l2 {} --tag-weight {} --seed {}",
            f.bucket_bits,
            f.word_ngrams,
            f.char_ngram_min,
            f.char_ngram_max,
            p.epochs(),
            p.learning_rate(),
            p.l2(),
            p.tag_weight(),
            p.seed()
        );
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

/// The grid that a search tries around `base`: character n-grams none, 1-2, 1-3 and 2-4, learning
/// rates 0.1 and 0.3, 5 and 15 epochs; the rest as in `base`.
pub fn default_grid(base: &Setting) -> Result<Vec<Setting>, ModelError> {
    let mut out = Vec::new();
    for (cmin, cmax) in [(0u8, 0u8), (1, 2), (1, 3), (2, 4)] {
        for lr in [0.1f32, 0.3] {
            for epochs in [5usize, 15] {
                let features = FeatureConfig { char_ngram_min: cmin, char_ngram_max: cmax, ..base.features.clone() };
                let params = LinearParams::default()
                    .epochs(epochs)
                    .learning_rate(lr)
                    .l2(base.params.l2())
                    .tag_weight(base.params.tag_weight())
                    .seed(base.params.seed())
                    .check()?;
                out.push(Setting { features, params });
            }
        }
    }
    Ok(out)
}

/// Scores each candidate by `folds`-fold cross-validation (see [`cross_validate`]), calling
/// `tried` after each, and returns the one with the best macro-F1 (the first of equals).
pub fn search(
    examples: &[Example],
    resources: &Resources,
    candidates: Vec<Setting>,
    folds: usize,
    mut tried: impl FnMut(&Setting, &Evaluation, Duration),
) -> Result<(Setting, Evaluation), ModelError> {
    let mut best: Option<(Setting, Evaluation)> = None;
    for setting in candidates {
        let started = Instant::now();
        let e = cross_validate(examples, resources, &setting.features, &setting.params, folds)?;
        tried(&setting, &e, started.elapsed());
        if best.as_ref().is_none_or(|(_, b)| e.macro_f1 > b.macro_f1) {
            best = Some((setting, e));
        }
    }
    best.ok_or_else(|| ModelError::InvalidParams("no setting to search".to_string()))
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

/// K-fold cross-validation with folds by group; returns the pooled held-out evaluation.
pub fn cross_validate(
    examples: &[Example],
    resources: &Resources,
    features: &FeatureConfig,
    params: &ValidLinearParams,
    folds: usize,
) -> Result<Evaluation, ModelError> {
    if folds < 2 {
        return Err(ModelError::InvalidParams(format!("cross-validation needs at least 2 folds, got {folds}")));
    }
    let analyzer = Analyzer::new(resources, features.clone())?;
    let texts: Vec<&str> = examples.iter().map(|e| e.text.as_str()).collect();
    let rows = featurize(&analyzer, &texts);
    let fold: Vec<usize> = examples.iter().map(|e| fold_of(&e.group, folds)).collect();
    let results: Vec<Result<Vec<(usize, Label)>, ModelError>> = (0..folds)
        .into_par_iter()
        .map(|f| {
            let train_idx: Vec<usize> = (0..examples.len()).filter(|&i| fold[i] != f).collect();
            let test_idx: Vec<usize> = (0..examples.len()).filter(|&i| fold[i] == f).collect();
            let train_rows = train_idx.iter().map(|&i| rows[i].clone()).collect();
            let train_ex: Vec<&Example> = train_idx.iter().map(|&i| &examples[i]).collect();
            let model = fit(train_rows, &train_ex, features.buckets(), params)?;
            Ok(test_idx.iter().map(|&i| (i, model.scores(&rows[i]).best().0)).collect())
        })
        .collect();
    let mut predicted = vec![Label::Other; examples.len()];
    for r in results {
        for (i, l) in r? {
            predicted[i] = l;
        }
    }
    let gold: Vec<Label> = examples.iter().map(|e| e.label).collect();
    Ok(evaluate(&gold, &predicted))
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
