//! CSV and TSV input: a header row, one record per row, parsed with csv_core into one reused
//! buffer; the delimiter is sniffed from the header row unless given.
//!
//! csv_core (the parser under the csv crate) is driven directly so that the record's line is
//! known: a record ends at the CR of a CRLF, leaving the LF unread, and the csv crate numbered the
//! next record from before that LF — one line too low in every CRLF file. Here the line endings
//! before a record are skipped and counted first (csv_core would skip them too), so a record's
//! line is that of its first byte.
//!
//! A row is kept up to the bytes a text of `--max-chars` characters and the other fields may take
//! ([`text_bytes`] + [`OTHER_BYTES`]), and up to one field more than the header has. Past that,
//! csv_core goes on parsing (quotes and all) to the row's end into a small scratch buffer that is
//! dropped, so a 50 MB quoted field or an endless line costs the bound in memory, and the row is
//! one reject with its line. The text field's characters are counted on the way, so the reason
//! is the usual `text longer than --max-chars (N > M characters)`.

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::Path;

use csv_core::ReadRecordResult;

use super::decode::Decoded;
use super::{
    Format, InputError, Item, MAX_RAW_BYTES, OTHER_BYTES, RAW_MARGIN_BYTES, ReadOptions, Record, Reject, Source,
    check_text, text_bytes, too_long, utf8_chars,
};

/// Output past a row's bound goes here to be dropped.
const SCRATCH_BYTES: usize = 1 << 16;
/// Field ends past the bound go here.
const SCRATCH_ENDS: usize = 1 << 8;
/// The most columns a header row may have.
const MAX_COLUMNS: usize = 1 << 16;

/// A CSV or TSV file (or standard input) with a header row and a text column.
pub struct CsvSource {
    name: String,
    input: BufReader<Box<dyn Read + Send>>,
    core: csv_core::Reader,
    columns: Vec<String>,
    text_field: usize,
    delimiter: u8,
    max_chars: usize,
    transcoded: bool,
    /// The line of the next byte of input, 1-based.
    line: u64,
    row: Row,
    /// The most bytes and field ends of a row that are kept.
    max_bytes: usize,
    max_fields: usize,
    scratch: Vec<u8>,
    scratch_ends: Vec<usize>,
}

/// The row last read: its fields' bytes one after another and where each field ends, as far as
/// they are kept.
#[derive(Default)]
struct Row {
    bytes: Vec<u8>,
    ends: Vec<usize>,
    /// Bytes and field ends of `bytes` and `ends` that hold this row.
    len: usize,
    fields: usize,
    line: u64,
    /// All the row's bytes and fields, kept or not.
    total: usize,
    all_fields: usize,
    /// Characters of the text field among the bytes not kept.
    dropped_text_chars: u64,
}

impl Row {
    /// Field `i` of the kept ones, as far as its bytes are kept (empty if it was not kept).
    fn field(&self, i: usize) -> &[u8] {
        if i >= self.fields {
            return &[];
        }
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        &self.bytes[start.min(self.len)..self.ends[i].min(self.len)]
    }

    /// Whether bytes or fields of the row were dropped.
    fn cut(&self) -> bool {
        self.total > self.len || self.all_fields > self.fields
    }

    fn iter(&self) -> impl Iterator<Item = &[u8]> {
        (0..self.fields).map(|i| self.field(i))
    }
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

/// Doubles a buffer (at least to 64 entries), up to `most`.
fn grow<T: Default + Clone>(v: &mut Vec<T>, most: usize) {
    let n = (v.len() * 2).max(64).min(most);
    if n > v.len() {
        v.resize(n, T::default());
    }
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
        let mut source = CsvSource {
            name: name.to_string(),
            input,
            core: csv_core::ReaderBuilder::new().delimiter(delimiter).build(),
            columns: Vec::new(),
            text_field: 0,
            delimiter,
            max_chars: options.max_chars,
            transcoded: decoded.transcoded,
            line: 1,
            row: Row::default(),
            max_bytes: text_bytes(options.max_chars).saturating_add(OTHER_BYTES),
            max_fields: MAX_COLUMNS,
            scratch: vec![0; SCRATCH_BYTES],
            scratch_ends: vec![0; SCRATCH_ENDS],
        };
        let read = source.read_row(usize::MAX).map_err(|source| InputError::Io { file: name.to_string(), source })?;
        if !read {
            // An empty file holds no records: nothing to classify, nothing to reject.
            return Ok(source);
        }
        if source.row.cut() {
            let message = format!(
                "the header row is longer than {} bytes or has more than {MAX_COLUMNS} columns",
                source.max_bytes
            );
            return Err(InputError::Format { file: name.to_string(), message });
        }
        let mut columns = Vec::with_capacity(source.row.fields);
        for (i, h) in source.row.iter().enumerate() {
            let h = String::from_utf8(h.to_vec()).map_err(|_| InputError::Format {
                file: name.to_string(),
                message: format!("header column {} is not valid UTF-8 (try --encoding)", i + 1),
            })?;
            columns.push(h.trim_start_matches('\u{FEFF}').to_string());
        }
        if columns.len() == 1 && columns[0].is_empty() {
            return Err(InputError::Format { file: name.to_string(), message: "the header row is empty".into() });
        }
        let column = &options.text_column;
        source.text_field = columns.iter().position(|c| c.trim() == column).ok_or_else(|| {
            InputError::MissingColumn { file: name.to_string(), column: column.clone(), found: columns.join(", ") }
        })?;
        source.max_fields = columns.len() + 1;
        source.columns = columns;
        Ok(source)
    }

    /// Reads the next row into `row`, counting the characters field `text_field` has past the
    /// bound; false at the end of the input.
    fn read_row(&mut self, text_field: usize) -> io::Result<bool> {
        // The line endings before a record: csv_core skips them, but counting them here makes
        // the line of the record that of its first byte (the LF of a CRLF is still unread).
        loop {
            let buf = self.input.fill_buf()?;
            let n = buf.iter().position(|&b| b != b'\r' && b != b'\n').unwrap_or(buf.len());
            self.line += buf[..n].iter().filter(|&&b| b == b'\n').count() as u64;
            let all = n == buf.len() && n > 0;
            self.input.consume(n);
            if !all {
                break;
            }
        }
        let CsvSource { input, core, row, scratch, scratch_ends, max_bytes, max_fields, .. } = self;
        row.line = self.line;
        core.set_line(self.line);
        let (mut len, mut fields, mut total, mut all_fields, mut dropped_text_chars) = (0, 0, 0, 0, 0);
        loop {
            if len == row.bytes.len() {
                grow(&mut row.bytes, *max_bytes);
            }
            if fields == row.ends.len() {
                grow(&mut row.ends, *max_fields);
            }
            let keep = len < row.bytes.len();
            let keep_ends = fields < row.ends.len();
            let buf = input.fill_buf()?;
            let out = if keep { &mut row.bytes[len..] } else { &mut scratch[..] };
            let ends = if keep_ends { &mut row.ends[fields..] } else { &mut scratch_ends[..] };
            let (result, nin, nout, nend) = core.read_record(buf, out, ends);
            input.consume(nin);
            if keep_ends {
                fields += nend;
            }
            if keep {
                len += nout;
            } else if nout > 0 {
                // dropped bytes: count those of the text field (its start is known once the
                // field before it has ended)
                let start = if text_field == 0 { Some(0) } else { row.ends[..fields].get(text_field - 1).copied() };
                if let Some(start) = start {
                    let end = row.ends[..fields].get(text_field).copied().unwrap_or(usize::MAX);
                    let (from, to) = (start.max(total), end.min(total + nout));
                    if from < to {
                        dropped_text_chars += utf8_chars(&scratch[from - total..to - total]);
                    }
                }
            }
            total += nout;
            all_fields += nend;
            match result {
                ReadRecordResult::InputEmpty | ReadRecordResult::OutputFull | ReadRecordResult::OutputEndsFull => {}
                ReadRecordResult::Record => {
                    row.len = len;
                    row.fields = fields;
                    row.total = total;
                    row.all_fields = all_fields;
                    row.dropped_text_chars = dropped_text_chars;
                    self.line = core.line();
                    return Ok(true);
                }
                ReadRecordResult::End => return Ok(false),
            }
        }
    }

    /// The row as it was, fields joined by the delimiter, at most [`MAX_RAW_BYTES`] and the margin
    /// the rejects writer masks before it cuts.
    fn raw(&self) -> Vec<u8> {
        const KEEP: usize = MAX_RAW_BYTES + RAW_MARGIN_BYTES;
        let mut raw = Vec::new();
        for (i, f) in self.row.iter().enumerate() {
            if i > 0 {
                raw.push(self.delimiter);
            }
            raw.extend_from_slice(&f[..f.len().min(KEEP.saturating_sub(raw.len()))]);
            if raw.len() >= KEEP {
                break;
            }
        }
        raw
    }

    fn reject(&self, reason: String) -> Option<Result<Item, InputError>> {
        Some(Ok(Item::Reject(Reject::new(self.row.line, &self.raw(), reason))))
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
        match self.read_row(self.text_field) {
            Ok(false) => None,
            Err(source) => Some(Err(InputError::Io { file: self.name.clone(), source })),
            Ok(true) => {
                let line = self.row.line;
                if self.row.all_fields != self.columns.len() {
                    let reason = format!(
                        "wrong field count: expected {} fields, found {}",
                        self.columns.len(),
                        self.row.all_fields
                    );
                    return self.reject(reason);
                }
                if self.row.cut() {
                    let chars = utf8_chars(self.row.field(self.text_field)) + self.row.dropped_text_chars;
                    let reason = if chars > self.max_chars as u64 {
                        too_long(chars, self.max_chars)
                    } else {
                        format!(
                            "record longer than --max-chars allows ({} bytes > {}: {} characters of text and \
                             {OTHER_BYTES} bytes of other fields)",
                            self.row.total, self.max_bytes, self.max_chars
                        )
                    };
                    return self.reject(reason);
                }
                let mut fields = Vec::with_capacity(self.row.fields);
                for (i, f) in self.row.iter().enumerate() {
                    match std::str::from_utf8(f) {
                        Ok(s) => fields.push(s.to_string()),
                        Err(_) => {
                            let reason = format!("invalid encoding: field {:?} is not valid UTF-8", self.columns[i]);
                            return self.reject(reason);
                        }
                    }
                }
                if let Some(reason) = check_text(&fields[self.text_field], self.max_chars, self.transcoded) {
                    return self.reject(reason);
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
    fn crlf_rows_have_the_line_of_their_first_byte() {
        let data: &'static [u8] = b"id,text\r\n1,ok\r\n2,a,b\r\n\r\n3,\"two\r\nlines\"\r\n4,x,y\r\n5,\xFF\r\n6,last";
        let rows = items(source(data, &ReadOptions::default()).unwrap());
        let lines: Vec<(u64, bool)> = rows
            .iter()
            .map(|i| match i {
                Item::Record(r) => (r.line, true),
                Item::Reject(r) => (r.line, false),
            })
            .collect();
        assert_eq!(lines, [(2, true), (3, false), (5, true), (7, false), (8, false), (9, true)]);
        assert!(matches!(&rows[2], Item::Record(r) if r.text() == "two\r\nlines"));
        let tsv: &'static [u8] = b"id\ttext\r\n1\tok\r\n2\ta\tb\r\n";
        let decoded = decode(Box::new(tsv), None).unwrap();
        let rows = items(CsvSource::new("t.tsv", decoded, Format::Tsv, &ReadOptions::default()).unwrap());
        assert!(matches!(&rows[1], Item::Reject(r) if r.line == 3 && r.raw == "2\ta\tb"));
        // old Mac line ends (CR only) are record ends too, but not lines
        let cr: &'static [u8] = b"id,text\r1,ok\r2,a,b\r";
        let rows = items(source(cr, &ReadOptions::default()).unwrap());
        assert!(matches!(&rows[1], Item::Reject(r) if r.line == 1));
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
    fn rows_past_the_bound_are_one_reject_each_and_not_buffered() {
        let options = ReadOptions { max_chars: 3, ..ReadOptions::default() };
        let big = 3 * (1 << 20);
        let mut data = b"id,text,note\r\n1,\xE4\xB8\xAD\xE4\xB8\xAD\xE4\xB8\xAD,n\r\n2,\"".to_vec();
        // a quoted field with quotes, delimiters and line breaks in it, and its characters counted
        for _ in 0..big / 8 {
            data.extend_from_slice("a\"\",\r\n中".as_bytes());
        }
        data.extend_from_slice(b"\",n\r\n3,ok,n\r\n4,");
        data.extend(std::iter::repeat_n(b'x', big));
        data.extend_from_slice(b",n\n5,ok,");
        data.extend(std::iter::repeat_n(b'y', big));
        data.extend_from_slice(b"\n6,end,n");
        let decoded = decode(Box::new(std::io::Cursor::new(data)), None).unwrap();
        let mut s = CsvSource::new("t.csv", decoded, Format::Csv, &options).unwrap();
        let mut rows = Vec::new();
        while let Some(item) = s.next_item() {
            rows.push(item.unwrap());
            assert!(s.row.bytes.len() <= s.max_bytes && s.row.ends.len() <= 64);
        }
        assert_eq!(rows.len(), 6);
        assert!(matches!(&rows[0], Item::Record(r) if r.text() == "中中中" && r.line == 2));
        let Item::Reject(quoted) = &rows[1] else { panic!("{:?}", rows[1]) };
        let chars = big / 8 * 6;
        assert_eq!(quoted.line, 3);
        assert_eq!(quoted.reason, format!("text longer than --max-chars ({chars} > 3 characters)"));
        assert!(quoted.raw.starts_with("2,a\",\r\n中a"), "{:?}", &quoted.raw[..20]);
        assert!(matches!(&rows[2], Item::Record(r) if r.text() == "ok" && r.line == 4 + big as u64 / 8));
        let line = 5 + big as u64 / 8;
        assert!(matches!(&rows[3], Item::Reject(r) if r.line == line && r.reason.contains(&format!("({big} > 3"))));
        let Item::Reject(note) = &rows[4] else { panic!("{:?}", rows[4]) };
        assert_eq!(note.line, line + 1);
        assert!(note.reason.starts_with(&format!("record longer than --max-chars allows ({} bytes", big + 3)));
        assert!(matches!(&rows[5], Item::Record(r) if r.text() == "end" && r.line == line + 2), "{:?}", rows[5]);
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
