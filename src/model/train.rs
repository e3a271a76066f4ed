//! Training and cross-validation: featurize labelled rows in parallel, fit the linear model,
//! and score held-out folds that keep related rows together.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use linfa::DatasetBase;
use linfa::traits::Fit;
use rayon::prelude::*;
use serde::Serialize;

use super::file::ModelMeta;
use super::hyperparams::ValidLinearParams;
use super::linear::{LinearModel, N_LABELS, SparseRecords, TrainTargets};
use super::metrics::{Evaluation, evaluate};
use super::{Classifier, ModelError};
use crate::analysis::{Analysis, Analyzer, Resources};
use crate::features::{FeatureConfig, SparseVec, hash};
use crate::labels::{Label, Tag, TagSet};

/// One labelled row.
#[derive(Debug, Clone, PartialEq)]
pub struct Example {
    pub text: String,
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

/// What a training run did.
#[derive(Debug, Clone)]
pub struct TrainReport {
    pub rows_per_label: BTreeMap<String, usize>,
    pub featurize_time: Duration,
    pub fit_time: Duration,
}

/// Featurizes texts in parallel; the result is in input order.
pub fn featurize(analyzer: &Analyzer, texts: &[&str]) -> Vec<SparseVec> {
    texts
        .par_iter()
        .map_init(Analysis::default, |a, text| {
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
    pub logits: [f32; N_LABELS],
    pub label: Label,
}

/// How one held-out slice did.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SliceScore {
    pub slice: String,
    /// Written (not augmented) rows of the slice, the rows scored.
    pub rows: usize,
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
            let mut a = Analysis::default();
            let held: Vec<HeldOut> = test_idx
                .iter()
                .filter(|&&i| !examples[i].augmented)
                .map(|&i| HeldOut {
                    index: i,
                    logits: classifier.model().label_logits(&rows[i]),
                    label: classifier.predict(&examples[i].text, &mut a).label,
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
