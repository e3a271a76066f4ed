//! `cuishou explain`: everything behind one message's label, for a person to check.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::PathBuf;

use super::{Outcome, load_model};
use cuishou::features::occurrence_name;
use cuishou::model::Scratch;
use cuishou::output::format_evidence;
use cuishou::text::normalize::display_placeholders;

/// Explain one message: label and confidence, the normalized text, the tokens, the lexicon hits
/// with their tags, and the features that count most for and against each label.
#[derive(Debug, clap::Args)]
#[command(after_help = "Example:
  cuishou explain '本平台不会P图、不会爆通讯录，请按时还款'")]
pub struct Args {
    /// The message.
    text: String,
    /// A model file; default: the model built into cuishou.
    #[arg(long, value_name = "FILE")]
    model: Option<PathBuf>,
    /// Features shown for and against each label.
    #[arg(long, default_value_t = 5)]
    top: usize,
}

pub fn run(args: Args) -> anyhow::Result<Outcome> {
    let classifier = load_model(args.model.as_deref())?;
    let mut scratch = Scratch::default();
    let p = classifier.predict(&args.text, &mut scratch);
    let a = scratch.analysis();
    let mut out = super::ShownControls::stdout();
    let labels = classifier.labels();
    writeln!(out, "label       {} ({:.4})", labels.name(p.class), p.confidence)?;
    let probs: Vec<String> =
        labels.names().iter().zip(p.scores.labels.iter()).map(|(l, v)| format!("{l} {v:.4}")).collect();
    writeln!(out, "scores      {}", probs.join(", "))?;
    writeln!(out, "tags        {}", p.tags.to_field())?;
    writeln!(out, "evidence    {}", format_evidence(&args.text, &p.evidence))?;
    writeln!(out, "normalized  {}", display_placeholders(&a.normalized.text))?;
    let tokens: Vec<String> =
        a.tokens.iter().map(|t| display_placeholders(a.token_text(t))).filter(|t| !t.trim().is_empty()).collect();
    writeln!(out, "tokens      {}", tokens.join(" | "))?;
    writeln!(out, "lexicon hits")?;
    let lexicon = classifier.analyzer().lexicon();
    if a.hits.is_empty() {
        writeln!(out, "  (none)")?;
    }
    for hit in &a.hits {
        let e = lexicon.entry(hit);
        let (s, t) = a.normalized.original_span(hit.start as usize, hit.end as usize);
        writeln!(
            out,
            "  {:<12} {:<12} weight {:.1}{}  at {}-{}",
            display_placeholders(&e.term),
            e.tag.as_str(),
            e.weight,
            if hit.negated { "  NEGATED" } else { "" },
            s,
            t
        )?;
    }
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
    for (k, label) in labels.names().iter().enumerate() {
        let mut contributions: Vec<(f32, &str)> = a
            .features
            .iter()
            .map(|(b, v)| (classifier.contribution(b, v, k), names.get(&b).map_or("?", String::as_str)))
            .collect();
        contributions.sort_by(|x, y| y.0.total_cmp(&x.0));
        let fmt = |c: &[(f32, &str)]| c.iter().map(|(w, n)| format!("{n} {w:+.3}")).collect::<Vec<_>>().join(", ");
        let top: Vec<(f32, &str)> = contributions.iter().filter(|c| c.0 > 0.0).take(args.top).copied().collect();
        let bottom: Vec<(f32, &str)> =
            contributions.iter().rev().filter(|c| c.0 < 0.0).take(args.top).copied().collect();
        writeln!(out, "{label}")?;
        writeln!(out, "  for:     {}", fmt(&top))?;
        writeln!(out, "  against: {}", fmt(&bottom))?;
    }
    out.flush()?;
    Ok(Outcome::Done)
}
