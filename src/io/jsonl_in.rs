//! JSON Lines input: one object per line; the text field named by `--text-column`. Blank lines
//! are not records; every other line is a record or a reject. A line is buffered up to the bytes
//! a text of `--max-chars` characters and the object's other fields may take ([`line_bytes`]); a
//! longer one is skipped to its end and rejected.

use serde_json::{Map, Value};

use super::decode::Decoded;
use super::lines::{Line, Lines};
use super::{InputError, Item, OTHER_BYTES, ReadOptions, Record, Reject, Source, check_text};

/// The bytes a line may take before it is rejected unread: a text of `max_chars` characters
/// JSON-escaped (`\ud83d\ude00`, 12 bytes for one character, at worst) and [`OTHER_BYTES`] for the
/// rest of the object.
fn line_bytes(max_chars: usize) -> usize {
    max_chars.saturating_mul(12).saturating_add(OTHER_BYTES)
}

/// A JSON Lines file (or standard input): one object per line.
pub struct JsonlSource {
    name: String,
    lines: Lines,
    columns: Vec<String>,
    max_chars: usize,
    transcoded: bool,
}

/// A JSON value as a field: strings as they are, null as empty, anything else as JSON.
pub fn value_to_field(v: Option<&Value>) -> String {
    match v {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
    }
}

impl JsonlSource {
    /// Reads `decoded`, named `name` in errors and rejects. The columns are the text column, then
    /// those of the id, sender and time columns that `options` names.
    pub fn new(name: &str, decoded: Decoded, options: &ReadOptions) -> JsonlSource {
        let mut columns = vec![options.text_column.clone()];
        for c in [&options.id_column, &options.sender_column, &options.time_column].into_iter().flatten() {
            if !columns.contains(c) {
                columns.push(c.clone());
            }
        }
        JsonlSource {
            name: name.to_string(),
            lines: Lines::new(decoded.reader, line_bytes(options.max_chars)),
            columns,
            max_chars: options.max_chars,
            transcoded: decoded.transcoded,
        }
    }

    fn parse(
        columns: &[String],
        max_chars: usize,
        transcoded: bool,
        line: u64,
        bytes: &[u8],
    ) -> Result<Record, String> {
        let text =
            std::str::from_utf8(bytes).map_err(|_| "invalid encoding: the line is not valid UTF-8".to_string())?;
        let object: Map<String, Value> = match serde_json::from_str::<Value>(text) {
            Ok(Value::Object(m)) => m,
            Ok(_) => return Err("not a JSON object".to_string()),
            Err(e) => return Err(format!("broken JSON: {e}")),
        };
        let key = &columns[0];
        let message = match object.get(key) {
            None => return Err(format!("missing text field {key:?}")),
            Some(Value::String(s)) => s.clone(),
            Some(_) => return Err(format!("text field {key:?} is not a string")),
        };
        if let Some(reason) = check_text(&message, max_chars, transcoded) {
            return Err(reason);
        }
        let mut fields = vec![message];
        fields.extend(columns[1..].iter().map(|c| value_to_field(object.get(c))));
        Ok(Record { line, fields, text_field: 0, object: Some(Box::new(object)) })
    }
}

impl Source for JsonlSource {
    fn name(&self) -> &str {
        &self.name
    }

    fn columns(&self) -> &[String] {
        &self.columns
    }

    fn next_item(&mut self) -> Option<Result<Item, InputError>> {
        let (line, bytes) = match self.lines.next_line(&self.name)? {
            Ok(Line::Text(line, bytes)) => (line, bytes),
            Ok(Line::TooLong { line, head, bytes, .. }) => {
                let limit = line_bytes(self.max_chars);
                let reason = format!(
                    "line longer than --max-chars allows ({bytes} bytes > {limit}: {} characters of text, \
                     JSON-escaped, and {OTHER_BYTES} bytes of other fields)",
                    self.max_chars
                );
                return Some(Ok(Item::Reject(Reject::new(line, head, reason))));
            }
            Err(e) => return Some(Err(e)),
        };
        Some(Ok(match JsonlSource::parse(&self.columns, self.max_chars, self.transcoded, line, bytes) {
            Ok(record) => Item::Record(record),
            Err(reason) => Item::Reject(Reject::new(line, bytes, reason)),
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::io::decode::decode;

    #[test]
    fn objects_become_records_and_bad_lines_rejects() {
        let data: &'static [u8] =
            b"{\"id\":1,\"text\":\"\xE8\xBF\x98\xE9\x92\xB1\"}\n\n{\"id\":2,\"text\":\n[1]\n{\"id\":3}\n{\"text\":5}\n{\"text\":\"ok\",\"from\":\"x\"}\r\n";
        let options = ReadOptions { id_column: Some("id".into()), ..ReadOptions::default() };
        let mut s = JsonlSource::new("t.jsonl", decode(Box::new(data), None).unwrap(), &options);
        assert_eq!(s.columns(), ["text", "id"]);
        let mut items = Vec::new();
        while let Some(i) = s.next_item() {
            items.push(i.unwrap());
        }
        assert_eq!(items.len(), 6, "the blank line is not a record");
        assert!(matches!(&items[0], Item::Record(r) if r.fields == ["还钱", "1"] && r.line == 1));
        assert!(matches!(&items[1], Item::Reject(r) if r.reason.starts_with("broken JSON") && r.line == 3));
        assert!(matches!(&items[2], Item::Reject(r) if r.reason == "not a JSON object"));
        assert!(matches!(&items[3], Item::Reject(r) if r.reason.contains("missing text field")));
        assert!(matches!(&items[4], Item::Reject(r) if r.reason.contains("not a string")));
        assert!(
            matches!(&items[5], Item::Record(r) if r.text() == "ok" && r.object.as_ref().unwrap().contains_key("from"))
        );
    }

    #[test]
    fn a_line_past_the_bound_is_one_reject_and_not_buffered() {
        let options = ReadOptions { max_chars: 2, ..ReadOptions::default() };
        let limit = line_bytes(2);
        let mut data = b"{\"text\":\"\\ud83d\\ude00\\ud83d\\ude00\"}\r\n{\"text\":\"abc\"}\r\n{\"text\":\"".to_vec();
        data.extend(std::iter::repeat_n(b'x', 3 * limit));
        data.extend_from_slice(b"\"}\r\n{\"text\":\"ok\"}\n");
        let decoded = decode(Box::new(std::io::Cursor::new(data)), None).unwrap();
        let mut s = JsonlSource::new("t.jsonl", decoded, &options);
        let mut items = Vec::new();
        while let Some(i) = s.next_item() {
            items.push(i.unwrap());
        }
        assert_eq!(items.len(), 4);
        assert!(matches!(&items[0], Item::Record(r) if r.text() == "😀😀"), "escaped characters fit");
        assert!(matches!(&items[1], Item::Reject(r) if r.reason.contains("(3 > 2 characters)")));
        let Item::Reject(long) = &items[2] else { panic!("{:?}", items[2]) };
        assert_eq!(long.line, 3);
        assert!(
            long.reason
                .starts_with(&format!("line longer than --max-chars allows ({} bytes > {limit}", 3 * limit + 11))
        );
        assert!(matches!(&items[3], Item::Record(r) if r.line == 4 && r.text() == "ok"));
        assert!(s.lines.buffered() <= 2 * (limit + 2), "{} bytes buffered", s.lines.buffered());
    }

    #[test]
    fn crlf_lines_keep_their_numbers() {
        let data: &'static [u8] = b"{\"text\":\"a\"}\r\n\r\n{\"text\":\"b\r\n{\"text\":\"c\"}\r\n[]\r\n";
        let mut s = JsonlSource::new("t.jsonl", decode(Box::new(data), None).unwrap(), &ReadOptions::default());
        let mut lines = Vec::new();
        while let Some(i) = s.next_item() {
            lines.push(match i.unwrap() {
                Item::Record(r) => (r.line, true),
                Item::Reject(r) => (r.line, false),
            });
        }
        assert_eq!(lines, [(1, true), (3, false), (4, true), (5, false)]);
    }
}
