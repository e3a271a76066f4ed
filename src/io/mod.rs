//! Reading messages in and writing results out: the record and reject types shared by every
//! format, one file per format.

pub mod csv_in;
pub mod csv_out;
pub mod decode;
pub mod jsonl_in;
pub mod jsonl_out;
pub mod labelled;
pub mod lines;
pub mod rejects;
pub mod sms_xml;
pub mod sniff;
pub mod txt_in;
pub mod xlsx_in;

use std::path::Path;

use crate::prediction::Prediction;

pub use csv_in::CsvSource;
pub use csv_out::{CsvSink, Rows, TableSink};
pub use jsonl_in::JsonlSource;
pub use jsonl_out::JsonlSink;
pub use rejects::{RejectWriter, RejectsTo};
pub use sms_xml::SmsXmlSource;
pub use txt_in::TxtSource;
pub use xlsx_in::XlsxSource;

/// Longest text classified by default, in characters.
pub const DEFAULT_MAX_CHARS: usize = 20_000;

/// Bytes a record may hold besides its text (other columns, JSON syntax and fields) before it is
/// rejected without being buffered further.
pub const OTHER_BYTES: usize = 1 << 20;

/// The most bytes a text of `max_chars` characters takes in UTF-8: a record holding more is
/// rejected by a reader before it is buffered whole.
pub fn text_bytes(max_chars: usize) -> usize {
    max_chars.saturating_mul(4)
}

/// Characters in UTF-8 bytes: the bytes that do not continue a sequence.
pub(crate) fn utf8_chars(bytes: &[u8]) -> u64 {
    bytes.iter().filter(|&&b| (b as i8) >= -0x40).count() as u64
}

/// The reason a text of `chars` characters, more than `max_chars`, is rejected.
pub fn too_long(chars: u64, max_chars: usize) -> String {
    format!("text longer than --max-chars ({chars} > {max_chars} characters)")
}

/// The input formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "cli", derive(clap::ValueEnum))]
pub enum Format {
    /// Comma- (or otherwise) separated values with a header row; the delimiter is sniffed.
    Csv,
    /// Tab-separated values with a header row.
    Tsv,
    /// JSON Lines: one object per line.
    Jsonl,
    /// Android "SMS Backup & Restore" XML.
    Xml,
    /// Plain text, one message per line.
    Txt,
    /// A workbook: Excel .xlsx, .xlsb, .xls or OpenDocument .ods (one sheet, read whole into
    /// memory).
    Xlsx,
}

impl Format {
    /// The format a file name implies; standard input and unknown extensions read as CSV.
    pub fn from_path(path: &str) -> Format {
        let ext = Path::new(path).extension().and_then(|e| e.to_str()).unwrap_or("").to_ascii_lowercase();
        match ext.as_str() {
            "tsv" | "tab" => Format::Tsv,
            "jsonl" | "ndjson" => Format::Jsonl,
            "xml" => Format::Xml,
            "txt" => Format::Txt,
            "xlsx" | "xlsm" | "xlsb" | "xls" | "ods" => Format::Xlsx,
            _ => Format::Csv,
        }
    }
}

/// How inputs are read.
#[derive(Debug, Clone)]
pub struct ReadOptions {
    /// Overrides detection by extension.
    pub format: Option<Format>,
    /// The column (or JSON field) holding the message text; `text` by default.
    pub text_column: String,
    /// Optional columns that reports use; for JSON Lines they are also copied into CSV output.
    pub id_column: Option<String>,
    /// The sender column.
    pub sender_column: Option<String>,
    /// The time column.
    pub time_column: Option<String>,
    /// CSV delimiter; sniffed from the header row when not given.
    pub delimiter: Option<u8>,
    /// Overrides encoding detection.
    pub encoding: Option<&'static encoding_rs::Encoding>,
    /// Texts longer than this many characters are rejected. Readers stop buffering a record
    /// past a byte bound that follows from it ([`text_bytes`], [`OTHER_BYTES`]), so an endless
    /// line or field costs bounded memory and ends as one reject.
    pub max_chars: usize,
    /// The sheet of a workbook to read; the first when not given.
    pub sheet: Option<String>,
}

impl Default for ReadOptions {
    fn default() -> Self {
        ReadOptions {
            format: None,
            text_column: "text".to_string(),
            id_column: None,
            sender_column: None,
            time_column: None,
            delimiter: None,
            encoding: None,
            max_chars: DEFAULT_MAX_CHARS,
            sheet: None,
        }
    }
}

/// Opens one input in the format its name implies (or `options.format`), `-` being standard input.
pub fn open(path: &str, options: &ReadOptions) -> Result<Box<dyn Source>, InputError> {
    let format = options.format.unwrap_or_else(|| Format::from_path(path));
    open_reader(path, csv_in::open_input(path)?, format, options)
}

/// Reads `input` (named `name` in messages and rejects) in `format`.
pub fn open_reader(
    name: &str,
    input: Box<dyn std::io::Read + Send>,
    format: Format,
    options: &ReadOptions,
) -> Result<Box<dyn Source>, InputError> {
    if format == Format::Xlsx {
        return Ok(Box::new(XlsxSource::new(name, input, options)?));
    }
    let io_error = |source| InputError::Io { file: name.to_string(), source };
    // a workbook, PDF, image, archive or database is named for what it is before decoding
    let (head, input) = sniff::peek(input).map_err(io_error)?;
    if let Some(e) = sniff::check_text_input(name, &head) {
        return Err(e);
    }
    let decoded = decode::decode(input, options.encoding).map_err(io_error)?;
    Ok(match format {
        Format::Csv | Format::Tsv => Box::new(CsvSource::new(name, decoded, format, options)?),
        Format::Jsonl => Box::new(JsonlSource::new(name, decoded, options)),
        Format::Xml => Box::new(SmsXmlSource::new(name, decoded, options)),
        Format::Txt => Box::new(TxtSource::new(name, decoded, options)),
        // returned above, before any decoding: a workbook is not text
        Format::Xlsx => Box::new(XlsxSource::new(name, decoded.reader, options)?),
    })
}

/// Why `cuishou classify --max-chars max_chars` would reject this text rather than classify it,
/// if it would: a NUL byte, or more than `max_chars` characters. What the bindings check before
/// they classify.
pub fn reject_reason(text: &str, max_chars: usize) -> Option<String> {
    check_text(text, max_chars, false)
}

/// Why a text cannot be classified, if it cannot: too long, a NUL byte, or (for transcoded
/// input) bytes that were not valid in the input's encoding.
pub fn check_text(text: &str, max_chars: usize, transcoded: bool) -> Option<String> {
    if text.contains('\0') {
        return Some("NUL byte in the text".to_string());
    }
    if transcoded && text.contains('\u{FFFD}') {
        return Some("invalid encoding: bytes that are not valid in the input's encoding".to_string());
    }
    if text.len() > max_chars {
        let n = text.chars().count();
        if n > max_chars {
            return Some(too_long(n as u64, max_chars));
        }
    }
    None
}

/// Raw content written in a reject row, at most.
pub const MAX_RAW_BYTES: usize = 1000;

/// Raw bytes a [`Reject`] keeps beyond [`MAX_RAW_BYTES`], so that the rejects writer can mask a
/// number or address that crosses the cut before it cuts (`--redact`): masking what was already
/// cut would leave the first digits of a number cut in half.
pub const RAW_MARGIN_BYTES: usize = 300;

/// One input message with every field of its row.
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    /// Line (CSV, JSON Lines, text) or record number (XML) in its input, 1-based.
    pub line: u64,
    /// One value per column of the source.
    pub fields: Vec<String>,
    /// Index in `fields` of the message text.
    pub text_field: usize,
    /// The whole input object, for JSON Lines input (JSON Lines output echoes it).
    pub object: Option<Box<serde_json::Map<String, serde_json::Value>>>,
}

impl Record {
    /// The message text.
    pub fn text(&self) -> &str {
        &self.fields[self.text_field]
    }

    /// A field by name, the source having `columns`: a column, or a string field of the JSON
    /// object (a JSON Lines record carries every field of its line).
    pub fn field<'a>(&'a self, columns: &[String], name: &str) -> Option<&'a str> {
        if let Some(i) = columns.iter().position(|c| c == name) {
            return self.fields.get(i).map(String::as_str);
        }
        self.object.as_ref()?.get(name)?.as_str()
    }
}

/// An input record that could not be classified, and why.
#[derive(Debug, Clone, PartialEq)]
pub struct Reject {
    /// Line (CSV, JSON Lines, text) or record number (XML) in its input, 1-based.
    pub line: u64,
    /// The record's raw content, at most [`MAX_RAW_BYTES`] bytes, decoded lossily.
    pub raw: String,
    /// Why it was rejected.
    pub reason: String,
}

impl Reject {
    /// Keeps at most [`MAX_RAW_BYTES`] and [`RAW_MARGIN_BYTES`] of the raw bytes, decoded
    /// lossily; the rejects writer cuts them to [`MAX_RAW_BYTES`].
    pub fn new(line: u64, raw: &[u8], reason: impl Into<String>) -> Reject {
        let cut = raw.len().min(MAX_RAW_BYTES + RAW_MARGIN_BYTES);
        Reject { line, raw: String::from_utf8_lossy(&raw[..cut]).into_owned(), reason: reason.into() }
    }
}

/// What a source yields: a record to classify or a reject to report.
#[derive(Debug, Clone, PartialEq)]
pub enum Item {
    /// A record to classify.
    Record(Record),
    /// A record that cannot be classified.
    Reject(Reject),
}

/// An input that cannot be read at all.
#[derive(Debug, thiserror::Error)]
pub enum InputError {
    /// The input could not be opened or read.
    #[error("cannot read {file}")]
    Io {
        /// The input's name.
        file: String,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The input has no column of the name asked for.
    #[error("{file}: no column named {column:?}; the columns are: {found}")]
    MissingColumn {
        /// The input's name.
        file: String,
        /// The column asked for.
        column: String,
        /// The input's columns, comma-separated.
        found: String,
    },
    /// The input is malformed: an unreadable or empty header row, a broken CSV row, or a bad row
    /// of a labelled file.
    #[error("{file}: {message}")]
    Format {
        /// The input's name.
        file: String,
        /// What is wrong, and where when known.
        message: String,
    },
    /// Two inputs of one run have different columns.
    #[error("{file} has the columns [{found}] but {first} had [{expected}]: classify files of one layout per run")]
    LayoutMismatch {
        /// The input whose columns differ.
        file: String,
        /// The first input with columns, whose layout the run keeps.
        first: String,
        /// `file`'s columns, comma-separated.
        found: String,
        /// `first`'s columns, comma-separated.
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
    /// How many messages the input says it holds, for formats whose header declares it (the
    /// `count` of an SMS-backup XML file), once the header has been read; `None` otherwise.
    fn declared(&self) -> Option<u64> {
        None
    }
}

/// Where classified records go. The pipeline does not know the format.
pub trait Sink {
    /// Called once before the first record, with the columns the inputs share (not called when no
    /// input has any).
    fn begin(&mut self, columns: &[String]) -> std::io::Result<()>;
    /// Writes one record and its prediction.
    fn write(&mut self, record: &Record, prediction: &Prediction) -> std::io::Result<()>;
    /// Called after each chunk, so a streaming consumer sees rows promptly.
    fn flush(&mut self) -> std::io::Result<()>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reject_reasons_are_the_command_lines() {
        assert_eq!(reject_reason("还钱", DEFAULT_MAX_CHARS), None);
        assert_eq!(reject_reason("a\0b", DEFAULT_MAX_CHARS).as_deref(), Some("NUL byte in the text"));
        let long = "还".repeat(DEFAULT_MAX_CHARS + 1);
        assert!(reject_reason(&long, DEFAULT_MAX_CHARS).unwrap().starts_with("text longer than --max-chars"));
        assert_eq!(reject_reason("还钱啊", 2).as_deref(), Some("text longer than --max-chars (3 > 2 characters)"));
    }
}
