//! Workbook input (`.xlsx`, `.xlsb`, `.xls`, `.ods`) with calamine: one sheet (`--sheet`, else
//! the first), its first row the header, one record per further row that is not empty.
//!
//! calamine reads a whole sheet into memory, so the workbook is read whole too, and refused past
//! [`MAX_WORKBOOK_BYTES`]; a sheet takes a few times its file's size in memory. Cells become text
//! as a spreadsheet shows them: whole numbers without `.0` (a phone number stored as a number
//! stays `13811112222`), other numbers to 15 significant digits, dates and times as
//! `YYYY-MM-DD HH:MM:SS`, booleans as `TRUE`/`FALSE`, errors as `#N/A`…. A record's `line` is its
//! row number in the sheet (1-based, as the spreadsheet shows it; the header is row 1 when the
//! sheet starts at A1). A header cell left empty names its column by its letter (`F`), so no
//! cell is dropped.

use std::io::{Cursor, Read};
use std::panic::{AssertUnwindSafe, catch_unwind};

use calamine::{Data, ExcelDateTime, Ods, Range, Reader, Sheets, Xls, Xlsb, Xlsx, open_workbook_from_rs};

use super::sniff::{Binary, binary_kind};
use super::{InputError, Item, ReadOptions, Record, Reject, Source, check_text};

/// The largest workbook read, in bytes: calamine holds a whole sheet in memory.
pub const MAX_WORKBOOK_BYTES: u64 = 200 * 1024 * 1024;

/// One sheet of a workbook, read whole, with a header row and a text column.
pub struct XlsxSource {
    name: String,
    columns: Vec<String>,
    text_field: usize,
    max_chars: usize,
    range: Range<Data>,
    /// The range's first row in the sheet, 0-based.
    first_row: u64,
    /// The next row of `range` to read.
    next: usize,
}

/// The error for `file` saying what is wrong.
fn format_error(file: &str, message: impl Into<String>) -> InputError {
    InputError::Format { file: file.to_string(), message: message.into() }
}

/// Opens the workbook in `bytes`: an OLE2 file as .xls, a ZIP as .xlsx, .ods or .xlsb.
fn open_workbook<'a>(file: &str, bytes: &'a [u8]) -> Result<Sheets<Cursor<&'a [u8]>>, InputError> {
    let data = Cursor::new(bytes);
    match binary_kind(bytes) {
        Some(Binary::Ole2) => open_workbook_from_rs::<Xls<_>, _>(data)
            .map(Sheets::Xls)
            .map_err(|e| format_error(file, format!("not a readable .xls workbook: {e}"))),
        Some(Binary::Zip) => match open_workbook_from_rs::<Xlsx<_>, _>(data.clone()) {
            Ok(w) => Ok(Sheets::Xlsx(w)),
            Err(xlsx) => open_workbook_from_rs::<Ods<_>, _>(data.clone())
                .map(Sheets::Ods)
                .or_else(|_| open_workbook_from_rs::<Xlsb<_>, _>(data).map(Sheets::Xlsb))
                .map_err(|_| {
                    format_error(
                        file,
                        format!("a ZIP archive but not a readable .xlsx, .xlsb or .ods workbook: {xlsx}"),
                    )
                }),
        },
        _ => Err(format_error(
            file,
            "not an Excel or OpenDocument workbook (it starts with neither the ZIP nor the OLE2 signature): \
             read a CSV or text export without --input-format xlsx",
        )),
    }
}

/// The sheet `wanted` (else the first) of `file`'s workbook in `bytes`.
fn read_sheet(file: &str, bytes: &[u8], wanted: Option<&str>) -> Result<Range<Data>, InputError> {
    let mut workbook = open_workbook(file, bytes)?;
    let names = workbook.sheet_names();
    let sheet = match wanted {
        Some(w) => names
            .iter()
            .find(|n| n.as_str() == w)
            .ok_or_else(|| format_error(file, format!("no sheet named {w:?}; the sheets are: {}", quoted(&names))))?,
        None => names.first().ok_or_else(|| format_error(file, "the workbook has no sheet"))?,
    };
    workbook.worksheet_range(sheet).map_err(|e| format_error(file, format!("sheet {sheet:?} cannot be read: {e}")))
}

fn quoted(names: &[String]) -> String {
    names.iter().map(|n| format!("{n:?}")).collect::<Vec<_>>().join(", ")
}

/// The column letters of 0-based column `col`: A … Z, AA ….
fn column_letters(col: u64) -> String {
    let mut n = col + 1;
    let mut letters = Vec::new();
    while n > 0 {
        let rem = ((n - 1) % 26) as u8;
        letters.push(char::from(b'A' + rem));
        n = (n - 1) / 26;
    }
    letters.iter().rev().collect()
}

/// A number as a spreadsheet shows it in a general cell: whole numbers without `.0`, others to 15
/// significant digits (`0.1 + 0.2` is `0.3`).
fn number_text(x: f64) -> String {
    if x.is_finite() && x.fract() == 0.0 && x.abs() < 1e15 {
        return format!("{}", x as i64);
    }
    match format!("{x:.14e}").parse::<f64>() {
        Ok(rounded) => format!("{rounded}"),
        Err(_) => format!("{x}"),
    }
}

/// A date and time as `YYYY-MM-DD HH:MM:SS` (with `.mmm` when it has milliseconds), a time of
/// day alone as `HH:MM:SS`, a duration as hours, minutes and seconds.
fn datetime_text(d: &ExcelDateTime) -> String {
    if d.is_duration() {
        let secs = (d.as_f64() * 86_400.0).round() as i64;
        let sign = if secs < 0 { "-" } else { "" };
        let secs = secs.unsigned_abs();
        return format!("{sign}{}:{:02}:{:02}", secs / 3600, secs / 60 % 60, secs % 60);
    }
    let (year, month, day, hour, min, sec, milli) = d.to_ymd_hms_milli();
    let time = if milli == 0 {
        format!("{hour:02}:{min:02}:{sec:02}")
    } else {
        format!("{hour:02}:{min:02}:{sec:02}.{milli:03}")
    };
    if (0.0..1.0).contains(&d.as_f64()) { time } else { format!("{year:04}-{month:02}-{day:02} {time}") }
}

/// A cell as text.
fn cell_text(cell: &Data) -> String {
    match cell {
        Data::Empty => String::new(),
        Data::String(s) | Data::DurationIso(s) => s.clone(),
        // OpenDocument's 2024-03-01T09:30:00 as the other formats' dates
        Data::DateTimeIso(s) => {
            if s.len() >= 19 && s.as_bytes()[10] == b'T' {
                format!("{} {}", &s[..10], &s[11..])
            } else {
                s.clone()
            }
        }
        Data::Int(i) => i.to_string(),
        Data::Float(x) => number_text(*x),
        Data::Bool(b) => if *b { "TRUE" } else { "FALSE" }.to_string(),
        Data::DateTime(d) => datetime_text(d),
        Data::Error(e) => e.to_string(),
    }
}

impl XlsxSource {
    /// Reads the workbook `input` (named `name` in errors and rejects) whole, refusing one
    /// larger than [`MAX_WORKBOOK_BYTES`], and takes the sheet `options.sheet` or the first.
    pub fn new(name: &str, input: Box<dyn Read + Send>, options: &ReadOptions) -> Result<XlsxSource, InputError> {
        let mut bytes = Vec::new();
        input
            .take(MAX_WORKBOOK_BYTES + 1)
            .read_to_end(&mut bytes)
            .map_err(|source| InputError::Io { file: name.to_string(), source })?;
        if bytes.len() as u64 > MAX_WORKBOOK_BYTES {
            return Err(format_error(
                name,
                format!(
                    "the workbook is larger than {} MB, the most read into memory: save the sheet as CSV \
                     (read as a stream, of any size)",
                    MAX_WORKBOOK_BYTES >> 20
                ),
            ));
        }
        // calamine is a third-party parser of untrusted input: a panic in it is this file's error
        let range = catch_unwind(AssertUnwindSafe(|| read_sheet(name, &bytes, options.sheet.as_deref())))
            .unwrap_or_else(|_| Err(format_error(name, "the workbook is malformed (the reader failed on it)")))?;
        drop(bytes);
        let mut source = XlsxSource {
            name: name.to_string(),
            columns: Vec::new(),
            text_field: 0,
            max_chars: options.max_chars,
            first_row: 0,
            next: 1,
            range,
        };
        let Some((first_row, first_col)) = source.range.start() else {
            // an empty sheet holds no records: nothing to classify, nothing to reject
            return Ok(source);
        };
        source.first_row = u64::from(first_row);
        let width = source.range.width();
        let columns: Vec<String> = (0..width)
            .map(|c| match source.range.get((0, c)).map(cell_text) {
                Some(h) if !h.trim().is_empty() => h,
                _ => column_letters(u64::from(first_col) + c as u64),
            })
            .collect();
        let column = &options.text_column;
        source.text_field = columns.iter().position(|c| c.trim() == column).ok_or_else(|| {
            InputError::MissingColumn { file: name.to_string(), column: column.clone(), found: columns.join(", ") }
        })?;
        source.columns = columns;
        Ok(source)
    }
}

impl Source for XlsxSource {
    fn name(&self) -> &str {
        &self.name
    }

    fn columns(&self) -> &[String] {
        &self.columns
    }

    fn next_item(&mut self) -> Option<Result<Item, InputError>> {
        let width = self.columns.len();
        loop {
            let row = self.next;
            if width == 0 || row >= self.range.height() {
                return None;
            }
            self.next += 1;
            let fields: Vec<String> =
                (0..width).map(|c| self.range.get((row, c)).map(cell_text).unwrap_or_default()).collect();
            if fields.iter().all(|f| f.is_empty()) {
                continue;
            }
            let line = self.first_row + row as u64 + 1;
            let item = match check_text(&fields[self.text_field], self.max_chars, false) {
                Some(reason) => Item::Reject(Reject::new(line, fields.join("\t").as_bytes(), reason)),
                None => Item::Record(Record { line, fields, text_field: self.text_field, object: None }),
            };
            return Some(Ok(item));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use calamine::ExcelDateTimeType;

    #[test]
    fn cells_read_as_a_spreadsheet_shows_them() {
        assert_eq!(cell_text(&Data::Float(13811112222.0)), "13811112222");
        assert_eq!(cell_text(&Data::Float(0.1 + 0.2)), "0.3");
        assert_eq!(cell_text(&Data::Float(-2.5)), "-2.5");
        assert_eq!(cell_text(&Data::Int(7)), "7");
        assert_eq!(cell_text(&Data::Bool(true)), "TRUE");
        let at = |v| Data::DateTime(ExcelDateTime::new(v, ExcelDateTimeType::DateTime, false));
        assert_eq!(cell_text(&at(45943.5)), "2025-10-13 12:00:00");
        assert_eq!(cell_text(&at(0.75)), "18:00:00");
        let span = Data::DateTime(ExcelDateTime::new(1.5, ExcelDateTimeType::TimeDelta, false));
        assert_eq!(cell_text(&span), "36:00:00");
        assert_eq!(cell_text(&Data::DateTimeIso("2024-03-01T09:30:00".into())), "2024-03-01 09:30:00");
        assert_eq!(
            (column_letters(0), column_letters(25), column_letters(26), column_letters(701)),
            ("A".into(), "Z".into(), "AA".into(), "ZZ".into())
        );
    }

    #[test]
    fn text_is_not_a_workbook() {
        let e = XlsxSource::new("a.xlsx", Box::new(&b"text\nhello\n"[..]), &ReadOptions::default())
            .err()
            .map(|e| e.to_string());
        assert!(e.as_deref().is_some_and(|e| e.starts_with("a.xlsx: not an Excel or OpenDocument workbook")), "{e:?}");
    }
}
