//! The evidence report for one phone: per sender, counts by label and tag, first and last
//! message, messages per day, and every unlawful message in time order with its evidence spans;
//! the sink that gathers it, and its JSON and Markdown forms.

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;
use serde_json::{Map, Value, json};

use super::law;
use super::time::{self, Stamp};
use super::{ColumnNames, Fields, LabelCounts, RunInfo, TagCounts, redact};
use crate::io::{Record, Sink};
use crate::labels::{Label, Tag, TagSet};
use crate::model::{Prediction, Span};

/// One unlawful message, as the report shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct Message {
    /// The id in the export (the id column, or the record number of an SMS backup).
    pub id: String,
    pub time: Option<Stamp>,
    /// The time field as it was, for times that did not parse.
    pub time_raw: String,
    pub text: String,
    pub label: Label,
    pub confidence: f32,
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
    pub contact_name: String,
    pub counts: LabelCounts,
    pub tags: TagCounts,
    pub first: Option<Stamp>,
    pub last: Option<Stamp>,
    /// Messages per calendar day, by label, in date order.
    pub days: Vec<(NaiveDate, LabelCounts)>,
    /// The unlawful messages in time order (messages without a time last, in input order).
    pub messages: Vec<Message>,
    /// Messages sent to review (`--min-confidence`): counted as `other`, listed apart with the
    /// label the model leaned to and its confidence, in the same order.
    pub review: Vec<Message>,
}

impl SenderReport {
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
    pub senders: Vec<SenderReport>,
    pub total: u64,
    /// Senders left out because every message of theirs is `other`.
    pub other_senders: u64,
    /// Messages sent from the phone (the owner's replies), counted in `total` only.
    pub outgoing: u64,
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
        }
    }

    fn masked(&self, s: &str) -> String {
        if self.redact { redact(s) } else { s.to_string() }
    }

    /// The finished report.
    pub fn finish(self) -> EvidenceReport {
        let mut other_senders = 0;
        let mut senders: Vec<SenderReport> = Vec::new();
        for mut acc in self.senders {
            if acc.counts.get(Label::Other) == acc.counts.total() && acc.review.is_empty() {
                other_senders += 1;
                continue;
            }
            for list in [&mut acc.messages, &mut acc.review] {
                list.sort_by_key(|m| (m.time.is_none(), m.time.map(|t| t.local), m.seq));
            }
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
        EvidenceReport { senders, total: self.total, other_senders, outgoing: self.outgoing }
    }
}

impl Sink for EvidenceSink {
    fn begin(&mut self, columns: &[String]) -> std::io::Result<()> {
        self.fields = self.names.resolve(columns);
        Ok(())
    }

    fn write(&mut self, record: &Record, p: &Prediction) -> std::io::Result<()> {
        self.total += 1;
        if self.fields.is_outgoing(record) {
            self.outgoing += 1;
            return Ok(());
        }
        let key = self.fields.sender.get(record).map(|s| normalize_sender(&s)).unwrap_or_default();
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
        let stamp = time_raw.as_deref().and_then(time::parse);
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
        if p.label.is_unlawful() || p.review {
            let text = record.text();
            // a message sent to review is shown with the label the model leaned to
            let (label, confidence) = if p.review { p.scores.best() } else { (p.label, p.confidence) };
            let id = self.fields.id(record);
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

fn tag_list(tags: TagSet) -> Vec<&'static str> {
    tags.iter().map(Tag::as_str).collect()
}

impl EvidenceReport {
    /// The JSON form: `{"senders": [{"sender", "contact_name", "counts", "tags", "first", "last",
    /// "messages": [{"id", "time", "text", "label", "tags", "evidence"}], "review": [the same,
    /// for messages sent to review, with the label the model leaned to]}], "total"}`.
    pub fn to_json(&self) -> Value {
        let message_json = |m: &Message| {
            let evidence: Vec<Value> = m
                .evidence
                .iter()
                .zip(m.evidence_texts())
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
                Value::Object(o)
            })
            .collect();
        let mut o = Map::new();
        o.insert("senders".into(), Value::Array(senders));
        o.insert("total".into(), json!(self.total));
        Value::Object(o)
    }

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

    /// The Markdown form: the same content as the HTML page, as text.
    pub fn to_markdown(&self, info: &RunInfo) -> String {
        use std::fmt::Write;
        let mut md = String::new();
        let counts = self.counts();
        let _ = writeln!(md, "# 催收短信证据汇总\n");
        let _ = writeln!(md, "- 来源文件：{}", sources(info));
        let _ = writeln!(md, "- 生成时间：{}", info.generated);
        let _ = writeln!(
            md,
            "- 共读取 {} 条消息；{} 个发送方发来催收消息，其中违法催收消息 {} 条（恐吓威胁 {} 条，P图威胁 {} 条）",
            self.total,
            self.senders.len(),
            counts.unlawful(),
            counts.get(Label::Intimidation),
            counts.get(Label::DoctoredImageThreat)
        );
        if self.outgoing > 0 {
            let _ = writeln!(md, "- 本机发出的 {} 条消息不计入各发送方", self.outgoing);
        }
        if info.rejected > 0 {
            let _ = writeln!(md, "- 另有 {} 条记录无法读取，未计入", info.rejected);
        }
        if info.redacted {
            let _ = writeln!(md, "- 已遮盖手机号、身份证号、银行卡号（保留后4位）、电子邮箱、微信号和QQ号");
        }
        let _ = writeln!(md, "\n> {}\n", law::DISCLAIMER);
        let _ = writeln!(md, "## 发送方一览\n");
        let _ = writeln!(md, "| 发送方 | 联系人 | 违法催收 | 恐吓威胁 | P图威胁 | 合法提醒 | 其他 | 最早 | 最晚 |");
        let _ = writeln!(md, "|---|---|---:|---:|---:|---:|---:|---|---|");
        for s in &self.senders {
            let _ = writeln!(
                md,
                "| {} | {} | {} | {} | {} | {} | {} | {} | {} |",
                md_cell(&sender_display(&s.sender)),
                md_cell(&s.contact_name),
                s.unlawful(),
                s.counts.get(Label::Intimidation),
                s.counts.get(Label::DoctoredImageThreat),
                s.counts.get(Label::LawfulReminder),
                s.counts.get(Label::Other),
                s.first.map(|t| t.to_display()).unwrap_or_default(),
                s.last.map(|t| t.to_display()).unwrap_or_default(),
            );
        }
        for s in &self.senders {
            let _ = writeln!(md, "\n## 发送方 {}{}\n", sender_display(&s.sender), contact_suffix(&s.contact_name));
            let _ = writeln!(md, "- {}", activity_line(s));
            let tags: Vec<String> = Tag::ALL
                .iter()
                .filter(|t| s.tags.get(**t) > 0)
                .map(|t| format!("{} {}", law::tag_name(*t), s.tags.get(*t)))
                .collect();
            if !tags.is_empty() {
                let _ = writeln!(md, "- 涉及：{}", tags.join("，"));
            }
            if s.messages.is_empty() {
                let _ = writeln!(md, "\n未发现违法催收消息。");
            } else {
                let _ = writeln!(md, "\n违法催收消息（按时间排序，**加粗**为判断依据）：\n");
            }
            md_messages(&mut md, &s.messages);
            if !s.review.is_empty() {
                let _ = writeln!(md, "\n{}：\n", REVIEW_HEADING);
                md_messages(&mut md, &s.review);
            }
        }
        let present = self.tags_present();
        if !present.is_empty() {
            let _ = writeln!(md, "\n## 法律依据\n");
            for t in present {
                let _ = writeln!(md, "- **{}**：{}", law::tag_name(t), law::basis(t));
            }
        }
        let _ = writeln!(md, "\n## 投诉与报警渠道\n");
        for (number, who, what) in law::COMPLAINTS {
            let _ = writeln!(md, "- **{number}**（{who}）：{what}");
        }
        let _ = writeln!(md, "\n---\n\n{}", law::DISCLAIMER);
        md
    }
}

/// The heading of a sender's messages sent to review.
pub const REVIEW_HEADING: &str = "待人工复核（置信度低于 --min-confidence，计入“其他”；标签为模型倾向）";

/// A numbered Markdown list of messages with their evidence in bold.
fn md_messages(md: &mut String, messages: &[Message]) {
    use std::fmt::Write;
    for (n, m) in messages.iter().enumerate() {
        let tags: Vec<&str> = m.tags.iter().map(law::tag_name).collect();
        let _ = writeln!(
            md,
            "{}. 编号 {} · {} · {}{}  \n   {}",
            n + 1,
            m.id,
            m.time_display(),
            law::label_name(m.label),
            if tags.is_empty() { String::new() } else { format!("（{}）", tags.join("、")) },
            md_marked(&m.text, &m.evidence)
        );
    }
}

/// The inputs as the report names them (来源), masked when the report is redacted: a file
/// name may hold a phone number.
pub fn sources(info: &RunInfo) -> String {
    let inputs = info.inputs.join("、");
    if info.redacted { redact(&inputs) } else { inputs }
}

/// The sender for people: the number, or 未知号码 when the input has none.
pub fn sender_display(sender: &str) -> String {
    if sender.is_empty() { "未知号码".to_string() } else { sender.to_string() }
}

/// `（name）` after a sender, when the contact has a name.
pub fn contact_suffix(name: &str) -> String {
    if name.is_empty() { String::new() } else { format!("（{name}）") }
}

/// First and last message, span, messages per day and the busiest day, in one line.
pub fn activity_line(s: &SenderReport) -> String {
    match (s.first, s.last) {
        (Some(a), Some(b)) => {
            let busiest = s.busiest_day().map(|(d, n)| format!("，最多一天 {n} 条（{d}）")).unwrap_or_default();
            format!(
                "{} 至 {}，{} 天内共 {} 条消息，平均每天 {:.1} 条{}",
                a.to_display(),
                b.to_display(),
                s.span_days(),
                s.counts.total(),
                s.per_day(),
                busiest
            )
        }
        _ => format!("共 {} 条消息（无可读的时间）", s.counts.total()),
    }
}

fn md_cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

/// Markdown-escapes `text` and makes its evidence spans bold.
fn md_marked(text: &str, spans: &[Span]) -> String {
    let escape = |c: char, out: &mut String| {
        if "\\`*_[]<>#|".contains(c) {
            out.push('\\');
        }
        if c == '\n' {
            out.push_str("  \n   ");
        } else {
            out.push(c);
        }
    };
    let mut out = String::new();
    let chars: Vec<char> = text.chars().collect();
    let mut pos = 0;
    for s in spans {
        let (a, b) = ((s.start as usize).min(chars.len()), (s.end as usize).min(chars.len()));
        if a < pos || a >= b {
            continue;
        }
        chars[pos..a].iter().for_each(|&c| escape(c, &mut out));
        out.push_str("**");
        chars[a..b].iter().for_each(|&c| escape(c, &mut out));
        out.push_str("**");
        pos = b;
    }
    chars[pos..].iter().for_each(|&c| escape(c, &mut out));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Scores;

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
                label: *label,
                confidence: 0.9,
                scores: Scores { labels: [0.0; 4], tags: [0.0; 7] },
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
        let html = crate::report::html::evidence_html(&r, &info);
        let json = r.to_json().to_string();
        for (form, out) in [("md", &md), ("html", &html), ("json", &json)] {
            for secret in ["1381111", "1391111", "1371111", "1361111"] {
                assert!(!out.contains(secret), "{form} shows {secret}");
            }
        }
        assert!(md.contains("张三-*******5555.xml") && html.contains(r#"data-id="*******2222""#));
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
                label,
                confidence: 0.9,
                scores: Scores { labels: [0.0; 4], tags: [0.0; 7] },
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
            label: Label::Other,
            confidence: 0.35,
            scores: Scores { labels: [0.05, 0.55, 0.05, 0.35], tags: [0.0; 7] },
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
        let html = crate::report::html::evidence_html(&report, &RunInfo::default());
        assert!(html.contains("待人工复核") && html.contains(r#"data-id="7""#));
    }

    #[test]
    fn senders_are_normalized() {
        assert_eq!(normalize_sender(" +86 138-1111-2222 "), "13811112222");
        assert_eq!(normalize_sender("008613811112222"), "13811112222");
        assert_eq!(normalize_sender("10690001"), "10690001");
        assert_eq!(normalize_sender("95588"), "95588");
        assert_eq!(normalize_sender("速融宝"), "速融宝");
    }

    #[test]
    fn markdown_bolds_evidence_and_escapes() {
        assert_eq!(md_marked("再不还就爆你通讯录*", &[Span { start: 6, end: 9 }]), "再不还就爆你**通讯录**\\*");
    }
}
