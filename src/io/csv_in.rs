//! CSV input: a header row, one record per row, streamed with one reused byte record.

use std::fs::File;
use std::io::{self, Read};
use std::path::Path;

use super::{InputError, Item, Record, Reject, Source};

/// A CSV file (or standard input) with a header row and a text column.
pub struct CsvSource {
    name: String,
    reader: csv::Reader<Box<dyn Read + Send>>,
    columns: Vec<String>,
    text_field: usize,
    row: csv::ByteRecord,
}

/// Opens `path` for reading, `-` meaning standard input.
pub fn open_input(path: &str) -> Result<Box<dyn Read + Send>, InputError> {
    if path == "-" {
        return Ok(Box::new(io::stdin()));
    }
    let file = File::open(Path::new(path)).map_err(|source| InputError::Io {
        file: path.to_string(),
        source,
    })?;
    Ok(Box::new(io::BufReader::with_capacity(1 << 16, file)))
}

impl CsvSource {
    /// Opens a CSV input and finds `text_column` in its header.
    pub fn open(path: &str, text_column: &str) -> Result<CsvSource, InputError> {
        CsvSource::from_reader(path, open_input(path)?, text_column)
    }

    pub fn from_reader(
        name: &str,
        input: Box<dyn Read + Send>,
        text_column: &str,
    ) -> Result<CsvSource, InputError> {
        let mut reader = csv::ReaderBuilder::new()
            .flexible(true)
            .has_headers(true)
            .from_reader(input);
        let headers = reader.byte_headers().map_err(|e| InputError::Format {
            file: name.to_string(),
            message: format!("cannot read the header row: {e}"),
        })?;
        let mut columns = Vec::with_capacity(headers.len());
        for (i, h) in headers.iter().enumerate() {
            let mut h = String::from_utf8(h.to_vec()).map_err(|_| InputError::Format {
                file: name.to_string(),
                message: format!("header column {} is not valid UTF-8", i + 1),
            })?;
            if i == 0 {
                h = h.trim_start_matches('\u{FEFF}').to_string();
            }
            columns.push(h);
        }
        if columns.is_empty() {
            return Err(InputError::Format {
                file: name.to_string(),
                message: "the file is empty: no header row".into(),
            });
        }
        let text_field = columns
            .iter()
            .position(|c| c.trim() == text_column)
            .ok_or_else(|| InputError::MissingColumn {
                file: name.to_string(),
                column: text_column.to_string(),
                found: columns.join(", "),
            })?;
        Ok(CsvSource {
            name: name.to_string(),
            reader,
            columns,
            text_field,
            row: csv::ByteRecord::new(),
        })
    }

    fn raw(&self) -> Vec<u8> {
        let mut raw = Vec::new();
        for (i, f) in self.row.iter().enumerate() {
            if i > 0 {
                raw.push(b',');
            }
            raw.extend_from_slice(f);
        }
        raw
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
        match self.reader.read_byte_record(&mut self.row) {
            Ok(false) => None,
            Err(e) => Some(Err(InputError::Format {
                file: self.name.clone(),
                message: e.to_string(),
            })),
            Ok(true) => {
                let line = self.row.position().map_or(0, |p| p.line());
                if self.row.len() != self.columns.len() {
                    let reason = format!(
                        "wrong field count: expected {} fields, found {}",
                        self.columns.len(),
                        self.row.len()
                    );
                    return Some(Ok(Item::Reject(Reject::new(line, &self.raw(), reason))));
                }
                let mut fields = Vec::with_capacity(self.row.len());
                for (i, f) in self.row.iter().enumerate() {
                    match std::str::from_utf8(f) {
                        Ok(s) => fields.push(s.to_string()),
                        Err(_) => {
                            let reason = format!("invalid UTF-8 in field {:?}", self.columns[i]);
                            return Some(Ok(Item::Reject(Reject::new(line, &self.raw(), reason))));
                        }
                    }
                }
                Some(Ok(Item::Record(Record {
                    line,
                    fields,
                    text_field: self.text_field,
                })))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn source(data: &'static [u8]) -> Result<CsvSource, InputError> {
        CsvSource::from_reader("t.csv", Box::new(data), "text")
    }

    #[test]
    fn reads_records_and_rejects_bad_rows() {
        let mut s = source(b"\xEF\xBB\xBFid,text\n1,hello\n2,a,b\n3,\"multi\nline\"\n4,\xFF\xFE\n")
            .unwrap();
        assert_eq!(s.columns(), ["id", "text"]);
        let mut items = Vec::new();
        while let Some(item) = s.next_item() {
            items.push(item.unwrap());
        }
        assert_eq!(items.len(), 4);
        assert!(matches!(&items[0], Item::Record(r) if r.text() == "hello" && r.line == 2));
        assert!(
            matches!(&items[1], Item::Reject(r) if r.reason.contains("expected 2 fields, found 3"))
        );
        assert!(matches!(&items[2], Item::Record(r) if r.text() == "multi\nline"));
        assert!(
            matches!(&items[3], Item::Reject(r) if r.reason.contains("invalid UTF-8") && r.line == 6)
        );
    }

    #[test]
    fn a_missing_text_column_names_the_columns_found() {
        let err = source(b"id,body\n1,x\n").err().unwrap().to_string();
        assert!(
            err.contains("\"text\"") && err.contains("id, body"),
            "{err}"
        );
        assert!(source(b"").is_err());
    }
}
