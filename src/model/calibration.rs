//! Confidence calibration: one temperature that divides the label scores before the softmax,
//! fitted on held-out predictions so that a confidence of 0.8 is right about 80% of the time.

use serde::{Deserialize, Serialize};

use super::linear::softmax;
use crate::prediction::LabelValues;

/// How a model's raw label scores become probabilities.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Calibration {
    /// Label scores are divided by this before the softmax (1: uncalibrated).
    pub temperature: f32,
}

impl Default for Calibration {
    fn default() -> Self {
        Calibration { temperature: 1.0 }
    }
}

impl Calibration {
    /// Whether the temperature is usable (finite and positive).
    pub fn is_valid(&self) -> bool {
        self.temperature.is_finite() && self.temperature > 0.0
    }

    /// Raw label scores divided by the temperature.
    #[inline]
    pub fn scaled(&self, logits: &[f32]) -> LabelValues {
        let inv = 1.0 / self.temperature;
        let mut z = LabelValues::from_slice(logits);
        for v in z.iter_mut() {
            *v *= inv;
        }
        z
    }

    /// Label probabilities from raw label scores.
    #[inline]
    pub fn probabilities(&self, logits: &[f32]) -> LabelValues {
        let mut p = self.scaled(logits);
        softmax(&mut p);
        p
    }
}

impl Calibration {
    /// The calibration of a model of `labels` trained without fitting one: the shipped model's
    /// temperature ([`DEFAULT_TEMPERATURE`](super::hyperparams::DEFAULT_TEMPERATURE)) for the
    /// built-in labels, which it was fitted for; none (1) for labels of one's own.
    pub fn default_for(labels: &crate::labels::LabelSet) -> Calibration {
        if labels.is_builtin() {
            Calibration { temperature: super::hyperparams::DEFAULT_TEMPERATURE }
        } else {
            Calibration::default()
        }
    }
}

/// Mean negative log-likelihood of the gold labels (output indices) at temperature `t`.
fn nll(logits: &[LabelValues], gold: &[usize], t: f32) -> f64 {
    let c = Calibration { temperature: t };
    let sum: f64 = logits.iter().zip(gold).map(|(z, &g)| -(c.probabilities(z)[g].max(1e-12) as f64).ln()).sum();
    sum / logits.len().max(1) as f64
}

/// The temperature that minimizes the held-out negative log-likelihood (golden-section search on
/// its logarithm, between 0.05 and 20). Deterministic; 1 when there is nothing to fit.
/// `gold` holds the output index of each row's gold label.
pub fn fit_temperature(logits: &[LabelValues], gold: &[usize]) -> Calibration {
    if logits.is_empty() || logits.len() != gold.len() {
        return Calibration::default();
    }
    let f = |ln_t: f64| nll(logits, gold, ln_t.exp() as f32);
    let phi = (5f64.sqrt() - 1.0) / 2.0;
    let (mut a, mut b) = (0.05f64.ln(), 20f64.ln());
    let mut c = b - phi * (b - a);
    let mut d = a + phi * (b - a);
    let (mut fc, mut fd) = (f(c), f(d));
    for _ in 0..60 {
        if fc < fd {
            b = d;
            d = c;
            fd = fc;
            c = b - phi * (b - a);
            fc = f(c);
        } else {
            a = c;
            c = d;
            fc = fd;
            d = a + phi * (b - a);
            fd = f(d);
        }
    }
    // Rounded so that the value printed (and kept as DEFAULT_TEMPERATURE) is the value used.
    let t = ((a + b) / 2.0).exp();
    Calibration { temperature: ((t * 1e4).round() / 1e4) as f32 }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overconfident_scores_get_a_temperature_above_one() {
        // Scores that say 99.9% but are right 3 times in 4.
        let sure = LabelValues::from_slice(&[8.0, 0.0, 0.0, 0.0]);
        let logits = vec![sure; 400];
        let gold: Vec<usize> = (0..400).map(|i| if i % 4 == 0 { 3 } else { 0 }).collect();
        let c = fit_temperature(&logits, &gold);
        assert!(c.temperature > 2.0, "{c:?}");
        let p = c.probabilities(&sure)[0];
        assert!((p - 0.75).abs() < 0.02, "calibrated confidence {p}");
        // and underconfident ones a temperature below one
        let unsure = LabelValues::from_slice(&[0.5, 0.0, 0.0, 0.0]);
        let all_right = vec![0; 100];
        assert!(fit_temperature(&vec![unsure; 100], &all_right).temperature < 0.5);
    }

    #[test]
    fn nothing_to_fit_is_the_identity() {
        assert_eq!(fit_temperature(&[], &[]), Calibration::default());
        let z = [1.0, 2.0, 3.0, 4.0];
        let mut p = z;
        softmax(&mut p);
        assert_eq!(*Calibration::default().probabilities(&z), p);
    }
}
