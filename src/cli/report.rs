//! `cuishou report evidence` and `cuishou report scan`: classify the input (or read the labels
//! it already has) into a report sink, then write the report as HTML, Markdown, JSON or CSV.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Context;

use super::xlsx::XlsxRows;
use super::{Outcome, Output, ReadArgs, load_model, output_format, set_threads, sha256_of};
use cuishou::io::Record;
use cuishou::io::labelled;
use cuishou::io::{Format, RejectWriter, RejectsTo, Sink, Source};
use cuishou::pipeline::{self, Options, Summary};
use cuishou::pipeline::{Labeller, RecordedLabels};
use cuishou::report::platform::PlatformDetector;
use cuishou::report::render::csv::SCAN_COLUMNS;
use cuishou::report::render::html;
use cuishou::report::render::json::run_json;
use cuishou::report::scan::ScanReport;
use cuishou::report::{ColumnNames, Custody, EvidenceSink, RunInfo, ScanSink, SourceFile};

/// Write a report: evidence from one phone, or a scan of a complaint corpus.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: Report,
}

#[derive(Debug, clap::Subcommand)]
enum Report {
    Evidence(EvidenceArgs),
    Scan(ScanArgs),
}

/// Evidence of unlawful collection from one phone, for the police or a regulator.
///
/// Per sender: counts by label and harm, first and last message, messages per day, and every
/// unlawful message in time order with its id and evidence highlighted; then the legal basis of
/// each harm found and where to complain.
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:
  cuishou report evidence sms-backup.xml -o evidence.html
  cuishou report evidence data/examples/sms-backup.xml --output-format md -o evidence.md
  cuishou report evidence export.csv --sender-column phone --time-column sent --output-format json
  cuishou report evidence sms-backup.xml --redact -o shareable.html
  cuishou report evidence sms-backup.xml --exclude-sender '+86 139 0000 1111' -o evidence.html
                                               (a relative who forwarded a threat)

The input is a phone export: an SMS Backup & Restore XML (its columns are id, sender,
contact_name, time, type, text), or a CSV/TSV/JSON Lines file with sender and time columns
(found by the names sender/address/from/phone and time/date/timestamp unless given). Senders
whose messages are all ordinary (`other`) are left out. A classified file (the output of
`cuishou classify`, with label, tags and evidence columns) is read as it is, not classified again.

The HTML page is self-contained (no network, no script) and prints on A4.
JSON: {\"senders\": [{\"sender\", \"contact_name\", \"counts\": {label: n}, \"tags\": {tag: n},
\"first\", \"last\", \"messages\": [{\"id\", \"time\", \"text\", \"label\", \"tags\", \"evidence\"}]}], \"total\",
\"outgoing\", \"excluded\"}")]
struct EvidenceArgs {
    #[command(flatten)]
    common: Common,
    /// Leave out this sender's messages (repeatable, or comma-separated); numbers match with or
    /// without +86, spaces and dashes. They are counted apart, never listed.
    #[arg(long, value_name = "SENDER", value_delimiter = ',')]
    exclude_sender: Vec<String>,
    /// Also list the messages sent from the phone (the owner's replies), under the number they
    /// were sent to; by default they are counted but not listed.
    #[arg(long)]
    include_sent: bool,
    /// Report format (default: from the extension of -o, else html). Was `--format`.
    #[arg(long = "output-format", id = "report_format", alias = "format", value_enum, value_name = "FORMAT")]
    format: Option<EvidenceFormat>,
}

/// Counts of a complaint corpus by label, harm, platform and month, for a regulator.
///
/// The platforms with the most unlawful messages and the share of each harm, monthly trends and
/// example messages, with charts as inline SVG. Works on raw texts or on a classified output.
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:
  cuishou report scan data/examples/complaints.csv -o scan.html
  cuishou report scan complaints.csv --platform-column lender --output-format json -o scan.json
  cuishou report scan labelled.csv --output-format csv -o scan.csv      (a classify output: not classified again)
  cuishou report scan complaints.xlsx -o scan.xlsx                       (a workbook, for Excel)
  cuishou report scan big.csv --threads 2 --redact -o scan.html

The platform of a message is the --platform-column (or a column named platform), else the
【签名】 at the start or end of an SMS, else the 投诉对象 of a complaint, else the first lender name
of cuishou's lexicon found in the text, else \"unknown\". Months come from the time column
(ISO 8601, YYYY-MM-DD HH:MM[:SS], YYYY/MM/DD, epoch seconds or milliseconds).
One streaming pass; memory stays bounded however long the input.
JSON: {\"total\", \"by_label\": {label: n}, \"by_tag\": {tag: n}, \"by_platform\": {platform: {label: n}},
\"by_month\": {\"YYYY-MM\": {label: n}}, \"run\": {read, rejected, files, …}}. CSV: section,key,name,count, the
sections total, read, rejected, declared, review, empty, unparsed_times, label, tag, platform,
platform_tag, month. xlsx: that table on the sheet `scan`, the run on `run`, the inputs' sizes and
SHA-256 on `files`.")]
struct ScanArgs {
    #[command(flatten)]
    common: Common,
    /// Column with the platform (lender) of each message.
    #[arg(long, value_name = "NAME")]
    platform_column: Option<String>,
    /// Report format (default: from the extension of -o, else html). Was `--format`.
    #[arg(long = "output-format", id = "report_format", alias = "format", value_enum, value_name = "FORMAT")]
    format: Option<ScanFormat>,
    /// Encoding of the CSV report: utf-8, utf-8-bom (for Excel) or gb18030.
    #[arg(long, value_enum, default_value = "utf-8", value_name = "ENCODING")]
    output_encoding: super::OutputEncoding,
}

/// The options both reports share. The reports' old `--format` named the report's format, so
/// here it stays an alias of `--output-format`, not of [`ReadArgs`]' `--input-format`.
#[derive(Debug, clap::Args)]
#[command(mut_arg("format", |a| a.alias(None)))]
struct Common {
    #[command(flatten)]
    read: ReadArgs,
    /// The day the export was made (YYYY-MM-DD): times like 昨天 22:15 or 3月3日 10:00 count from
    /// it. Without it those times are reported as unreadable, never guessed.
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_date)]
    reference_date: Option<chrono::NaiveDate>,
    /// Write the report here instead of standard output (written under a temporary name and
    /// renamed when complete).
    #[arg(short, long, value_name = "OUT")]
    output: Option<PathBuf>,
    /// A model file from `cuishou train`; default: the model built into cuishou.
    #[arg(long, value_name = "FILE")]
    model: Option<PathBuf>,
    /// Worker threads (default: all cores, or RAYON_NUM_THREADS).
    #[arg(long, value_name = "N")]
    threads: Option<usize>,
    /// Mask phone, ID-card and bank-card numbers (keeping the last 4 digits), e-mail addresses
    /// (keeping the domain) and WeChat and QQ IDs everywhere in the report — senders, ids,
    /// times, input names and the rejects file included — so that it can be shared.
    #[arg(long)]
    redact: bool,
    /// Where labels come from: the input's label/tags/evidence columns when it has them (auto),
    /// always the input (input), or always the classifier (classify).
    #[arg(long, value_enum, default_value = "auto")]
    labels: LabelsFrom,
    /// Where unreadable records go (default: OUT.rejects.csv beside -o, or standard error).
    #[arg(long, value_name = "FILE")]
    rejects: Option<PathBuf>,
    #[command(flatten)]
    decision: super::DecisionArgs,
    /// No progress and no summary on standard error.
    #[arg(short, long)]
    quiet: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum LabelsFrom {
    Auto,
    Input,
    Classify,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum EvidenceFormat {
    Html,
    Md,
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum ScanFormat {
    Html,
    Json,
    Csv,
    Xlsx,
}

pub fn run(args: Args) -> anyhow::Result<Outcome> {
    match args.command {
        Report::Evidence(a) => evidence(a),
        Report::Scan(a) => scan(a),
    }
}

fn evidence(args: EvidenceArgs) -> anyhow::Result<Outcome> {
    let c = &args.common;
    let formats: [(&[&str], EvidenceFormat); 3] = [
        (&["html", "htm"], EvidenceFormat::Html),
        (&["md", "markdown"], EvidenceFormat::Md),
        (&["json"], EvidenceFormat::Json),
    ];
    let format = output_format(c.output.as_deref(), args.format, &formats, EvidenceFormat::Html, true)?;
    let names = column_names(&c.read, None)?;
    let mut sink = EvidenceSink::new(names.clone(), c.redact)
        .reference_date(c.reference_date)
        .exclude_senders(&args.exclude_sender)
        .include_sent(args.include_sent);
    let (summary, info) = drive(c, &names, &mut sink, "report evidence")?;
    let report = sink.finish();
    warn_unparsed_times(c, &report.unparsed_times);
    let mut out = Output::create(c.output.as_deref())?;
    match format {
        EvidenceFormat::Html => out.write_all(html::evidence_html(&report, &info).as_bytes())?,
        EvidenceFormat::Md => out.write_all(report.to_markdown(&info).as_bytes())?,
        EvidenceFormat::Json => write_json(&mut out, report.to_json(), &info)?,
    }
    out.finish()?;
    finish(c, &summary, &format!("{} senders, {} unlawful messages", report.senders.len(), report.counts().unlawful()))
}

fn scan(args: ScanArgs) -> anyhow::Result<Outcome> {
    let c = &args.common;
    let formats: [(&[&str], ScanFormat); 4] = [
        (&["html", "htm"], ScanFormat::Html),
        (&["json"], ScanFormat::Json),
        (&["csv"], ScanFormat::Csv),
        (&["xlsx"], ScanFormat::Xlsx),
    ];
    let format = output_format(c.output.as_deref(), args.format, &formats, ScanFormat::Html, true)?;
    anyhow::ensure!(
        args.output_encoding == super::OutputEncoding::Utf8 || format == ScanFormat::Csv,
        "--output-encoding applies to the CSV report; HTML, JSON and xlsx are always UTF-8"
    );
    let names = column_names(&c.read, args.platform_column.clone())?;
    let mut sink = ScanSink::new(names.clone(), PlatformDetector::default(), c.redact).reference_date(c.reference_date);
    let (summary, info) = drive(c, &names, &mut sink, "report scan")?;
    let report = sink.finish();
    warn_unparsed_times(c, &report.unparsed_times);
    let mut out = Output::create(c.output.as_deref())?;
    match format {
        ScanFormat::Html => out.write_all(html::scan_html(&report, &info).as_bytes())?,
        ScanFormat::Json => write_json(&mut out, report.to_json(), &info)?,
        ScanFormat::Csv => {
            let encoded = super::Encoded::new(out, args.output_encoding);
            out = report.write_csv(&info, encoded).context("writing the CSV report")?.into_inner()?;
        }
        ScanFormat::Xlsx => scan_xlsx(&report, &info, &mut out).context("writing the workbook")?,
    }
    out.finish()?;
    let unknown = report.platforms.iter().find(|p| p.name == cuishou::report::platform::UNKNOWN);
    let note = format!(
        "{} platforms ({} messages without one), {} months, {} unlawful messages",
        report.platforms.len(),
        unknown.map_or(0, |p| p.labels.total()),
        report.months.len(),
        report.by_label.unlawful()
    );
    finish(c, &summary, &note)
}

/// A report's JSON form with the run (chain of custody) as its last key, pretty, one line break
/// at the end.
fn write_json(out: &mut Output, mut json: serde_json::Value, info: &RunInfo) -> anyhow::Result<()> {
    if let Some(o) = json.as_object_mut() {
        o.insert("run".into(), run_json(info));
    }
    serde_json::to_writer_pretty(&mut *out, &json)?;
    out.write_all(b"\n")?;
    Ok(())
}

/// The scan as a workbook: the sheet `scan` with the rows of the CSV form (counts as numbers),
/// `run` with the fields of the JSON `run` object, and `files` with each input's size and SHA-256.
fn scan_xlsx(report: &ScanReport, info: &RunInfo, out: &mut Output) -> std::io::Result<()> {
    let mut book = XlsxRows::new("scan");
    book.start(&SCAN_COLUMNS, &[false, false, false, true])?;
    for r in report.rows(info) {
        book.write_row([r.section, r.key, r.name, &r.count.to_string()])?;
    }
    let cell = |v: &serde_json::Value| match v {
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Null => String::new(),
        v => v.to_string(),
    };
    let run = run_json(info);
    let fields: Vec<Vec<String>> = run
        .as_object()
        .into_iter()
        .flatten()
        .filter(|(k, _)| *k != "files")
        .map(|(k, v)| vec![k.clone(), cell(v)])
        .collect();
    book.add_table("run", &["field", "value"], &fields)?;
    let files: Vec<Vec<String>> = run["files"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|f| vec![cell(&f["name"]), cell(&f["bytes"]), cell(&f["sha256"])])
        .collect();
    book.add_table("files", &["name", "bytes", "sha256"], &files)?;
    book.finish(out)
}

fn column_names(read: &ReadArgs, platform: Option<String>) -> anyhow::Result<ColumnNames> {
    let options = read.options()?;
    Ok(ColumnNames {
        id: options.id_column,
        sender: options.sender_column,
        contact_name: None,
        time: options.time_column,
        platform,
    })
}

/// The labels a classified input carries, for a report: the first label that is not a built-in
/// one (a model of labels of its own classified the input) is kept, so that the report refuses
/// the input as a whole instead of rejecting its rows one by one.
#[derive(Default)]
struct BuiltinRecorded {
    foreign: std::sync::Mutex<Option<String>>,
}

impl Labeller for BuiltinRecorded {
    type Scratch = ();
    fn label(&self, record: &Record, columns: &[String], _: &mut ()) -> Result<cuishou::Prediction, String> {
        if let Some(label) = cuishou::io::labelled::foreign_label(record, columns) {
            let mut foreign = self.foreign.lock().unwrap_or_else(|e| e.into_inner());
            foreign.get_or_insert(label);
        }
        RecordedLabels.label(record, columns, &mut ())
    }
}

/// Opens the inputs, checks the named columns, and runs the classifier (or reads the labels)
/// into `sink`. `what` names the report, for the error that refuses a model (or a classified
/// input) with labels of its own.
fn drive(
    c: &Common,
    names: &ColumnNames,
    sink: &mut (dyn Sink + Send),
    what: &str,
) -> anyhow::Result<(Summary, RunInfo)> {
    set_threads(c.threads)?;
    let options = c.read.options()?;
    let inputs = c.read.inputs();
    // hashed before they are read, so the report names the bytes it was made from
    let hashed = inputs.iter().map(|i| source_file(i)).collect::<anyhow::Result<Vec<_>>>()?;
    let mut sources: Vec<Box<dyn Source>> = Vec::new();
    for input in &inputs {
        let source = cuishou::io::open(input, &options)?;
        let format = options.format.unwrap_or_else(|| Format::from_path(input));
        let missing = names.missing(source.columns());
        if format != Format::Jsonl && !missing.is_empty() {
            anyhow::bail!(
                "{input}: no column named {:?}; the columns are: {}",
                missing[0],
                source.columns().join(", ")
            );
        }
        sources.push(source);
    }
    let from_input = match c.labels {
        LabelsFrom::Input => true,
        LabelsFrom::Classify => false,
        LabelsFrom::Auto => !sources.is_empty() && sources.iter().all(|s| labelled::has_labels(s.columns())),
    };
    let rejects_to = super::rejects_destination(c.rejects.as_deref(), c.output.as_deref());
    let mut rejects = RejectWriter::new(rejects_to).redacted(c.redact).on_temporary(super::signals::temporary);
    let summary = if from_input {
        let recorded = BuiltinRecorded::default();
        let summary = pipeline::run(&recorded, sources, sink, &mut rejects, &Options::default())?;
        if let Some(label) = recorded.foreign.into_inner().unwrap_or_else(|e| e.into_inner()) {
            rejects.finish()?;
            anyhow::bail!(
                "{what} needs the four built-in labels ({}); the input's label column has {label:?} \
                 (the output of a model with labels of its own)",
                cuishou::labels::LabelSet::builtin().joined()
            );
        }
        summary
    } else {
        let mut classifier = load_model(c.model.as_deref())?;
        super::require_builtin_labels(&classifier, what, c.model.as_deref())?;
        c.decision.apply(&mut classifier)?;
        let bar = super::progress_bar(c.quiet);
        let tick = |n: u64| {
            if let Some(bar) = &bar {
                bar.inc(n);
            }
        };
        let run_options = Options { progress: Some(&tick), ..Options::default() };
        let summary = pipeline::run(&classifier, sources, sink, &mut rejects, &run_options)?;
        if let Some(bar) = &bar {
            bar.finish_and_clear();
        }
        summary
    };
    rejects.finish()?;
    if let (true, false, RejectsTo::File(p)) = (summary.rejected() > 0, c.quiet, rejects.destination()) {
        eprintln!("cuishou: {} rejected records are in {}", summary.rejected(), p.display());
    }
    let info = RunInfo {
        inputs,
        read: summary.read(),
        rejected: summary.rejected(),
        declared: summary.declared(),
        generated: RunInfo::now(),
        redacted: c.redact,
        labels_from_input: from_input,
        custody: Custody {
            files: hashed,
            version: env!("CARGO_PKG_VERSION").to_string(),
            model_sha256: (!from_input).then(|| model_sha256(c.model.as_deref())).transpose()?,
        },
    };
    Ok((summary, info))
}

fn parse_date(s: &str) -> Result<chrono::NaiveDate, String> {
    chrono::NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").map_err(|_| format!("expected YYYY-MM-DD, got {s:?}"))
}

/// Warns about message times that could not be read: they are left out of first, last, days and
/// months, and the user should know.
fn warn_unparsed_times(c: &Common, (n, example): &(u64, Option<String>)) {
    if *n > 0 && !c.quiet {
        eprintln!(
            "cuishou: warning: {n} message time(s) could not be read (e.g. {:?}); those messages are listed but left \
             out of first/last and the daily and monthly counts{}",
            example.as_deref().unwrap_or(""),
            if c.reference_date.is_none() { " (for 昨天/今天/3月3日 forms, give --reference-date)" } else { "" }
        );
    }
}

/// An input's size and SHA-256; standard input, which cannot be read twice, has neither.
fn source_file(name: &str) -> anyhow::Result<SourceFile> {
    if name == "-" {
        return Ok(SourceFile { name: "标准输入".to_string(), bytes: None, sha256: None });
    }
    let path = Path::new(name);
    if std::fs::metadata(path).is_ok_and(|m| !m.is_file()) {
        // a FIFO or device would be drained by hashing: named, not hashed
        return Ok(SourceFile { name: name.to_string(), bytes: None, sha256: None });
    }
    let mut file = std::fs::File::open(path).with_context(|| format!("cannot read {name}"))?;
    let (bytes, hash) = sha256_of(&mut file).with_context(|| format!("reading {name}"))?;
    Ok(SourceFile { name: name.to_string(), bytes: Some(bytes), sha256: Some(hash) })
}

/// SHA-256 (hex) of the model that labels: `--model`'s file, or the one compiled in.
fn model_sha256(model: Option<&Path>) -> anyhow::Result<String> {
    let (_, hash) = match model {
        Some(path) => {
            let mut file =
                std::fs::File::open(path).with_context(|| format!("cannot read model {}", path.display()))?;
            sha256_of(&mut file)?
        }
        None => sha256_of(&mut { cuishou::model::DEFAULT_MODEL })?,
    };
    Ok(hash)
}

fn finish(c: &Common, summary: &Summary, note: &str) -> anyhow::Result<Outcome> {
    if !c.quiet {
        let secs = summary.elapsed.as_secs_f64();
        let to = c.output.as_ref().map_or_else(|| "standard output".to_string(), |p| p.display().to_string());
        eprintln!(
            "cuishou: {} records read, {} rejected in {:.2}s; {note}; report written to {to}",
            summary.read(),
            summary.rejected(),
            secs
        );
        for f in &summary.files {
            if let Some(shortfall) = f.shortfall() {
                eprintln!("cuishou: {}: {shortfall}", f.name);
            }
        }
    }
    Ok(if summary.rejected() > 0 { Outcome::SomeRejected } else { Outcome::Done })
}
