//! `cuishou classify`: label every message of one or more inputs (CSV, TSV, JSON Lines,
//! SMS-backup XML, plain text).

use std::io::Write;
use std::path::PathBuf;

use anyhow::Context;

use super::xlsx::XlsxRows;
use super::{Encoded, Outcome, Output, OutputEncoding, ReadArgs, load_model, output_format, set_threads};
use cuishou::io::{CsvSink, JsonlSink, RejectWriter, RejectsTo, Sink, Source, TableSink};
use cuishou::output::OutputOptions;
use cuishou::pipeline::{self, Options, Summary};

/// Label every message: writes every input column unchanged, then label, confidence, tags and
/// evidence, one row per input record, in input order.
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:
  cuishou classify data/examples/messages.csv
  cuishou classify a.csv b.csv -o labelled.csv --threads 2
  cuishou classify sms-backup.xml -o labelled.jsonl             (JSON Lines, by the extension)
  cuishou classify complaints.xlsx -o labelled.xlsx --probabilities   (a workbook for Excel)
  cuishou classify --input-format jsonl --output-format jsonl -      (streaming: one line out per line in)
  cuishou classify phone-export.xml --min-confidence 0.7 -o labelled.csv   (doubtful ones to review)
  cuishou classify phone-export.xml --prior other=0.9                      (mostly everyday messages)
  cuishou classify export.xlsx --sheet 短信 --output-encoding utf-8-bom -o labelled.csv   (for Excel)

Formats are detected by extension (.csv .tsv .jsonl .ndjson .xml .txt, workbooks .xlsx .xls .ods;
anything else and standard input read as CSV) unless --input-format is given; encodings (UTF-8, UTF-8/UTF-16 with BOM, GB18030/GBK)
are detected unless --encoding is given.

Every record becomes one output row or one row of the rejects file (file, line, reason, raw).
Exit status: 0 when every record was classified, 3 when some were rejected, 2 on an error.")]
pub struct Args {
    #[command(flatten)]
    read: ReadArgs,
    /// Write here instead of standard output (completed files only: written under a temporary
    /// name and renamed at the end).
    #[arg(short, long, value_name = "OUT")]
    output: Option<PathBuf>,
    /// Output format (default: from the extension of -o, `.jsonl`/`.ndjson` or `.xlsx`, else csv).
    /// xlsx is one sheet of the same rows, confidence and probabilities as numbers, more sheets
    /// past Excel's 1,048,575 rows.
    #[arg(long, value_enum)]
    output_format: Option<OutputFormat>,
    /// Encoding of CSV output: utf-8 (for programs and pipelines), utf-8-bom (for Excel, which
    /// shows UTF-8 without the mark as mojibake) or gb18030. JSON Lines is always UTF-8.
    #[arg(long, value_enum, default_value = "utf-8", value_name = "ENCODING")]
    output_encoding: OutputEncoding,
    /// A model file from `cuishou train`; default: the model built into cuishou.
    #[arg(long, value_name = "FILE")]
    model: Option<PathBuf>,
    /// Worker threads (default: all cores, or RAYON_NUM_THREADS).
    #[arg(long, value_name = "N")]
    threads: Option<usize>,
    /// Where unreadable records go (default: OUT.rejects.csv beside -o, or standard error).
    #[arg(long, value_name = "FILE")]
    rejects: Option<PathBuf>,
    /// On a bad record: report it and go on (skip), or stop with exit status 2 (fail).
    #[arg(long, value_enum, default_value = "skip")]
    on_error: OnError,
    /// Records per parallel chunk; output is flushed after each chunk.
    #[arg(long, default_value_t = 4096, value_name = "N")]
    chunk_size: usize,
    /// Mask phone, ID-card and bank-card numbers (keeping the last 4 digits), e-mail addresses
    /// (keeping the domain) and WeChat and QQ IDs in every output field and in the rejects file,
    /// so the output can be shared.
    #[arg(long)]
    redact: bool,
    /// For CSV opened in a spreadsheet: a cell starting with =, +, -, @, a tab or a carriage
    /// return gets a leading ' so that it is shown, not run as a formula. Off by default, since
    /// the output is evidence and keeps every message exactly as received.
    #[arg(long)]
    spreadsheet_safe: bool,
    #[command(flatten)]
    decision: super::DecisionArgs,
    /// Add each label's probability: columns p_lawful_reminder, p_intimidation,
    /// p_doctored_image_threat, p_other, or p_<label> for each label of a model with labels of
    /// its own (JSON Lines: a `probabilities` object).
    #[arg(long)]
    probabilities: bool,
    /// Add the K most probable labels with their probabilities, most probable first (fastText's
    /// predict-prob K): columns top1_label, top1_p, …; JSON Lines: a `top` list. K is 1 to the
    /// model's number of labels (4 for the built-in model).
    #[arg(long, value_name = "K", value_parser = clap::value_parser!(u8).range(1..=cuishou::labels::MAX_LABELS as i64))]
    top_k: Option<u8>,
    /// No progress bar and no summary on standard error.
    #[arg(short, long)]
    quiet: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum OnError {
    Skip,
    Fail,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum OutputFormat {
    Csv,
    Jsonl,
    Xlsx,
}

pub fn run(args: Args) -> anyhow::Result<Outcome> {
    set_threads(args.threads)?;
    let mut classifier = load_model(args.model.as_deref())?;
    args.decision.apply(&mut classifier)?;
    let labels = classifier.labels();
    if let Some(k) = args.top_k {
        anyhow::ensure!(
            usize::from(k) <= labels.len(),
            "--top-k {k} is more than the model's {} labels ({})",
            labels.len(),
            labels.joined()
        );
    }
    let output_options = OutputOptions {
        redact: args.redact,
        review: args.decision.review(),
        probabilities: args.probabilities,
        spreadsheet_safe: args.spreadsheet_safe,
        top_k: args.top_k.map_or(0, usize::from),
    };
    let formats: [(&[&str], OutputFormat); 3] =
        [(&["csv"], OutputFormat::Csv), (&["jsonl", "ndjson"], OutputFormat::Jsonl), (&["xlsx"], OutputFormat::Xlsx)];
    let format = output_format(args.output.as_deref(), args.output_format, &formats, OutputFormat::Csv, false)?;
    anyhow::ensure!(
        args.output_encoding == OutputEncoding::Utf8 || format == OutputFormat::Csv,
        "--output-encoding applies to CSV output; JSON Lines and xlsx are always UTF-8"
    );
    let options = args.read.options()?;
    let mut sources: Vec<Box<dyn Source>> = Vec::new();
    for input in args.read.inputs() {
        sources.push(cuishou::io::open(&input, &options)?);
    }
    let output = Output::create(args.output.as_deref())?;
    let rejects_to = super::rejects_destination(args.rejects.as_deref(), args.output.as_deref());
    let mut rejects = RejectWriter::new(rejects_to).redacted(args.redact).on_temporary(super::signals::temporary);
    let bar = super::progress_bar(args.quiet);
    let tick = |n: u64| {
        if let Some(bar) = &bar {
            bar.inc(n);
        }
    };
    let run_options = Options {
        chunk_size: args.chunk_size,
        fail_on_reject: args.on_error == OnError::Fail,
        progress: Some(&tick),
        ..Options::default()
    };
    let summary = match format {
        OutputFormat::Csv => {
            let output = Encoded::new(output, args.output_encoding);
            let mut sink = CsvSink::new(output).with_options(output_options).with_labels(labels.clone());
            let summary = pipeline::run(&classifier, sources, &mut sink, &mut rejects, &run_options)?;
            sink.into_inner().context("flushing output")?.into_inner().context("writing output")?.finish()?;
            summary
        }
        OutputFormat::Jsonl => {
            let mut sink = JsonlSink::new(output).with_options(output_options).with_labels(labels.clone());
            let summary = pipeline::run(&classifier, sources, &mut sink, &mut rejects, &run_options)?;
            sink.flush()?;
            sink.into_inner().finish()?;
            summary
        }
        OutputFormat::Xlsx => {
            // cells are text, never formulas: nothing to neutralize
            let options = OutputOptions { spreadsheet_safe: false, ..output_options };
            let mut sink =
                TableSink::with_rows(XlsxRows::new("classified")).with_options(options).with_labels(labels.clone());
            let summary = pipeline::run(&classifier, sources, &mut sink, &mut rejects, &run_options)?;
            let mut output = output;
            sink.into_rows().finish(&mut output).context("writing output")?;
            output.finish()?;
            summary
        }
    };
    rejects.finish()?;
    if let Some(bar) = &bar {
        bar.finish_and_clear();
    }
    if !args.quiet {
        print_summary(&summary, &rejects)?;
    }
    Ok(if summary.rejected() > 0 { Outcome::SomeRejected } else { Outcome::Done })
}

fn print_summary(summary: &Summary, rejects: &RejectWriter) -> std::io::Result<()> {
    let mut err = std::io::stderr().lock();
    let secs = summary.elapsed.as_secs_f64();
    let rate = if secs > 0.0 { summary.read() as f64 / secs } else { 0.0 };
    writeln!(
        err,
        "cuishou: {} records read, {} classified, {} rejected in {:.2}s ({})",
        summary.read(),
        summary.classified(),
        summary.rejected(),
        secs,
        super::records_per_second(rate)
    )?;
    if summary.files.len() > 1 {
        for f in &summary.files {
            writeln!(err, "  {}: {} read, {} classified, {} rejected", f.name, f.read, f.classified, f.rejected)?;
        }
    }
    for f in &summary.files {
        if let Some(shortfall) = f.shortfall() {
            writeln!(err, "cuishou: {}: {shortfall}", f.name)?;
        }
    }
    if let (true, RejectsTo::File(p)) = (summary.rejected() > 0, rejects.destination()) {
        writeln!(err, "cuishou: rejected records are in {}", p.display())?;
    }
    Ok(())
}
