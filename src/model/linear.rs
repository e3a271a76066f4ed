//! The linear model: one weight row per hash bucket, with softmax outputs for the labels and
//! independent sigmoid outputs for the tags. Fit and Predict follow linfa's traits.

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
use crate::labels::{Label, Tag, TagSet};

pub const N_LABELS: usize = Label::ALL.len();
pub const N_TAGS: usize = Tag::ALL.len();
pub const N_OUTPUTS: usize = N_LABELS + N_TAGS;

/// Rows of sparse feature vectors, all over the same bucket space: linfa's records for this model.
#[derive(Debug, Clone, Default)]
pub struct SparseRecords {
    pub rows: Vec<SparseVec>,
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
    pub labels: Vec<Label>,
    /// `None` for a row whose file has no tags column: the tag outputs skip it.
    pub tags: Vec<Option<TagSet>>,
}

/// Weights for `buckets` rows of [`N_OUTPUTS`] outputs, plus one bias per output.
#[derive(Debug, Clone, PartialEq)]
pub struct LinearModel {
    pub buckets: usize,
    pub weights: Vec<f32>,
    pub bias: Vec<f32>,
}

/// Label probabilities and tag probabilities for one row.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Scores {
    pub labels: [f32; N_LABELS],
    pub tags: [f32; N_TAGS],
}

impl Scores {
    /// The most probable label and its probability.
    pub fn best(&self) -> (Label, f32) {
        let mut best = 0;
        for k in 1..N_LABELS {
            if self.labels[k] > self.labels[best] {
                best = k;
            }
        }
        (Label::ALL[best], self.labels[best])
    }
}

fn softmax(z: &mut [f32]) {
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
    pub fn zeros(buckets: usize) -> LinearModel {
        LinearModel { buckets, weights: vec![0.0; buckets * N_OUTPUTS], bias: vec![0.0; N_OUTPUTS] }
    }

    /// The weight row of one bucket.
    pub fn row(&self, bucket: u32) -> &[f32] {
        let b = bucket as usize * N_OUTPUTS;
        &self.weights[b..b + N_OUTPUTS]
    }

    fn raw(&self, x: &SparseVec) -> [f32; N_OUTPUTS] {
        let mut z = [0.0f32; N_OUTPUTS];
        z.copy_from_slice(&self.bias);
        for (b, v) in x.iter() {
            for (zk, wk) in z.iter_mut().zip(self.row(b)) {
                *zk += v * wk;
            }
        }
        z
    }

    /// Label and tag probabilities for one feature vector.
    pub fn scores(&self, x: &SparseVec) -> Scores {
        let z = self.raw(x);
        let mut labels = [0.0f32; N_LABELS];
        labels.copy_from_slice(&z[..N_LABELS]);
        softmax(&mut labels);
        let mut tags = [0.0f32; N_TAGS];
        for (t, zt) in tags.iter_mut().zip(&z[N_LABELS..]) {
            *t = sigmoid(*zt);
        }
        Scores { labels, tags }
    }

    /// Rounds every weight through half precision, as the model file stores them, so a model in
    /// memory predicts exactly as the same model loaded from a file.
    pub fn quantize(&mut self) {
        for w in &mut self.weights {
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
        let mut model = LinearModel::zeros(x.buckets);
        let mut grad_sq = vec![0.0f32; model.weights.len()];
        let mut bias_sq = [0.0f32; N_OUTPUTS];
        let mut order: Vec<usize> = (0..x.rows.len()).collect();
        let mut rng = ChaCha8Rng::seed_from_u64(self.seed());
        let (eta, l2, eps) = (self.learning_rate(), self.l2(), 1e-8f32);
        for _ in 0..self.epochs() {
            order.shuffle(&mut rng);
            for &i in &order {
                let row = &x.rows[i];
                let mut g = [0.0f32; N_OUTPUTS];
                let z = model.raw(row);
                let mut p = [0.0f32; N_LABELS];
                p.copy_from_slice(&z[..N_LABELS]);
                softmax(&mut p);
                let label = y.labels[i].index();
                for k in 0..N_LABELS {
                    g[k] = p[k] - if k == label { 1.0 } else { 0.0 };
                }
                let tagged = y.tags[i];
                if let Some(tags) = tagged {
                    for (t, tag) in Tag::ALL.iter().enumerate() {
                        let target = if tags.contains(*tag) { 1.0 } else { 0.0 };
                        g[N_LABELS + t] = (sigmoid(z[N_LABELS + t]) - target) * self.tag_weight();
                    }
                }
                let outputs = if tagged.is_some() { N_OUTPUTS } else { N_LABELS };
                for (b, v) in row.iter() {
                    let base = b as usize * N_OUTPUTS;
                    for k in 0..outputs {
                        let w = &mut model.weights[base + k];
                        let gk = g[k] * v + l2 * *w;
                        let s = &mut grad_sq[base + k];
                        *s += gk * gk;
                        *w -= eta * gk / (s.sqrt() + eps);
                    }
                }
                for k in 0..outputs {
                    bias_sq[k] += g[k] * g[k];
                    model.bias[k] -= eta * g[k] / (bias_sq[k].sqrt() + eps);
                }
            }
        }
        model.quantize();
        Ok(model)
    }
}

impl PredictInplace<SparseRecords, Array1<usize>> for LinearModel {
    fn predict_inplace(&self, x: &SparseRecords, y: &mut Array1<usize>) {
        for (row, out) in x.rows.iter().zip(y.iter_mut()) {
            *out = self.scores(row).best().0.index();
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
        let mut rows = Vec::new();
        let mut labels = Vec::new();
        for (k, label) in Label::ALL.iter().enumerate() {
            for _ in 0..5 {
                let mut v = SparseVec::default();
                v.from_buckets(&mut [k as u32, 7]);
                rows.push(v);
                labels.push(*label);
            }
        }
        let tags = vec![None; rows.len()];
        DatasetBase::new(SparseRecords { rows, buckets: 16 }, TrainTargets { labels, tags })
    }

    #[test]
    fn learns_a_separable_problem_and_predicts_through_linfa() {
        let params = LinearParams::default().epochs(20).check().unwrap();
        let ds = toy();
        let model = params.fit(&ds).unwrap();
        let predicted: Array1<usize> = model.predict(&ds);
        let truth: Vec<usize> = ds.targets.labels.iter().map(|l| l.index()).collect();
        assert_eq!(predicted.to_vec(), truth);
    }

    #[test]
    fn training_is_deterministic_for_a_seed() {
        let ds = toy();
        let a = LinearParams::default().seed(7).check().unwrap().fit(&ds).unwrap();
        let b = LinearParams::default().seed(7).check().unwrap().fit(&ds).unwrap();
        assert_eq!(a, b);
    }

    #[test]
    fn empty_data_is_an_error() {
        let ds = DatasetBase::new(SparseRecords::default(), TrainTargets::default());
        assert!(matches!(LinearParams::default().check().unwrap().fit(&ds), Err(ModelError::EmptyDataset)));
    }
}
