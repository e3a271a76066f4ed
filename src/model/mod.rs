//! The classifier: a trained linear model with the analysis chain it was trained with; it turns
//! a message into a label, a confidence, tags and evidence.

pub mod calibration;
pub mod classifier;
pub mod file;
pub mod grid;
pub mod hyperparams;
pub mod linear;
pub mod metrics;
pub mod train;

use crate::analysis::AnalyzerError;

pub use calibration::{Calibration, fit_temperature};
pub use classifier::{Classifier, PriorError, Scratch};
pub use file::{ModelFileError, ModelMeta, TrainingRecord};
pub use grid::{Grid, GridError, GridKey};
pub use hyperparams::{LinearParams, ValidLinearParams};
pub use linear::{LinearModel, SparseRecords, TrainTargets};
pub use metrics::{Evaluation, FoldStats, FoldSummary, evaluate, evaluate_tags, expected_calibration_error};
pub use train::{
    Candidate, CvReport, Example, FoldScore, HeldOut, LosoReport, LosoSummary, SearchReport, Setting, SliceScore,
    TrainReport, cross_validate, default_grid, leave_one_slice_out, search, train,
};

/// The default model, trained from `data/` and compiled into the binary.
pub static DEFAULT_MODEL: &[u8] = include_bytes!("../../models/default.model");

/// Why a model could not be trained, loaded or used.
#[derive(Debug, thiserror::Error)]
pub enum ModelError {
    /// There were no rows to train on.
    #[error("no training rows")]
    EmptyDataset,
    /// Training produced weights that are not finite numbers.
    #[error("training diverged: some weights are not finite numbers (try a smaller --learning-rate)")]
    Diverged,
    /// A dataset's feature rows (first) and label targets (second) differ in number, or its tag
    /// targets do.
    #[error("{0} feature rows but {1} targets")]
    Shape(usize, usize),
    /// Hyper-parameters out of range, or a search or held-out scoring that cannot run (no setting,
    /// fewer than 2 folds or slices).
    #[error("invalid hyper-parameters: {0}")]
    InvalidParams(String),
    /// A search grid that does not parse or holds a value the checks refuse.
    #[error(transparent)]
    Grid(#[from] GridError),
    /// The labels of the training or evaluation rows do not fit: fewer than 2, a name that is no
    /// label's, or a gold label the model does not have (the message names the row and label).
    #[error("{0}")]
    Labels(String),
    /// The model file could not be parsed.
    #[error(transparent)]
    File(#[from] ModelFileError),
    /// The analysis chain could not be built from the resources and feature configuration.
    #[error(transparent)]
    Analyzer(#[from] AnalyzerError),
    /// An error from linfa's dataset or training traits.
    #[error(transparent)]
    Linfa(#[from] linfa::Error),
    /// The model file could not be read.
    #[error("reading model {path}: {source}")]
    Io {
        /// The file's path.
        path: String,
        /// The I/O error.
        source: std::io::Error,
    },
}
