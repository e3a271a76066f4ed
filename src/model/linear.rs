//! The linear model: one weight row per hash bucket, with softmax outputs for the labels (as many
//! as the model's label set has) and independent sigmoid outputs for the tags (built-in labels
//! only). Fit and Predict follow linfa's traits.

use linfa::DatasetBase;
use linfa::dataset::Records;
use linfa::traits::{Fit, PredictInplace};
use ndarray::Array1;
use rand::SeedableRng;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;

use super::ModelError;
use super::hyperparams::ValidLinearParams;
use crate::features::SparseVec;
use crate::labels::{Tag, TagSet};
use crate::prediction::LabelValues;

pub use crate::labels::{MAX_LABELS, N_LABELS, N_TAGS};
/// The outputs of a model of the built-in labels: the labels, then the tags.
pub const N_OUTPUTS: usize = N_LABELS + N_TAGS;
/// Tag rows are padded to 8 weights (32 bytes), so that no row straddles two cache lines.
const TAG_STRIDE: usize = 8;
/// The bias of tag outputs no row taught (no training row had known tags): untrained they would
/// say 0.5, which reads as every tag at once; this says no (the sigmoid of it is exactly 0 in
/// `f32`), leaving tags to the lexicon.
pub const UNTRAINED_TAG_BIAS: f32 = -128.0;

/// Rows of sparse feature vectors, all over the same bucket space: linfa's records for this model.
#[derive(Debug, Clone, Default)]
pub struct SparseRecords {
    /// One feature vector per row.
    pub rows: Vec<SparseVec>,
    /// The number of hash buckets every row's indices fall below.
    pub buckets: usize,
}

impl Records for SparseRecords {
    type Elem = f32;
    fn nsamples(&self) -> usize {
        self.rows.len()
    }
    fn nfeatures(&self) -> usize {
        self.buckets
    }
}

/// What a training row should predict: its label, and its tags where they were annotated.
#[derive(Debug, Clone, Default)]
pub struct TrainTargets {
    /// How many labels the model has (2 to [`MAX_LABELS`]).
    pub n_labels: usize,
    /// Whether the model has tag outputs (the built-in labels do; a label set of one's own does
    /// not, and its rows' tags must be `None`).
    pub tagged: bool,
    /// The gold label of each row: its output index, below `n_labels`.
    pub labels: Vec<usize>,
    /// `None` for a row whose tags are unknown (its file has no tags column): the tag outputs
    /// skip it, no gradient and no bias step. Tags known to be none are `Some` of the empty set.
    pub tags: Vec<Option<TagSet>>,
}

/// Weights for `buckets` rows, one bias per output. The label and tag weights are kept in two
/// blocks, bucket-major, so that scoring the labels reads one short row per feature (16 bytes
/// for the built-in labels) and the tag block is only read for the messages that need tags.
#[derive(Debug, Clone, PartialEq)]
pub struct LinearModel {
    /// The number of hash buckets: one weight row each.
    pub buckets: usize,
    /// The number of label outputs.
    n_labels: usize,
    /// `buckets × n_labels` weights.
    label_weights: Vec<f32>,
    /// `buckets × TAG_STRIDE` weights: `N_TAGS` per bucket, then padding; empty for a model
    /// without tag outputs.
    tag_weights: Vec<f32>,
    /// One bias per output: labels, then tags.
    pub bias: Vec<f32>,
}

pub use crate::prediction::{Scores, best_label};

/// Turns scores into probabilities in place.
pub fn softmax(z: &mut [f32]) {
    let max = z.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let mut sum = 0.0;
    for v in z.iter_mut() {
        *v = (*v - max).exp();
        sum += *v;
    }
    for v in z.iter_mut() {
        *v /= sum;
    }
}

fn sigmoid(x: f32) -> f32 {
    1.0 / (1.0 + (-x).exp())
}

impl LinearModel {
    /// A model of `buckets` rows and `n_labels` label outputs (and the tag outputs when
    /// `tagged`), with every weight and bias zero.
    pub fn zeros(buckets: usize, n_labels: usize, tagged: bool) -> LinearModel {
        let n_tags = if tagged { N_TAGS } else { 0 };
        LinearModel {
            buckets,
            n_labels,
            label_weights: vec![0.0; buckets * n_labels],
            tag_weights: vec![0.0; if tagged { buckets * TAG_STRIDE } else { 0 }],
            bias: vec![0.0; n_labels + n_tags],
        }
    }

    /// The number of label outputs.
    pub fn n_labels(&self) -> usize {
        self.n_labels
    }

    /// Whether the model has tag outputs.
    pub fn is_tagged(&self) -> bool {
        !self.tag_weights.is_empty()
    }

    /// The number of outputs: labels, then tags.
    pub fn n_outputs(&self) -> usize {
        self.bias.len()
    }

    /// The label weights of one bucket.
    #[inline]
    pub fn label_row(&self, bucket: u32) -> &[f32] {
        let b = bucket as usize * self.n_labels;
        &self.label_weights[b..b + self.n_labels]
    }

    /// The label weights of one bucket as an array of `N`, for a model of `N` labels (`None`
    /// otherwise): a loop over them has a length the compiler knows, as the hot paths of the
    /// built-in four want.
    #[inline]
    pub fn label_row_of<const N: usize>(&self, bucket: u32) -> Option<&[f32; N]> {
        if self.n_labels != N {
            return None;
        }
        let b = bucket as usize * N;
        self.label_weights.get(b..b + N)?.try_into().ok()
    }

    /// The tag weights of one bucket (none for a model without tag outputs).
    #[inline]
    pub fn tag_row(&self, bucket: u32) -> &[f32] {
        if !self.is_tagged() {
            return &[];
        }
        let b = bucket as usize * TAG_STRIDE;
        &self.tag_weights[b..b + N_TAGS]
    }

    /// Every weight of one bucket, labels then tags: the order of the model file.
    pub fn row(&self, bucket: u32) -> impl Iterator<Item = f32> + '_ {
        self.label_row(bucket).iter().chain(self.tag_row(bucket)).copied()
    }

    /// Builds a model from weights in file order (per bucket: labels, then tags); `bias` has
    /// `n_labels` entries, then `N_TAGS` more for a model with tag outputs. Missing weights stay
    /// zero.
    pub fn from_rows(
        buckets: usize,
        n_labels: usize,
        rows: impl IntoIterator<Item = f32>,
        bias: Vec<f32>,
    ) -> LinearModel {
        let mut model = LinearModel::zeros(buckets, n_labels, bias.len() > n_labels);
        model.bias = bias;
        let mut rows = rows.into_iter();
        let label_rows = model.label_weights.chunks_exact_mut(n_labels);
        if model.tag_weights.is_empty() {
            for w in label_rows.flatten() {
                *w = rows.next().unwrap_or(0.0);
            }
        } else {
            for (labels, tags) in label_rows.zip(model.tag_weights.chunks_exact_mut(TAG_STRIDE)) {
                for w in labels.iter_mut().chain(&mut tags[..N_TAGS]) {
                    *w = rows.next().unwrap_or(0.0);
                }
            }
        }
        model
    }

    /// Raw label scores (before softmax) of one feature vector.
    #[inline]
    pub fn label_logits(&self, x: &SparseVec) -> LabelValues {
        if self.n_labels == N_LABELS {
            // the built-in labels: rows of a fixed 4 weights, which the compiler unrolls
            let mut z = [0.0f32; N_LABELS];
            z.copy_from_slice(&self.bias[..N_LABELS]);
            for (b, v) in x.iter() {
                let b = b as usize * N_LABELS;
                for (zk, wk) in z.iter_mut().zip(&self.label_weights[b..b + N_LABELS]) {
                    *zk += v * wk;
                }
            }
            return LabelValues::from_slice(&z);
        }
        let mut z = LabelValues::from_slice(&self.bias[..self.n_labels]);
        for (b, v) in x.iter() {
            for (zk, wk) in z.iter_mut().zip(self.label_row(b)) {
                *zk += v * wk;
            }
        }
        z
    }

    /// Raw tag scores (before the sigmoid) of one feature vector; for a model without tag
    /// outputs, [`UNTRAINED_TAG_BIAS`] for every tag.
    #[inline]
    pub fn tag_logits(&self, x: &SparseVec) -> [f32; N_TAGS] {
        if !self.is_tagged() {
            return [UNTRAINED_TAG_BIAS; N_TAGS];
        }
        let mut z = [0.0f32; N_TAGS];
        z.copy_from_slice(&self.bias[self.n_labels..]);
        for (b, v) in x.iter() {
            for (zk, wk) in z.iter_mut().zip(self.tag_row(b)) {
                *zk += v * wk;
            }
        }
        z
    }

    /// Label probabilities of one feature vector.
    pub fn label_probabilities(&self, x: &SparseVec) -> LabelValues {
        let mut p = self.label_logits(x);
        softmax(&mut p);
        p
    }

    /// Tag probabilities of one feature vector (0 for every tag of a model without tag outputs).
    pub fn tag_probabilities(&self, x: &SparseVec) -> [f32; N_TAGS] {
        self.tag_logits(x).map(sigmoid)
    }

    /// Label and tag probabilities for one feature vector.
    pub fn scores(&self, x: &SparseVec) -> Scores {
        Scores { labels: self.label_probabilities(x), tags: self.tag_probabilities(x) }
    }

    /// Whether every weight and bias is a finite number (a diverged training run is not).
    pub fn is_finite(&self) -> bool {
        self.label_weights.iter().chain(&self.tag_weights).chain(&self.bias).all(|w| w.is_finite())
    }

    /// Rounds every weight through half precision, as the model file stores them, so a model in
    /// memory predicts exactly as the same model loaded from a file.
    pub fn quantize(&mut self) {
        for w in self.label_weights.iter_mut().chain(&mut self.tag_weights) {
            *w = half::f16::from_f32(*w).to_f32();
        }
    }
}

impl Fit<SparseRecords, TrainTargets, ModelError> for ValidLinearParams {
    type Object = LinearModel;

    /// AdaGrad on softmax cross-entropy (labels) and logistic loss (tags), with L2 applied to the
    /// weights a row touches, several epochs over a seeded shuffle. Single-threaded, so the same
    /// data and seed give the same bits.
    fn fit(&self, dataset: &DatasetBase<SparseRecords, TrainTargets>) -> Result<LinearModel, ModelError> {
        let x = &dataset.records;
        let y = &dataset.targets;
        if x.rows.is_empty() {
            return Err(ModelError::EmptyDataset);
        }
        if y.labels.len() != x.rows.len() || y.tags.len() != x.rows.len() {
            return Err(ModelError::Shape(x.rows.len(), y.labels.len()));
        }
        let n_labels = y.n_labels;
        if !(2..=MAX_LABELS).contains(&n_labels) || y.labels.iter().any(|&k| k >= n_labels) {
            return Err(ModelError::Labels(format!(
                "{n_labels} labels, or a row's label past them (a model has 2 to {MAX_LABELS} labels)"
            )));
        }
        if !y.tagged && y.tags.iter().any(Option::is_some) {
            return Err(ModelError::Labels("rows with tags for a model without tag outputs".to_string()));
        }
        let mut model = LinearModel::zeros(x.buckets, n_labels, y.tagged);
        let n_outputs = model.n_outputs();
        let mut label_sq = vec![0.0f32; model.label_weights.len()];
        let mut tag_sq = vec![0.0f32; model.tag_weights.len()];
        let mut bias_sq = vec![0.0f32; n_outputs];
        let mut g = vec![0.0f32; n_outputs];
        let mut order: Vec<usize> = (0..x.rows.len()).collect();
        let mut rng = ChaCha8Rng::seed_from_u64(self.seed());
        let (eta, l2, eps) = (self.learning_rate(), self.l2(), 1e-8f32);
        // One AdaGrad step on weight `w` with accumulated squared gradient `s`.
        let step = |w: &mut f32, s: &mut f32, g: f32, v: f32| {
            let gk = g * v + l2 * *w;
            *s += gk * gk;
            *w -= eta * gk / (s.sqrt() + eps);
        };
        for _ in 0..self.epochs() {
            order.shuffle(&mut rng);
            for &i in &order {
                let row = &x.rows[i];
                g.fill(0.0);
                let p = model.label_probabilities(row);
                let label = y.labels[i];
                for k in 0..n_labels {
                    g[k] = p[k] - if k == label { 1.0 } else { 0.0 };
                }
                let tagged = y.tags[i];
                if let Some(tags) = tagged {
                    for (t, (tag, pt)) in Tag::ALL.iter().zip(model.tag_probabilities(row)).enumerate() {
                        let target = if tags.contains(*tag) { 1.0 } else { 0.0 };
                        g[n_labels + t] = (pt - target) * self.tag_weight();
                    }
                }
                for (b, v) in row.iter() {
                    let base = b as usize * n_labels;
                    for k in 0..n_labels {
                        step(&mut model.label_weights[base + k], &mut label_sq[base + k], g[k], v);
                    }
                    if tagged.is_some() {
                        let base = b as usize * TAG_STRIDE;
                        for t in 0..N_TAGS {
                            step(&mut model.tag_weights[base + t], &mut tag_sq[base + t], g[n_labels + t], v);
                        }
                    }
                }
                let outputs = if tagged.is_some() { n_outputs } else { n_labels };
                for k in 0..outputs {
                    bias_sq[k] += g[k] * g[k];
                    model.bias[k] -= eta * g[k] / (bias_sq[k].sqrt() + eps);
                }
            }
        }
        if y.tags.iter().all(Option::is_none) {
            for b in &mut model.bias[n_labels..] {
                *b = UNTRAINED_TAG_BIAS;
            }
        }
        model.quantize();
        Ok(model)
    }
}

impl PredictInplace<SparseRecords, Array1<usize>> for LinearModel {
    fn predict_inplace(&self, x: &SparseRecords, y: &mut Array1<usize>) {
        for (row, out) in x.rows.iter().zip(y.iter_mut()) {
            *out = best_label(&self.label_logits(row)).0;
        }
    }

    fn default_target(&self, x: &SparseRecords) -> Array1<usize> {
        Array1::zeros(x.rows.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::hyperparams::LinearParams;
    use linfa::ParamGuard;
    use linfa::traits::Predict;

    fn toy() -> DatasetBase<SparseRecords, TrainTargets> {
        // four separable classes, one feature each, plus a shared feature
        toy_of(N_LABELS, true)
    }

    /// `n` separable classes, one feature each, plus a shared feature.
    fn toy_of(n: usize, tagged: bool) -> DatasetBase<SparseRecords, TrainTargets> {
        let mut rows = Vec::new();
        let mut labels = Vec::new();
        for k in 0..n {
            for _ in 0..5 {
                let mut v = SparseVec::default();
                v.from_buckets(&[k as u32, 7]);
                rows.push(v);
                labels.push(k);
            }
        }
        let tags = vec![None; rows.len()];
        DatasetBase::new(SparseRecords { rows, buckets: 16 }, TrainTargets { n_labels: n, tagged, labels, tags })
    }

    #[test]
    fn learns_a_separable_problem_and_predicts_through_linfa() {
        let params = LinearParams::default().epochs(20).check().unwrap();
        let ds = toy();
        let model = params.fit(&ds).unwrap();
        let predicted: Array1<usize> = model.predict(&ds);
        assert_eq!(predicted.to_vec(), ds.targets.labels);
    }

    #[test]
    fn a_label_set_of_its_own_sizes_the_model_and_has_no_tag_outputs() {
        let params = LinearParams::default().epochs(20).check().unwrap();
        for n in [2, 3, 6] {
            let ds = toy_of(n, false);
            let model = params.fit(&ds).unwrap();
            assert_eq!((model.n_labels(), model.n_outputs(), model.is_tagged()), (n, n, false));
            let predicted: Array1<usize> = model.predict(&ds);
            assert_eq!(predicted.to_vec(), ds.targets.labels, "{n} labels");
            assert_eq!(model.tag_probabilities(&ds.records.rows[0]), [0.0; N_TAGS]);
            let rows = (0..16u32).flat_map(|b| model.row(b).collect::<Vec<_>>());
            assert_eq!(LinearModel::from_rows(16, n, rows, model.bias.clone()), model);
        }
        let mut bad = toy_of(3, false);
        bad.targets.labels[0] = 3;
        assert!(matches!(params.fit(&bad), Err(ModelError::Labels(_))));
    }

    #[test]
    fn training_is_deterministic_for_a_seed() {
        let ds = toy();
        let a = LinearParams::default().seed(7).check().unwrap().fit(&ds).unwrap();
        let b = LinearParams::default().seed(7).check().unwrap().fit(&ds).unwrap();
        assert_eq!(a, b);
    }

    /// The toy rows, each with a feature of its own too (buckets 8..), and these tags.
    fn toy_tagged(tags: impl Fn(usize) -> Option<TagSet>) -> DatasetBase<SparseRecords, TrainTargets> {
        let mut ds = toy();
        for (i, row) in ds.records.rows.iter_mut().enumerate() {
            let buckets: Vec<u32> = row.iter().map(|(b, _)| b).chain([8 + i as u32]).collect();
            row.from_buckets(&buckets);
        }
        ds.records.buckets = 8 + ds.records.rows.len();
        ds.targets.tags = (0..ds.records.rows.len()).map(tags).collect();
        ds
    }

    #[test]
    fn rows_whose_tags_are_unknown_do_not_train_the_tag_outputs() {
        let all = {
            let mut t = TagSet::default();
            Tag::ALL.iter().for_each(|tag| t.insert(*tag));
            t
        };
        // even rows have every tag, odd rows' tags are unknown
        let ds = toy_tagged(|i| if i % 2 == 0 { Some(all) } else { None });
        let model = LinearParams::default().epochs(5).check().unwrap().fit(&ds).unwrap();
        for i in 0..ds.records.rows.len() {
            let own = model.tag_row(8 + i as u32);
            if i % 2 == 0 {
                assert!(own.iter().all(|w| *w > 0.0), "row {i} teaches its tags: {own:?}");
            } else {
                assert!(own.iter().all(|w| *w == 0.0), "row {i} has unknown tags but taught them: {own:?}");
                assert!(model.label_row(8 + i as u32).iter().any(|w| *w != 0.0), "row {i} still trains the labels");
            }
        }
    }

    #[test]
    fn without_known_tags_the_tag_outputs_say_no() {
        let ds = toy_tagged(|_| None);
        let model = LinearParams::default().epochs(5).check().unwrap().fit(&ds).unwrap();
        for row in &ds.records.rows {
            assert_eq!(model.tag_probabilities(row), [0.0; N_TAGS], "untrained tag outputs must not say yes");
        }
        // with known tags (none of them set) the outputs are trained, and say no by learning
        let ds = toy_tagged(|_| Some(TagSet::default()));
        let model = LinearParams::default().epochs(5).check().unwrap().fit(&ds).unwrap();
        assert!(model.bias[N_LABELS..].iter().all(|b| *b < 0.0 && *b > UNTRAINED_TAG_BIAS));
        assert_eq!(model.n_outputs(), N_OUTPUTS);
        assert!(model.tag_probabilities(&ds.records.rows[0]).iter().all(|p| *p < 0.5 && *p > 0.0));
    }

    #[test]
    fn empty_data_is_an_error() {
        let ds = DatasetBase::new(SparseRecords::default(), TrainTargets::default());
        assert!(matches!(LinearParams::default().check().unwrap().fit(&ds), Err(ModelError::EmptyDataset)));
    }
}
