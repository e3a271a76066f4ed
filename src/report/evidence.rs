//! The evidence report for one phone: per sender, counts by label and tag, first and last
//! message, messages per day, and every unlawful message in time order with its evidence spans;
//! the sink that gathers it, and its JSON and Markdown forms.

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;

use super::time::Stamp;
use super::{ColumnNames, Fields, LabelCounts, TagCounts, TimeReader, redact};
use crate::io::{Record, Sink};
use crate::labels::{Label, Tag, TagSet};
use crate::prediction::{Prediction, Span};

/// One unlawful message, as the report shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct Message {
    /// The id in the export (the id column, or the record number of an SMS backup).
    pub id: String,
    /// The parsed time; `None` when there is none or it did not parse.
    pub time: Option<Stamp>,
    /// The time field as it was, for times that did not parse.
    pub time_raw: String,
    /// The message text, masked when the sink redacts.
    pub text: String,
    /// The label given; for a message sent to review, the label the model leaned to.
    pub label: Label,
    /// Probability of `label`.
    pub confidence: f32,
    /// The harms named.
    pub tags: TagSet,
    /// Character spans of `text`, in text order.
    pub evidence: Vec<Span>,
    /// Position in the input, to keep the input order among equal times.
    seq: u64,
}

impl Message {
    /// The time as ISO 8601, or as written when it did not parse.
    pub fn time_iso(&self) -> String {
        self.time.map_or_else(|| self.time_raw.clone(), |t| t.to_iso())
    }

    /// The time for people, or as written when it did not parse.
    pub fn time_display(&self) -> String {
        self.time.map_or_else(|| self.time_raw.clone(), |t| t.to_display())
    }

    /// The text of each evidence span.
    pub fn evidence_texts(&self) -> Vec<String> {
        let chars: Vec<char> = self.text.chars().collect();
        self.evidence
            .iter()
            .map(|s| {
                let end = (s.end as usize).min(chars.len());
                chars[(s.start as usize).min(end)..end].iter().collect()
            })
            .collect()
    }
}

/// Everything the report says about one sender.
#[derive(Debug, Clone, PartialEq)]
pub struct SenderReport {
    /// The number with spaces, dashes and a leading +86 removed; empty when the input has none.
    pub sender: String,
    /// The last contact name the input gave the sender (placeholders for unknown numbers skipped);
    /// empty when none.
    pub contact_name: String,
    /// The sender's received messages by label.
    pub counts: LabelCounts,
    /// Tag counts over the sender's received messages.
    pub tags: TagCounts,
    /// The earliest parsed time of the sender's messages.
    pub first: Option<Stamp>,
    /// The latest parsed time of the sender's messages.
    pub last: Option<Stamp>,
    /// Messages per calendar day, by label, in date order.
    pub days: Vec<(NaiveDate, LabelCounts)>,
    /// The unlawful messages in time order (messages without a time last, in input order).
    pub messages: Vec<Message>,
    /// Messages sent to review (`--min-confidence`): counted as `other`, listed apart with the
    /// label the model leaned to and its confidence, in the same order.
    pub review: Vec<Message>,
    /// The pictures and other attachments the sender sent (an MMS's parts), in time order: often
    /// the threat itself, and not something the model can read.
    pub attachments: Vec<Attachment>,
}

/// A picture or other attachment of an MMS, listed under its sender.
#[derive(Debug, Clone, PartialEq)]
pub struct Attachment {
    /// The message's id in the export.
    pub id: String,
    /// When it was sent, when the time parsed.
    pub time: Option<Stamp>,
    /// The parts, `content-type name;…`, as the export names them.
    pub note: String,
    /// Position in the input, to keep the input order among equal times.
    seq: u64,
}

impl SenderReport {
    /// The sender's intimidation and doctored-image threats.
    pub fn unlawful(&self) -> u64 {
        self.counts.unlawful()
    }

    /// Calendar days from the first message to the last, both included.
    pub fn span_days(&self) -> i64 {
        match (self.first, self.last) {
            (Some(a), Some(b)) => (b.date() - a.date()).num_days() + 1,
            _ => 0,
        }
    }

    /// Messages per day over the span from first to last message.
    pub fn per_day(&self) -> f64 {
        let timed: u64 = self.days.iter().map(|(_, c)| c.total()).sum();
        let days = self.span_days();
        if days > 0 { timed as f64 / days as f64 } else { 0.0 }
    }

    /// The busiest day and its message count.
    pub fn busiest_day(&self) -> Option<(NaiveDate, u64)> {
        self.days.iter().map(|(d, c)| (*d, c.total())).max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(&a.0)))
    }
}

/// The whole report: senders with at least one collection message (lawful or not) received,
/// most unlawful messages first; `total` counts every message read, sent ones included.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct EvidenceReport {
    /// The senders included, most unlawful messages first.
    pub senders: Vec<SenderReport>,
    /// Every message read, sent ones included.
    pub total: u64,
    /// Senders left out because every message of theirs is `other`.
    pub other_senders: u64,
    /// Messages sent from the phone (the owner's replies), counted in `total` only (unless
    /// [`EvidenceSink::include_sent`]).
    pub outgoing: u64,
    /// Messages of the senders the user excluded ([`EvidenceSink::exclude_senders`]), counted
    /// in `total` only.
    pub excluded: u64,
    /// Message times that could not be read (so left out of first, last and the daily counts),
    /// and the first of them as written.
    pub unparsed_times: (u64, Option<String>),
}

#[derive(Debug, Default)]
struct SenderAcc {
    sender: String,
    contact_name: String,
    counts: LabelCounts,
    tags: TagCounts,
    first: Option<Stamp>,
    last: Option<Stamp>,
    days: BTreeMap<NaiveDate, LabelCounts>,
    messages: Vec<Message>,
    review: Vec<Message>,
    attachments: Vec<Attachment>,
}

/// Gathers the evidence report from classified messages. Memory grows with the unlawful
/// messages and the days of activity (one phone's worth), not with the other messages.
pub struct EvidenceSink {
    names: ColumnNames,
    fields: Fields,
    redact: bool,
    index: HashMap<String, usize>,
    senders: Vec<SenderAcc>,
    total: u64,
    outgoing: u64,
    /// Normalized senders whose messages are left out.
    excluded_senders: Vec<String>,
    excluded: u64,
    include_sent: bool,
    times: TimeReader,
}

/// A sender number without its formatting: spaces, dashes, brackets and a +86/0086 prefix of a
/// mobile number go; names and short codes stay as they are (trimmed).
pub fn normalize_sender(s: &str) -> String {
    let s = s.trim();
    let phone_like = !s.is_empty() && s.chars().all(|c| c.is_ascii_digit() || " -()+".contains(c));
    if !phone_like {
        return s.to_string();
    }
    let digits: String = s.chars().filter(|c| c.is_ascii_digit()).collect();
    for prefix in ["0086", "86"] {
        if let Some(rest) = digits.strip_prefix(prefix)
            && rest.len() == 11
            && rest.starts_with('1')
        {
            return rest.to_string();
        }
    }
    // a landline after an explicit country code (+86 or 0086) takes back its trunk 0:
    // +86 21 1234 5678 and 021-1234-5678 are one sender
    let international = s.starts_with('+') || digits.starts_with("0086");
    if let Some(rest) = digits.strip_prefix("0086").or_else(|| digits.strip_prefix("86"))
        && international
        && (9..=11).contains(&rest.len())
        && !rest.starts_with(['0', '1'])
    {
        return format!("0{rest}");
    }
    digits
}

/// Contact names that SMS Backup & Restore writes for unknown numbers.
fn is_placeholder_name(s: &str) -> bool {
    matches!(s.trim(), "" | "(Unknown)" | "null" | "(未知)")
}

impl EvidenceSink {
    /// A sink reading the columns `names`; `redact` masks numbers and addresses in what it keeps.
    pub fn new(names: ColumnNames, redact: bool) -> EvidenceSink {
        EvidenceSink {
            names,
            fields: Fields::absent(),
            redact,
            index: HashMap::new(),
            senders: Vec::new(),
            total: 0,
            outgoing: 0,
            excluded_senders: Vec::new(),
            excluded: 0,
            include_sent: false,
            times: TimeReader::default(),
        }
    }

    /// The day the export was made: `昨天 10:00`, `3月3日 10:00` and the like count from it.
    pub fn reference_date(mut self, date: Option<chrono::NaiveDate>) -> EvidenceSink {
        self.times.reference = date;
        self
    }

    /// Leaves out the messages of these senders (a relative who forwarded a threat, a friend's
    /// joke): compared as normalized numbers, so `+86 138 0013 8000` matches `13800138000`.
    pub fn exclude_senders(mut self, senders: &[String]) -> EvidenceSink {
        self.excluded_senders = senders.iter().map(|s| normalize_sender(s)).collect();
        self
    }

    /// Lists the messages sent from the phone too, under the number they were sent to.
    pub fn include_sent(mut self, include: bool) -> EvidenceSink {
        self.include_sent = include;
        self
    }

    fn masked(&self, s: &str) -> String {
        if self.redact { redact(s) } else { s.to_string() }
    }

    /// The finished report.
    pub fn finish(self) -> EvidenceReport {
        let mut other_senders = 0;
        let mut senders: Vec<SenderReport> = Vec::new();
        for mut acc in self.senders {
            let all_other = acc.counts.get(Label::Other) == acc.counts.total();
            if all_other && acc.review.is_empty() && acc.attachments.is_empty() {
                other_senders += 1;
                continue;
            }
            for list in [&mut acc.messages, &mut acc.review] {
                list.sort_by_key(|m| (m.time.is_none(), m.time.map(|t| t.local), m.seq));
            }
            acc.attachments.sort_by_key(|a| (a.time.is_none(), a.time.map(|t| t.local), a.seq));
            senders.push(SenderReport {
                sender: acc.sender,
                contact_name: acc.contact_name,
                counts: acc.counts,
                tags: acc.tags,
                first: acc.first,
                last: acc.last,
                days: acc.days.into_iter().collect(),
                messages: acc.messages,
                review: acc.review,
                attachments: acc.attachments,
            });
        }
        senders.sort_by(|a, b| {
            b.unlawful()
                .cmp(&a.unlawful())
                .then(
                    (b.counts.total() - b.counts.get(Label::Other))
                        .cmp(&(a.counts.total() - a.counts.get(Label::Other))),
                )
                .then(a.first.map(|t| t.local).cmp(&b.first.map(|t| t.local)))
                .then(a.sender.cmp(&b.sender))
        });
        EvidenceReport {
            senders,
            total: self.total,
            other_senders,
            outgoing: self.outgoing,
            excluded: self.excluded,
            unparsed_times: (self.times.unparsed, self.times.example),
        }
    }
}

impl Sink for EvidenceSink {
    fn begin(&mut self, columns: &[String]) -> std::io::Result<()> {
        self.fields = self.names.resolve(columns);
        Ok(())
    }

    fn write(&mut self, record: &Record, p: &Prediction) -> std::io::Result<()> {
        self.total += 1;
        if !self.include_sent && self.fields.is_outgoing(record) {
            self.outgoing += 1;
            return Ok(());
        }
        let key = self.fields.sender.get(record).map(|s| normalize_sender(&s)).unwrap_or_default();
        if self.excluded_senders.contains(&key) {
            self.excluded += 1;
            return Ok(());
        }
        let i = match self.index.get(&key) {
            Some(&i) => i,
            None => {
                let sender = self.masked(&key);
                self.senders.push(SenderAcc { sender, ..SenderAcc::default() });
                self.index.insert(key, self.senders.len() - 1);
                self.senders.len() - 1
            }
        };
        let contact =
            self.fields.contact_name.get(record).filter(|c| !is_placeholder_name(c)).map(|c| self.masked(c.trim()));
        let time_raw = self.fields.time.get(record);
        let stamp = self.times.read(time_raw.as_deref());
        let seq = self.total;
        let redact_text = self.redact;
        let acc = &mut self.senders[i];
        if let Some(c) = contact {
            acc.contact_name = c;
        }
        acc.counts.add(p.label);
        acc.tags.add(p.tags);
        if let Some(t) = stamp {
            if acc.first.is_none_or(|f| t.local < f.local) {
                acc.first = Some(t);
            }
            if acc.last.is_none_or(|l| t.local > l.local) {
                acc.last = Some(t);
            }
            acc.days.entry(t.date()).or_default().add(p.label);
        }
        if let Some(note) = self.fields.attachments.get(record).filter(|n| !n.trim().is_empty()) {
            let id = self.fields.id(record, seq);
            acc.attachments.push(Attachment {
                id: if redact_text { redact(&id) } else { id },
                time: stamp,
                note: if redact_text { redact(note.trim()) } else { note.trim().to_string() },
                seq,
            });
        }
        if p.label.is_unlawful() || p.review {
            let text = record.text();
            // a message sent to review is shown with the label the model leaned to
            let (label, confidence) = if p.review {
                // (reports take the built-in labels only: output k is Label::ALL[k])
                let (k, confidence) = p.scores.best();
                (Label::from_index(k).unwrap_or(Label::Other), confidence)
            } else {
                (p.label, p.confidence)
            };
            let id = self.fields.id(record, seq);
            let time_raw = time_raw.map(|t| t.trim().to_string()).unwrap_or_default();
            let m = Message {
                id: if redact_text { redact(&id) } else { id },
                time: stamp,
                // a time that did not parse is shown as written: it may hold anything
                time_raw: if redact_text { redact(&time_raw) } else { time_raw },
                text: if redact_text { redact(text) } else { text.to_string() },
                label,
                confidence,
                tags: p.tags,
                evidence: p.evidence.clone(),
                seq,
            };
            if p.review { acc.review.push(m) } else { acc.messages.push(m) }
        }
        Ok(())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl EvidenceReport {
    /// The tags that any included message carries, in the fixed tag order.
    pub fn tags_present(&self) -> Vec<Tag> {
        let mut all = TagCounts::default();
        for s in &self.senders {
            all.merge(&s.tags);
        }
        Tag::ALL.into_iter().filter(|t| all.get(*t) > 0).collect()
    }

    /// Counts by label over the included senders.
    pub fn counts(&self) -> LabelCounts {
        let mut c = LabelCounts::default();
        for s in &self.senders {
            c.merge(&s.counts);
        }
        c
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::prediction::{LabelValues, Scores};
    use crate::report::RunInfo;
    use crate::report::render::{REVIEW_HEADING, activity_line};

    fn columns() -> Vec<String> {
        ["id", "sender", "contact_name", "time", "text"].iter().map(|s| s.to_string()).collect()
    }

    /// id, sender, contact name, time, text, label, tags, evidence
    type Row<'a> = (&'a str, &'a str, &'a str, &'a str, &'a str, Label, &'a str, &'a [Span]);

    fn feed(sink: &mut EvidenceSink, rows: &[Row<'_>]) {
        sink.begin(&columns()).unwrap();
        for (line, (id, sender, name, time, text, label, tags, evidence)) in rows.iter().enumerate() {
            let r = Record {
                line: line as u64 + 1,
                fields: [id, sender, name, time, text].iter().map(|s| s.to_string()).collect(),
                text_field: 4,
                object: None,
            };
            let p = Prediction {
                class: label.index(),
                label: *label,
                confidence: 0.9,
                scores: Scores { labels: LabelValues::zeros(4), tags: [0.0; 7] },
                tags: TagSet::parse_field(tags).unwrap(),
                evidence: evidence.to_vec(),
                review: false,
            };
            sink.write(&r, &p).unwrap();
        }
    }

    #[test]
    fn senders_are_grouped_by_number_and_sorted_by_unlawful_messages() {
        use Label::*;
        let mut sink = EvidenceSink::new(ColumnNames::default(), false);
        feed(
            &mut sink,
            &[
                ("1", "10690001", "", "2024-03-01 09:00", "【速融宝】您的借款明日到期", LawfulReminder, "", &[]),
                (
                    "2",
                    "138 1111 2222",
                    "催收A",
                    "2024-03-03 21:00",
                    "再不还就打你爸妈电话",
                    Intimidation,
                    "contacts",
                    &[],
                ),
                (
                    "3",
                    "+86 13811112222",
                    "(Unknown)",
                    "2024-03-02 08:00",
                    "遗照做好了",
                    DoctoredImageThreat,
                    "image",
                    &[Span { start: 0, end: 2 }],
                ),
                ("4", "13900001111", "妈妈", "2024-03-02 12:00", "晚上回来吃饭吗", Other, "", &[]),
                ("5", "13811112222", "", "2024-03-03 22:00", "今晚去你家", Intimidation, "visit;contacts", &[]),
            ],
        );
        let r = sink.finish();
        assert_eq!(r.total, 5);
        assert_eq!(r.other_senders, 1, "a sender of only `other` messages is left out");
        assert_eq!(r.senders.len(), 2);
        let a = &r.senders[0];
        assert_eq!((a.sender.as_str(), a.contact_name.as_str()), ("13811112222", "催收A"));
        assert_eq!((a.counts.get(Intimidation), a.counts.get(DoctoredImageThreat), a.unlawful()), (2, 1, 3));
        assert_eq!((a.tags.get(Tag::Contacts), a.tags.get(Tag::Visit), a.tags.get(Tag::Image)), (2, 1, 1));
        let ids: Vec<&str> = a.messages.iter().map(|m| m.id.as_str()).collect();
        assert_eq!(ids, ["3", "2", "5"], "unlawful messages in time order");
        assert_eq!(a.first.unwrap().to_iso(), "2024-03-02T08:00:00");
        assert_eq!(a.last.unwrap().to_iso(), "2024-03-03T22:00:00");
        assert_eq!((a.span_days(), a.days.len()), (2, 2));
        assert!((a.per_day() - 1.5).abs() < 1e-9);
        assert_eq!(a.busiest_day().unwrap().1, 2);
        assert_eq!(r.senders[1].sender, "10690001");
        assert!(r.senders[1].messages.is_empty());
        assert_eq!(a.messages[0].evidence_texts(), ["遗照"]);
    }

    #[test]
    fn redaction_masks_senders_and_texts_but_keeps_them_apart() {
        let mut sink = EvidenceSink::new(ColumnNames::default(), true);
        feed(
            &mut sink,
            &[
                ("1", "13811112222", "", "", "打13900001111问问你妈", Label::Intimidation, "contacts", &[]),
                ("2", "13711112222", "", "", "爆你通讯录", Label::Intimidation, "contacts", &[]),
            ],
        );
        let r = sink.finish();
        assert_eq!(r.senders.len(), 2, "same last four digits, still two senders");
        assert!(r.senders.iter().all(|s| s.sender == "*******2222"));
        let texts: Vec<&str> = r.senders.iter().flat_map(|s| s.messages.iter().map(|m| m.text.as_str())).collect();
        assert!(texts.contains(&"打*******1111问问你妈"));
        assert_eq!(r.senders[0].first, None);
        assert!(activity_line(&r.senders[0]).contains("无可读的时间"));
    }

    #[test]
    fn redaction_masks_ids_unparsed_times_and_source_names_in_every_form() {
        let mut sink = EvidenceSink::new(ColumnNames::default(), true);
        feed(
            &mut sink,
            &[("13811112222", "13911113333", "", "昨晚 13711114444 打来", "打你", Label::Intimidation, "", &[])],
        );
        let r = sink.finish();
        let m = &r.senders[0].messages[0];
        assert_eq!((m.id.as_str(), m.time_display().as_str()), ("*******2222", "昨晚 *******4444 打来"));
        let info = RunInfo { inputs: vec!["张三-13611115555.xml".into()], redacted: true, ..RunInfo::default() };
        let md = r.to_markdown(&info);
        let html = crate::report::render::html::evidence_html(&r, &info);
        let json = r.to_json().to_string();
        for (form, out) in [("md", &md), ("html", &html), ("json", &json)] {
            for secret in ["1381111", "1391111", "1371111", "1361111"] {
                assert!(!out.contains(secret), "{form} shows {secret}");
            }
        }
        assert!(md.contains(r"张三\-\*\*\*\*\*\*\*5555\.xml") && html.contains(r#"data-id="*******2222""#));
    }

    #[test]
    fn messages_sent_from_the_phone_are_not_evidence() {
        let mut sink = EvidenceSink::new(ColumnNames::default(), false);
        let columns: Vec<String> = ["sender", "type", "text"].iter().map(|s| s.to_string()).collect();
        sink.begin(&columns).unwrap();
        for (kind, label) in [("received", Label::Intimidation), ("sent", Label::Intimidation), ("Sent", Label::Other)]
        {
            let r = Record {
                line: 1,
                fields: vec!["13811112222".into(), kind.into(), "别给我家里人打电话".into()],
                text_field: 2,
                object: None,
            };
            let p = Prediction {
                class: label.index(),
                label,
                confidence: 0.9,
                scores: Scores { labels: LabelValues::zeros(4), tags: [0.0; 7] },
                tags: TagSet::default(),
                evidence: vec![],
                review: false,
            };
            sink.write(&r, &p).unwrap();
        }
        let r = sink.finish();
        assert_eq!((r.total, r.outgoing, r.senders[0].counts.total()), (3, 2, 1));
    }

    #[test]
    fn messages_sent_to_review_are_listed_apart_with_the_label_the_model_leaned_to() {
        let mut sink = EvidenceSink::new(ColumnNames::default(), false);
        sink.begin(&columns()).unwrap();
        let r = Record {
            line: 1,
            fields: ["7", "13800138000", "", "2025-03-01 10:00", "明天去你家坐坐"]
                .iter()
                .map(|s| s.to_string())
                .collect(),
            text_field: 4,
            object: None,
        };
        let p = Prediction {
            class: Label::Other.index(),
            label: Label::Other,
            confidence: 0.35,
            scores: Scores { labels: LabelValues::from_slice(&[0.05, 0.55, 0.05, 0.35]), tags: [0.0; 7] },
            tags: TagSet::default(),
            evidence: vec![Span { start: 2, end: 4 }],
            review: true,
        };
        sink.write(&r, &p).unwrap();
        let report = sink.finish();
        // a sender with only a message under review is listed, its message apart
        assert_eq!(report.senders.len(), 1);
        let s = &report.senders[0];
        assert!(s.messages.is_empty());
        assert_eq!(s.review.len(), 1);
        assert_eq!((s.review[0].label, s.review[0].confidence), (Label::Intimidation, 0.55));
        assert_eq!(s.counts.get(Label::Other), 1);
        assert_eq!(report.to_json()["senders"][0]["review"][0]["id"], "7");
        let md = report.to_markdown(&RunInfo::default());
        assert!(md.contains(REVIEW_HEADING) && md.contains("编号 7"), "{md}");
        let html = crate::report::render::html::evidence_html(&report, &RunInfo::default());
        assert!(html.contains("待人工复核") && html.contains(r#"data-id="7""#));
    }

    #[test]
    fn senders_are_normalized() {
        assert_eq!(normalize_sender(" +86 138-1111-2222 "), "13811112222");
        assert_eq!(normalize_sender("008613811112222"), "13811112222");
        assert_eq!(normalize_sender("10690001"), "10690001");
        assert_eq!(normalize_sender("95588"), "95588");
        assert_eq!(normalize_sender("速融宝"), "速融宝");
        // landlines: with and without the country code, one sender
        assert_eq!(normalize_sender("+86 21 1234 5678"), "02112345678");
        assert_eq!(normalize_sender("0086-755-8888-6666"), "075588886666");
        assert_eq!(normalize_sender("021-1234-5678"), "02112345678");
        assert_eq!(normalize_sender("862112345678"), "862112345678", "no + and no 00: not read as a country code");
    }
}
