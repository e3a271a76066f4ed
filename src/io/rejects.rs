//! The rejects file: one CSV row per input record that could not be classified, opened on the
//! first reject so a clean run leaves no empty file behind, nor the rejects file of an earlier
//! run that would read as this run's.

use std::fs::File;
use std::io::{self, Write};
use std::path::PathBuf;

use super::Reject;

/// Where rejects go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RejectsTo {
    /// Standard error.
    Stderr,
    /// A file, created on the first reject.
    File(PathBuf),
}

/// Writes `file,line,reason,raw` rows.
pub struct RejectWriter {
    to: RejectsTo,
    writer: Option<csv::Writer<Box<dyn Write + Send>>>,
    redact: bool,
    /// Whether an earlier run's rejects file has been looked for.
    stale_cleared: bool,
}

impl RejectWriter {
    /// A writer to `to`, without masking; nothing is opened before the first reject.
    pub fn new(to: RejectsTo) -> RejectWriter {
        RejectWriter { to, writer: None, redact: false, stale_cleared: false }
    }

    /// Masks phone, ID-card and bank-card numbers and e-mail addresses in the raw content.
    pub fn redacted(mut self, redact: bool) -> RejectWriter {
        self.redact = redact;
        self
    }

    /// Where the rejects go.
    pub fn destination(&self) -> &RejectsTo {
        &self.to
    }

    fn writer(&mut self) -> io::Result<&mut csv::Writer<Box<dyn Write + Send>>> {
        if self.writer.is_none() {
            let out: Box<dyn Write + Send> =
                match &self.to {
                    RejectsTo::Stderr => Box::new(io::stderr()),
                    RejectsTo::File(path) => Box::new(File::create(path).map_err(|e| {
                        io::Error::new(e.kind(), format!("creating rejects file {}: {e}", path.display()))
                    })?),
                };
            let mut w = csv::Writer::from_writer(out);
            w.write_record(["file", "line", "reason", "raw"]).map_err(io::Error::other)?;
            self.writer = Some(w);
        }
        self.writer.as_mut().ok_or_else(|| io::Error::other("rejects writer is not open"))
    }

    /// Writes one `file,line,reason,raw` row for `reject`, read from input `file`; the destination
    /// is opened, and the header written, on the first row.
    pub fn write(&mut self, file: &str, reject: &Reject) -> io::Result<()> {
        let line = reject.line.to_string();
        let raw = if self.redact { crate::output::redact(&reject.raw) } else { reject.raw.clone() };
        self.writer()?.write_record([file, &line, &reject.reason, &raw]).map_err(io::Error::other)
    }

    /// Flushes what was written. Before anything is written, a regular file at the destination
    /// is an earlier run's rejects file: it is removed, so that a clean rerun leaves none behind.
    /// A device or FIFO is never removed.
    pub fn flush(&mut self) -> io::Result<()> {
        match &mut self.writer {
            Some(w) => w.flush(),
            None => {
                if let (false, RejectsTo::File(path)) = (self.stale_cleared, &self.to) {
                    self.stale_cleared = true;
                    if std::fs::symlink_metadata(path).is_ok_and(|m| m.is_file()) {
                        std::fs::remove_file(path).map_err(|e| {
                            io::Error::new(
                                e.kind(),
                                format!("removing the earlier rejects file {}: {e}", path.display()),
                            )
                        })?;
                    }
                }
                Ok(())
            }
        }
    }
}
