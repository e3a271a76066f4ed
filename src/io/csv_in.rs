//! CSV and TSV input: a header row, one record per row, streamed with one reused byte record;
//! the delimiter is sniffed from the header row unless given.

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::Path;

use super::decode::Decoded;
use super::{Format, InputError, Item, ReadOptions, Record, Reject, Source, check_text};

/// A CSV or TSV file (or standard input) with a header row and a text column.
pub struct CsvSource {
    name: String,
    reader: csv::Reader<Box<dyn Read + Send>>,
    columns: Vec<String>,
    text_field: usize,
    delimiter: u8,
    max_chars: usize,
    transcoded: bool,
    row: csv::ByteRecord,
}

/// Opens `path` for reading, `-` meaning standard input.
pub fn open_input(path: &str) -> Result<Box<dyn Read + Send>, InputError> {
    if path == "-" {
        return Ok(Box::new(io::stdin()));
    }
    let file = File::open(Path::new(path)).map_err(|source| InputError::Io { file: path.to_string(), source })?;
    Ok(Box::new(BufReader::with_capacity(1 << 16, file)))
}

/// The most frequent of `, \t ; |` outside quotes in the header line; comma when none occurs.
pub fn sniff_delimiter(header: &[u8]) -> u8 {
    let mut counts = [0usize; 4];
    let candidates = [b',', b'\t', b';', b'|'];
    let mut quoted = false;
    for &b in header {
        if b == b'"' {
            quoted = !quoted;
        } else if let (false, Some(i)) = (quoted, candidates.iter().position(|&c| c == b)) {
            counts[i] += 1;
        }
    }
    let best = (0..4).max_by_key(|&i| (counts[i], usize::MAX - i)).unwrap_or(0);
    if counts[best] == 0 { b',' } else { candidates[best] }
}

impl CsvSource {
    /// Reads the header row of `decoded` and finds the text column. The delimiter is
    /// `options.delimiter`, else a tab for TSV, else sniffed; an empty input has no columns and no
    /// records. Fails when the header row cannot be read or has no text column.
    pub fn new(name: &str, decoded: Decoded, format: Format, options: &ReadOptions) -> Result<CsvSource, InputError> {
        let mut input = BufReader::with_capacity(1 << 16, decoded.reader);
        let delimiter = match (options.delimiter, format) {
            (Some(d), _) => d,
            (None, Format::Tsv) => b'\t',
            (None, _) => {
                let buf = input.fill_buf().map_err(|source| InputError::Io { file: name.to_string(), source })?;
                let end = buf.iter().position(|&b| b == b'\n').unwrap_or(buf.len());
                sniff_delimiter(&buf[..end])
            }
        };
        let boxed: Box<dyn Read + Send> = Box::new(input);
        let mut reader =
            csv::ReaderBuilder::new().flexible(true).has_headers(true).delimiter(delimiter).from_reader(boxed);
        let headers = reader.byte_headers().map_err(|e| InputError::Format {
            file: name.to_string(),
            message: format!("cannot read the header row: {e}"),
        })?;
        let mut columns = Vec::with_capacity(headers.len());
        for (i, h) in headers.iter().enumerate() {
            let h = String::from_utf8(h.to_vec()).map_err(|_| InputError::Format {
                file: name.to_string(),
                message: format!("header column {} is not valid UTF-8 (try --encoding)", i + 1),
            })?;
            columns.push(h.trim_start_matches('\u{FEFF}').to_string());
        }
        if columns.is_empty() || (columns.len() == 1 && columns[0].is_empty()) {
            // An empty file holds no records: nothing to classify, nothing to reject.
            if reader.is_done() {
                return Ok(CsvSource {
                    name: name.to_string(),
                    reader,
                    columns: Vec::new(),
                    text_field: 0,
                    delimiter,
                    max_chars: options.max_chars,
                    transcoded: decoded.transcoded,
                    row: csv::ByteRecord::new(),
                });
            }
            return Err(InputError::Format { file: name.to_string(), message: "the header row is empty".into() });
        }
        let column = &options.text_column;
        let text_field = columns.iter().position(|c| c.trim() == column).ok_or_else(|| InputError::MissingColumn {
            file: name.to_string(),
            column: column.clone(),
            found: columns.join(", "),
        })?;
        Ok(CsvSource {
            name: name.to_string(),
            reader,
            columns,
            text_field,
            delimiter,
            max_chars: options.max_chars,
            transcoded: decoded.transcoded,
            row: csv::ByteRecord::new(),
        })
    }

    fn raw(&self) -> Vec<u8> {
        let mut raw = Vec::new();
        for (i, f) in self.row.iter().enumerate() {
            if i > 0 {
                raw.push(self.delimiter);
            }
            raw.extend_from_slice(f);
        }
        raw
    }

    fn reject(&self, line: u64, reason: String) -> Option<Result<Item, InputError>> {
        Some(Ok(Item::Reject(Reject::new(line, &self.raw(), reason))))
    }
}

impl Source for CsvSource {
    fn name(&self) -> &str {
        &self.name
    }

    fn columns(&self) -> &[String] {
        &self.columns
    }

    fn next_item(&mut self) -> Option<Result<Item, InputError>> {
        if self.columns.is_empty() {
            return None;
        }
        match self.reader.read_byte_record(&mut self.row) {
            Ok(false) => None,
            Err(e) => Some(Err(InputError::Format { file: self.name.clone(), message: e.to_string() })),
            Ok(true) => {
                let line = self.row.position().map_or(0, |p| p.line());
                if self.row.len() != self.columns.len() {
                    let reason =
                        format!("wrong field count: expected {} fields, found {}", self.columns.len(), self.row.len());
                    return self.reject(line, reason);
                }
                let mut fields = Vec::with_capacity(self.row.len());
                for (i, f) in self.row.iter().enumerate() {
                    match std::str::from_utf8(f) {
                        Ok(s) => fields.push(s.to_string()),
                        Err(_) => {
                            let reason = format!("invalid encoding: field {:?} is not valid UTF-8", self.columns[i]);
                            return self.reject(line, reason);
                        }
                    }
                }
                if let Some(reason) = check_text(&fields[self.text_field], self.max_chars, self.transcoded) {
                    return self.reject(line, reason);
                }
                Some(Ok(Item::Record(Record { line, fields, text_field: self.text_field, object: None })))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::io::decode::decode;

    fn source(data: &'static [u8], options: &ReadOptions) -> Result<CsvSource, InputError> {
        let decoded = decode(Box::new(data), options.encoding).unwrap();
        CsvSource::new("t.csv", decoded, Format::Csv, options)
    }

    fn items(mut s: CsvSource) -> Vec<Item> {
        let mut items = Vec::new();
        while let Some(item) = s.next_item() {
            items.push(item.unwrap());
        }
        items
    }

    #[test]
    fn reads_records_and_rejects_bad_rows() {
        let s = source(
            b"\xEF\xBB\xBFid,text\n1,hello\n2,a,b\n3,\"multi\nline\"\n4,\xFF\xFE\n5,a\x00b\n",
            &ReadOptions::default(),
        )
        .unwrap();
        assert_eq!(s.columns(), ["id", "text"]);
        let items = items(s);
        assert_eq!(items.len(), 5);
        assert!(matches!(&items[0], Item::Record(r) if r.text() == "hello" && r.line == 2));
        assert!(matches!(&items[1], Item::Reject(r) if r.reason.contains("expected 2 fields, found 3")));
        assert!(matches!(&items[2], Item::Record(r) if r.text() == "multi\nline"));
        assert!(matches!(&items[3], Item::Reject(r) if r.reason.contains("invalid encoding") && r.line == 6));
        assert!(matches!(&items[4], Item::Reject(r) if r.reason.contains("NUL")));
    }

    #[test]
    fn sniffs_delimiters_and_rejects_long_texts() {
        assert_eq!(sniff_delimiter(b"id\ttext\tsender"), b'\t');
        assert_eq!(sniff_delimiter(b"id;text;\"a,b\""), b';');
        assert_eq!(sniff_delimiter(b"text"), b',');
        let options = ReadOptions { max_chars: 3, ..ReadOptions::default() };
        let items = items(source(b"id;text\n1;abc\n2;abcd\n", &options).unwrap());
        assert!(matches!(&items[0], Item::Record(r) if r.text() == "abc"));
        assert!(matches!(&items[1], Item::Reject(r) if r.reason.contains("--max-chars")));
    }

    #[test]
    fn a_missing_text_column_names_the_columns_found() {
        let err = source(b"id,body\n1,x\n", &ReadOptions::default()).err().unwrap().to_string();
        assert!(err.contains("\"text\"") && err.contains("id, body"), "{err}");
        let empty = source(b"", &ReadOptions::default()).unwrap();
        assert!(empty.columns().is_empty());
        assert!(items(empty).is_empty());
    }
}
