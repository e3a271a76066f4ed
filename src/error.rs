//! The library's one error type: every way a load, a read, a run or a training can fail.

use crate::io::InputError;
use crate::model::ModelError;
use crate::pipeline::PipelineError;

/// Any error of the library, with its cause.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A model could not be trained, loaded or used.
    #[error(transparent)]
    Model(#[from] ModelError),
    /// An input could not be read.
    #[error(transparent)]
    Input(#[from] InputError),
    /// A run over inputs stopped.
    #[error(transparent)]
    Pipeline(#[from] PipelineError),
    /// Reading or writing a file.
    #[error(transparent)]
    Io(#[from] std::io::Error),
}

/// A result with the library's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
