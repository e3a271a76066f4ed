//! Training hyper-parameters: a builder checked into valid parameters before fitting (linfa's ParamGuard).

use linfa::ParamGuard;
use serde::{Deserialize, Serialize};

use super::ModelError;

/// Hyper-parameters of the linear model, as given. `check()` turns them into [`ValidLinearParams`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LinearParams(ValidLinearParams);

/// Hyper-parameters known to be usable.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ValidLinearParams {
    epochs: usize,
    learning_rate: f32,
    l2: f32,
    tag_weight: f32,
    seed: u64,
}

// The defaults: the settings of the shipped model (chosen by cross-validation, see
// `models/README.md`). `cuishou train`'s flags default to these, and the feature settings to
// `FeatureConfig::default()`, so a flagless run on the shipped data makes the shipped model.

/// Passes over the training rows.
pub const DEFAULT_EPOCHS: usize = 15;
/// AdaGrad step size.
pub const DEFAULT_LEARNING_RATE: f32 = 0.3;
/// L2 penalty on the weights a row touches.
pub const DEFAULT_L2: f32 = 1e-6;
/// Weight of the tag outputs' loss relative to the label loss.
pub const DEFAULT_TAG_WEIGHT: f32 = 0.5;
/// Seed of the row shuffling between epochs.
pub const DEFAULT_SEED: u64 = 42;
/// Calibration temperature of a model trained without `--loso` or `--temperature`: the one that
/// leave-one-slice-out fitted on the shipped corpus (`models/README.md`). A model trained on other
/// data should fit its own with `--loso`.
pub const DEFAULT_TEMPERATURE: f32 = 1.2888;

impl Default for LinearParams {
    fn default() -> Self {
        LinearParams(ValidLinearParams {
            epochs: DEFAULT_EPOCHS,
            learning_rate: DEFAULT_LEARNING_RATE,
            l2: DEFAULT_L2,
            tag_weight: DEFAULT_TAG_WEIGHT,
            seed: DEFAULT_SEED,
        })
    }
}

impl Default for ValidLinearParams {
    /// The defaults of [`LinearParams::default`], valid as they are.
    fn default() -> Self {
        LinearParams::default().0
    }
}

impl From<ValidLinearParams> for LinearParams {
    /// Valid parameters, to change some of them (and check them again).
    fn from(valid: ValidLinearParams) -> Self {
        LinearParams(valid)
    }
}

impl LinearParams {
    /// Sets the passes over the training rows (1..=1000).
    pub fn epochs(mut self, epochs: usize) -> Self {
        self.0.epochs = epochs;
        self
    }
    /// Sets the AdaGrad step size (positive).
    pub fn learning_rate(mut self, lr: f32) -> Self {
        self.0.learning_rate = lr;
        self
    }
    /// Sets the L2 penalty (0 or more).
    pub fn l2(mut self, l2: f32) -> Self {
        self.0.l2 = l2;
        self
    }
    /// Sets the weight of the tag loss relative to the label loss (0 or more).
    pub fn tag_weight(mut self, w: f32) -> Self {
        self.0.tag_weight = w;
        self
    }
    /// Sets the seed of the row shuffling.
    pub fn seed(mut self, seed: u64) -> Self {
        self.0.seed = seed;
        self
    }
}

impl ParamGuard for LinearParams {
    type Checked = ValidLinearParams;
    type Error = ModelError;

    fn check_ref(&self) -> Result<&ValidLinearParams, ModelError> {
        let p = &self.0;
        let bad = |what: String| Err(ModelError::InvalidParams(what));
        if p.epochs == 0 || p.epochs > 1000 {
            return bad(format!("epochs must be 1..=1000, got {}", p.epochs));
        }
        if !(p.learning_rate > 0.0 && p.learning_rate.is_finite()) {
            return bad(format!("learning rate must be positive, got {}", p.learning_rate));
        }
        if !(p.l2 >= 0.0 && p.l2.is_finite()) {
            return bad(format!("l2 must be non-negative, got {}", p.l2));
        }
        if !(p.tag_weight >= 0.0 && p.tag_weight.is_finite()) {
            return bad(format!("tag weight must be non-negative, got {}", p.tag_weight));
        }
        Ok(p)
    }

    fn check(self) -> Result<ValidLinearParams, ModelError> {
        self.check_ref()?;
        Ok(self.0)
    }
}

impl ValidLinearParams {
    /// Passes over the training rows.
    pub fn epochs(&self) -> usize {
        self.epochs
    }
    /// AdaGrad step size.
    pub fn learning_rate(&self) -> f32 {
        self.learning_rate
    }
    /// L2 penalty on the weights a row touches.
    pub fn l2(&self) -> f32 {
        self.l2
    }
    /// Weight of the tag outputs' loss relative to the label loss.
    pub fn tag_weight(&self) -> f32 {
        self.tag_weight
    }
    /// Seed of the row shuffling between epochs.
    pub fn seed(&self) -> u64 {
        self.seed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_parameters_are_refused() {
        assert_eq!(LinearParams::default().check().ok(), Some(ValidLinearParams::default()));
        assert!(LinearParams::default().epochs(0).check().is_err());
        assert!(LinearParams::default().learning_rate(-1.0).check().is_err());
        assert!(LinearParams::default().l2(f32::NAN).check().is_err());
    }
}
