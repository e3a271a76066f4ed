//! `cuishou train`: fit a model on labelled CSV files, optionally choosing hyper-parameters by
//! cross-validation first.

use std::path::PathBuf;
use std::time::Instant;

use anyhow::Context;
use linfa::ParamGuard;

use super::{Outcome, set_threads};
use crate::analysis::Resources;
use crate::data::read_labelled;
use crate::features::FeatureConfig;
use crate::model::{Example, LinearParams, ValidLinearParams, cross_validate, train};

/// Train a model from CSV files with `text` and `label` columns (and optionally `tags` and `id`;
/// rows whose ids share the part before `~` are kept in one cross-validation fold).
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:
  cuishou train data/labelled/train.csv -o my.model
  cuishou train data/labelled/train.csv -o my.model --cv 5
  cuishou train data/labelled/train.csv -o my.model --search --cv 5

The default model is made by scripts/train-default.sh.")]
pub struct Args {
    /// Labelled CSV files.
    #[arg(required = true)]
    inputs: Vec<String>,
    /// Where to write the model.
    #[arg(short, long, value_name = "MODEL")]
    output: PathBuf,
    /// Seed for the shuffling of rows between epochs.
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// Passes over the training rows.
    #[arg(long, default_value_t = 10)]
    epochs: usize,
    /// AdaGrad step size.
    #[arg(long, default_value_t = 0.2)]
    learning_rate: f32,
    /// L2 penalty on the weights a row touches.
    #[arg(long, default_value_t = 1e-6)]
    l2: f32,
    /// Weight of the tag outputs' loss relative to the label loss.
    #[arg(long, default_value_t = 0.5)]
    tag_weight: f32,
    /// log2 of the number of hash buckets.
    #[arg(long, default_value_t = 18)]
    bucket_bits: u8,
    /// Word n-grams up to this length.
    #[arg(long, default_value_t = 2)]
    word_ngrams: u8,
    /// Character n-gram lengths, as MIN-MAX (`0-0` for none).
    #[arg(long, default_value = "1-3", value_parser = parse_range)]
    char_ngrams: (u8, u8),
    /// Leave the lexicon features out.
    #[arg(long)]
    no_lexicon: bool,
    /// The normalization chain (basic: ASCII case and numbers only, to measure the full chain).
    #[arg(long, value_enum, default_value = "full")]
    normalization: crate::features::Normalization,
    /// Report K-fold cross-validated metrics of these settings before training.
    #[arg(long, value_name = "K")]
    cv: Option<usize>,
    /// Try a small grid of settings by cross-validation (needs --cv) and train the best.
    #[arg(long, requires = "cv")]
    search: bool,
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

struct Setting {
    features: FeatureConfig,
    params: ValidLinearParams,
}

impl Setting {
    fn describe(&self) -> String {
        let f = &self.features;
        let p = &self.params;
        format!(
            "buckets=2^{} words=1-{} chars={}-{} lexicon={} normalization={:?} epochs={} lr={} l2={} tag_weight={}",
            f.bucket_bits,
            f.word_ngrams,
            f.char_ngram_min,
            f.char_ngram_max,
            f.lexicon,
            f.normalization,
            p.epochs(),
            p.learning_rate(),
            p.l2(),
            p.tag_weight()
        )
    }
}

/// The grid tried by `--search`, around the given setting.
fn grid(base: &Setting, seed: u64) -> anyhow::Result<Vec<Setting>> {
    let mut out = Vec::new();
    for (cmin, cmax) in [(0u8, 0u8), (1, 2), (1, 3), (2, 4)] {
        for lr in [0.1f32, 0.3] {
            for epochs in [5usize, 15] {
                let features = FeatureConfig { char_ngram_min: cmin, char_ngram_max: cmax, ..base.features.clone() };
                let params = LinearParams::default()
                    .epochs(epochs)
                    .learning_rate(lr)
                    .l2(base.params.l2())
                    .tag_weight(base.params.tag_weight())
                    .seed(seed)
                    .check()?;
                out.push(Setting { features, params });
            }
        }
    }
    Ok(out)
}

pub fn run(args: Args) -> anyhow::Result<Outcome> {
    set_threads(args.threads)?;
    let bundled = Resources::bundled();
    let resources = Resources {
        domain_dict: read_or(&args.dict, bundled.domain_dict)?,
        lexicon: read_or(&args.lexicon, bundled.lexicon)?,
        variants: read_or(&args.variants, bundled.variants)?,
    };
    let examples: Vec<Example> = read_labelled(&args.inputs)?;
    let features = FeatureConfig {
        bucket_bits: args.bucket_bits,
        word_ngrams: args.word_ngrams,
        char_ngram_min: args.char_ngrams.0,
        char_ngram_max: args.char_ngrams.1,
        lexicon: !args.no_lexicon,
        normalization: args.normalization,
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
    if let Some(k) = args.cv {
        let candidates = if args.search { grid(&chosen, args.seed)? } else { vec![chosen] };
        let mut best: Option<(f64, Setting)> = None;
        println!("{k}-fold cross-validation (folds by id group) on {} rows:", examples.len());
        for setting in candidates {
            let started = Instant::now();
            let e = cross_validate(&examples, &resources, &setting.features, &setting.params, k)?;
            println!(
                "  macro-F1 {:.4}  accuracy {:.4}  ({:.1}s)  {}",
                e.macro_f1,
                e.accuracy,
                started.elapsed().as_secs_f64(),
                setting.describe()
            );
            if best.as_ref().is_none_or(|(f1, _)| e.macro_f1 > *f1) {
                best = Some((e.macro_f1, setting));
            }
        }
        let (f1, setting) = best.context("no setting was tried")?;
        println!("chosen (macro-F1 {f1:.4}): {}", setting.describe());
        chosen = setting;
    }
    let (classifier, report) = train(&examples, resources, chosen.features.clone(), chosen.params.clone())?;
    let bytes = classifier.to_bytes();
    std::fs::write(&args.output, &bytes).with_context(|| format!("writing {}", args.output.display()))?;
    println!("trained on {} rows:", examples.len());
    for (label, n) in &report.rows_per_label {
        println!("  {label:<22} {n}");
    }
    println!("settings: {}", chosen.describe());
    println!(
        "featurized in {:.2}s, fitted in {:.2}s; wrote {} ({:.2} MB)",
        report.featurize_time.as_secs_f64(),
        report.fit_time.as_secs_f64(),
        args.output.display(),
        bytes.len() as f64 / 1e6
    );
    Ok(Outcome::Done)
}
