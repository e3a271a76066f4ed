//! `cuishou segment`: show what the model sees: each message's normalized text and tokens.

use std::io::Write;
use std::path::PathBuf;

use super::{Outcome, ReadArgs, load_model};
use cuishou::analysis::AnalyzedText;
use cuishou::io::Item;
use cuishou::text::normalize::display_placeholders;

/// Print each message's normalized text and its tokens (separated by ` | `), to inspect what the
/// model sees. Placeholders show as <num>, <money>, <phone>, <url>, <code> and <date>.
#[derive(Debug, clap::Args)]
#[command(after_help = "Example:
  cuishou segment data/examples/messages.csv | head")]
pub struct Args {
    #[command(flatten)]
    read: ReadArgs,
    /// Analyse as this model does (default: the model built into cuishou).
    #[arg(long, value_name = "FILE")]
    model: Option<PathBuf>,
}

pub fn run(args: Args) -> anyhow::Result<Outcome> {
    let classifier = load_model(args.model.as_deref())?;
    let analyzer = classifier.analyzer();
    let options = args.read.options()?;
    let mut out = super::ShownControls::stdout();
    let mut a = AnalyzedText::default();
    let mut rejected = 0u64;
    for input in &args.read.inputs() {
        let mut source = cuishou::io::open(input, &options)?;
        while let Some(item) = source.next_item() {
            match item? {
                Item::Record(r) => {
                    analyzer.analyze(r.text(), &mut a);
                    let tokens: Vec<String> = a
                        .tokens
                        .iter()
                        .map(|t| display_placeholders(a.token_text(t)))
                        .filter(|t| !t.trim().is_empty())
                        .collect();
                    writeln!(
                        out,
                        "{}:{}\t{}",
                        input,
                        r.line,
                        display_placeholders(&a.normalized.text).replace('\n', " ")
                    )?;
                    writeln!(out, "\t{}", tokens.join(" | "))?;
                }
                Item::Reject(r) => {
                    rejected += 1;
                    writeln!(out, "{}:{}\trejected: {}", input, r.line, r.reason)?
                }
            }
        }
    }
    out.flush()?;
    // like classify: 3 when some records were rejected
    Ok(if rejected > 0 { Outcome::SomeRejected } else { Outcome::Done })
}
