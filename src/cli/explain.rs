//! `cuishou explain`: everything behind one message's label, for a person to check.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::PathBuf;

use serde::Serialize;

use super::{Outcome, load_model};
use cuishou::features::occurrence_name;
use cuishou::model::Scratch;
use cuishou::output::format_evidence;
use cuishou::text::normalize::display_placeholders;

/// Explain one message: label and confidence, the normalized text, the tokens, the lexicon hits
/// with their tags, and the features that count most for and against each label.
#[derive(Debug, clap::Args)]
#[command(after_help = "Example:
  cuishou explain '本平台不会P图、不会爆通讯录，请按时还款'
  cuishou explain '本平台不会P图、不会爆通讯录，请按时还款' --json

--json prints one object with the keys text, label, confidence, scores (label -> probability, in the model's label order),
tags (a list), evidence (SPAN@START-END;... as classify writes it), normalized, tokens (a list),
lexicon_hits (each: term, tag, weight, negated, start, end; character offsets into the text) and
features (label -> for and against, each a list of {feature, contribution}, largest first).")]
pub struct Args {
    /// The message.
    text: String,
    /// A model file; default: the model built into cuishou.
    #[arg(long, value_name = "FILE")]
    model: Option<PathBuf>,
    /// Features shown for and against each label.
    #[arg(long, default_value_t = 5)]
    top: usize,
    /// Print one JSON object instead of lines for people.
    #[arg(long)]
    json: bool,
}

/// A lexicon term found in the message.
#[derive(Serialize)]
struct Hit {
    term: String,
    tag: &'static str,
    weight: f32,
    negated: bool,
    /// Character offsets into the original text.
    start: u32,
    end: u32,
}

/// A feature's contribution to one label's score.
#[derive(Serialize)]
struct Contribution {
    feature: String,
    contribution: f32,
}

/// The features that count most for and against one label.
#[derive(Serialize)]
struct ForAgainst {
    #[serde(rename = "for")]
    for_: Vec<Contribution>,
    against: Vec<Contribution>,
}

/// Everything `explain` shows, for the text and the JSON forms alike.
#[derive(Serialize)]
struct Explanation {
    text: String,
    label: String,
    confidence: f32,
    /// By label, in the order of the model's outputs.
    #[serde(serialize_with = "label_map")]
    scores: Vec<(String, f32)>,
    tags: Vec<&'static str>,
    evidence: String,
    normalized: String,
    tokens: Vec<String>,
    lexicon_hits: Vec<Hit>,
    /// By label, in the order of the model's outputs.
    #[serde(serialize_with = "label_map")]
    features: Vec<(String, ForAgainst)>,
}

/// Serializes `(label, value)` pairs as an object keyed by label name, in order.
fn label_map<S: serde::Serializer, V: Serialize>(pairs: &[(String, V)], s: S) -> Result<S::Ok, S::Error> {
    s.collect_map(pairs.iter().map(|(l, v)| (l, v)))
}

pub fn run(args: Args) -> anyhow::Result<Outcome> {
    let e = explain(&args)?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&e)?);
        return Ok(Outcome::Done);
    }
    let mut out = super::ShownControls::stdout();
    writeln!(out, "label       {} ({:.4})", e.label, e.confidence)?;
    let probs: Vec<String> = e.scores.iter().map(|(l, v)| format!("{l} {v:.4}")).collect();
    writeln!(out, "scores      {}", probs.join(", "))?;
    writeln!(out, "tags        {}", e.tags.join(";"))?;
    writeln!(out, "evidence    {}", e.evidence)?;
    writeln!(out, "normalized  {}", e.normalized)?;
    writeln!(out, "tokens      {}", e.tokens.join(" | "))?;
    writeln!(out, "lexicon hits")?;
    if e.lexicon_hits.is_empty() {
        writeln!(out, "  (none)")?;
    }
    for hit in &e.lexicon_hits {
        writeln!(
            out,
            "  {:<12} {:<12} weight {:.1}{}  at {}-{}",
            hit.term,
            hit.tag,
            hit.weight,
            if hit.negated { "  NEGATED" } else { "" },
            hit.start,
            hit.end
        )?;
    }
    let fmt = |c: &[Contribution]| {
        c.iter().map(|c| format!("{} {:+.3}", c.feature, c.contribution)).collect::<Vec<_>>().join(", ")
    };
    for (label, f) in &e.features {
        writeln!(out, "{label}")?;
        writeln!(out, "  for:     {}", fmt(&f.for_))?;
        writeln!(out, "  against: {}", fmt(&f.against))?;
    }
    out.flush()?;
    Ok(Outcome::Done)
}

/// Classifies the message and gathers what lies behind its label.
fn explain(args: &Args) -> anyhow::Result<Explanation> {
    let classifier = load_model(args.model.as_deref())?;
    let mut scratch = Scratch::default();
    let p = classifier.predict(&args.text, &mut scratch);
    let a = scratch.analysis();
    let lexicon = classifier.analyzer().lexicon();
    let lexicon_hits = a
        .hits
        .iter()
        .map(|hit| {
            let e = lexicon.entry(hit);
            let (start, end) = a.normalized.original_span(hit.start as usize, hit.end as usize);
            Hit {
                term: display_placeholders(&e.term),
                tag: e.tag.as_str(),
                weight: e.weight,
                negated: hit.negated,
                start,
                end,
            }
        })
        .collect();
    // One name per bucket (the first occurrence), with the feature's value.
    let mut names: BTreeMap<u32, String> = BTreeMap::new();
    for o in &a.occurrences {
        let tag = match o.namespace {
            cuishou::features::Namespace::LexTag | cuishou::features::Namespace::NegTag => {
                a.hits.iter().find(|h| h.start == o.start && h.end == o.end).map(|h| lexicon.entry(h).tag.as_str())
            }
            _ => None,
        };
        names.entry(o.bucket).or_insert_with(|| occurrence_name(o, &a.normalized.text, tag));
    }
    let labels = classifier.labels();
    let mut features = Vec::new();
    for (k, label) in labels.names().iter().enumerate() {
        let mut contributions: Vec<(f32, &str)> = a
            .features
            .iter()
            .map(|(b, v)| (classifier.contribution(b, v, k), names.get(&b).map_or("?", String::as_str)))
            .collect();
        contributions.sort_by(|x, y| y.0.total_cmp(&x.0));
        let list = |c: &mut dyn Iterator<Item = &(f32, &str)>| -> Vec<Contribution> {
            c.take(args.top).map(|(w, n)| Contribution { feature: n.to_string(), contribution: *w }).collect()
        };
        let for_ = list(&mut contributions.iter().filter(|c| c.0 > 0.0));
        let against = list(&mut contributions.iter().rev().filter(|c| c.0 < 0.0));
        features.push((label.clone(), ForAgainst { for_, against }));
    }
    Ok(Explanation {
        text: args.text.clone(),
        label: labels.name(p.class).to_string(),
        confidence: p.confidence,
        scores: labels.names().iter().cloned().zip(p.scores.labels.iter().copied()).collect(),
        tags: p.tags.iter().map(|t| t.as_str()).collect(),
        evidence: format_evidence(&args.text, &p.evidence),
        normalized: display_placeholders(&a.normalized.text),
        tokens: a
            .tokens
            .iter()
            .map(|t| display_placeholders(a.token_text(t)))
            .filter(|t| !t.trim().is_empty())
            .collect(),
        lexicon_hits,
        features,
    })
}
