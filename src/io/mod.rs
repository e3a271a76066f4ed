//! Reading messages in and writing results out: the record and reject types shared by every
//! format, one file per format.

pub mod csv_in;
pub mod csv_out;
pub mod rejects;

use crate::model::Prediction;

pub use csv_in::CsvSource;
pub use csv_out::CsvSink;
pub use rejects::{RejectWriter, RejectsTo};

/// Raw content kept in a reject row, at most.
pub const MAX_RAW_BYTES: usize = 1000;

/// One input message with every field of its row.
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    /// Line (CSV) or record number in its input, 1-based.
    pub line: u64,
    pub fields: Vec<String>,
    pub text_field: usize,
}

impl Record {
    pub fn text(&self) -> &str {
        &self.fields[self.text_field]
    }
}

/// An input record that could not be classified, and why.
#[derive(Debug, Clone, PartialEq)]
pub struct Reject {
    pub line: u64,
    pub raw: String,
    pub reason: String,
}

impl Reject {
    /// Keeps at most [`MAX_RAW_BYTES`] of the raw bytes, decoded lossily.
    pub fn new(line: u64, raw: &[u8], reason: impl Into<String>) -> Reject {
        let cut = raw.len().min(MAX_RAW_BYTES);
        Reject {
            line,
            raw: String::from_utf8_lossy(&raw[..cut]).into_owned(),
            reason: reason.into(),
        }
    }
}

/// What a source yields: a record to classify or a reject to report.
#[derive(Debug, Clone, PartialEq)]
pub enum Item {
    Record(Record),
    Reject(Reject),
}

/// An input that cannot be read at all.
#[derive(Debug, thiserror::Error)]
pub enum InputError {
    #[error("{file}: {source}")]
    Io {
        file: String,
        source: std::io::Error,
    },
    #[error("{file}: no column named {column:?}; the columns are: {found}")]
    MissingColumn {
        file: String,
        column: String,
        found: String,
    },
    #[error("{file}: {message}")]
    Format { file: String, message: String },
    #[error(
        "{file} has the columns [{found}] but {first} had [{expected}]: classify files of one layout per run"
    )]
    LayoutMismatch {
        file: String,
        first: String,
        found: String,
        expected: String,
    },
}

/// A stream of records from one input.
pub trait Source: Send {
    /// The input's name as the user gave it (`-` for standard input).
    fn name(&self) -> &str;
    /// The input's column names, in order.
    fn columns(&self) -> &[String];
    /// The next record or reject; `None` at the end; `Err` when the input cannot be read further.
    fn next_item(&mut self) -> Option<Result<Item, InputError>>;
}

/// Where classified records go. The pipeline does not know the format.
pub trait Sink {
    fn begin(&mut self, columns: &[String]) -> std::io::Result<()>;
    fn write(&mut self, record: &Record, prediction: &Prediction) -> std::io::Result<()>;
    /// Called after each chunk, so a streaming consumer sees rows promptly.
    fn flush(&mut self) -> std::io::Result<()>;
}
