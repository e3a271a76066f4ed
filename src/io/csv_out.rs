//! Table output: every input column unchanged, then label, confidence, tags and evidence, with
//! the label names of the model's label set, one row a record, to CSV or any other [`Rows`]
//! writer (the command line's `.xlsx`).

use std::borrow::Cow;
use std::io::Write;

use super::{Record, Sink};
use crate::labels::LabelSet;
use crate::output::{
    OutputOptions, neutralize_formula, numeric_output_columns, output_columns, redact, top_labels, write_evidence,
    write_probability,
};
use crate::prediction::Prediction;

/// Where a [`TableSink`] puts its rows: a CSV writer, or a spreadsheet.
pub trait Rows {
    /// The header row; `numeric[i]` says whether column `i` holds numbers (confidence and
    /// probabilities), which a spreadsheet stores as numbers and CSV writes as it writes text.
    fn header(&mut self, row: &csv::StringRecord, numeric: &[bool]) -> std::io::Result<()>;
    /// One record's row.
    fn row(&mut self, row: &csv::StringRecord) -> std::io::Result<()>;
    /// Pushes out what is buffered, where that means anything.
    fn flush(&mut self) -> std::io::Result<()>;
}

impl<W: Write> Rows for csv::Writer<W> {
    fn header(&mut self, row: &csv::StringRecord, _numeric: &[bool]) -> std::io::Result<()> {
        self.write_record(row).map_err(csv_err)
    }

    fn row(&mut self, row: &csv::StringRecord) -> std::io::Result<()> {
        self.write_record(row).map_err(csv_err)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        csv::Writer::flush(self)
    }
}

/// Writes one row a record; reuses one record buffer.
pub struct TableSink<R: Rows> {
    writer: R,
    row: csv::StringRecord,
    /// One field being built (confidence, evidence).
    field: String,
    options: OutputOptions,
    /// The model's labels: the names written.
    labels: LabelSet,
}

/// The CSV sink.
pub type CsvSink<W> = TableSink<csv::Writer<W>>;

impl<W: Write> TableSink<csv::Writer<W>> {
    /// A sink writing CSV to `out`, with the default options.
    pub fn new(out: W) -> CsvSink<W> {
        TableSink::with_rows(csv::WriterBuilder::new().from_writer(out))
    }

    /// Flushes the writer and returns it.
    pub fn into_inner(self) -> std::io::Result<W> {
        self.writer.into_inner().map_err(|e| e.into_error())
    }
}

impl<R: Rows> TableSink<R> {
    /// A sink writing to `rows`, with the default options.
    pub fn with_rows(rows: R) -> TableSink<R> {
        TableSink {
            writer: rows,
            row: csv::StringRecord::new(),
            field: String::new(),
            options: OutputOptions::default(),
            labels: LabelSet::builtin(),
        }
    }

    /// The labels of the model whose predictions are written (default: the built-in four).
    pub fn with_labels(mut self, labels: LabelSet) -> TableSink<R> {
        self.labels = labels;
        self
    }

    /// Masking, and the `review` and `p_<label>` columns (probabilities with 4 decimals).
    pub fn with_options(mut self, options: OutputOptions) -> TableSink<R> {
        self.options = options;
        self
    }

    /// The rows writer, as it is.
    pub fn into_rows(self) -> R {
        self.writer
    }
}

/// Pushes a field that holds input text, neutralized as a formula when `safe`.
fn push_text(row: &mut csv::StringRecord, text: &str, safe: bool) {
    if safe { row.push_field(&neutralize_formula(text)) } else { row.push_field(text) }
}

fn csv_err(e: csv::Error) -> std::io::Error {
    match e.into_kind() {
        csv::ErrorKind::Io(e) => e,
        other => std::io::Error::other(format!("{other:?}")),
    }
}

impl<R: Rows> Sink for TableSink<R> {
    fn begin(&mut self, columns: &[String]) -> std::io::Result<()> {
        self.row.clear();
        for c in columns {
            push_text(&mut self.row, c, self.options.spreadsheet_safe);
        }
        for c in output_columns(columns, &self.options, &self.labels) {
            self.row.push_field(&c);
        }
        let mut numeric = vec![false; columns.len()];
        numeric.extend(numeric_output_columns(&self.options, &self.labels));
        self.writer.header(&self.row, &numeric)
    }

    fn write(&mut self, record: &Record, p: &Prediction) -> std::io::Result<()> {
        self.row.clear();
        let safe = self.options.spreadsheet_safe;
        for f in &record.fields {
            let f = if self.options.redact { Cow::Owned(redact(f)) } else { Cow::Borrowed(f.as_str()) };
            push_text(&mut self.row, &f, safe);
        }
        self.row.push_field(self.labels.name(p.class));
        self.field.clear();
        write_probability(&mut self.field, p.confidence);
        self.row.push_field(&self.field);
        self.row.push_field(&p.tags.to_field());
        // masking keeps character offsets, so the spans still point at the same words
        let text = if self.options.redact { Cow::Owned(redact(record.text())) } else { Cow::Borrowed(record.text()) };
        self.field.clear();
        write_evidence(&text, &p.evidence, &mut self.field);
        push_text(&mut self.row, &self.field, safe);
        if self.options.review {
            self.row.push_field(if p.review { "true" } else { "false" });
        }
        if self.options.probabilities {
            for &v in p.scores.labels.iter() {
                self.field.clear();
                write_probability(&mut self.field, v);
                self.row.push_field(&self.field);
            }
        }
        for (k, v) in top_labels(p, self.options.top_k) {
            self.row.push_field(self.labels.name(k));
            self.field.clear();
            write_probability(&mut self.field, v);
            self.row.push_field(&self.field);
        }
        self.writer.row(&self.row)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Rows::flush(&mut self.writer)
    }
}
