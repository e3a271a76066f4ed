//! Android "SMS Backup & Restore" XML, streamed with quick-xml: each `<sms>` and each `<mms>`
//! (its text parts joined) becomes a record with id, sender, contact_name, time (ISO 8601, China
//! time), type and text.

use std::collections::HashMap;
use std::io::{BufReader, Read};

use chrono::{DateTime, FixedOffset, SecondsFormat};
use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};

use super::decode::Decoded;
use super::{InputError, Item, ReadOptions, Record, Reject, Source, check_text};

/// The columns of an SMS backup's records, in order; the last, the text, takes the name of the
/// text column.
pub const COLUMNS: [&str; 6] = ["id", "sender", "contact_name", "time", "type", "text"];

/// An Android "SMS Backup & Restore" XML file: one record per `<sms>` and per `<mms>`.
pub struct SmsXmlSource {
    name: String,
    reader: Reader<BufReader<Box<dyn Read + Send>>>,
    columns: Vec<String>,
    max_chars: usize,
    transcoded: bool,
    record: u64,
    buf: Vec<u8>,
    mms: Option<Mms>,
    stopped: bool,
}

/// An `<mms>` being read: its attributes and the text of its parts so far.
struct Mms {
    attrs: HashMap<String, String>,
    texts: Vec<String>,
    raw: String,
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

impl SmsXmlSource {
    /// Reads `decoded`, named `name` in errors and rejects.
    pub fn new(name: &str, decoded: Decoded, options: &ReadOptions) -> SmsXmlSource {
        let mut columns: Vec<String> = COLUMNS.iter().map(|c| c.to_string()).collect();
        columns[5] = options.text_column.clone();
        SmsXmlSource {
            name: name.to_string(),
            reader: Reader::from_reader(BufReader::with_capacity(1 << 16, decoded.reader)),
            columns,
            max_chars: options.max_chars,
            transcoded: decoded.transcoded,
            record: 0,
            buf: Vec::new(),
            mms: None,
            stopped: false,
        }
    }

    fn record(&self, attrs: &HashMap<String, String>, kind_key: &str, text: String, raw: &str) -> Item {
        if let Some(reason) = check_text(&text, self.max_chars, self.transcoded) {
            return Item::Reject(Reject::new(self.record, raw.as_bytes(), reason));
        }
        let get = |k: &str| attrs.get(k).cloned().unwrap_or_default();
        let fields = vec![
            self.record.to_string(),
            get("address"),
            get("contact_name"),
            millis_to_iso(&get("date")),
            direction(&get(kind_key)),
            text,
        ];
        Item::Record(Record { line: self.record, fields, text_field: 5, object: None })
    }
}

impl Source for SmsXmlSource {
    fn name(&self) -> &str {
        &self.name
    }

    fn columns(&self) -> &[String] {
        &self.columns
    }

    fn next_item(&mut self) -> Option<Result<Item, InputError>> {
        if self.stopped {
            return None;
        }
        loop {
            self.buf.clear();
            let event = match self.reader.read_event_into(&mut self.buf) {
                Ok(e) => e,
                Err(err) => {
                    self.stopped = true;
                    self.record += 1;
                    let position = self.reader.error_position();
                    let reason = format!("XML error at byte {position}: {err}; the rest of this file was not read");
                    return Some(Ok(Item::Reject(Reject::new(self.record, b"", reason))));
                }
            };
            match event {
                Event::Eof => {
                    return self.mms.take().map(|m| {
                        self.record += 1;
                        Ok(Item::Reject(Reject::new(
                            self.record,
                            m.raw.as_bytes(),
                            "unterminated <mms> at end of file",
                        )))
                    });
                }
                Event::Empty(e) | Event::Start(e) if e.name().as_ref() == "sms" => {
                    self.record += 1;
                    let raw = raw_of(&e);
                    return Some(Ok(match attributes(&e) {
                        Err(reason) => Item::Reject(Reject::new(self.record, raw.as_bytes(), reason)),
                        Ok(attrs) => {
                            let body = attrs.get("body").cloned().unwrap_or_default();
                            self.record(&attrs, "type", body, &raw)
                        }
                    }));
                }
                Event::Start(e) if e.name().as_ref() == "mms" => {
                    let raw = raw_of(&e);
                    match attributes(&e) {
                        Ok(attrs) => self.mms = Some(Mms { attrs, texts: Vec::new(), raw }),
                        Err(reason) => {
                            self.record += 1;
                            self.mms = None;
                            return Some(Ok(Item::Reject(Reject::new(self.record, raw.as_bytes(), reason))));
                        }
                    }
                }
                Event::Empty(e) if e.name().as_ref() == "mms" => {
                    self.record += 1;
                    let raw = raw_of(&e);
                    return Some(Ok(Item::Reject(Reject::new(self.record, raw.as_bytes(), "MMS without a text part"))));
                }
                Event::Empty(e) | Event::Start(e) if e.name().as_ref() == "part" => {
                    if let (Some(mms), Ok(attrs)) = (self.mms.as_mut(), attributes(&e)) {
                        let is_text = attrs.get("ct").is_some_and(|ct| ct.starts_with("text/plain"));
                        if let (true, Some(text)) = (is_text, attrs.get("text")) {
                            mms.texts.push(text.clone());
                        }
                    }
                }
                Event::End(e) if e.name().as_ref() == "mms" => {
                    if let Some(mms) = self.mms.take() {
                        self.record += 1;
                        if mms.texts.is_empty() {
                            return Some(Ok(Item::Reject(Reject::new(
                                self.record,
                                mms.raw.as_bytes(),
                                "MMS without a text part",
                            ))));
                        }
                        let text = mms.texts.join("\n");
                        return Some(Ok(self.record(&mms.attrs, "msg_box", text, &mms.raw)));
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
            ["1", "10690001", "(Unknown)", "2024-03-10T12:00:00+08:00", "received", "【速融宝】您的借款已逾期\n请还款"]
        );
        assert!(matches!(&items[1], Item::Record(r) if r.text() == "再不还就爆你通讯录 & 发你家人"));
        assert!(matches!(&items[2], Item::Record(r) if r.text() == "你的遗照做好了" && r.fields[0] == "3"));
        assert!(matches!(&items[3], Item::Reject(r) if r.reason.contains("without a text part")));
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
        assert!(matches!(&items[1], Item::Reject(r) if r.reason.starts_with("XML error")));
    }
}
