//! `cuishou classify`: label every message of one or more CSV inputs.

use std::io::Write;
use std::path::PathBuf;

use anyhow::Context;

use super::{Outcome, Output, load_model, set_threads};
use crate::io::{CsvSink, CsvSource, RejectWriter, RejectsTo, Source};
use crate::pipeline::{self, Options, Summary};

/// Label every message of CSV inputs: writes every input column unchanged, then label,
/// confidence, tags and evidence, one row per input row, in input order.
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:
  cuishou classify data/examples/messages.csv
  cuishou classify a.csv b.csv -o labelled.csv --threads 2
  cat export.csv | cuishou classify --text-column body > labelled.csv

Exit status: 0 when every record was classified, 3 when some were rejected (see --rejects),
2 on an error.")]
pub struct Args {
    /// CSV files with a header row; `-` or nothing reads standard input.
    inputs: Vec<String>,
    /// Write here instead of standard output (completed files only: written under a temporary
    /// name and renamed at the end).
    #[arg(short, long, value_name = "OUT")]
    output: Option<PathBuf>,
    /// A model file from `cuishou train`; default: the model built into cuishou.
    #[arg(long, value_name = "FILE")]
    model: Option<PathBuf>,
    /// The column that holds the message text.
    #[arg(long, default_value = "text", value_name = "NAME")]
    text_column: String,
    /// Worker threads (default: all cores, or RAYON_NUM_THREADS).
    #[arg(long, value_name = "N")]
    threads: Option<usize>,
    /// Where unreadable records go (default: OUT.rejects.csv beside -o, or standard error).
    #[arg(long, value_name = "FILE")]
    rejects: Option<PathBuf>,
    /// On a bad record: report it and go on (skip), or stop with exit status 2 (fail).
    #[arg(long, value_enum, default_value = "skip")]
    on_error: OnError,
    /// Records per parallel chunk.
    #[arg(long, default_value_t = 4096, value_name = "N")]
    chunk_size: usize,
    /// No summary on standard error.
    #[arg(short, long)]
    quiet: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum OnError {
    Skip,
    Fail,
}

pub fn run(args: Args) -> anyhow::Result<Outcome> {
    set_threads(args.threads)?;
    let classifier = load_model(args.model.as_deref())?;
    let inputs = if args.inputs.is_empty() {
        vec!["-".to_string()]
    } else {
        args.inputs.clone()
    };
    let mut sources: Vec<Box<dyn Source>> = Vec::with_capacity(inputs.len());
    for input in &inputs {
        sources.push(Box::new(CsvSource::open(input, &args.text_column)?));
    }
    let output = Output::create(args.output.as_deref())?;
    let rejects_to = match (&args.rejects, &args.output) {
        (Some(r), _) => RejectsTo::File(r.clone()),
        (None, Some(out)) if out.as_os_str() != "-" => {
            let mut name = out.clone().into_os_string();
            name.push(".rejects.csv");
            RejectsTo::File(PathBuf::from(name))
        }
        _ => RejectsTo::Stderr,
    };
    let mut rejects = RejectWriter::new(rejects_to);
    let mut sink = CsvSink::new(output);
    let options = Options {
        chunk_size: args.chunk_size,
        fail_on_reject: args.on_error == OnError::Fail,
    };
    let summary = pipeline::run(&classifier, sources, &mut sink, &mut rejects, &options)?;
    sink.into_inner().context("flushing output")?.finish()?;
    rejects.flush()?;
    if !args.quiet {
        print_summary(&summary, &rejects)?;
    }
    Ok(if summary.rejected() > 0 {
        Outcome::SomeRejected
    } else {
        Outcome::Done
    })
}

fn print_summary(summary: &Summary, rejects: &RejectWriter) -> std::io::Result<()> {
    let mut err = std::io::stderr().lock();
    let secs = summary.elapsed.as_secs_f64();
    let rate = if secs > 0.0 {
        summary.read() as f64 / secs
    } else {
        0.0
    };
    writeln!(
        err,
        "cuishou: {} records read, {} classified, {} rejected in {:.2}s ({:.0} records/s)",
        summary.read(),
        summary.classified(),
        summary.rejected(),
        secs,
        rate
    )?;
    if summary.files.len() > 1 {
        for f in &summary.files {
            writeln!(
                err,
                "  {}: {} read, {} classified, {} rejected",
                f.name, f.read, f.classified, f.rejected
            )?;
        }
    }
    if let (true, RejectsTo::File(p)) = (summary.rejected() > 0, rejects.destination()) {
        writeln!(err, "cuishou: rejected records are in {}", p.display())?;
    }
    Ok(())
}
