//! Training and cross-validation: featurize labelled rows in parallel, fit the linear model,
//! and score held-out folds that keep related rows together. The label set is the one the rows'
//! labels make ([`LabelSet::of_names`]): the built-in four, or the user's own.

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
use super::linear::{LinearModel, SparseRecords, TrainTargets};
use super::metrics::{Evaluation, evaluate};
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
    let (labels, gold) = label_classes(examples)?;
    let analyzer = Analyzer::new(resources, features.clone())?;
    let texts: Vec<&str> = examples.iter().map(|e| e.text.as_str()).collect();
    let rows = featurize(&analyzer, &texts);
    let fold: Vec<usize> = examples.iter().map(|e| fold_of(&e.group, folds)).collect();
    let results: Vec<Result<Vec<(usize, usize)>, ModelError>> = (0..folds)
        .into_par_iter()
        .map(|f| {
            let train_idx: Vec<usize> = (0..examples.len()).filter(|&i| fold[i] != f).collect();
            let test_idx: Vec<usize> = (0..examples.len()).filter(|&i| fold[i] == f).collect();
            let train_rows = train_idx.iter().map(|&i| rows[i].clone()).collect();
            let train_ex: Vec<&Example> = train_idx.iter().map(|&i| &examples[i]).collect();
            let classes = train_idx.iter().map(|&i| gold[i]).collect();
            let model = fit(train_rows, &labels, &train_ex, classes, features.buckets(), params)?;
            Ok(test_idx.iter().map(|&i| (i, model.scores(&rows[i]).best().0)).collect())
        })
        .collect();
    let mut predicted = vec![0; examples.len()];
    for r in results {
        for (i, k) in r? {
            predicted[i] = k;
        }
    }
    Ok(evaluate(&labels, &gold, &predicted))
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
