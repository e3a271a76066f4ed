//! Android "SMS Backup & Restore" XML, streamed with quick-xml: each `<sms>` and each `<mms>`
//! becomes exactly one record (id, sender, contact_name, time in ISO 8601 China time, type, text,
//! attachments) or one reject.
//!
//! - An MMS's text is its `text/plain` parts joined by newlines; its other parts (pictures, audio,
//!   vCards; not the SMIL layout) are listed in `attachments` as `content-type name`, `;`-separated
//!   (empty for an SMS). An MMS with attachments but no text is a record with an empty text — in a
//!   collector's thread the picture is often the evidence; an MMS with neither is a reject.
//! - An `<mms>` may hold another inside its `<parts>` (a forwarded message): open MMS are kept on a
//!   stack, so the inner one never replaces its parent. Messages are numbered in the order their
//!   opening tags appear; an inner MMS is yielded before its parent, which closes after it.
//! - The header's `count` is what the export declares ([`Source::declared`]). When the file ends
//!   early (cut off inside a tag, or no `</smses>`) and fewer messages were read, the reject says
//!   so: `file ends early: the export declares 43 messages, 21 were read`.

use std::collections::{HashMap, VecDeque};
use std::io::{BufReader, Read};

use chrono::{DateTime, FixedOffset, SecondsFormat};
use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};

use super::decode::Decoded;
use super::{InputError, Item, ReadOptions, Record, Reject, Source, check_text};

/// The columns of an SMS backup's records, in order: the text takes the name of the text
/// column; `attachments` lists an MMS's non-text parts (`content-type name`, `;`-separated).
pub const COLUMNS: [&str; 7] = ["id", "sender", "contact_name", "time", "type", "text", "attachments"];
const TEXT_FIELD: usize = 5;

/// An Android "SMS Backup & Restore" XML file: one record per `<sms>` and per `<mms>`.
pub struct SmsXmlSource {
    name: String,
    reader: Reader<BufReader<Box<dyn Read + Send>>>,
    columns: Vec<String>,
    max_chars: usize,
    transcoded: bool,
    /// Messages numbered so far (opening `<sms>`/`<mms>` tags seen).
    record: u64,
    /// Messages yielded so far, as records or rejects.
    finished: u64,
    buf: Vec<u8>,
    /// The `<mms>` elements open, innermost last.
    open: Vec<Mms>,
    /// Items found together (at the end of the file) waiting to be yielded.
    pending: VecDeque<Item>,
    /// The header's `count`.
    declared: Option<u64>,
    /// Whether `</smses>` was read.
    closed: bool,
    stopped: bool,
}

/// An `<mms>` being read: its number, attributes, and what its parts held so far.
struct Mms {
    number: u64,
    attrs: HashMap<String, String>,
    texts: Vec<String>,
    attachments: String,
    raw: String,
    /// Why the MMS cannot be a record, once known.
    error: Option<String>,
}

/// Milliseconds since the epoch as ISO 8601 in China time (+08:00); anything else unchanged.
pub fn millis_to_iso(ms: &str) -> String {
    let offset = FixedOffset::east_opt(8 * 3600);
    match (ms.trim().parse::<i64>().ok().and_then(DateTime::from_timestamp_millis), offset) {
        (Some(t), Some(tz)) => t.with_timezone(&tz).to_rfc3339_opts(SecondsFormat::Secs, true),
        _ => ms.to_string(),
    }
}

fn direction(code: &str) -> String {
    match code.trim() {
        "1" => "received",
        "2" => "sent",
        "3" => "draft",
        "4" => "outbox",
        "5" => "failed",
        "6" => "queued",
        other => return other.to_string(),
    }
    .to_string()
}

fn attributes(e: &BytesStart<'_>) -> Result<HashMap<String, String>, String> {
    let mut out = HashMap::new();
    for attr in e.attributes() {
        let attr = attr.map_err(|err| format!("XML attribute error: {err}"))?;
        let key = attr.key.as_ref().to_string();
        let value = attr
            .normalized_value(quick_xml::XmlVersion::Implicit1_0)
            .map_err(|err| format!("XML attribute {key:?}: {err}"))?;
        out.insert(key, value.into_owned());
    }
    Ok(out)
}

fn raw_of(e: &BytesStart<'_>) -> String {
    format!("<{} {}>", e.name().as_ref(), e.attributes_raw().trim())
}

/// `content-type name` of a part: the name from `name`, else `cl`, else `fn` (the app writes
/// `null` for a missing one).
fn attachment_note(attrs: &HashMap<String, String>) -> String {
    let ct = attrs.get("ct").map_or("", |s| s.trim());
    let name = ["name", "cl", "fn"]
        .iter()
        .filter_map(|k| attrs.get(*k))
        .map(|v| v.trim())
        .find(|v| !v.is_empty() && *v != "null");
    match name {
        Some(name) if !ct.is_empty() => format!("{ct} {name}"),
        Some(name) => name.to_string(),
        None => ct.to_string(),
    }
}

impl Mms {
    /// Adds one `<part>`: text parts to the text, other parts (but the SMIL layout) to the
    /// attachments.
    fn add_part(&mut self, attrs: Result<HashMap<String, String>, String>) {
        let attrs = match attrs {
            Ok(a) => a,
            Err(reason) => {
                self.error.get_or_insert(format!("MMS part: {reason}"));
                return;
            }
        };
        let ct = attrs.get("ct").map_or("", |s| s.trim());
        if ct.starts_with("text/plain") {
            if let Some(text) = attrs.get("text") {
                self.texts.push(text.clone());
            }
        } else if !ct.starts_with("application/smil") {
            if !self.attachments.is_empty() {
                self.attachments.push(';');
            }
            self.attachments.push_str(&attachment_note(&attrs));
        }
    }
}

impl SmsXmlSource {
    /// Reads `decoded`, named `name` in errors and rejects.
    pub fn new(name: &str, decoded: Decoded, options: &ReadOptions) -> SmsXmlSource {
        let mut columns: Vec<String> = COLUMNS.iter().map(|c| c.to_string()).collect();
        columns[TEXT_FIELD] = options.text_column.clone();
        SmsXmlSource {
            name: name.to_string(),
            reader: Reader::from_reader(BufReader::with_capacity(1 << 16, decoded.reader)),
            columns,
            max_chars: options.max_chars,
            transcoded: decoded.transcoded,
            record: 0,
            finished: 0,
            buf: Vec::new(),
            open: Vec::new(),
            pending: VecDeque::new(),
            declared: None,
            closed: false,
            stopped: false,
        }
    }

    /// A record of message `number`, or its reject when the text cannot be classified.
    fn record(
        &self,
        number: u64,
        attrs: &HashMap<String, String>,
        kind_key: &str,
        text: String,
        attachments: String,
        raw: &str,
    ) -> Item {
        if let Some(reason) = check_text(&text, self.max_chars, self.transcoded) {
            return Item::Reject(Reject::new(number, raw.as_bytes(), reason));
        }
        let get = |k: &str| attrs.get(k).cloned().unwrap_or_default();
        let fields = vec![
            number.to_string(),
            get("address"),
            get("contact_name"),
            millis_to_iso(&get("date")),
            direction(&get(kind_key)),
            text,
            attachments,
        ];
        Item::Record(Record { line: number, fields, text_field: TEXT_FIELD, object: None })
    }

    /// The item of a closed `<mms>`.
    fn finish_mms(&self, mms: Mms) -> Item {
        if let Some(reason) = mms.error {
            return Item::Reject(Reject::new(mms.number, mms.raw.as_bytes(), reason));
        }
        if mms.texts.is_empty() && mms.attachments.is_empty() {
            return Item::Reject(Reject::new(
                mms.number,
                mms.raw.as_bytes(),
                "MMS without a text part or an attachment",
            ));
        }
        let text = mms.texts.join("\n");
        self.record(mms.number, &mms.attrs, "msg_box", text, mms.attachments, &mms.raw)
    }

    /// `the export declares N messages, M were read` when the header declared more than were read.
    fn shortfall(&self) -> Option<String> {
        match self.declared {
            Some(declared) if declared > self.finished => {
                Some(format!("the export declares {declared} messages, {} were read", self.finished))
            }
            _ => None,
        }
    }

    /// At the end of the input: a reject for each MMS left open and, when the file ends before
    /// `</smses>` with fewer messages than declared, one saying so.
    fn end_of_file(&mut self) {
        let shortfall = if self.closed { None } else { self.shortfall() };
        while let Some(mms) = self.open.pop() {
            self.pending.push_back(Item::Reject(Reject::new(
                mms.number,
                mms.raw.as_bytes(),
                "unterminated <mms> at end of file",
            )));
        }
        if let Some(shortfall) = shortfall {
            match self.pending.back_mut() {
                Some(Item::Reject(last)) => last.reason.push_str(&format!("; file ends early: {shortfall}")),
                _ => {
                    self.record += 1;
                    let reason = format!("file ends early: {shortfall}");
                    self.pending.push_back(Item::Reject(Reject::new(self.record, b"", reason)));
                }
            }
        }
    }

    /// After an XML error nothing more is read: the MMS open (if any) or the element being read
    /// becomes a reject saying why, and the other open MMS rejects of their own.
    fn broken(&mut self, err: &quick_xml::Error) {
        let position = self.reader.error_position();
        let reason = match (err, self.shortfall()) {
            (quick_xml::Error::Syntax(_), Some(shortfall)) => {
                format!("file ends early: {shortfall} (XML error at byte {position}: {err})")
            }
            (quick_xml::Error::Syntax(_), None) => format!("file ends early: XML error at byte {position}: {err}"),
            (_, Some(shortfall)) => {
                format!("XML error at byte {position}: {err}; the rest of this file was not read ({shortfall})")
            }
            (_, None) => format!("XML error at byte {position}: {err}; the rest of this file was not read"),
        };
        match self.open.pop() {
            Some(mms) => self.pending.push_back(Item::Reject(Reject::new(mms.number, mms.raw.as_bytes(), reason))),
            None => {
                self.record += 1;
                self.pending.push_back(Item::Reject(Reject::new(self.record, b"", reason)));
            }
        }
        while let Some(mms) = self.open.pop() {
            let reason = format!("unterminated <mms>: the XML breaks inside it at byte {position}");
            self.pending.push_back(Item::Reject(Reject::new(mms.number, mms.raw.as_bytes(), reason)));
        }
    }
}

impl Source for SmsXmlSource {
    fn name(&self) -> &str {
        &self.name
    }

    fn columns(&self) -> &[String] {
        &self.columns
    }

    fn declared(&self) -> Option<u64> {
        self.declared
    }

    fn next_item(&mut self) -> Option<Result<Item, InputError>> {
        loop {
            if let Some(item) = self.pending.pop_front() {
                self.finished += 1;
                return Some(Ok(item));
            }
            if self.stopped {
                return None;
            }
            if let Some(item) = self.next_event() {
                self.finished += 1;
                return Some(Ok(item));
            }
        }
    }
}

impl SmsXmlSource {
    /// Reads events until one message is complete (returned) or something is queued in
    /// `pending`, or the input ends (`stopped`).
    fn next_event(&mut self) -> Option<Item> {
        loop {
            self.buf.clear();
            let event = match self.reader.read_event_into(&mut self.buf) {
                Ok(e) => e,
                Err(err) => {
                    self.stopped = true;
                    self.broken(&err);
                    return None;
                }
            };
            match event {
                Event::Eof => {
                    self.stopped = true;
                    self.end_of_file();
                    return None;
                }
                Event::Start(e) if e.name().as_ref() == "smses" => {
                    self.declared = attributes(&e).ok().and_then(|a| a.get("count")?.trim().parse().ok());
                }
                Event::End(e) if e.name().as_ref() == "smses" => self.closed = true,
                Event::Empty(e) | Event::Start(e) if e.name().as_ref() == "sms" => {
                    self.record += 1;
                    let raw = raw_of(&e);
                    return Some(match attributes(&e) {
                        Err(reason) => Item::Reject(Reject::new(self.record, raw.as_bytes(), reason)),
                        Ok(attrs) => {
                            let body = attrs.get("body").cloned().unwrap_or_default();
                            self.record(self.record, &attrs, "type", body, String::new(), &raw)
                        }
                    });
                }
                Event::Start(e) if e.name().as_ref() == "mms" => {
                    self.record += 1;
                    let raw = raw_of(&e);
                    let (attrs, error) = match attributes(&e) {
                        Ok(attrs) => (attrs, None),
                        Err(reason) => (HashMap::new(), Some(reason)),
                    };
                    let number = self.record;
                    self.open.push(Mms { number, attrs, texts: Vec::new(), attachments: String::new(), raw, error });
                }
                Event::Empty(e) if e.name().as_ref() == "mms" => {
                    self.record += 1;
                    let raw = raw_of(&e);
                    let (attrs, error) = match attributes(&e) {
                        Ok(attrs) => (attrs, None),
                        Err(reason) => (HashMap::new(), Some(reason)),
                    };
                    let number = self.record;
                    let mms = Mms { number, attrs, texts: Vec::new(), attachments: String::new(), raw, error };
                    return Some(self.finish_mms(mms));
                }
                Event::Empty(e) | Event::Start(e) if e.name().as_ref() == "part" => {
                    if let Some(mms) = self.open.last_mut() {
                        mms.add_part(attributes(&e));
                    }
                }
                Event::End(e) if e.name().as_ref() == "mms" => {
                    if let Some(mms) = self.open.pop() {
                        return Some(self.finish_mms(mms));
                    }
                }
                _ => {}
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::io::decode::decode;

    const BACKUP: &str = r#"<?xml version='1.0' encoding='UTF-8' standalone='yes' ?>
<smses count="4">
  <sms protocol="0" address="10690001" date="1710043200000" type="1" body="【速融宝】您的借款已逾期&#10;请还款" contact_name="(Unknown)" />
  <sms protocol="0" address="138 1111 2222" date="1710046800000" type="1" body="再不还就爆你通讯录 &amp; 发你家人" contact_name="催收" />
  <mms date="1710050400000" msg_box="1" address="13811112222" contact_name="催收">
    <parts>
      <part seq="-1" ct="application/smil" text="&lt;smil&gt;" />
      <part seq="0" ct="image/jpeg" name="a.jpg" />
      <part seq="0" ct="text/plain" text="你的遗照做好了" />
    </parts>
  </mms>
  <mms date="1710050400001" msg_box="1" address="1"><parts><part ct="image/png" /></parts></mms>
</smses>"#;

    fn read(data: Vec<u8>) -> Vec<Item> {
        let mut s = SmsXmlSource::new(
            "b.xml",
            decode(Box::new(std::io::Cursor::new(data)), None).unwrap(),
            &ReadOptions::default(),
        );
        let mut items = Vec::new();
        while let Some(i) = s.next_item() {
            items.push(i.unwrap());
        }
        items
    }

    #[test]
    fn sms_and_mms_become_records() {
        let items = read(BACKUP.as_bytes().to_vec());
        assert_eq!(items.len(), 4);
        let Item::Record(first) = &items[0] else { panic!("{:?}", items[0]) };
        assert_eq!(
            first.fields,
            [
                "1",
                "10690001",
                "(Unknown)",
                "2024-03-10T12:00:00+08:00",
                "received",
                "【速融宝】您的借款已逾期\n请还款",
                ""
            ]
        );
        assert!(matches!(&items[1], Item::Record(r) if r.text() == "再不还就爆你通讯录 & 发你家人"));
        assert!(matches!(&items[2], Item::Record(r) if r.text() == "你的遗照做好了" && r.fields[0] == "3"));
        assert!(matches!(&items[2], Item::Record(r) if r.fields[6] == "image/jpeg a.jpg"), "{:?}", items[2]);
        assert!(matches!(&items[1], Item::Record(r) if r.fields[6].is_empty()), "an SMS has no attachments");
    }

    #[test]
    fn an_image_only_mms_is_a_record_with_its_attachments() {
        let items = read(BACKUP.as_bytes().to_vec());
        let Item::Record(image) = &items[3] else { panic!("{:?}", items[3]) };
        assert_eq!(image.text(), "", "no text part: the text is empty, not a reject");
        assert_eq!(image.fields[6], "image/png");
        let xml = r#"<smses count="3">
  <mms date="1" msg_box="1" address="1"><parts>
    <part seq="-1" ct="application/smil" text="&lt;smil/&gt;" />
    <part seq="0" ct="image/jpeg" name="IMG_0001.jpg" cl="x.jpg" />
    <part seq="1" ct="image/gif" name="null" cl="anim.gif" />
    <part seq="2" ct="audio/amr" fn="voice.amr" />
  </parts></mms>
  <mms date="2" msg_box="1" address="1"><parts><part ct="application/smil" text="x" /></parts></mms>
  <mms date="3" msg_box="1" address="1" />
</smses>"#;
        let items = read(xml.as_bytes().to_vec());
        assert_eq!(items.len(), 3);
        let Item::Record(r) = &items[0] else { panic!("{:?}", items[0]) };
        assert_eq!(
            (r.text(), r.fields[6].as_str()),
            ("", "image/jpeg IMG_0001.jpg;image/gif anim.gif;audio/amr voice.amr")
        );
        for item in &items[1..] {
            assert!(matches!(item, Item::Reject(r) if r.reason.contains("without a text part or an attachment")));
        }
    }

    #[test]
    fn a_nested_mms_does_not_swallow_its_parent() {
        let xml = r#"<smses count="5">
  <sms address="1" date="1" type="1" body="first" />
  <mms date="2" msg_box="1" address="2"><parts>
    <part ct="text/plain" text="outer before" />
    <mms date="3" msg_box="1" address="3"><parts><part ct="text/plain" text="inner" /></parts></mms>
    <part ct="text/plain" text="outer after" />
    <part ct="image/jpeg" name="p.jpg" />
  </parts></mms>
  <sms address="4" date="4" type="1" body="fourth" />
  <sms address="5" date="5" type="1" body="fifth" />
</smses>"#;
        let items = read(xml.as_bytes().to_vec());
        let texts: Vec<(&str, &str, &str)> = items
            .iter()
            .map(|i| match i {
                Item::Record(r) => (r.fields[0].as_str(), r.text(), r.fields[6].as_str()),
                Item::Reject(r) => panic!("{r:?}"),
            })
            .collect();
        assert_eq!(
            texts,
            [
                ("1", "first", ""),
                ("3", "inner", ""),
                ("2", "outer before\nouter after", "image/jpeg p.jpg"),
                ("4", "fourth", ""),
                ("5", "fifth", "")
            ]
        );
    }

    fn sms_backup(declared: u64, messages: usize) -> String {
        let mut xml =
            format!("<?xml version='1.0' encoding='UTF-8' standalone='yes' ?>\n<smses count=\"{declared}\">\n");
        for i in 0..messages {
            xml.push_str(&format!("  <sms address=\"1\" date=\"{i}\" type=\"1\" body=\"message {i}\" />\n"));
        }
        xml
    }

    fn source(data: Vec<u8>) -> SmsXmlSource {
        SmsXmlSource::new("b.xml", decode(Box::new(std::io::Cursor::new(data)), None).unwrap(), &ReadOptions::default())
    }

    #[test]
    fn a_truncated_export_says_how_many_were_declared_and_read() {
        // cut between two messages: no </smses>
        let mut s = source(sms_backup(43, 21).into_bytes());
        assert_eq!(s.declared(), None, "the header is not read yet");
        let mut items = Vec::new();
        while let Some(i) = s.next_item() {
            items.push(i.unwrap());
        }
        assert_eq!(s.declared(), Some(43));
        assert_eq!(items.len(), 22);
        let Item::Reject(end) = &items[21] else { panic!("{:?}", items[21]) };
        assert_eq!(end.reason, "file ends early: the export declares 43 messages, 21 were read");
        assert_eq!(end.line, 22);
        // cut inside the 22nd message's tag
        let mut cut = sms_backup(43, 22);
        cut.truncate(cut.len() - 20);
        let items = read(cut.into_bytes());
        assert_eq!(items.len(), 22);
        let Item::Reject(end) = &items[21] else { panic!("{:?}", items[21]) };
        assert!(
            end.reason.starts_with("file ends early: the export declares 43 messages, 21 were read"),
            "{}",
            end.reason
        );
        // cut inside an MMS
        let mut mms = sms_backup(43, 21);
        mms.push_str("<mms date=\"1\" msg_box=\"1\" address=\"1\"><parts><part ct=\"text/plain\" text=\"x\" />");
        let items = read(mms.into_bytes());
        assert_eq!(items.len(), 22);
        let Item::Reject(end) = &items[21] else { panic!("{:?}", items[21]) };
        assert!(end.reason.contains("unterminated <mms>") && end.reason.contains("43 messages, 21 were read"));
        // a whole file, and one without a count, say nothing of the kind
        let mut whole = sms_backup(3, 3);
        whole.push_str("</smses>\n");
        let mut s = source(whole.into_bytes());
        let mut n = 0;
        while let Some(i) = s.next_item() {
            assert!(matches!(i.unwrap(), Item::Record(_)));
            n += 1;
        }
        assert_eq!((n, s.declared()), (3, Some(3)));
        assert_eq!(read(b"<smses><sms address=\"1\" body=\"x\" />".to_vec()).len(), 1);
    }

    #[test]
    fn utf16_backups_and_broken_xml() {
        let mut utf16 = vec![0xFF, 0xFE];
        for u in BACKUP.replace("UTF-8", "UTF-16").encode_utf16() {
            utf16.extend_from_slice(&u.to_le_bytes());
        }
        assert_eq!(read(utf16).len(), 4);
        let broken = "<smses><sms address=\"1\" body=\"ok\" date=\"1\" type=\"1\"/><sms address=\"2\" body=\"unclosed /></smses>";
        let items = read(broken.as_bytes().to_vec());
        assert_eq!(items.len(), 2);
        assert!(
            matches!(&items[1], Item::Reject(r) if r.reason.starts_with("file ends early: XML error at byte 53: ")),
            "{:?}",
            items[1]
        );
    }
}
