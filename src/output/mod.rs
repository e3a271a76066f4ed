//! The output format, in one place: the columns cuishou adds, how confidence is rounded, the
//! evidence field and redaction. Every writer (CSV, JSON Lines, rejects, reports) and every
//! reader of a classified file goes through here. Label names come from the model's label set.

pub mod evidence;
pub mod redact;

use std::borrow::Cow;
use std::fmt::Write;

use crate::labels::{Label, LabelSet, TagSet};
use crate::prediction::Prediction;

pub use evidence::{format_evidence, marked_pieces, parse_evidence, span_texts, write_evidence};
pub use redact::redact;

/// What the CSV and JSON Lines sinks write besides label, confidence, tags and evidence.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct OutputOptions {
    /// Mask private data in every field written (see [`redact()`]).
    pub redact: bool,
    /// Add the `review` flag (`--min-confidence`): `true` for a message sent to review.
    pub review: bool,
    /// Add each label's probability: `p_<label>` columns, or a `probabilities` object.
    pub probabilities: bool,
    /// Write CSV cells that a spreadsheet would run as formulas with a leading `'`
    /// ([`neutralize_formula`]). Off by default: the output is evidence and keeps exact text.
    pub spreadsheet_safe: bool,
    /// Add the `k` most probable labels with their probabilities (fastText's `predict-prob k`):
    /// `top1_label, top1_p, …` columns, or a `top` list of `{label, p}`; 0 for none.
    pub top_k: usize,
}

/// The JSON Lines field of `top_k`.
pub const TOP_FIELD: &str = "top";

/// The labels of `p` (output indices) from most to least probable (ties: the label set's
/// order), at most `k`.
pub fn top_labels(p: &Prediction, k: usize) -> Vec<(usize, f32)> {
    let mut ranked: Vec<(usize, f32)> = p.scores.labels.iter().copied().enumerate().collect();
    ranked.sort_by(|a, b| b.1.total_cmp(&a.1));
    ranked.truncate(k.min(ranked.len()));
    ranked
}

/// The columns cuishou adds.
pub const OUTPUT_COLUMNS: [&str; 4] = ["label", "confidence", "tags", "evidence"];

/// The column added by `--min-confidence`.
pub const REVIEW_COLUMN: &str = "review";

/// The probability columns of `--probabilities`, one per label of the set in its order:
/// `p_<label>`.
pub fn probability_columns(labels: &LabelSet) -> Vec<String> {
    labels.names().iter().map(|l| format!("p_{l}")).collect()
}

/// The field of JSON Lines output that holds the label probabilities.
pub const PROBABILITIES_FIELD: &str = "probabilities";

/// What the added columns are prefixed with when the input has a column of one of their names.
pub const CLASH_PREFIX: &str = "cuishou_";

/// The names of the added columns for a model of `labels`: `label`… (then `review`, then the
/// probability and top-k columns, when asked for), or `cuishou_label`… where the input already
/// has a column of one of those names.
pub fn output_columns(input: &[String], options: &OutputOptions, labels: &LabelSet) -> Vec<String> {
    let added = added_names(options, Form::Columns, labels);
    let prefix = clash_of(input.iter().map(String::as_str), &added);
    added.iter().map(|c| format!("{prefix}{c}")).collect()
}

/// How the added values are laid out: CSV columns, or the fields of a JSON object (where the
/// probabilities are one `probabilities` object).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Form {
    /// `p_<label>` columns.
    Columns,
    /// One `probabilities` field.
    Object,
}

/// For each column added under `options` for a model of `labels`, in [`output_columns`]' order,
/// whether it holds a number (a confidence or a probability): what a spreadsheet writer stores as
/// a number.
pub fn numeric_output_columns(options: &OutputOptions, labels: &LabelSet) -> Vec<bool> {
    let probabilities = probability_columns(labels);
    added_names(options, Form::Columns, labels)
        .iter()
        .map(|c| {
            c == "confidence" || probabilities.iter().any(|p| p == c) || (c.starts_with("top") && c.ends_with("_p"))
        })
        .collect()
}

/// The names added under `options` for a model of `labels`, unprefixed.
fn added_names(options: &OutputOptions, form: Form, labels: &LabelSet) -> Vec<Cow<'static, str>> {
    let mut names: Vec<Cow<'static, str>> = OUTPUT_COLUMNS.into_iter().map(Cow::Borrowed).collect();
    if options.review {
        names.push(Cow::Borrowed(REVIEW_COLUMN));
    }
    let k = options.top_k.min(labels.len());
    match form {
        Form::Columns => {
            if options.probabilities {
                names.extend(probability_columns(labels).into_iter().map(Cow::Owned));
            }
            for rank in 1..=k {
                names.push(Cow::Owned(format!("top{rank}_label")));
                names.push(Cow::Owned(format!("top{rank}_p")));
            }
        }
        Form::Object => {
            if options.probabilities {
                names.push(Cow::Borrowed(PROBABILITIES_FIELD));
            }
            if k > 0 {
                names.push(Cow::Borrowed(TOP_FIELD));
            }
        }
    }
    names
}

/// `cuishou_` when one of the added names would overwrite one of `input`'s, else nothing: an
/// input's own `label` column or field is kept, never overwritten.
pub fn clash_prefix<'a>(
    input: impl Iterator<Item = &'a str>,
    options: &OutputOptions,
    form: Form,
    labels: &LabelSet,
) -> &'static str {
    clash_of(input, &added_names(options, form, labels))
}

fn clash_of<'a>(mut input: impl Iterator<Item = &'a str>, added: &[Cow<'static, str>]) -> &'static str {
    if input.any(|i| added.iter().any(|c| c == i)) { CLASH_PREFIX } else { "" }
}

/// A probability as the CSV writes it: four decimals.
pub fn write_probability(out: &mut String, p: f32) {
    let _ = write!(out, "{p:.4}");
}

/// A probability rounded to four decimals, as JSON carries it and as the CSV writes it.
pub fn round4(p: f32) -> f64 {
    (f64::from(p) * 10_000.0).round() / 10_000.0
}

/// Whether `c` is a control character that output for people shows rather than passes on: C0
/// controls other than tab and line breaks, DEL, and C1 controls (ESC starts terminal escape
/// sequences; OSC 8 makes links).
pub fn is_shown_control(c: char) -> bool {
    (c.is_control() && !matches!(c, '\t' | '\n' | '\r')) || matches!(c, '\u{2028}' | '\u{2029}')
}

/// Appends a visible stand-in for control character `c`: its Control Pictures symbol (`␛` for
/// ESC, `␡` for DEL) or, for the others, `⟨UXXXX⟩`. The stand-ins hold no ASCII punctuation, so
/// they need no escaping in HTML or Markdown.
pub fn show_control(c: char, out: &mut String) {
    match c as u32 {
        n @ 0..=0x1F => out.push(char::from_u32(0x2400 + n).unwrap_or('\u{FFFD}')),
        0x7F => out.push('\u{2421}'),
        n => {
            let _ = write!(out, "⟨U{n:04X}⟩");
        }
    }
}

/// `s` with its control characters shown ([`show_control`]), for a terminal or a page.
pub fn show_controls(s: &str) -> Cow<'_, str> {
    if !s.chars().any(is_shown_control) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if is_shown_control(c) { show_control(c, &mut out) } else { out.push(c) }
    }
    Cow::Owned(out)
}

/// A cell that a spreadsheet would run as a formula (it starts with `=`, `+`, `-`, `@`, a tab or
/// a carriage return) gets a leading `'`, so it is shown as text (OWASP's advice for CSV
/// injection). Exact text is kept everywhere else: classify's CSV is evidence, and changes only
/// under `--spreadsheet-safe`.
pub fn neutralize_formula(cell: &str) -> Cow<'_, str> {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        Cow::Owned(format!("'{cell}"))
    } else {
        Cow::Borrowed(cell)
    }
}

/// Reads back the prediction that a classified row carries, `field` giving a column's value by
/// name. The row's `label` column, or `cuishou_label` when `classify` had to rename its columns
/// (`prefixed`), must hold a built-in label (the reports, which read classified files, know only
/// those); confidence defaults to 1, tags and evidence to none.
pub fn recorded_prediction<'a>(field: impl Fn(&str) -> Option<&'a str>, prefixed: bool) -> Result<Prediction, String> {
    let prefix = if prefixed { CLASH_PREFIX } else { "" };
    let name = |c: &str| format!("{prefix}{c}");
    let [label, confidence, tags, evidence] = OUTPUT_COLUMNS.map(name);
    let raw = field(&label).ok_or_else(|| format!("no {label:?} field"))?;
    let label: Label = raw.parse().map_err(|_| {
        format!(
            "label {raw:?} is not one of the four built-in labels ({}): a classified file of a model with labels of its own cannot be read back",
            LabelSet::builtin().joined()
        )
    })?;
    let confidence = field(&confidence).and_then(|c| c.trim().parse().ok()).unwrap_or(1.0);
    let tags = match field(&tags) {
        Some(t) => TagSet::parse_field(t).map_err(|e| format!("{e}"))?,
        None => TagSet::default(),
    };
    let evidence = field(&evidence).map(parse_evidence).unwrap_or_default();
    Ok(Prediction::recorded(label, confidence, tags, evidence))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn added_columns_are_prefixed_only_on_a_clash() {
        let plain = OutputOptions::default();
        let builtin = LabelSet::builtin();
        assert_eq!(output_columns(&names(&["id", "text"]), &plain, &builtin), OUTPUT_COLUMNS);
        let clash = output_columns(&names(&["text", "tags"]), &plain, &builtin);
        assert_eq!(clash[0], "cuishou_label");
        let all = OutputOptions { review: true, probabilities: true, ..OutputOptions::default() };
        let cols = output_columns(&names(&["text", "p_other"]), &all, &builtin);
        assert_eq!(cols.len(), 4 + 1 + 4);
        assert!(cols.iter().all(|c| c.starts_with(CLASH_PREFIX)));
        let with = |input: [&'static str; 2], options, form| clash_prefix(input.into_iter(), options, form, &builtin);
        assert_eq!(with(["text", "probabilities"], &all, Form::Object), CLASH_PREFIX);
        assert_eq!(with(["text", "probabilities"], &all, Form::Columns), "");
        assert_eq!(with(["text", "probabilities"], &plain, Form::Object), "");
        // a label set of one's own names its probability and top-k columns
        let own = LabelSet::new(&["bill", "promo", "personal"]).unwrap();
        let top = OutputOptions { probabilities: true, top_k: 9, ..OutputOptions::default() };
        let cols = output_columns(&names(&["text"]), &top, &own);
        assert_eq!(&cols[4..7], ["p_bill", "p_promo", "p_personal"]);
        assert_eq!((cols.len(), cols.last().map(String::as_str)), (4 + 3 + 2 * 3, Some("top3_p")));
    }

    #[test]
    fn controls_are_shown_and_formulas_neutralized() {
        assert_eq!(show_controls("a\u{1b}[31mb\u{7f}\u{9b}c\td"), "a␛[31mb␡⟨U009B⟩c\td");
        assert!(matches!(show_controls("还钱\n"), Cow::Borrowed(_)));
        for f in ["=1+1", "+86", "-2", "@SUM(A1)", "\tx", "\rx"] {
            assert_eq!(neutralize_formula(f), format!("'{f}"));
        }
        assert_eq!(neutralize_formula("平台A"), "平台A");
    }

    #[test]
    fn probabilities_are_rounded_alike() {
        let mut s = String::new();
        write_probability(&mut s, 0.123_456);
        assert_eq!((s.as_str(), round4(0.123_456)), ("0.1235", 0.1235));
    }

    #[test]
    fn recorded_predictions_read_plain_or_prefixed_columns() {
        let row = [("label", "intimidation"), ("tags", "contacts"), ("evidence", "通讯录@2-5")];
        let get = |n: &str| row.iter().find(|(k, _)| *k == n).map(|(_, v)| *v);
        let p = recorded_prediction(get, false).unwrap();
        assert_eq!(
            (p.label, p.tags.to_field(), p.evidence.len(), p.confidence),
            (Label::Intimidation, "contacts".into(), 1, 1.0)
        );
        let row = [("label", "gold"), ("cuishou_label", "threat")];
        let get = |n: &str| row.iter().find(|(k, _)| *k == n).map(|(_, v)| *v);
        assert!(recorded_prediction(get, true).unwrap_err().contains("not one of the four built-in labels"));
        assert!(recorded_prediction(|_| None, false).unwrap_err().contains("no \"label\" field"));
    }
}
