//! Training and cross-validation: featurize labelled rows in parallel, fit the linear model,
//! and score held-out folds that keep related rows together.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use linfa::DatasetBase;
use linfa::traits::Fit;
use rayon::prelude::*;

use super::file::ModelMeta;
use super::hyperparams::ValidLinearParams;
use super::linear::{LinearModel, SparseRecords, TrainTargets};
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
    params.fit(&dataset)
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
    let meta = ModelMeta {
        labels: Label::ALL.iter().map(|l| l.as_str().to_string()).collect(),
        tags: Tag::ALL.iter().map(|t| t.as_str().to_string()).collect(),
        features,
        params,
        trained_on: rows_per_label.clone(),
        resources,
    };
    let classifier = Classifier::new(meta, model)?;
    Ok((classifier, TrainReport { rows_per_label, featurize_time, fit_time }))
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
