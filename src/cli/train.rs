//! `cuishou train`: fit a model on labelled CSV files, optionally choosing hyper-parameters by
//! cross-validation first.

use std::io::Write;
use std::path::PathBuf;
use std::time::Instant;

use anyhow::Context;
use linfa::ParamGuard;

use super::{Outcome, set_threads};
use cuishou::analysis::Resources;
use cuishou::features::FeatureConfig;
use cuishou::labels::LabelSet;
use cuishou::model::hyperparams as hp;
use cuishou::model::metrics::ECE_BINS;
use cuishou::model::{
    Calibration, Example, LinearParams, LosoReport, Setting, default_grid, evaluate, expected_calibration_error,
    fit_temperature, leave_one_slice_out, search, train,
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

Without flags, train makes the shipped model from the shipped data (scripts/train-default.sh).")]
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

fn parse_range(s: &str) -> Result<(u8, u8), String> {
    let (a, b) = s.split_once('-').ok_or_else(|| format!("expected MIN-MAX, got {s:?}"))?;
    let a = a.trim().parse().map_err(|_| format!("bad minimum in {s:?}"))?;
    let b = b.trim().parse().map_err(|_| format!("bad maximum in {s:?}"))?;
    Ok((a, b))
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
    let examples: Vec<Example> = args.labelled.read()?;
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
    // held-out scores computed on the way, recorded in the model
    let mut metrics: Vec<(&str, f64)> = Vec::new();
    if let Some(k) = args.cv {
        let candidates = if args.search { default_grid(&chosen)? } else { vec![chosen] };
        println!("{k}-fold cross-validation (folds by id group) on {} rows:", examples.len());
        let (setting, e) = search(&examples, &resources, candidates, k, |setting, e, took| {
            println!(
                "  macro-F1 {:.4}  accuracy {:.4}  ({:.1}s)  {}",
                e.macro_f1,
                e.accuracy,
                took.as_secs_f64(),
                setting.to_args()
            );
        })?;
        println!("chosen (macro-F1 {:.4}): {}", e.macro_f1, setting.to_args());
        chosen = setting;
        metrics.push(("cv_macro_f1", e.macro_f1));
        metrics.push(("cv_accuracy", e.accuracy));
    }
    let labels = LabelSet::of_names(examples.iter().map(|e| e.label.as_str())).context("the training labels")?;
    let mut calibration = Calibration::default_for(&labels);
    if args.loso {
        let started = Instant::now();
        let loso = leave_one_slice_out(&examples, &resources, &chosen.features, &chosen.params)?;
        let fitted = print_loso(&loso, started.elapsed().as_secs_f64());
        let (gold, predicted) = loso.classes();
        let pooled = evaluate(&loso.labels, &gold, &predicted);
        metrics.push(("loso_macro_f1", pooled.macro_f1));
        metrics.push(("loso_accuracy", pooled.accuracy));
        if let Some(path) = &args.loso_out {
            write_held_out(path, &examples, &loso, fitted)?;
        }
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
    if !labels.is_builtin() {
        println!("labels of its own: {} (no tags; the reports need the built-in labels)", labels.joined());
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
    println!("trained on {} rows:", examples.len());
    for (label, n) in &report.rows_per_label {
        println!("  {label:<22} {n}");
    }
    println!("settings: {} --temperature {}", chosen.to_args(), calibration.temperature);
    println!(
        "featurized in {:.2}s, fitted in {:.2}s; wrote {} ({:.2} MB)",
        report.featurize_time.as_secs_f64(),
        report.fit_time.as_secs_f64(),
        args.output.display(),
        bytes.len() as f64 / 1e6
    );
    Ok(Outcome::Done)
}

/// Prints the leave-one-slice-out table, the pooled scores and the calibration it fits; returns
/// the fitted calibration.
fn print_loso(loso: &LosoReport, seconds: f64) -> Calibration {
    println!(
        "leave one slice out ({} slices, {:.1}s): train on the others, score the slice's written rows",
        loso.slices.len(),
        seconds
    );
    println!("  {:<10} {:>6} {:>9}  labels", "slice", "rows", "accuracy");
    for s in &loso.slices {
        let labels: Vec<String> = s.labels.iter().map(|(l, n)| format!("{l} {n}")).collect();
        println!("  {:<10} {:>6} {:>9.4}  {}", s.slice, s.rows, s.accuracy, labels.join(", "));
    }
    let (gold, predicted) = loso.classes();
    let pooled = evaluate(&loso.labels, &gold, &predicted);
    println!(
        "pooled over {} held-out rows: macro-F1 {:.4}, accuracy {:.4}",
        pooled.rows, pooled.macro_f1, pooled.accuracy
    );
    for (label, l) in loso.labels.names().iter().filter_map(|n| Some((n, pooled.per_label.get(n)?))) {
        println!(
            "  {:<22} precision {:.4} recall {:.4} f1 {:.4} support {}",
            label, l.precision, l.recall, l.f1, l.support
        );
    }
    if let Some(w) = loso.worst() {
        println!("worst slice: {} {:.4}", w.slice, w.accuracy);
    }
    let logits: Vec<_> = loso.held_out.iter().map(|h| h.logits).collect();
    let correct: Vec<bool> = gold.iter().zip(&predicted).map(|(g, p)| g == p).collect();
    let ece = |c: Calibration| {
        let conf: Vec<f32> = logits.iter().map(|z| c.probabilities(z).iter().copied().fold(0.0, f32::max)).collect();
        expected_calibration_error(&conf, &correct, ECE_BINS)
    };
    let fitted = fit_temperature(&logits, &gold);
    println!(
        "calibration on the held-out predictions: temperature {} (ECE {:.4} before, {:.4} after)",
        fitted.temperature,
        ece(Calibration::default()),
        ece(fitted)
    );
    fitted
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
