//! Reports people read and act on, built from classified messages: `evidence` gathers one
//! phone's collection messages per sender for the police or a regulator; `scan` counts a
//! complaint corpus by label, harm, platform and month. Both are [`Sink`](crate::io::Sink)s fed by
//! [`pipeline::run`](crate::pipeline::run), with the classifier or, for an input that is already
//! classified, [`RecordedLabels`](crate::pipeline::RecordedLabels). This folder builds the
//! reports (aggregation); [`render`] turns them into HTML, JSON, Markdown and CSV.

pub mod evidence;
pub mod law;
pub mod platform;
pub mod render;
pub mod scan;
pub mod time;

use std::borrow::Cow;

use serde::ser::{Serialize, SerializeMap, Serializer};

use crate::io::Record;
use crate::labels::{Label, Tag, TagSet};
use crate::output::redact;

pub use evidence::{EvidenceReport, EvidenceSink};
pub use scan::{ScanReport, ScanSink};

/// A count per label, in the order of [`Label::ALL`]; serializes as `{label: n}`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LabelCounts(pub [u64; 4]);

impl LabelCounts {
    /// Counts one message of `label`.
    pub fn add(&mut self, label: Label) {
        self.0[label.index()] += 1;
    }

    /// The count of `label`.
    pub fn get(&self, label: Label) -> u64 {
        self.0[label.index()]
    }

    /// The count over all labels.
    pub fn total(&self) -> u64 {
        self.0.iter().sum()
    }

    /// Intimidation and doctored-image threats.
    pub fn unlawful(&self) -> u64 {
        Label::ALL.iter().filter(|l| l.is_unlawful()).map(|l| self.get(*l)).sum()
    }

    /// Adds `other`'s counts to these.
    pub fn merge(&mut self, other: &LabelCounts) {
        for (a, b) in self.0.iter_mut().zip(other.0) {
            *a += b;
        }
    }
}

impl Serialize for LabelCounts {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(Label::ALL.len()))?;
        for l in Label::ALL {
            map.serialize_entry(l.as_str(), &self.get(l))?;
        }
        map.end()
    }
}

/// A count per tag, in the order of [`Tag::ALL`]; serializes as `{tag: n}`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TagCounts(pub [u64; 7]);

impl TagCounts {
    /// Counts one for each tag in `tags`.
    pub fn add(&mut self, tags: TagSet) {
        for t in tags.iter() {
            self.0[t.index()] += 1;
        }
    }

    /// The count of `tag`.
    pub fn get(&self, tag: Tag) -> u64 {
        self.0[tag.index()]
    }

    /// Adds `other`'s counts to these.
    pub fn merge(&mut self, other: &TagCounts) {
        for (a, b) in self.0.iter_mut().zip(other.0) {
            *a += b;
        }
    }
}

impl Serialize for TagCounts {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(Tag::ALL.len()))?;
        for t in Tag::ALL {
            map.serialize_entry(t.as_str(), &self.get(t))?;
        }
        map.end()
    }
}

/// The columns a report reads, as the user named them; `None` means "look for the usual
/// names" (`id`; `sender`, `address`, `from`, `phone`; `contact_name`; `time`, `date`, …).
#[derive(Debug, Clone, Default)]
pub struct ColumnNames {
    /// The message id column.
    pub id: Option<String>,
    /// The sender column.
    pub sender: Option<String>,
    /// The contact name column.
    pub contact_name: Option<String>,
    /// The time column.
    pub time: Option<String>,
    /// The platform column.
    pub platform: Option<String>,
}

const ID_NAMES: [&str; 3] = ["id", "message_id", "msg_id"];
const SENDER_NAMES: [&str; 5] = ["sender", "address", "from", "phone", "number"];
const CONTACT_NAMES: [&str; 2] = ["contact_name", "name"];
const TIME_NAMES: [&str; 7] = ["time", "date", "datetime", "timestamp", "sent_at", "created_at", "received_at"];
const PLATFORM_NAMES: [&str; 1] = ["platform"];
/// An MMS's pictures and other parts (the SMS-backup reader's `attachments` column).
const ATTACHMENT_NAMES: [&str; 2] = ["attachments", "attachment"];
/// The direction of an SMS-backup record (`received`, `sent`, …), or of a CSV export.
const DIRECTION_NAMES: [&str; 2] = ["type", "direction"];

impl ColumnNames {
    /// The named columns missing from `columns` (which, for JSON Lines, are looked up in each
    /// object instead).
    pub fn missing<'a>(&'a self, columns: &[String]) -> Vec<&'a str> {
        [&self.id, &self.sender, &self.contact_name, &self.time, &self.platform]
            .into_iter()
            .flatten()
            .filter(|name| !columns.iter().any(|c| c.trim() == name.as_str()))
            .map(String::as_str)
            .collect()
    }

    fn resolve(&self, columns: &[String]) -> Fields {
        Fields {
            id: Field::resolve(columns, self.id.as_deref(), &ID_NAMES),
            sender: Field::resolve(columns, self.sender.as_deref(), &SENDER_NAMES),
            contact_name: Field::resolve(columns, self.contact_name.as_deref(), &CONTACT_NAMES),
            time: Field::resolve(columns, self.time.as_deref(), &TIME_NAMES),
            platform: Field::resolve(columns, self.platform.as_deref(), &PLATFORM_NAMES),
            direction: Field::resolve(columns, None, &DIRECTION_NAMES),
            attachments: Field::resolve(columns, None, &ATTACHMENT_NAMES),
        }
    }
}

/// Where one field of a record is.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Field {
    Absent,
    Column(usize),
    /// A field of the JSON Lines object.
    Key(String),
}

impl Field {
    fn resolve(columns: &[String], named: Option<&str>, usual: &[&str]) -> Field {
        let find = |name: &str| columns.iter().position(|c| c.trim().eq_ignore_ascii_case(name));
        match named {
            Some(name) => {
                columns.iter().position(|c| c.trim() == name).map_or(Field::Key(name.to_string()), Field::Column)
            }
            None => usual.iter().find_map(|n| find(n)).map_or(Field::Absent, Field::Column),
        }
    }

    fn get<'a>(&self, record: &'a Record) -> Option<Cow<'a, str>> {
        let value = match self {
            Field::Absent => return None,
            Field::Column(i) => Cow::Borrowed(record.fields.get(*i)?.as_str()),
            Field::Key(k) => match record.object.as_ref()?.get(k)? {
                serde_json::Value::String(s) => Cow::Borrowed(s.as_str()),
                serde_json::Value::Null => return None,
                other => Cow::Owned(other.to_string()),
            },
        };
        (!value.trim().is_empty()).then_some(value)
    }
}

/// The fields of a source that a report reads, found when the sink begins.
#[derive(Debug, Clone)]
struct Fields {
    id: Field,
    sender: Field,
    contact_name: Field,
    time: Field,
    platform: Field,
    direction: Field,
    attachments: Field,
}

impl Fields {
    fn absent() -> Fields {
        Fields {
            id: Field::Absent,
            sender: Field::Absent,
            contact_name: Field::Absent,
            time: Field::Absent,
            platform: Field::Absent,
            direction: Field::Absent,
            attachments: Field::Absent,
        }
    }

    /// Whether the record is a message the phone's owner sent (or drafted), not one received.
    fn is_outgoing(&self, record: &Record) -> bool {
        self.direction.get(record).is_some_and(|d| {
            matches!(
                d.trim().to_ascii_lowercase().as_str(),
                "sent" | "outbox" | "draft" | "queued" | "failed" | "outgoing"
            )
        })
    }

    /// The message id: the id column, else `number`, the message's place in the order read
    /// (from 1, whatever the file's lines: a header or a message over several lines does not
    /// shift it).
    fn id(&self, record: &Record, number: u64) -> String {
        self.id.get(record).map_or_else(|| number.to_string(), |s| s.trim().to_string())
    }
}

/// Reads message times for a report and counts those it cannot read, so that they are reported
/// rather than silently left out of first, last, days and months.
#[derive(Debug, Clone, Default)]
pub struct TimeReader {
    /// The day the export was made, for `昨天 10:00` and dates without a year.
    pub reference: Option<chrono::NaiveDate>,
    /// Non-empty time fields that did not parse.
    pub unparsed: u64,
    /// The first of them, as written.
    pub example: Option<String>,
}

impl TimeReader {
    /// The time of a field; a non-empty field that does not parse is counted.
    pub fn read(&mut self, field: Option<&str>) -> Option<time::Stamp> {
        let field = field?.trim();
        if field.is_empty() {
            return None;
        }
        let stamp = time::parse_with_reference(field, self.reference);
        if stamp.is_none() {
            self.unparsed += 1;
            if self.example.is_none() {
                self.example = Some(field.chars().take(40).collect());
            }
        }
        stamp
    }
}

/// What a report says about the run that made it.
#[derive(Debug, Clone, Default)]
pub struct RunInfo {
    /// The inputs as the user named them.
    pub inputs: Vec<String>,
    /// Records read: classified plus rejected.
    pub read: u64,
    /// Records that could not be classified, left out of the report.
    pub rejected: u64,
    /// Messages the inputs declare they hold (an SMS backup's `count`), when they say.
    pub declared: Option<u64>,
    /// When the report was made, `YYYY-MM-DD HH:MM` China time.
    pub generated: String,
    /// Whether `--redact` masked numbers and addresses.
    pub redacted: bool,
    /// Whether labels were read from the input rather than computed.
    pub labels_from_input: bool,
    /// What ties the report to the export it was made from.
    pub custody: Custody,
}

/// The chain of custody: what a lawyer needs to show that a report matches an export.
#[derive(Debug, Clone, Default)]
pub struct Custody {
    /// Each input file, as read.
    pub files: Vec<SourceFile>,
    /// The cuishou version that made the report.
    pub version: String,
    /// SHA-256 of the model file that labelled the messages (hex); `None` when the labels were
    /// read from a classified input.
    pub model_sha256: Option<String>,
}

/// One input file: its name, size and SHA-256 (`None` for standard input, which cannot be read
/// twice).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SourceFile {
    /// The name as the user gave it.
    pub name: String,
    /// Its size in bytes.
    pub bytes: Option<u64>,
    /// SHA-256 of its bytes, lower-case hex.
    pub sha256: Option<String>,
}

impl RunInfo {
    /// The current time as `YYYY-MM-DD HH:MM` in China time.
    pub fn now() -> String {
        let secs = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(0));
        match (chrono::DateTime::from_timestamp(secs, 0), chrono::FixedOffset::east_opt(8 * 3600)) {
            (Some(t), Some(tz)) => t.with_timezone(&tz).format("%Y-%m-%d %H:%M").to_string(),
            _ => String::new(),
        }
    }
}

/// Escapes `/` and `~` in one step of a JSON Pointer (RFC 6901).
pub fn pointer_step(s: &str) -> String {
    s.replace('~', "~0").replace('/', "~1")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(fields: &[&str]) -> Record {
        Record { line: 7, fields: fields.iter().map(|s| s.to_string()).collect(), text_field: 0, object: None }
    }

    #[test]
    fn usual_column_names_are_found_and_named_ones_win() {
        let columns: Vec<String> = ["text", "Address", "date", "platform"].iter().map(|s| s.to_string()).collect();
        let f = ColumnNames::default().resolve(&columns);
        assert_eq!(f.sender, Field::Column(1));
        assert_eq!(f.time, Field::Column(2));
        assert_eq!(f.platform, Field::Column(3));
        assert_eq!(f.id, Field::Absent);
        let r = record(&["hi", "138", " ", "速融宝"]);
        assert_eq!(f.id(&r, 3), "3", "without an id column: the place in the order read, not the line (7)");
        assert_eq!(f.time.get(&r), None, "blank fields are absent");
        let named = ColumnNames { platform: Some("lender".into()), ..ColumnNames::default() };
        assert_eq!(named.resolve(&columns).platform, Field::Key("lender".into()));
        assert_eq!(named.missing(&columns), ["lender"]);
    }

    #[test]
    fn counts_add_up() {
        let mut c = LabelCounts::default();
        for l in [Label::Intimidation, Label::DoctoredImageThreat, Label::Other, Label::Intimidation] {
            c.add(l);
        }
        assert_eq!((c.total(), c.unlawful(), c.get(Label::Intimidation)), (4, 3, 2));
        let json = serde_json::to_string(&c).unwrap();
        assert_eq!(json, r#"{"lawful_reminder":0,"intimidation":2,"doctored_image_threat":1,"other":1}"#);
        let mut t = TagCounts::default();
        t.add(TagSet::parse_field("contacts;image").unwrap());
        t.add(TagSet::parse_field("contacts").unwrap());
        assert_eq!((t.get(Tag::Contacts), t.get(Tag::Image), t.get(Tag::Visit)), (2, 1, 0));
        assert_eq!(pointer_step("a/b~c"), "a~1b~0c");
    }
}
