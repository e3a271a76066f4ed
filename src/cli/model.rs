//! `cuishou model info`: what a model file is: its settings, labels, training rows, the scores
//! recorded when it was trained, its size and its checksum.

use std::path::PathBuf;

use anyhow::Context;
use serde_json::json;

use super::{Outcome, load_model, sha256_of};
use cuishou::model::file::FORMAT_VERSION;

/// Inspect model files.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: ModelCommand,
}

#[derive(Debug, clap::Subcommand)]
enum ModelCommand {
    /// A model's settings, labels, training rows per label, the held-out scores recorded at
    /// training, size, SHA-256 and the cuishou version that made it.
    #[command(after_help = "Examples:
  cuishou model info                 (the model built into cuishou)
  cuishou model info my.model --json")]
    Info(InfoArgs),
}

#[derive(Debug, clap::Args)]
struct InfoArgs {
    /// A model file from `cuishou train`; default: the model built into cuishou.
    file: Option<PathBuf>,
    /// Print one JSON object instead of lines for people.
    #[arg(long)]
    json: bool,
}

pub fn run(args: Args) -> anyhow::Result<Outcome> {
    let ModelCommand::Info(args) = args.command;
    let classifier = load_model(args.file.as_deref())?;
    let (bytes, sha256) = match &args.file {
        Some(path) => {
            sha256_of(&mut std::fs::File::open(path).with_context(|| format!("reading {}", path.display()))?)?
        }
        None => sha256_of(&mut { cuishou::model::DEFAULT_MODEL })?,
    };
    let meta = classifier.meta();
    let name = args.file.as_ref().map_or_else(|| "(built in)".to_string(), |p| p.display().to_string());
    let info = json!({
        "file": name,
        "bytes": bytes,
        "sha256": sha256,
        "format_version": FORMAT_VERSION,
        "trained_by": meta.record.cuishou_version,
        "labels": meta.labels,
        "builtin_labels": classifier.labels().is_builtin(),
        "tags": meta.tags,
        "trained_on": meta.trained_on,
        "features": meta.features,
        "params": meta.params,
        "temperature": meta.calibration.temperature,
        "metrics": meta.record.metrics,
        "buckets": classifier.model().buckets,
    });
    if args.json {
        println!("{}", serde_json::to_string_pretty(&info)?);
        return Ok(Outcome::Done);
    }
    let mut out = super::ShownControls::stdout();
    use std::io::Write;
    let f = &meta.features;
    let p = &meta.params;
    writeln!(out, "file          {name}")?;
    writeln!(out, "size          {} bytes", cuishou::report::render::fmt_count(bytes))?;
    writeln!(out, "sha256        {sha256}")?;
    writeln!(out, "format        version {FORMAT_VERSION}")?;
    let by = if meta.record.cuishou_version.is_empty() { "(not recorded)" } else { &meta.record.cuishou_version };
    writeln!(out, "trained by    cuishou {by}")?;
    let own = if classifier.labels().is_builtin() { "" } else { "  (labels of its own: no tags, no reports)" };
    writeln!(out, "labels        {}{own}", meta.labels.join(", "))?;
    writeln!(out, "tags          {}", if meta.tags.is_empty() { "(none)".to_string() } else { meta.tags.join(", ") })?;
    writeln!(out, "trained on    {} rows", meta.trained_on.values().sum::<usize>())?;
    for (label, n) in &meta.trained_on {
        writeln!(out, "  {label:<22} {n}")?;
    }
    writeln!(
        out,
        "features      2^{} buckets, words 1-{}, characters {}-{}, lexicon {}, length {}, normalization {:?}",
        f.bucket_bits, f.word_ngrams, f.char_ngram_min, f.char_ngram_max, f.lexicon, f.length, f.normalization
    )?;
    writeln!(
        out,
        "training      epochs {}, learning rate {}, l2 {}, tag weight {}, seed {}",
        p.epochs(),
        p.learning_rate(),
        p.l2(),
        p.tag_weight(),
        p.seed()
    )?;
    writeln!(out, "temperature   {}", meta.calibration.temperature)?;
    if meta.record.metrics.is_empty() {
        writeln!(out, "held-out      none recorded (train with --cv or --loso to record them)")?;
    }
    for (name, value) in &meta.record.metrics {
        writeln!(out, "held-out      {name} {value:.4}")?;
    }
    out.flush()?;
    Ok(Outcome::Done)
}
