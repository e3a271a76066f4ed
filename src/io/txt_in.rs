//! Plain-text input: one message per line. Blank lines are not records.

use super::decode::Decoded;
use super::lines::Lines;
use super::{InputError, Item, ReadOptions, Record, Reject, Source, check_text};

/// A plain-text file: one record per non-blank line, with the columns `line` and the text column.
pub struct TxtSource {
    name: String,
    lines: Lines,
    columns: Vec<String>,
    max_chars: usize,
    transcoded: bool,
}

impl TxtSource {
    /// Reads `decoded`, named `name` in errors and rejects.
    pub fn new(name: &str, decoded: Decoded, options: &ReadOptions) -> TxtSource {
        TxtSource {
            name: name.to_string(),
            lines: Lines::new(decoded.reader),
            columns: vec!["line".to_string(), options.text_column.clone()],
            max_chars: options.max_chars,
            transcoded: decoded.transcoded,
        }
    }
}

impl Source for TxtSource {
    fn name(&self) -> &str {
        &self.name
    }

    fn columns(&self) -> &[String] {
        &self.columns
    }

    fn next_item(&mut self) -> Option<Result<Item, InputError>> {
        let (line, bytes) = match self.lines.next_line(&self.name)? {
            Ok(l) => l,
            Err(e) => return Some(Err(e)),
        };
        let item = match std::str::from_utf8(bytes) {
            Err(_) => Item::Reject(Reject::new(line, bytes, "invalid encoding: the line is not valid UTF-8")),
            Ok(text) => match check_text(text, self.max_chars, self.transcoded) {
                Some(reason) => Item::Reject(Reject::new(line, bytes, reason)),
                None => Item::Record(Record {
                    line,
                    fields: vec![line.to_string(), text.to_string()],
                    text_field: 1,
                    object: None,
                }),
            },
        };
        Some(Ok(item))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::io::decode::decode;

    #[test]
    fn one_message_per_line() {
        let data: &'static [u8] = b"first\r\n\n  \nsecond \xFF\nthird\x00\nlast";
        let mut s = TxtSource::new("t.txt", decode(Box::new(data), None).unwrap(), &ReadOptions::default());
        let mut items = Vec::new();
        while let Some(i) = s.next_item() {
            items.push(i.unwrap());
        }
        assert_eq!(items.len(), 4);
        assert!(matches!(&items[0], Item::Record(r) if r.fields == ["1", "first"]));
        assert!(matches!(&items[1], Item::Reject(r) if r.line == 4 && r.reason.contains("encoding")));
        assert!(matches!(&items[2], Item::Reject(r) if r.reason.contains("NUL")));
        assert!(matches!(&items[3], Item::Record(r) if r.text() == "last" && r.line == 6));
    }

    #[test]
    fn crlf_lines_keep_their_numbers() {
        let data: &'static [u8] = b"one\r\n\r\ntwo\r\nbad\x00\r\n\r\n\r\nthree\r\n";
        let mut s = TxtSource::new("t.txt", decode(Box::new(data), None).unwrap(), &ReadOptions::default());
        let mut lines = Vec::new();
        while let Some(i) = s.next_item() {
            lines.push(match i.unwrap() {
                Item::Record(r) => (r.line, r.text().to_string()),
                Item::Reject(r) => (r.line, r.reason),
            });
        }
        let expected = [(1, "one"), (3, "two"), (4, "NUL byte in the text"), (7, "three")];
        assert_eq!(lines, expected.map(|(l, t)| (l, t.to_string())));
    }
}
