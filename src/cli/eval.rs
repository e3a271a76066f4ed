//! `cuishou eval`: score a model on labelled CSV files, or cross-validate the training recipe on
//! them.

use std::path::PathBuf;

use anyhow::Context;
use linfa::ParamGuard;

use super::{Outcome, load_model, set_threads};
use cuishou::analysis::Resources;
use cuishou::labels::TagSet;
use cuishou::model::hyperparams::DEFAULT_SEED;
use cuishou::model::metrics::{ECE_BINS, tags_to_text};
use cuishou::model::train::gold_classes;
use cuishou::model::{LinearParams, Setting, cross_validate, evaluate, evaluate_tags, expected_calibration_error};

/// Score a model on CSV files with `text` and `label` columns: accuracy, per-label precision,
/// recall and F1, macro-F1, and the confusion matrix; or, with --cv, cross-validate the training
/// recipe on them. Every gold label must be one of the model's labels (the built-in four, or its
/// own).
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:
  cuishou eval data/labelled/dev/*.csv
  cuishou eval data/labelled/dev/*.csv --model my.model --json
  cuishou eval data/labelled/dev/*.csv --errors wrong.csv
  cuishou eval new/*.csv --cv 5 --json

The table also gives the expected calibration error (ECE: the gap between confidence and
accuracy, over 15 confidence bins) and, for files with a tags column, per-tag precision, recall
and F1. --json prints one object with the keys accuracy, macro_f1, per_label (label ->
precision, recall, f1, support), confusion (gold label -> predicted label -> rows), rows, ece and
per_tag (tag -> precision, recall, f1, support; rows without a tags column are skipped).

--cv K scores no model: it cross-validates the training recipe (the default settings of
`cuishou train`, with --seed) on the files: for each of K folds (rows sharing an id group stay
in one fold), a model trained on the other folds scores the fold. It prints each fold's rows,
accuracy, macro-F1 and F1 per label, their mean and standard deviation over the folds, and the
pooled held-out scores. With --json: the pooled keys accuracy, macro_f1, per_label, confusion and
rows, args (the recipe as train flags), and cv: k, folds (each: fold, rows, train_rows,
fit_seconds, accuracy, macro_f1, per_label, confusion), mean and std (each: accuracy, macro_f1,
per_label_f1 (label -> F1)) and pooled.")]
pub struct Args {
    #[command(flatten)]
    labelled: super::LabelledArgs,
    /// A model file; default: the model built into cuishou.
    #[arg(long, value_name = "FILE")]
    model: Option<PathBuf>,
    /// Print JSON instead of a table.
    #[arg(long)]
    json: bool,
    /// Also write the misclassified rows (text, gold, predicted, confidence) to this CSV file.
    #[arg(long, value_name = "FILE")]
    errors: Option<PathBuf>,
    /// Worker threads.
    #[arg(long, value_name = "N")]
    threads: Option<usize>,
    /// Cross-validate the default training recipe on the files with K folds, instead of scoring a model.
    #[arg(long, value_name = "K", conflicts_with_all = ["model", "errors"])]
    cv: Option<usize>,
    /// With --cv: the seed of the training recipe.
    #[arg(long, requires = "cv", default_value_t = DEFAULT_SEED)]
    seed: u64,
}

pub fn run(args: Args) -> anyhow::Result<Outcome> {
    set_threads(args.threads)?;
    if let Some(k) = args.cv {
        return cross_validate_recipe(&args, k);
    }
    let classifier = load_model(args.model.as_deref())?;
    let examples = args.labelled.read()?;
    let labels = classifier.labels();
    let gold = gold_classes(labels, &examples)?;
    let texts: Vec<&str> = examples.iter().map(|e| e.text.as_str()).collect();
    let predictions: Vec<(usize, f32, TagSet)> =
        classifier.predict_batch(&texts).into_iter().map(|p| (p.class, p.confidence, p.tags)).collect();
    let predicted: Vec<usize> = predictions.iter().map(|p| p.0).collect();
    let evaluation = evaluate(labels, &gold, &predicted);
    let confidence: Vec<f32> = predictions.iter().map(|p| p.1).collect();
    let correct: Vec<bool> = gold.iter().zip(&predicted).map(|(g, p)| g == p).collect();
    let ece = expected_calibration_error(&confidence, &correct, ECE_BINS);
    let gold_tags: Vec<Option<TagSet>> = examples.iter().map(|e| e.tags).collect();
    let predicted_tags: Vec<TagSet> = predictions.iter().map(|p| p.2).collect();
    // tags are the built-in labels' only
    let per_tag = if labels.is_builtin() && gold_tags.iter().any(Option::is_some) {
        evaluate_tags(&gold_tags, &predicted_tags)
    } else {
        Default::default()
    };
    if args.json {
        let mut json = serde_json::to_value(&evaluation)?;
        json["ece"] = serde_json::json!(ece);
        json["per_tag"] = serde_json::to_value(&per_tag)?;
        println!("{}", serde_json::to_string_pretty(&json)?);
    } else {
        print!("{}", evaluation.to_text());
        println!("\nexpected calibration error (ECE, {ECE_BINS} bins)  {ece:.4}");
        if !per_tag.is_empty() {
            print!("\n{}", tags_to_text(&per_tag));
        }
    }
    if let Some(path) = &args.errors {
        let mut w = csv::Writer::from_writer(super::Output::create(Some(path))?);
        w.write_record(["text", "gold", "predicted", "confidence"])?;
        for ((e, &g), (k, conf, _)) in examples.iter().zip(&gold).zip(&predictions) {
            if *k != g {
                w.write_record([e.text.as_str(), e.label.as_str(), labels.name(*k), &format!("{conf:.4}")])?;
            }
        }
        w.into_inner().map_err(|e| e.into_error()).with_context(|| format!("writing {}", path.display()))?.finish()?;
    }
    Ok(Outcome::Done)
}

/// `eval --cv K`: the per-fold table (or JSON) of the default recipe on the files.
fn cross_validate_recipe(args: &Args, k: usize) -> anyhow::Result<Outcome> {
    let recipe = Setting { params: LinearParams::default().seed(args.seed).check()?, ..Setting::default() };
    let examples = args.labelled.read()?;
    let cv = cross_validate(&examples, &Resources::bundled(), &recipe.features, &recipe.params, k)?;
    if args.json {
        let mut json = serde_json::to_value(&cv.pooled)?;
        json["args"] = serde_json::json!(recipe.to_args());
        json["cv"] = serde_json::to_value(&cv)?;
        println!("{}", serde_json::to_string_pretty(&json)?);
    } else {
        println!("{k}-fold cross-validation (folds by id group) on {} rows of: {}", examples.len(), recipe.to_args());
        print!("{}", cv.to_text());
    }
    Ok(Outcome::Done)
}
