//! The JSON forms of both reports: the same counts the HTML pages tag with JSON Pointers.

use serde_json::{Map, Value, json};

use super::tag_list;
use crate::output::span_texts;
use crate::report::RunInfo;
use crate::report::evidence::{EvidenceReport, Message};
use crate::report::scan::ScanReport;

/// The run a report came from, for its JSON form: `{"generated", "cuishou_version",
/// "model_sha256", "files": [{"name", "bytes", "sha256"}], "declared", "read", "rejected"}`
/// (file names masked when the report is redacted).
pub fn run_json(info: &RunInfo) -> Value {
    let files: Vec<Value> = info
        .custody
        .files
        .iter()
        .map(|f| {
            let name = super::input_name(info, &f.name);
            json!({"name": name, "bytes": f.bytes, "sha256": f.sha256})
        })
        .collect();
    json!({
        "generated": info.generated,
        "cuishou_version": info.custody.version,
        "model_sha256": info.custody.model_sha256,
        "files": files,
        "declared": info.declared,
        "read": info.read,
        "rejected": info.rejected,
    })
}

impl EvidenceReport {
    /// The JSON form: `{"senders": [{"sender", "contact_name", "counts", "tags", "first", "last",
    /// "messages": [{"id", "time", "text", "label", "tags", "evidence"}], "review": [the same,
    /// for messages sent to review, with the label the model leaned to]}], "total", "outgoing",
    /// "excluded", "unparsed_times"}`: messages sent from the phone and of excluded senders count in
    /// `total` only; `unparsed_times` counts the times that could not be read.
    pub fn to_json(&self) -> Value {
        let message_json = |m: &Message| {
            let evidence: Vec<Value> = m
                .evidence
                .iter()
                .zip(span_texts(&m.text, &m.evidence))
                .map(|(sp, text)| json!({"start": sp.start, "end": sp.end, "text": text}))
                .collect();
            json!({
                "id": m.id,
                "time": m.time_iso(),
                "text": m.text,
                "label": m.label.as_str(),
                "tags": tag_list(m.tags),
                "evidence": evidence,
            })
        };
        let senders: Vec<Value> = self
            .senders
            .iter()
            .map(|s| {
                let messages: Vec<Value> = s.messages.iter().map(message_json).collect();
                let mut o = Map::new();
                o.insert("sender".into(), json!(s.sender));
                o.insert("contact_name".into(), json!(s.contact_name));
                o.insert("counts".into(), json!(s.counts));
                o.insert("tags".into(), json!(s.tags));
                o.insert("first".into(), json!(s.first.map(|t| t.to_iso())));
                o.insert("last".into(), json!(s.last.map(|t| t.to_iso())));
                o.insert("messages".into(), Value::Array(messages));
                o.insert("review".into(), Value::Array(s.review.iter().map(message_json).collect()));
                let attachments: Vec<Value> = s
                    .attachments
                    .iter()
                    .map(|a| json!({"id": a.id, "time": a.time.map(|t| t.to_iso()), "note": a.note}))
                    .collect();
                o.insert("attachments".into(), Value::Array(attachments));
                Value::Object(o)
            })
            .collect();
        let mut o = Map::new();
        o.insert("senders".into(), Value::Array(senders));
        o.insert("total".into(), json!(self.total));
        o.insert("outgoing".into(), json!(self.outgoing));
        o.insert("excluded".into(), json!(self.excluded));
        o.insert("unparsed_times".into(), json!(self.unparsed_times.0));
        Value::Object(o)
    }
}

impl ScanReport {
    /// The JSON form: `{"total", "review", "by_label": {label: n}, "by_tag": {tag: n},
    /// "by_platform": {platform: {label: n}}, "by_month": {"YYYY-MM": {label: n}}}`, platforms
    /// most unlawful first, months in order; `review` counts the messages sent to review (also
    /// counted as `other`); `empty` the messages with no text, counted under no label.
    pub fn to_json(&self) -> Value {
        let mut by_platform = Map::new();
        for p in &self.platforms {
            by_platform.insert(p.name.clone(), json!(p.labels));
        }
        let mut by_month = Map::new();
        for (m, c) in &self.months {
            by_month.insert(m.clone(), json!(c));
        }
        let mut o = Map::new();
        o.insert("total".into(), json!(self.total));
        o.insert("review".into(), json!(self.review));
        o.insert("empty".into(), json!(self.empty));
        o.insert("unparsed_times".into(), json!(self.unparsed_times.0));
        o.insert("by_label".into(), json!(self.by_label));
        o.insert("by_tag".into(), json!(self.by_tag));
        o.insert("by_platform".into(), Value::Object(by_platform));
        o.insert("by_month".into(), Value::Object(by_month));
        Value::Object(o)
    }
}
