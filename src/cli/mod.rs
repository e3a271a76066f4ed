//! The command line: one file per subcommand; this file parses, dispatches and maps errors to
//! exit codes (0 ok, 2 error, 3 some records rejected; a closed output pipe ends quietly with 0).

mod classify;
mod eval;
mod explain;
mod model;
mod report;
mod segment;
mod signals;
mod train;
mod xlsx;

use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use clap::{Parser, Subcommand};

use cuishou::model::Classifier;
use cuishou::output::show_controls;

/// Tell lawful debt-collection reminders from intimidation and doctored-image threats in
/// exported Chinese SMS and chat messages.
#[derive(Debug, Parser)]
#[command(name = "cuishou", version, about, long_about = None, after_help = EXAMPLES)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

const EXAMPLES: &str = "Examples:
  cuishou classify data/examples/messages.csv
  cuishou classify export.csv -o labelled.csv --threads 2
  cuishou explain '再不还钱就把你P成遗照发到你家族群'
  cuishou train data/labelled/train/*.csv -o my.model
  cuishou eval data/labelled/dev/*.csv --model my.model --json
  cuishou model info my.model";

#[derive(Debug, Subcommand)]
enum Command {
    Classify(classify::Args),
    Train(train::Args),
    Eval(eval::Args),
    Segment(segment::Args),
    Explain(explain::Args),
    Model(model::Args),
    Report(report::Args),
}

/// How a subcommand ended when it did not fail.
pub enum Outcome {
    Done,
    /// Every record was accounted for but some were rejected.
    SomeRejected,
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    signals::install();
    let result = match cli.command {
        Command::Classify(a) => classify::run(a),
        Command::Train(a) => train::run(a),
        Command::Eval(a) => eval::run(a),
        Command::Segment(a) => segment::run(a),
        Command::Explain(a) => explain::run(a),
        Command::Model(a) => model::run(a),
        Command::Report(a) => report::run(a),
    };
    match result {
        Ok(Outcome::Done) => ExitCode::SUCCESS,
        Ok(Outcome::SomeRejected) => ExitCode::from(3),
        Err(e) if is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            // a column name or file name from the input may hold terminal escapes: show them
            let _ = writeln!(io::stderr(), "cuishou: {}", show_controls(&format!("{e:#}")));
            ExitCode::from(2)
        }
    }
}

fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|cause| {
        cause.downcast_ref::<io::Error>().is_some_and(|io| io.kind() == io::ErrorKind::BrokenPipe)
            || cause.downcast_ref::<cuishou::pipeline::PipelineError>().is_some_and(
                |p| matches!(p, cuishou::pipeline::PipelineError::Output(io) if io.kind() == io::ErrorKind::BrokenPipe),
            )
    })
}

/// The extension of `-o`, lower case.
fn extension(output: Option<&std::path::Path>) -> String {
    output.and_then(|p| p.extension()).and_then(|e| e.to_str()).unwrap_or("").to_ascii_lowercase()
}

/// The format to write: `--output-format`, else the one `-o`'s extension names, else `default`.
/// An extension that names another format than `--output-format` is an error, and so is one that
/// names none of `formats` when `strict` (a report: `-o scan.pdf` must not quietly hold HTML;
/// `classify -o out.txt` writes CSV).
pub fn output_format<F: Copy + PartialEq + std::fmt::Debug>(
    output: Option<&std::path::Path>,
    explicit: Option<F>,
    formats: &[(&[&str], F)],
    default: F,
    strict: bool,
) -> anyhow::Result<F> {
    let ext = extension(output);
    let named = formats.iter().find(|(exts, _)| exts.contains(&ext.as_str())).map(|(_, f)| *f);
    let known: Vec<String> = formats.iter().flat_map(|(exts, _)| exts.iter().map(|e| format!(".{e}"))).collect();
    let shown = || output.map(|p| p.display().to_string()).unwrap_or_default();
    match (explicit, named) {
        (Some(f), Some(n)) if f != n => {
            anyhow::bail!("-o {} names the {n:?} format but --output-format asks for {f:?}; make them agree", shown())
        }
        (_, None) if strict && !ext.is_empty() => anyhow::bail!(
            "-o {}: this report is not written as .{ext}; use one of {} (or a name without an extension and --output-format)",
            shown(),
            known.join(", ")
        ),
        (Some(f), _) | (None, Some(f)) => Ok(f),
        (None, None) => Ok(default),
    }
}

/// The input options shared by the commands that read messages.
#[derive(Debug, clap::Args)]
pub struct ReadArgs {
    /// Inputs; `-` or nothing reads standard input.
    inputs: Vec<String>,
    /// Input format (default: by extension; standard input reads as CSV).
    #[arg(long = "input-format", alias = "format", value_enum, value_name = "FORMAT")]
    format: Option<cuishou::io::Format>,
    /// The column (or JSON field) that holds the message text.
    #[arg(long, default_value = "text", value_name = "NAME")]
    text_column: String,
    /// Column with a message id (reports use it).
    #[arg(long, value_name = "NAME")]
    id_column: Option<String>,
    /// Column with the sender's number or name (reports use it).
    #[arg(long, value_name = "NAME")]
    sender_column: Option<String>,
    /// Column with the message time (reports use it).
    #[arg(long, value_name = "NAME")]
    time_column: Option<String>,
    /// CSV delimiter, one character or `tab` (default: sniffed from the header row).
    #[arg(long, value_name = "CHAR")]
    delimiter: Option<String>,
    /// Input encoding, e.g. utf-8, gb18030, gbk, utf-16le (default: detected).
    #[arg(long, value_name = "LABEL")]
    encoding: Option<String>,
    /// Texts longer than this many characters are rejected.
    #[arg(long, default_value_t = cuishou::io::DEFAULT_MAX_CHARS, value_name = "N")]
    max_chars: usize,
    /// The sheet of a workbook (.xlsx .xls .ods) to read (default: the first).
    #[arg(long, value_name = "NAME")]
    sheet: Option<String>,
}

impl ReadArgs {
    pub fn inputs(&self) -> Vec<String> {
        if self.inputs.is_empty() { vec!["-".to_string()] } else { self.inputs.clone() }
    }

    pub fn options(&self) -> anyhow::Result<cuishou::io::ReadOptions> {
        Ok(cuishou::io::ReadOptions {
            format: self.format,
            text_column: self.text_column.clone(),
            id_column: self.id_column.clone(),
            sender_column: self.sender_column.clone(),
            time_column: self.time_column.clone(),
            delimiter: parse_delimiter(self.delimiter.as_deref())?,
            encoding: parse_encoding(self.encoding.as_deref())?,
            max_chars: self.max_chars,
            sheet: self.sheet.clone(),
        })
    }
}

/// `--delimiter`: one ASCII character, or `tab`.
fn parse_delimiter(delimiter: Option<&str>) -> anyhow::Result<Option<u8>> {
    Ok(match delimiter {
        None => None,
        Some("tab") | Some("\\t") | Some("\t") => Some(b'\t'),
        Some(d) if d.len() == 1 => Some(d.as_bytes()[0]),
        Some(d) => anyhow::bail!("--delimiter must be one ASCII character or `tab`, got {d:?}"),
    })
}

/// `--encoding`: an encoding label (`utf-8`, `gbk`, `gb18030`, `utf-16le`, …).
fn parse_encoding(label: Option<&str>) -> anyhow::Result<Option<&'static encoding_rs::Encoding>> {
    label
        .map(|label| {
            cuishou::io::decode::encoding_for_label(label)
                .with_context(|| format!("unknown --encoding {label:?} (try utf-8, gb18030, gbk, utf-16le)"))
        })
        .transpose()
}

/// How `train` and `eval` read labelled files: the input options of `classify`, and the label,
/// tags and id columns.
#[derive(Debug, clap::Args)]
pub struct LabelledArgs {
    /// Labelled files (CSV, TSV, JSON Lines, Excel; by extension unless --input-format).
    #[arg(required = true)]
    inputs: Vec<String>,
    /// Input format (default: by extension).
    #[arg(long = "input-format", alias = "format", value_enum, value_name = "FORMAT")]
    format: Option<cuishou::io::Format>,
    /// The column (or JSON field) that holds the message text.
    #[arg(long, default_value = "text", value_name = "NAME")]
    text_column: String,
    /// The column with the label.
    #[arg(long, default_value = "label", value_name = "NAME")]
    label_column: String,
    /// The column with the tags (`;`-separated); without it, tags are unknown and do not train.
    #[arg(long, default_value = "tags", value_name = "NAME")]
    tags_column: String,
    /// The column with row ids (`slice-NNNN`; rows sharing the part before `~` stay in one fold).
    #[arg(long, default_value = "id", value_name = "NAME")]
    id_column: String,
    /// CSV delimiter, one character or `tab` (default: sniffed from the header row).
    #[arg(long, value_name = "CHAR")]
    delimiter: Option<String>,
    /// Input encoding, e.g. utf-8, gb18030, gbk, utf-16le (default: detected).
    #[arg(long, value_name = "LABEL")]
    encoding: Option<String>,
    /// The sheet of an Excel workbook (default: the first).
    #[arg(long, value_name = "NAME")]
    sheet: Option<String>,
}

impl LabelledArgs {
    /// The files and how to read them.
    pub fn read(&self) -> anyhow::Result<Vec<cuishou::model::Example>> {
        let options = cuishou::data::LabelledOptions {
            read: cuishou::io::ReadOptions {
                format: self.format,
                text_column: self.text_column.clone(),
                delimiter: parse_delimiter(self.delimiter.as_deref())?,
                encoding: parse_encoding(self.encoding.as_deref())?,
                sheet: self.sheet.clone(),
                ..cuishou::io::ReadOptions::default()
            },
            label_column: self.label_column.clone(),
            tags_column: self.tags_column.clone(),
            id_column: self.id_column.clone(),
        };
        Ok(cuishou::data::read_labelled_with(&self.inputs, &options)?)
    }
}

/// Where rejects go: `--rejects`, else `OUT.rejects.csv` beside `-o OUT`, else standard error.
pub fn rejects_destination(rejects: Option<&Path>, output: Option<&Path>) -> cuishou::io::RejectsTo {
    use cuishou::io::RejectsTo;
    match (rejects, output) {
        (Some(r), _) => RejectsTo::File(r.to_path_buf()),
        // beside a regular output file; a FIFO or device output (`-o /dev/null`) gets none
        (None, Some(out)) if out.as_os_str() != "-" && std::fs::metadata(out).ok().is_none_or(|m| m.is_file()) => {
            let mut name = out.as_os_str().to_owned();
            name.push(".rejects.csv");
            RejectsTo::File(PathBuf::from(name))
        }
        _ => RejectsTo::Stderr,
    }
}

/// A records-per-second spinner on standard error when it is a terminal and not `--quiet`.
pub fn progress_bar(quiet: bool) -> Option<indicatif::ProgressBar> {
    use std::io::IsTerminal;
    (!quiet && io::stderr().is_terminal()).then(|| {
        let bar = indicatif::ProgressBar::new_spinner();
        bar.set_style(
            indicatif::ProgressStyle::with_template("{spinner} {human_pos} records, {rate} [{elapsed}]")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner())
                // whole records per second with thousands separators: 37,194/s, not 37194.4504/s
                .with_key("rate", |state: &indicatif::ProgressState, w: &mut dyn std::fmt::Write| {
                    let _ = write!(w, "{}", records_per_second(state.per_sec()));
                }),
        );
        bar
    })
}

/// A rate for people: `37,194/s`.
pub fn records_per_second(rate: f64) -> String {
    let whole = if rate.is_finite() && rate > 0.0 { rate.round() as u64 } else { 0 };
    format!("{}/s", cuishou::report::render::fmt_count(whole))
}

/// How the model's probabilities become a decision: the label prior and the review threshold.
#[derive(Debug, Clone, clap::Args)]
pub struct DecisionArgs {
    /// Expected share of labels in the input, where it differs from the training data's, e.g.
    /// `other=0.9` for a phone export that is mostly everyday messages (LABEL=SHARE,...; labels not
    /// named keep their training proportions). Probabilities are reweighted accordingly. With a
    /// model of labels of its own, LABEL is one of its labels.
    #[arg(long, value_name = "LABEL=SHARE,...", value_parser = parse_prior)]
    prior: Option<Prior>,
    /// A collection label with less confidence than this becomes `other` with a review flag
    /// (adds a `review` column). 0 (the default) keeps every label. With a model of labels of its
    /// own, any label below it becomes `other` if the model has a label of that name, and the flag
    /// is refused otherwise.
    #[arg(long, value_name = "X", default_value_t = 0.0, value_parser = parse_unit)]
    min_confidence: f32,
}

impl DecisionArgs {
    /// Applies the prior and the threshold to a loaded model.
    pub fn apply(&self, classifier: &mut Classifier) -> anyhow::Result<()> {
        if let Some(prior) = &self.prior {
            classifier.set_prior(&prior.0).context("--prior")?;
        }
        classifier.set_min_confidence(self.min_confidence).context("--min-confidence")?;
        Ok(())
    }

    /// Whether outputs carry the review flag.
    pub fn review(&self) -> bool {
        self.min_confidence > 0.0
    }
}

fn parse_unit(s: &str) -> Result<f32, String> {
    match s.trim().parse::<f32>() {
        Ok(x) if (0.0..=1.0).contains(&x) => Ok(x),
        _ => Err(format!("expected a number from 0 to 1, got {s:?}")),
    }
}

/// The shares given to `--prior`, by label name (checked against the model's labels when applied).
#[derive(Debug, Clone)]
pub struct Prior(Vec<(String, f32)>);

fn parse_prior(s: &str) -> Result<Prior, String> {
    s.split(',')
        .filter(|p| !p.trim().is_empty())
        .map(|part| {
            let (label, share) = part.split_once('=').ok_or_else(|| format!("expected LABEL=SHARE, got {part:?}"))?;
            let label = label.trim().to_string();
            // the label and the range are checked once, by Classifier::set_prior
            let share: f32 = share.trim().parse().map_err(|_| format!("bad share in {part:?}"))?;
            Ok((label, share))
        })
        .collect::<Result<_, _>>()
        .map(Prior)
}

/// Refuses a model whose labels are not the four built-in ones, for the commands (the reports)
/// that need their meanings: `what` needs ….
fn require_builtin_labels(classifier: &Classifier, what: &str, model: Option<&Path>) -> anyhow::Result<()> {
    let labels = classifier.labels();
    anyhow::ensure!(
        labels.is_builtin(),
        "{what} needs a model with the four built-in labels ({}); model {} has: {}",
        cuishou::labels::LabelSet::builtin().joined(),
        model.map_or_else(|| "(built in)".to_string(), |p| p.display().to_string()),
        labels.joined()
    );
    Ok(())
}

fn load_model(path: Option<&Path>) -> anyhow::Result<Classifier> {
    match path {
        Some(p) => Classifier::load(p).with_context(|| format!("loading model {}", p.display())),
        None => Classifier::bundled().context("loading the bundled default model"),
    }
}

/// Bytes read and their SHA-256, lower-case hex (the chain of custody, `model info`).
pub fn sha256_of(reader: &mut impl std::io::Read) -> std::io::Result<(u64, String)> {
    use sha2::Digest;
    let mut hasher = sha2::Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    let mut total = 0u64;
    loop {
        let n = reader.read(&mut buf)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
        total += n as u64;
    }
    let hex: String = hasher.finalize().iter().map(|b| format!("{b:02x}")).collect();
    Ok((total, hex))
}

/// Sets the size of rayon's global pool; without `--threads`, rayon reads `RAYON_NUM_THREADS`
/// or uses every core.
fn set_threads(threads: Option<usize>) -> anyhow::Result<()> {
    if let Some(n) = threads {
        anyhow::ensure!(n > 0, "--threads must be at least 1");
        rayon::ThreadPoolBuilder::new().num_threads(n).build_global().context("starting the thread pool")?;
    }
    Ok(())
}

/// An output file written under a temporary name beside it and renamed when complete, so an
/// interrupted run never leaves a file that looks finished; or standard output; or, when the
/// path names something that is not a regular file (a FIFO, a device such as `/dev/null`, or a
/// symbolic link to one), that thing, written through and never replaced.
pub enum Output {
    Stdout(io::BufWriter<io::Stdout>),
    File { temp: io::BufWriter<tempfile::NamedTempFile>, path: PathBuf, mode: Option<std::fs::Permissions> },
    Through(io::BufWriter<std::fs::File>),
}

impl Output {
    pub fn create(path: Option<&Path>) -> anyhow::Result<Output> {
        match path {
            None => Ok(Output::Stdout(io::BufWriter::with_capacity(1 << 16, io::stdout()))),
            Some(p) if p == Path::new("-") => Ok(Output::Stdout(io::BufWriter::with_capacity(1 << 16, io::stdout()))),
            Some(path) => {
                // std::fs::metadata follows symbolic links: a link to a device is a device
                let existing = std::fs::metadata(path).ok();
                if let Some(m) = existing.as_ref().filter(|m| !m.is_file()) {
                    anyhow::ensure!(!m.is_dir(), "{} is a directory", path.display());
                    let file = std::fs::OpenOptions::new()
                        .write(true)
                        .open(path)
                        .with_context(|| format!("opening {} for writing", path.display()))?;
                    return Ok(Output::Through(io::BufWriter::with_capacity(1 << 16, file)));
                }
                let dir = match path.parent() {
                    Some(d) if !d.as_os_str().is_empty() => d,
                    _ => Path::new("."),
                };
                let mut builder = tempfile::Builder::new();
                builder.prefix(".cuishou-").suffix(".tmp");
                // a new file gets the permissions the umask gives (0666 less the umask)
                #[cfg(unix)]
                {
                    use std::os::unix::fs::PermissionsExt;
                    builder.permissions(std::fs::Permissions::from_mode(0o666));
                }
                let temp = builder
                    .tempfile_in(dir)
                    .with_context(|| format!("creating a temporary file in {}", dir.display()))?;
                signals::track(temp.path());
                Ok(Output::File {
                    temp: io::BufWriter::with_capacity(1 << 16, temp),
                    path: path.to_path_buf(),
                    // a file that is replaced keeps its permissions
                    mode: existing.map(|m| m.permissions()),
                })
            }
        }
    }

    /// Flushes, and for a file renames the temporary file into place.
    pub fn finish(self) -> anyhow::Result<()> {
        match self {
            Output::Stdout(mut w) => Ok(w.flush()?),
            Output::Through(mut w) => Ok(w.flush()?),
            Output::File { temp, path, mode } => {
                let temp = temp.into_inner().map_err(|e| e.into_error()).context("flushing output")?;
                if let Some(mode) = mode {
                    std::fs::set_permissions(temp.path(), mode)
                        .with_context(|| format!("setting permissions of {}", path.display()))?;
                }
                let temp_path = temp.path().to_path_buf();
                let persisted = temp.persist(&path);
                signals::untrack(&temp_path);
                persisted.with_context(|| format!("writing {}", path.display()))?;
                Ok(())
            }
        }
    }
}

/// Standard output for people (`segment`, `explain`): control characters of the input (ESC
/// starts terminal escape sequences) are shown as `␛`…, never sent to the terminal.
pub struct ShownControls<W: Write>(pub W);

impl ShownControls<io::BufWriter<io::StdoutLock<'static>>> {
    /// Buffered standard output.
    pub fn stdout() -> Self {
        ShownControls(io::BufWriter::new(io::stdout().lock()))
    }
}

impl<W: Write> Write for ShownControls<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match std::str::from_utf8(buf) {
            Ok(text) => self.0.write_all(show_controls(text).as_bytes()).map(|()| buf.len()),
            Err(_) => self.0.write(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        self.0.flush()
    }
}

impl Write for Output {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Output::Stdout(w) => w.write(buf),
            Output::File { temp, .. } => temp.write(buf),
            Output::Through(w) => w.write(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self {
            Output::Stdout(w) => w.flush(),
            Output::File { temp, .. } => temp.flush(),
            Output::Through(w) => w.flush(),
        }
    }
}

/// The encoding of a CSV output (`--output-encoding`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum OutputEncoding {
    /// UTF-8 without a byte-order mark: what pipelines and other programs expect.
    #[default]
    #[value(name = "utf-8")]
    Utf8,
    /// UTF-8 after the byte-order mark EF BB BF, by which Excel recognises UTF-8.
    #[value(name = "utf-8-bom")]
    Utf8Bom,
    /// GB18030, which encodes every Unicode character (older Chinese Windows software).
    #[value(name = "gb18030")]
    Gb18030,
}

/// A writer that turns the UTF-8 written to it into `--output-encoding`: a byte-order mark
/// first, or GB18030. A character split between two writes is held until its end comes.
pub struct Encoded<W: Write> {
    inner: W,
    encoding: OutputEncoding,
    started: bool,
    /// The start of a character whose other bytes are still to come.
    pending: Vec<u8>,
    out: Vec<u8>,
}

impl<W: Write> Encoded<W> {
    pub fn new(inner: W, encoding: OutputEncoding) -> Self {
        Encoded { inner, encoding, started: false, pending: Vec::new(), out: Vec::new() }
    }

    /// Flushes and gives back the writer underneath; fails when the output ended within a
    /// character.
    pub fn into_inner(mut self) -> io::Result<W> {
        if !self.pending.is_empty() {
            return Err(io::Error::new(io::ErrorKind::InvalidData, "output ended within a UTF-8 character"));
        }
        self.flush()?;
        Ok(self.inner)
    }
}

impl<W: Write> Write for Encoded<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if !self.started {
            self.started = true;
            if self.encoding == OutputEncoding::Utf8Bom {
                self.inner.write_all(b"\xEF\xBB\xBF")?;
            }
        }
        if self.encoding != OutputEncoding::Gb18030 {
            return self.inner.write(buf);
        }
        self.pending.extend_from_slice(buf);
        let valid = match std::str::from_utf8(&self.pending) {
            Ok(text) => text.len(),
            Err(e) if e.error_len().is_none() => e.valid_up_to(),
            Err(_) => return Err(io::Error::new(io::ErrorKind::InvalidData, "output that is not UTF-8")),
        };
        let mut rest = std::str::from_utf8(&self.pending[..valid]).map_err(io::Error::other)?;
        let mut encoder = encoding_rs::GB18030.new_encoder();
        loop {
            // a character takes at most 4 bytes in GB18030, and at least 1 in UTF-8
            self.out.clear();
            self.out.reserve(rest.len().saturating_mul(4).saturating_add(16));
            let (result, read) = encoder.encode_from_utf8_to_vec_without_replacement(rest, &mut self.out, true);
            self.inner.write_all(&self.out)?;
            rest = &rest[read..];
            match result {
                encoding_rs::EncoderResult::InputEmpty => break,
                encoding_rs::EncoderResult::OutputFull => continue,
                // the WHATWG encoder leaves out this private-use character; GB18030 (2005 and
                // 2022, as Windows, ICU and Python read it) writes it A3 A0 (a WHATWG decoder,
                // encoding_rs's too, reads that as U+3000)
                encoding_rs::EncoderResult::Unmappable('\u{E5E5}') => self.inner.write_all(b"\xA3\xA0")?,
                encoding_rs::EncoderResult::Unmappable(c) => {
                    return Err(io::Error::new(
                        io::ErrorKind::InvalidData,
                        format!("U+{:04X} has no GB18030 form here: use --output-encoding utf-8-bom", c as u32),
                    ));
                }
            }
        }
        self.pending.drain(..valid);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_are_whole_records_with_separators() {
        assert_eq!(records_per_second(37_194.450_4), "37,194/s");
        assert_eq!(records_per_second(0.4), "0/s");
        assert_eq!(records_per_second(f64::NAN), "0/s");
    }
}
