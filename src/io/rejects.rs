//! The rejects file: one CSV row per input record that could not be classified, opened on the
//! first reject so a clean run leaves no empty file behind, nor the rejects file of an earlier
//! run that would read as this run's. It is written under a temporary name beside its final one
//! and renamed by [`RejectWriter::finish`], so a partial rejects file never stands under the
//! final name; a FIFO or device destination is written through, never replaced.

use std::borrow::Cow;
use std::fs::File;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use super::{MAX_RAW_BYTES, Reject};
use crate::output::redact;

/// `s` cut to at most `max` bytes, at a character boundary.
fn cut(s: &str, max: usize) -> &str {
    let mut end = s.len().min(max);
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

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
    /// The temporary file being written, renamed to the destination by `finish`.
    temp: Option<Temp>,
    /// Told of a temporary file when it is created (`true`) and when it is gone (`false`).
    temp_hook: Option<fn(&Path, bool)>,
}

/// A temporary rejects file and the permissions its destination had.
struct Temp {
    path: PathBuf,
    mode: Option<std::fs::Permissions>,
}

/// Makes temporary names unique within the process.
static TEMP_COUNTER: AtomicU64 = AtomicU64::new(0);

/// Creates a new temporary file beside `path` (it follows the umask).
fn create_temp(path: &Path) -> io::Result<(File, PathBuf)> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    loop {
        let n = TEMP_COUNTER.fetch_add(1, Ordering::Relaxed);
        let temp = dir.join(format!(".cuishou-rejects-{}-{n}.tmp", std::process::id()));
        match std::fs::OpenOptions::new().write(true).create_new(true).open(&temp) {
            Ok(f) => return Ok((f, temp)),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        }
    }
}

impl RejectWriter {
    /// A writer to `to`, without masking; nothing is opened before the first reject.
    pub fn new(to: RejectsTo) -> RejectWriter {
        RejectWriter { to, writer: None, redact: false, stale_cleared: false, temp: None, temp_hook: None }
    }

    /// Calls `hook(path, true)` when a temporary file is created and `hook(path, false)` when it
    /// is renamed or removed, so that a signal handler can remove it.
    pub fn on_temporary(mut self, hook: fn(&Path, bool)) -> RejectWriter {
        self.temp_hook = Some(hook);
        self
    }

    /// Masks private data (see [`redact()`](crate::output::redact())) in the file name,
    /// the reason and the raw content; the raw content is masked whole, then cut.
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
            let out: Box<dyn Write + Send> = match &self.to {
                RejectsTo::Stderr => Box::new(io::stderr()),
                RejectsTo::File(path) => {
                    let context = |e: io::Error| {
                        io::Error::new(e.kind(), format!("creating rejects file {}: {e}", path.display()))
                    };
                    let existing = std::fs::metadata(path).ok();
                    if existing.as_ref().is_some_and(|m| !m.is_file()) {
                        // a FIFO or a device (`--rejects /dev/null`): written through
                        Box::new(std::fs::OpenOptions::new().write(true).open(path).map_err(context)?)
                    } else {
                        let (file, temp) = create_temp(path).map_err(context)?;
                        if let Some(hook) = self.temp_hook {
                            hook(&temp, true);
                        }
                        self.temp = Some(Temp { path: temp, mode: existing.map(|m| m.permissions()) });
                        Box::new(file)
                    }
                }
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
        let redacting = self.redact;
        fn masked(redacting: bool, s: &str) -> Cow<'_, str> {
            if redacting { Cow::Owned(redact(s)) } else { Cow::Borrowed(s) }
        }
        let (file, reason, raw) =
            (masked(redacting, file), masked(redacting, &reject.reason), masked(redacting, &reject.raw));
        let raw = cut(&raw, MAX_RAW_BYTES);
        self.writer()?.write_record([&*file, &line, &*reason, raw]).map_err(io::Error::other)
    }

    /// Flushes what was written and, for a file, renames the temporary file into place (a file
    /// it replaces keeps its permissions). Call it once, at the end of the run.
    pub fn finish(&mut self) -> io::Result<()> {
        self.flush()?;
        let Some(w) = self.writer.take() else { return Ok(()) };
        drop(w.into_inner().map_err(|e| e.into_error())?);
        let (Some(temp), RejectsTo::File(path)) = (self.temp.take(), &self.to) else { return Ok(()) };
        let renamed = match &temp.mode {
            Some(mode) => std::fs::set_permissions(&temp.path, mode.clone()),
            None => Ok(()),
        }
        .and_then(|()| std::fs::rename(&temp.path, path));
        if let Some(hook) = self.temp_hook {
            hook(&temp.path, false);
        }
        renamed.map_err(|e| io::Error::new(e.kind(), format!("writing rejects file {}: {e}", path.display())))
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

impl Drop for RejectWriter {
    /// A run that stopped before `finish` leaves no partial rejects file.
    fn drop(&mut self) {
        if let Some(temp) = self.temp.take() {
            let _ = std::fs::remove_file(&temp.path);
            if let Some(hook) = self.temp_hook {
                hook(&temp.path, false);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn written(redact: bool, file: &str, reject: &Reject) -> Vec<Vec<String>> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("rejects.csv");
        let mut w = RejectWriter::new(RejectsTo::File(path.clone())).redacted(redact);
        w.write(file, reject).unwrap();
        w.finish().unwrap();
        drop(w);
        let mut r = csv::ReaderBuilder::new().has_headers(true).from_path(&path).unwrap();
        r.records().map(|rec| rec.unwrap().iter().map(String::from).collect()).collect()
    }

    #[test]
    fn a_number_across_the_cut_is_masked_before_the_raw_is_cut() {
        // the phone number starts 4 bytes before the cut at MAX_RAW_BYTES
        let raw = format!("{}13811112222,{}", "x".repeat(MAX_RAW_BYTES - 4), "y".repeat(2000));
        let reject = Reject::new(7, raw.as_bytes(), "text longer than --max-chars");
        let rows = written(true, "13911113333.csv", &reject);
        let cut = &rows[0][3];
        assert_eq!(cut.len(), MAX_RAW_BYTES);
        assert!(cut.ends_with("x****"), "{}", &cut[cut.len() - 10..]);
        assert_eq!(rows[0][0], "*******3333.csv", "the file name is masked too");
        // without --redact the raw is cut at the same place
        let rows = written(false, "in.csv", &reject);
        assert!(rows[0][3].ends_with("x1381"));
    }

    #[test]
    fn the_cut_falls_on_a_character_boundary() {
        let raw = "催".repeat(MAX_RAW_BYTES);
        let rows = written(false, "in.csv", &Reject::new(1, raw.as_bytes(), "too long"));
        assert_eq!(rows[0][3], "催".repeat(MAX_RAW_BYTES / 3));
    }
}
