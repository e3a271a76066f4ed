//! The rejects file: one CSV row per input record that could not be classified.

use std::io::Write;

use super::Reject;

/// Writes `file,line,reason,raw` rows.
pub struct RejectWriter {
    writer: csv::Writer<Box<dyn Write + Send>>,
    written: u64,
}

impl RejectWriter {
    pub fn new(out: Box<dyn Write + Send>) -> std::io::Result<RejectWriter> {
        let mut writer = csv::Writer::from_writer(out);
        writer.write_record(["file", "line", "reason", "raw"]).map_err(std::io::Error::other)?;
        Ok(RejectWriter { writer, written: 0 })
    }

    pub fn write(&mut self, file: &str, reject: &Reject) -> std::io::Result<()> {
        self.written += 1;
        self.writer
            .write_record([file, &reject.line.to_string(), &reject.reason, &reject.raw])
            .map_err(std::io::Error::other)
    }

    pub fn written(&self) -> u64 {
        self.written
    }

    pub fn flush(&mut self) -> std::io::Result<()> {
        self.writer.flush()
    }
}
