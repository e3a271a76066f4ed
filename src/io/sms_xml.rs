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
//! - quick-xml buffers a whole tag, so a [`Limiter`] in front of it keeps at most what
//!   `--max-chars` characters can take in XML of each attribute value (16 bytes a character, for
//!   `&#55357;&#56832;`) and drops the rest, noting where; a message whose text (or another
//!   attribute it is read from) was cut is rejected as too long. Cut values it does not read,
//!   such as a part's base64 `data`, do not matter. A 200 MB body costs the bound in memory.

use std::collections::{HashMap, VecDeque};
use std::io::{BufReader, Read};

use chrono::{DateTime, FixedOffset, SecondsFormat};
use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};

use super::decode::Decoded;
use super::{InputError, Item, OTHER_BYTES, ReadOptions, Record, Reject, Source, check_text};

/// The columns of an SMS backup's records, in order: the text takes the name of the text
/// column; `attachments` lists an MMS's non-text parts (`content-type name`, `;`-separated).
pub const COLUMNS: [&str; 7] = ["id", "sender", "contact_name", "time", "type", "text", "attachments"];
const TEXT_FIELD: usize = 5;
/// The attributes read from each element: a cut in one of these rejects the message.
const SMS_ATTRIBUTES: [&str; 5] = ["address", "contact_name", "date", "type", "body"];
const MMS_ATTRIBUTES: [&str; 4] = ["address", "contact_name", "date", "msg_box"];
const PART_ATTRIBUTES: [&str; 5] = ["ct", "text", "name", "cl", "fn"];

/// An Android "SMS Backup & Restore" XML file: one record per `<sms>` and per `<mms>`.
pub struct SmsXmlSource {
    name: String,
    reader: Reader<BufReader<Limiter>>,
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

/// The bytes an attribute value may take in XML for `max_chars` characters: 16 a character
/// (a surrogate pair written as `&#55357;&#56832;`), and some.
fn value_bytes(max_chars: usize) -> usize {
    max_chars.saturating_mul(16).saturating_add(1024)
}

/// Why a message is rejected when attributes it is read from (`read`, the text among them
/// `text`) were cut by the [`Limiter`].
fn cut_reason(cuts: &[Cut], read: &[&str], text: &str, max_chars: usize) -> Option<String> {
    let cut = cuts.iter().find(|c| read.contains(&c.attr.as_str()))?;
    let limit = value_bytes(max_chars);
    Some(if cut.attr == text {
        format!(
            "text longer than --max-chars ({}: {} bytes of XML, more than the {limit} that {max_chars} characters take)",
            cut.attr, cut.bytes
        )
    } else {
        format!("attribute {:?} longer than --max-chars allows ({} bytes > {limit})", cut.attr, cut.bytes)
    })
}

/// The bytes a tag may have outside its attribute values (names, `=`, quotes, spaces).
const MARKUP_BYTES: u64 = 1 << 16;

/// Where the [`Limiter`] is in the markup.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Markup {
    Text,
    /// Just after `<`.
    Open,
    /// Just after `<!`.
    Bang,
    /// In a start or end tag, outside attribute values.
    Tag,
    /// In an attribute value quoted with this byte.
    Value(u8),
    Comment,
    CData,
    /// A processing instruction or the XML declaration.
    Pi,
    /// `<!DOCTYPE …>`: the quote it is in, and how deep in `[…]`.
    Decl(Option<u8>, u32),
}

/// An attribute value the [`Limiter`] cut: where (in the bytes it handed on), which attribute,
/// and how long the value was.
#[derive(Debug, Clone, PartialEq)]
struct Cut {
    at: u64,
    attr: String,
    bytes: u64,
}

/// Between the decoded input and quick-xml: hands the XML on unchanged except that each
/// attribute value, text run, comment or CDATA section is cut after [`value_bytes`] (at a
/// character boundary), and the values of one tag after that and [`OTHER_BYTES`] more. Cut
/// attribute values are noted in `cuts`. A tag with more than [`MARKUP_BYTES`] outside its
/// values is an error: quick-xml could not read it without holding it whole.
struct Limiter {
    input: Box<dyn Read + Send>,
    inbuf: Vec<u8>,
    /// Bytes ready to hand on, from `out_pos`.
    out: Vec<u8>,
    out_pos: usize,
    /// Bytes handed on (or made ready) so far.
    offset: u64,
    state: Markup,
    /// Bytes of the current value, text run or comment, kept or not.
    run: u64,
    dropping: bool,
    /// Bytes of the current tag kept.
    tag_bytes: u64,
    /// Bytes of the current tag outside its attribute values.
    markup: u64,
    /// The name of the attribute being read, and whether whitespace followed it.
    name: Vec<u8>,
    spaced: bool,
    /// The last two bytes seen, for the ends of comments, CDATA and processing instructions.
    tail: [u8; 2],
    value_limit: u64,
    tag_limit: u64,
    cuts: VecDeque<Cut>,
    /// An error met while preparing `out`, returned once `out` is handed on.
    error: Option<std::io::Error>,
}

impl Limiter {
    fn new(input: Box<dyn Read + Send>, max_chars: usize) -> Limiter {
        let value_limit = value_bytes(max_chars) as u64;
        Limiter {
            input,
            inbuf: vec![0; 1 << 16],
            out: Vec::with_capacity(1 << 16),
            out_pos: 0,
            offset: 0,
            state: Markup::Text,
            run: 0,
            dropping: false,
            tag_bytes: 0,
            markup: 0,
            name: Vec::new(),
            spaced: false,
            tail: [0; 2],
            value_limit,
            tag_limit: value_limit.saturating_add(OTHER_BYTES as u64),
            cuts: VecDeque::new(),
            error: None,
        }
    }

    fn emit(&mut self, b: u8) {
        self.out.push(b);
        self.offset += 1;
    }

    /// One byte of content (a value, text, comment): kept while the run is under `limit` (and to
    /// the end of the character under way), dropped after. True when it is the first dropped.
    fn content(&mut self, b: u8, limit: u64) -> bool {
        self.run += 1;
        if self.dropping {
            return false;
        }
        let continues = (b as i8) < -0x40;
        if self.run <= limit || (continues && self.run <= limit + 3) {
            self.emit(b);
            return false;
        }
        self.dropping = true;
        true
    }

    fn tag_byte(&mut self, b: u8) -> std::io::Result<()> {
        self.emit(b);
        self.tag_bytes += 1;
        self.markup += 1;
        if self.markup > MARKUP_BYTES {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                format!("an XML tag with more than {MARKUP_BYTES} bytes outside its attribute values"),
            ));
        }
        Ok(())
    }

    fn start_run(&mut self, state: Markup) {
        self.state = state;
        self.run = 0;
        self.dropping = false;
    }

    fn byte(&mut self, b: u8) -> std::io::Result<()> {
        match self.state {
            Markup::Text if b == b'<' => {
                self.emit(b);
                self.tag_bytes = 1;
                self.markup = 1;
                self.name.clear();
                self.spaced = false;
                self.state = Markup::Open;
            }
            Markup::Text => {
                self.content(b, self.value_limit);
            }
            Markup::Open => {
                self.tag_byte(b)?;
                match b {
                    b'!' => self.state = Markup::Bang,
                    b'?' => self.start_run(Markup::Pi),
                    b'>' => self.start_run(Markup::Text),
                    _ => self.state = Markup::Tag,
                }
            }
            Markup::Bang => {
                self.tag_byte(b)?;
                match b {
                    b'-' => self.start_run(Markup::Comment),
                    b'[' => self.start_run(Markup::CData),
                    _ => self.state = Markup::Decl(None, 0),
                }
            }
            Markup::Tag => {
                self.tag_byte(b)?;
                match b {
                    b'"' | b'\'' => self.start_run(Markup::Value(b)),
                    b'>' => self.start_run(Markup::Text),
                    b'=' => self.spaced = false,
                    b' ' | b'\t' | b'\r' | b'\n' => self.spaced = true,
                    _ => {
                        if self.spaced {
                            self.name.clear();
                            self.spaced = false;
                        }
                        if self.name.len() < 64 {
                            self.name.push(b);
                        }
                    }
                }
            }
            Markup::Value(quote) if b == quote => {
                if self.dropping
                    && let Some(cut) = self.cuts.back_mut()
                {
                    cut.bytes = self.run;
                }
                self.tag_byte(b)?;
                self.state = Markup::Tag;
                self.spaced = true;
            }
            Markup::Value(_) => {
                let limit = self.value_limit.min(self.run + self.tag_limit.saturating_sub(self.tag_bytes));
                let at = self.offset;
                let kept = self.out.len();
                if self.content(b, limit) {
                    let attr = String::from_utf8_lossy(&self.name).into_owned();
                    self.cuts.push_back(Cut { at, attr, bytes: self.run });
                }
                self.tag_bytes += (self.out.len() - kept) as u64;
            }
            Markup::Comment | Markup::CData | Markup::Pi => {
                let end: &[u8] = match self.state {
                    Markup::Comment if b == b'>' && self.tail == *b"--" => b"-->",
                    Markup::CData if b == b'>' && self.tail == *b"]]" => b"]]>",
                    Markup::Pi if b == b'>' && self.tail[1] == b'?' => b"?>",
                    _ => b"",
                };
                if end.is_empty() {
                    self.content(b, self.value_limit);
                } else {
                    // the end is handed on whole even when the bytes before it were dropped
                    for &e in if self.dropping { end } else { &end[end.len() - 1..] } {
                        self.emit(e);
                    }
                    self.start_run(Markup::Text);
                }
            }
            Markup::Decl(quote, depth) => {
                self.tag_byte(b)?;
                self.state = match (quote, b) {
                    (Some(q), _) if b == q => Markup::Decl(None, depth),
                    (Some(_), _) => Markup::Decl(quote, depth),
                    (None, b'"' | b'\'') => Markup::Decl(Some(b), depth),
                    (None, b'[') => Markup::Decl(None, depth + 1),
                    (None, b']') => Markup::Decl(None, depth.saturating_sub(1)),
                    (None, b'>') if depth == 0 => Markup::Text,
                    _ => Markup::Decl(None, depth),
                };
                if self.state == Markup::Text {
                    self.start_run(Markup::Text);
                }
            }
        }
        self.tail = [self.tail[1], b];
        Ok(())
    }

    /// The fast way through text and attribute values: hands on `inbuf[i..n]` up to the byte that
    /// ends the run or the run's bound, whichever comes first; returns how many bytes that was.
    fn plain(&mut self, i: usize, n: usize) -> usize {
        let (stop, limit) = match self.state {
            Markup::Text => (b'<', self.value_limit),
            Markup::Value(quote) => {
                (quote, self.value_limit.min(self.run + self.tag_limit.saturating_sub(self.tag_bytes)))
            }
            _ => return 0,
        };
        if self.dropping {
            return 0;
        }
        let chunk = &self.inbuf[i..n];
        let room = usize::try_from(limit.saturating_sub(self.run)).unwrap_or(usize::MAX);
        let len = chunk.iter().position(|&b| b == stop).unwrap_or(chunk.len()).min(room);
        if len == 0 {
            return 0;
        }
        self.out.extend_from_slice(&chunk[..len]);
        self.tail = if len >= 2 { [chunk[len - 2], chunk[len - 1]] } else { [self.tail[1], chunk[0]] };
        self.offset += len as u64;
        self.run += len as u64;
        if self.state != Markup::Text {
            self.tag_bytes += len as u64;
        }
        len
    }

    /// The cuts in the bytes handed on before `end`.
    fn cuts_before(&mut self, end: u64) -> Vec<Cut> {
        let mut cuts = Vec::new();
        while self.cuts.front().is_some_and(|c| c.at < end) {
            cuts.extend(self.cuts.pop_front());
        }
        cuts
    }
}

impl Read for Limiter {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        while self.out_pos == self.out.len() {
            if let Some(error) = self.error.take() {
                return Err(error);
            }
            self.out.clear();
            self.out_pos = 0;
            let n = self.input.read(&mut self.inbuf)?;
            if n == 0 {
                return Ok(0);
            }
            let mut i = 0;
            while i < n {
                let plain = self.plain(i, n);
                if plain > 0 {
                    i += plain;
                    continue;
                }
                let b = self.inbuf[i];
                if let Err(error) = self.byte(b) {
                    // what came before is handed on first
                    self.error = Some(error);
                    // and nothing after it is read
                    self.inbuf = Vec::new();
                    break;
                }
                i += 1;
            }
        }
        let n = buf.len().min(self.out.len() - self.out_pos);
        buf[..n].copy_from_slice(&self.out[self.out_pos..self.out_pos + n]);
        self.out_pos += n;
        Ok(n)
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
            reader: Reader::from_reader(BufReader::with_capacity(
                1 << 16,
                Limiter::new(decoded.reader, options.max_chars),
            )),
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
            let end = self.reader.buffer_position();
            let cuts = self.reader.get_mut().get_mut().cuts_before(end);
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
                    if let Some(reason) = cut_reason(&cuts, &SMS_ATTRIBUTES, "body", self.max_chars) {
                        return Some(Item::Reject(Reject::new(self.record, raw.as_bytes(), reason)));
                    }
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
                    let (attrs, error) = match (cut_reason(&cuts, &MMS_ATTRIBUTES, "", self.max_chars), attributes(&e))
                    {
                        (Some(reason), _) | (None, Err(reason)) => (HashMap::new(), Some(reason)),
                        (None, Ok(attrs)) => (attrs, None),
                    };
                    let number = self.record;
                    self.open.push(Mms { number, attrs, texts: Vec::new(), attachments: String::new(), raw, error });
                }
                Event::Empty(e) if e.name().as_ref() == "mms" => {
                    self.record += 1;
                    let raw = raw_of(&e);
                    let (attrs, error) = match (cut_reason(&cuts, &MMS_ATTRIBUTES, "", self.max_chars), attributes(&e))
                    {
                        (Some(reason), _) | (None, Err(reason)) => (HashMap::new(), Some(reason)),
                        (None, Ok(attrs)) => (attrs, None),
                    };
                    let number = self.record;
                    let mms = Mms { number, attrs, texts: Vec::new(), attachments: String::new(), raw, error };
                    return Some(self.finish_mms(mms));
                }
                Event::Empty(e) | Event::Start(e) if e.name().as_ref() == "part" => {
                    let attrs = match cut_reason(&cuts, &PART_ATTRIBUTES, "text", self.max_chars) {
                        Some(reason) => Err(reason),
                        None => attributes(&e),
                    };
                    if let Some(mms) = self.open.last_mut() {
                        mms.add_part(attrs);
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
    fn values_past_max_chars_are_cut_while_reading_and_reject_their_message() {
        let big = 3 << 20;
        let mut xml = String::from("<?xml version='1.0'?>\n<smses count=\"7\">\n<!-- ");
        xml.push_str(&"注释".repeat(big / 6));
        xml.push_str(" -->\n<sms address=\"1\" date=\"1\" type=\"1\" body=\"短\" />\n<sms address=\"2\" date=\"2\" type=\"1\" body=\"");
        xml.push_str(&"中&amp;".repeat(big / 8));
        xml.push_str("\" contact_name=\"x\" />\n");
        xml.push_str(&" ".repeat(big));
        xml.push_str(
            "<mms date=\"3\" msg_box=\"1\" address=\"3\"><parts><part ct=\"image/jpeg\" name=\"a.jpg\" data=\"",
        );
        xml.push_str(&"QUJD".repeat(big / 4));
        xml.push_str("\" /><part ct=\"text/plain\" text=\"看图\" /></parts></mms>\n");
        xml.push_str("<mms date=\"4\" msg_box=\"1\" address=\"4\"><parts><part ct=\"text/plain\" text=\"");
        xml.push_str(&"长".repeat(big / 3));
        xml.push_str("\" /></parts></mms>\n<sms address=\"");
        xml.push_str(&"9".repeat(big));
        xml.push_str(
            "\" date=\"5\" type=\"1\" body=\"x\" />\n<sms address=\"6\" date=\"6\" type=\"1\" body=\"ok\" />\n<sms ",
        );
        xml.push_str(&"a".repeat(big));
        xml.push_str(" />\n</smses>\n");
        let options = ReadOptions { max_chars: 5, ..ReadOptions::default() };
        let decoded = decode(Box::new(std::io::Cursor::new(xml.into_bytes())), None).unwrap();
        let mut s = SmsXmlSource::new("b.xml", decoded, &options);
        let mut items = Vec::new();
        while let Some(i) = s.next_item() {
            items.push(i.unwrap());
            // what quick-xml holds: a cut tag; and at most the bound of a tag outside its values
            let most = if items.len() < 7 { 1 << 14 } else { 2 * MARKUP_BYTES };
            assert!(s.buf.capacity() as u64 <= most, "quick-xml held {} bytes", s.buf.capacity());
        }
        let summary: Vec<(u64, String)> = items
            .iter()
            .map(|i| match i {
                Item::Record(r) => (r.line, format!("{}|{}", r.text(), r.fields[6])),
                Item::Reject(r) => (r.line, r.reason.clone()),
            })
            .collect();
        let limit = value_bytes(5);
        assert_eq!(summary.len(), 7, "{summary:?}");
        assert_eq!(summary[0], (1, "短|".to_string()));
        let body = big / 8 * 8;
        let expected = format!(
            "text longer than --max-chars (body: {body} bytes of XML, more than the {limit} that 5 characters take)"
        );
        assert_eq!(summary[1], (2, expected));
        assert_eq!(
            summary[2],
            (3, "看图|image/jpeg a.jpg".to_string()),
            "a long data attribute is not read: no matter"
        );
        assert_eq!(summary[3].0, 4);
        assert!(summary[3].1.starts_with("MMS part: text longer than --max-chars (text: "), "{}", summary[3].1);
        assert_eq!(
            summary[4],
            (5, format!("attribute \"address\" longer than --max-chars allows ({big} bytes > {limit})"))
        );
        assert_eq!(summary[5], (6, "ok|".to_string()));
        assert_eq!(summary[6].0, 7);
        assert!(
            summary[6].1.contains("an XML tag with more than 65536 bytes outside its attribute values"),
            "{}",
            summary[6].1
        );
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
