//! `cuishou train`: fit a model on labelled CSV files, optionally choosing hyper-parameters by
//! cross-validation first.

use std::io::{self, Write};
use std::path::PathBuf;
use std::time::Instant;

use anyhow::Context;
use linfa::ParamGuard;
use serde_json::json;

use super::{Outcome, set_threads};
use cuishou::analysis::Resources;
use cuishou::features::FeatureConfig;
use cuishou::labels::LabelSet;
use cuishou::model::grid::parse_range;
use cuishou::model::hyperparams as hp;
use cuishou::model::{
    Calibration, Example, Grid, LinearParams, LosoReport, LosoSummary, Setting, default_grid, leave_one_slice_out,
    search, train,
};

/// Train a model from CSV files with `text` and `label` columns (and optionally `tags` and `id`;
/// rows whose ids share the part before `~` are kept in one cross-validation fold). Labels that
/// are all built-in names train the built-in model; any other name makes a model of the labels
/// found, in sorted order, without tags.
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:
  cuishou train data/labelled/*/*.csv -o my.model
  cuishou train data/labelled/train/*.csv -o my.model --cv 5
  cuishou train data/labelled/train/*.csv -o my.model --search --cv 5
  cuishou train data/labelled/train/*.csv -o my.model --cv 5 --grid 'epochs=10,15 lr=0.2,0.3' \\
      --search-log search.csv --json > train.json

Without flags, train makes the shipped model from the shipped data (scripts/train-default.sh).

--cv K prints a table: each fold's rows, accuracy, macro-F1 and F1 per label, then their mean and
standard deviation over the folds (population std; a label's over the folds it occurs in), then
the pooled scores of all held-out predictions, which choose the winner of a search and are
recorded in the model.

--grid 'KEY=V1,V2,... KEY=...' searches the cartesian product of the values over the other flags
(it implies a search, and replaces --search's built-in grid 'char-ngrams=0-0,1-2,1-3,2-4
learning-rate=0.1,0.3 epochs=5,15'). Keys: bucket-bits, word-ngrams, char-ngrams (MIN-MAX),
epochs, learning-rate (or lr), l2, tag-weight. Every candidate is checked like the flags.
--search-log FILE writes one CSV row per candidate: candidate (from 1), one column per key
(bucket_bits, word_ngrams, char_ngrams, epochs, learning_rate, l2, tag_weight), the pooled
accuracy and macro_f1, mean_accuracy, std_accuracy, mean_macro_f1, std_macro_f1 over the folds,
f1_LABEL (pooled) for each label, fit_seconds (summed over the folds) and winner (true once).

--json prints one object on standard output (what people read goes to standard error) with the
keys model (the path written), bytes, rows, rows_per_label (label -> rows), featurize_seconds,
fit_seconds, temperature, args (the argument line of the model's settings, temperature
included); with --cv: cv, the chosen setting's cross-validation: k, folds (each: fold, rows,
train_rows, fit_seconds, accuracy, macro_f1, per_label (label -> precision, recall, f1,
support), confusion (gold -> predicted -> rows)), mean and std (each: accuracy, macro_f1,
per_label_f1 (label -> F1)) and pooled (accuracy, macro_f1, per_label, confusion, rows); with
--search or --grid: search, with candidates (each: args, setting (features, params), cv as
above, seconds), winner (its index in candidates, from 0) and winner_args; with --loso: loso,
with slices (each: slice, rows, accuracy, labels), pooled, worst, temperature (the fitted one),
ece_before, ece_after and seconds.")]
pub struct Args {
    #[command(flatten)]
    labelled: super::LabelledArgs,
    /// Where to write the model.
    #[arg(short, long, value_name = "MODEL")]
    output: PathBuf,
    /// Seed for the shuffling of rows between epochs.
    #[arg(long, default_value_t = hp::DEFAULT_SEED)]
    seed: u64,
    /// Passes over the training rows.
    #[arg(long, default_value_t = hp::DEFAULT_EPOCHS)]
    epochs: usize,
    /// AdaGrad step size.
    #[arg(long, default_value_t = hp::DEFAULT_LEARNING_RATE)]
    learning_rate: f32,
    /// L2 penalty on the weights a row touches.
    #[arg(long, default_value_t = hp::DEFAULT_L2)]
    l2: f32,
    /// Weight of the tag outputs' loss relative to the label loss.
    #[arg(long, default_value_t = hp::DEFAULT_TAG_WEIGHT)]
    tag_weight: f32,
    /// log2 of the number of hash buckets [default: 18].
    #[arg(long)]
    bucket_bits: Option<u8>,
    /// Word n-grams up to this length [default: 2].
    #[arg(long)]
    word_ngrams: Option<u8>,
    /// Character n-gram lengths, as MIN-MAX (`0-0` for none) [default: 1-2].
    #[arg(long, value_parser = parse_range)]
    char_ngrams: Option<(u8, u8)>,
    /// Leave the lexicon features out.
    #[arg(long)]
    no_lexicon: bool,
    /// Leave the length-class feature out.
    #[arg(long)]
    no_length: bool,
    /// The normalization chain (basic: ASCII case and numbers only, to measure the full chain).
    #[arg(long, value_enum, default_value = "full")]
    normalization: cuishou::features::Normalization,
    /// Report K-fold cross-validated metrics of these settings before training.
    #[arg(long, value_name = "K")]
    cv: Option<usize>,
    /// Try a small grid of settings by cross-validation (needs --cv) and train the best.
    #[arg(long, requires = "cv")]
    search: bool,
    /// Search this grid instead of --search's (needs --cv): space-separated KEY=V1,V2,...
    /// entries, e.g. 'epochs=10,15 lr=0.2,0.3'; the other flags are the base of every candidate.
    #[arg(long, value_name = "GRID", requires = "cv", conflicts_with = "search")]
    grid: Option<Grid>,
    /// With --cv: write one CSV row per setting tried (its values, scores, fit time, winner).
    #[arg(long, value_name = "FILE", requires = "cv")]
    search_log: Option<PathBuf>,
    /// Print one JSON object on standard output; progress goes to standard error.
    #[arg(long)]
    json: bool,
    /// Leave one slice out: for each slice (ids up to the first `-`), train on the others and
    /// score its written rows; print the table, and calibrate the model's confidence on those
    /// held-out predictions (unless --temperature is given).
    #[arg(long)]
    loso: bool,
    /// With --loso: write every held-out prediction (slice, id, gold, predicted, confidence, text) to this CSV.
    #[arg(long, value_name = "FILE", requires = "loso")]
    loso_out: Option<PathBuf>,
    /// Calibration temperature stored in the model: label scores are divided by it before the
    /// softmax [default: the one --loso fits, else the shipped model's, 1.2888, for the built-in
    /// labels, and 1 (uncalibrated) for labels of one's own].
    #[arg(long, value_name = "T")]
    temperature: Option<f32>,
    /// Domain dictionary, lexicon and variants files (default: the ones built in).
    #[arg(long, value_name = "FILE")]
    dict: Option<PathBuf>,
    #[arg(long, value_name = "FILE")]
    lexicon: Option<PathBuf>,
    #[arg(long, value_name = "FILE")]
    variants: Option<PathBuf>,
    /// Worker threads for featurizing (training itself is one thread, for reproducibility).
    #[arg(long, value_name = "N")]
    threads: Option<usize>,
}

fn read_or(path: &Option<PathBuf>, bundled: String) -> anyhow::Result<String> {
    match path {
        Some(p) => std::fs::read_to_string(p).with_context(|| format!("reading {}", p.display())),
        None => Ok(bundled),
    }
}

pub fn run(args: Args) -> anyhow::Result<Outcome> {
    set_threads(args.threads)?;
    let bundled = Resources::bundled();
    let resources = Resources {
        domain_dict: read_or(&args.dict, bundled.domain_dict)?,
        lexicon: read_or(&args.lexicon, bundled.lexicon)?,
        variants: read_or(&args.variants, bundled.variants)?,
    };
    let defaults = FeatureConfig::default();
    let (char_ngram_min, char_ngram_max) =
        args.char_ngrams.unwrap_or((defaults.char_ngram_min, defaults.char_ngram_max));
    let features = FeatureConfig {
        bucket_bits: args.bucket_bits.unwrap_or(defaults.bucket_bits),
        word_ngrams: args.word_ngrams.unwrap_or(defaults.word_ngrams),
        char_ngram_min,
        char_ngram_max,
        lexicon: !args.no_lexicon,
        normalization: args.normalization,
        length: !args.no_length,
    };
    features.check()?;
    let params = LinearParams::default()
        .epochs(args.epochs)
        .learning_rate(args.learning_rate)
        .l2(args.l2)
        .tag_weight(args.tag_weight)
        .seed(args.seed)
        .check()?;
    let mut chosen = Setting { features, params };
    // the grid is checked before the files are read
    let searching = args.search || args.grid.is_some();
    let candidates = match &args.grid {
        Some(grid) => grid.settings(&chosen)?,
        None if args.search => default_grid(&chosen)?,
        None => vec![chosen.clone()],
    };
    let examples: Vec<Example> = args.labelled.read()?;
    // what people read goes to standard output, or to standard error when that carries the JSON
    let mut human: Box<dyn Write> = if args.json { Box::new(io::stderr()) } else { Box::new(io::stdout()) };
    let mut json = serde_json::Map::new();
    // held-out scores computed on the way, recorded in the model
    let mut metrics: Vec<(&str, f64)> = Vec::new();
    if let Some(k) = args.cv {
        let what = if searching { format!(", {} settings", candidates.len()) } else { String::new() };
        writeln!(human, "{k}-fold cross-validation (folds by id group) on {} rows{what}:", examples.len())?;
        let report = search(&examples, &resources, candidates, k, |c| {
            if searching {
                // a failed write (a closed pipe) shows again at the next writeln below
                let _ = writeln!(
                    human,
                    "  macro-F1 {:.4}  accuracy {:.4}  (folds: macro-F1 {:.4} ± {:.4})  ({:.1}s)  {}",
                    c.cv.pooled.macro_f1,
                    c.cv.pooled.accuracy,
                    c.cv.summary.mean.macro_f1,
                    c.cv.summary.std.macro_f1,
                    c.seconds,
                    c.args
                );
            }
        })?;
        let best = report.best();
        if searching {
            writeln!(human, "chosen (macro-F1 {:.4}): {}", best.cv.pooled.macro_f1, best.args)?;
        }
        write!(human, "{}", best.cv.to_text())?;
        if let Some(path) = &args.search_log {
            report.write_log(super::Output::create(Some(path))?)?.finish()?;
        }
        metrics.push(("cv_macro_f1", best.cv.pooled.macro_f1));
        metrics.push(("cv_accuracy", best.cv.pooled.accuracy));
        json.insert("cv".into(), serde_json::to_value(&best.cv)?);
        if searching {
            let search = json!({"candidates": report.candidates, "winner": report.winner, "winner_args": best.args});
            json.insert("search".into(), search);
        }
        chosen = best.setting.clone();
    }
    let labels = LabelSet::of_names(examples.iter().map(|e| e.label.as_str())).context("the training labels")?;
    let mut calibration = Calibration::default_for(&labels);
    if args.loso {
        let started = Instant::now();
        let loso = leave_one_slice_out(&examples, &resources, &chosen.features, &chosen.params)?;
        let seconds = started.elapsed().as_secs_f64();
        let summary = loso.summarize();
        print_loso(&mut human, &loso, &summary, seconds)?;
        let fitted = Calibration { temperature: summary.temperature };
        metrics.push(("loso_macro_f1", summary.pooled.macro_f1));
        metrics.push(("loso_accuracy", summary.pooled.accuracy));
        if let Some(path) = &args.loso_out {
            write_held_out(path, &examples, &loso, fitted)?;
        }
        let mut value = serde_json::to_value(&summary)?;
        value["slices"] = serde_json::to_value(&loso.slices)?;
        value["seconds"] = json!(seconds);
        json.insert("loso".into(), value);
        calibration = fitted;
    }
    if let Some(t) = args.temperature {
        calibration = Calibration { temperature: t };
        anyhow::ensure!(calibration.is_valid(), "--temperature must be a positive number, got {t}");
    }
    let (mut classifier, report) = train(&examples, resources, chosen.features.clone(), chosen.params.clone())?;
    classifier.set_calibration(calibration);
    for (name, value) in metrics {
        classifier.record_metric(name, (value * 10_000.0).round() / 10_000.0);
    }
    let bytes = classifier.to_bytes();
    // written under a temporary name and renamed, so a failed write never destroys a good model
    let mut out = super::Output::create(Some(&args.output))?;
    out.write_all(&bytes).with_context(|| format!("writing {}", args.output.display()))?;
    out.finish()?;
    let settings = format!("{} --temperature {}", chosen.to_args(), calibration.temperature);
    if !labels.is_builtin() {
        writeln!(human, "labels of its own: {} (no tags; the reports need the built-in labels)", labels.joined())?;
        // a typo in a built-in data set would otherwise make a model of its own without a word
        let builtin = LabelSet::builtin();
        let (known, own): (Vec<&String>, Vec<&String>) =
            labels.names().iter().partition(|n| builtin.index(n).is_some());
        if !known.is_empty() {
            let own: Vec<&str> = own.iter().map(|s| s.as_str()).collect();
            eprintln!(
                "cuishou: warning: built-in labels mixed with others ({}), so the model has labels of its own; \
                 if these are typos of built-in labels, fix them",
                own.join(", ")
            );
        }
    }
    writeln!(human, "trained on {} rows:", examples.len())?;
    for (label, n) in &report.rows_per_label {
        writeln!(human, "  {label:<22} {n}")?;
    }
    writeln!(human, "settings: {settings}")?;
    writeln!(
        human,
        "featurized in {:.2}s, fitted in {:.2}s; wrote {} ({:.2} MB)",
        report.featurize_time.as_secs_f64(),
        report.fit_time.as_secs_f64(),
        args.output.display(),
        bytes.len() as f64 / 1e6
    )?;
    human.flush()?;
    if args.json {
        let mut object = json!({
            "model": args.output.display().to_string(),
            "bytes": bytes.len(),
            "rows": examples.len(),
            "rows_per_label": report.rows_per_label,
            "featurize_seconds": report.featurize_time.as_secs_f64(),
            "fit_seconds": report.fit_time.as_secs_f64(),
            "temperature": calibration.temperature,
            "args": settings,
        });
        if let Some(o) = object.as_object_mut() {
            o.extend(json);
        }
        println!("{}", serde_json::to_string_pretty(&object)?);
    }
    Ok(Outcome::Done)
}

/// Prints the leave-one-slice-out table, the pooled scores and the calibration fitted on them.
fn print_loso(out: &mut dyn Write, loso: &LosoReport, summary: &LosoSummary, seconds: f64) -> io::Result<()> {
    writeln!(
        out,
        "leave one slice out ({} slices, {:.1}s): train on the others, score the slice's written rows",
        loso.slices.len(),
        seconds
    )?;
    writeln!(out, "  {:<10} {:>6} {:>9}  labels", "slice", "rows", "accuracy")?;
    for s in &loso.slices {
        let labels: Vec<String> = s.labels.iter().map(|(l, n)| format!("{l} {n}")).collect();
        writeln!(out, "  {:<10} {:>6} {:>9.4}  {}", s.slice, s.rows, s.accuracy, labels.join(", "))?;
    }
    let pooled = &summary.pooled;
    writeln!(
        out,
        "pooled over {} held-out rows: macro-F1 {:.4}, accuracy {:.4}",
        pooled.rows, pooled.macro_f1, pooled.accuracy
    )?;
    for (label, l) in loso.labels.names().iter().filter_map(|n| Some((n, pooled.per_label.get(n)?))) {
        writeln!(
            out,
            "  {:<22} precision {:.4} recall {:.4} f1 {:.4} support {}",
            label, l.precision, l.recall, l.f1, l.support
        )?;
    }
    if let Some(w) = &summary.worst {
        writeln!(out, "worst slice: {} {:.4}", w.slice, w.accuracy)?;
    }
    writeln!(
        out,
        "calibration on the held-out predictions: temperature {} (ECE {:.4} before, {:.4} after)",
        summary.temperature, summary.ece_before, summary.ece_after
    )
}

/// Writes the held-out predictions of leave-one-slice-out, calibrated.
fn write_held_out(
    path: &std::path::Path,
    examples: &[Example],
    loso: &LosoReport,
    c: Calibration,
) -> anyhow::Result<()> {
    let mut w = csv::Writer::from_writer(super::Output::create(Some(path))?);
    let mut header = vec!["slice", "id", "gold", "predicted", "confidence"];
    header.extend(loso.labels.names().iter().map(String::as_str));
    header.push("text");
    w.write_record(&header)?;
    for h in &loso.held_out {
        let e = &examples[h.index];
        let p = c.probabilities(&h.logits);
        let mut row = vec![
            e.slice.clone(),
            e.group.clone(),
            e.label.clone(),
            loso.labels.name(h.class).to_string(),
            format!("{:.4}", p[h.class]),
        ];
        row.extend(p.iter().map(|v| format!("{v:.4}")));
        row.push(e.text.clone());
        w.write_record(&row)?;
    }
    w.into_inner().map_err(|e| e.into_error()).with_context(|| format!("writing {}", path.display()))?.finish()
}
