//! Reports from an input that is already classified (the output of `cuishou classify`, or a
//! labelled corpus): its label, tags and evidence columns are read instead of classifying again.

use std::time::Instant;

use crate::io::{Item, Record, RejectWriter, Sink, Source};
use crate::labels::{Label, TagSet};
use crate::model::{Prediction, Scores, Span};
use crate::pipeline::{FileCounts, PipelineError, Summary};

/// Records between two flushes of the sink.
const CHUNK: u64 = 4096;

/// The column names of a classified input: `cuishou_label`… when `classify` had to rename them,
/// else `label`….
struct LabelColumns {
    label: &'static str,
    confidence: &'static str,
    tags: &'static str,
    evidence: &'static str,
}

const PLAIN: LabelColumns =
    LabelColumns { label: "label", confidence: "confidence", tags: "tags", evidence: "evidence" };
const PREFIXED: LabelColumns = LabelColumns {
    label: "cuishou_label",
    confidence: "cuishou_confidence",
    tags: "cuishou_tags",
    evidence: "cuishou_evidence",
};

/// Whether a source's columns carry labels (`label` or `cuishou_label`).
pub fn has_labels(columns: &[String]) -> bool {
    columns.iter().any(|c| c == PLAIN.label || c == PREFIXED.label)
}

fn field<'a>(record: &'a Record, columns: &[String], name: &str) -> Option<&'a str> {
    if let Some(i) = columns.iter().position(|c| c == name) {
        return record.fields.get(i).map(String::as_str);
    }
    record.object.as_ref()?.get(name)?.as_str()
}

/// Parses `SPAN@START-END;…` (the evidence field of `cuishou classify`) into spans.
pub fn parse_evidence(field: &str) -> Vec<Span> {
    let mut spans: Vec<Span> = field
        .split(';')
        .filter_map(|part| {
            let (_, range) = part.rsplit_once('@')?;
            let (s, e) = range.split_once('-')?;
            let (start, end) = (s.trim().parse().ok()?, e.trim().parse().ok()?);
            (start < end).then_some(Span { start, end })
        })
        .collect();
    spans.sort();
    spans
}

/// The prediction a classified record carries, or why it has none.
fn prediction(record: &Record, columns: &[String]) -> Result<Prediction, String> {
    let prefixed = columns.iter().any(|c| c == PREFIXED.label)
        || (!has_labels(columns) && record.object.as_ref().is_some_and(|o| o.contains_key(PREFIXED.label)));
    let names = if prefixed { &PREFIXED } else { &PLAIN };
    let raw = field(record, columns, names.label).ok_or_else(|| format!("no {:?} field", names.label))?;
    let label: Label = raw.parse().map_err(|e| format!("{e}"))?;
    let confidence = field(record, columns, names.confidence).and_then(|c| c.trim().parse().ok()).unwrap_or(1.0);
    let tags = match field(record, columns, names.tags) {
        Some(t) => TagSet::parse_field(t).map_err(|e| format!("{e}"))?,
        None => TagSet::default(),
    };
    let evidence = field(record, columns, names.evidence).map(parse_evidence).unwrap_or_default();
    let mut labels = [0.0; 4];
    labels[label.index()] = confidence;
    Ok(Prediction { label, confidence, scores: Scores { labels, tags: [0.0; 7] }, tags, evidence, review: false })
}

/// Feeds every record of `sources` with the prediction its columns hold into `sink`; records
/// without a valid label go to `rejects`. All sources must have the same columns.
pub fn run(
    sources: Vec<Box<dyn Source>>,
    sink: &mut dyn Sink,
    rejects: &mut RejectWriter,
    fail_on_reject: bool,
) -> Result<Summary, PipelineError> {
    let started = Instant::now();
    let mut files = Vec::with_capacity(sources.len());
    crate::pipeline::begin_sink(&sources, sink)?;
    let mut since_flush = 0;
    for mut source in sources {
        let mut c = FileCounts { name: source.name().to_string(), ..FileCounts::default() };
        let columns = source.columns().to_vec();
        while let Some(item) = source.next_item() {
            c.read += 1;
            let reject = match item? {
                Item::Record(r) => match prediction(&r, &columns) {
                    Ok(p) => {
                        sink.write(&r, &p)?;
                        c.classified += 1;
                        None
                    }
                    Err(reason) => Some(crate::io::Reject::new(r.line, r.fields.join(",").as_bytes(), reason)),
                },
                Item::Reject(r) => Some(r),
            };
            if let Some(r) = reject {
                c.rejected += 1;
                rejects.write(&c.name, &r)?;
                if fail_on_reject {
                    sink.flush()?;
                    rejects.flush()?;
                    return Err(PipelineError::Rejected { file: c.name, line: r.line, reason: r.reason });
                }
            }
            since_flush += 1;
            if since_flush == CHUNK {
                since_flush = 0;
                sink.flush()?;
                rejects.flush()?;
            }
        }
        files.push(c);
    }
    sink.flush()?;
    rejects.flush()?;
    Ok(Summary { files, elapsed: started.elapsed() })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn evidence_fields_round_trip() {
        let text = "😀再不还就爆 通 讯 录";
        let spans = [Span { start: 5, end: 12 }, Span { start: 1, end: 3 }];
        let field = crate::model::format_evidence(text, &spans);
        let mut sorted = spans.to_vec();
        sorted.sort();
        assert_eq!(parse_evidence(&field), sorted);
        assert_eq!(parse_evidence(""), []);
        assert_eq!(parse_evidence("a@x-y;b@5-3"), []);
    }

    #[test]
    fn predictions_are_read_from_plain_or_prefixed_columns() {
        let columns: Vec<String> = ["text", "label", "tags", "evidence"].iter().map(|s| s.to_string()).collect();
        let r = Record {
            line: 2,
            fields: vec!["爆你通讯录".into(), "intimidation".into(), "contacts".into(), "通讯录@2-5".into()],
            text_field: 0,
            object: None,
        };
        let p = prediction(&r, &columns).unwrap();
        assert_eq!(
            (p.label, p.tags.to_field(), p.evidence.len(), p.confidence),
            (Label::Intimidation, "contacts".into(), 1, 1.0)
        );
        let columns: Vec<String> =
            ["text", "label", "cuishou_label", "cuishou_tags"].iter().map(|s| s.to_string()).collect();
        let r = Record {
            line: 3,
            fields: vec!["hi".into(), "gold".into(), "other".into(), "".into()],
            text_field: 0,
            object: None,
        };
        assert_eq!(prediction(&r, &columns).unwrap().label, Label::Other);
        let bad = Record { fields: vec!["hi".into(), "x".into(), "threat".into(), "".into()], ..r };
        assert!(prediction(&bad, &columns).unwrap_err().contains("unknown label"));
    }
}
