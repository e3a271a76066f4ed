//! Spreadsheet output (`.xlsx`): the rows of `classify` and of `report scan`, written to
//! constant-memory sheets so a big output stays flat. Numbers (confidence, probabilities,
//! counts) are stored as numbers, everything else as text: a cell is never a formula, so
//! `--spreadsheet-safe` is not needed here.

use std::io::{self, Write};

use cuishou::io::Rows;
use rust_xlsxwriter::{Format, Workbook, Worksheet, XlsxError};

/// Rows an Excel sheet holds, its header row included; past it the rows go on in a new sheet.
pub const SHEET_ROWS: u32 = 1_048_576;

/// Characters an Excel cell holds.
pub const CELL_CHARS: usize = 32_767;

/// A workbook written one row at a time, as [`Rows`] for a table sink or directly.
pub struct XlsxRows {
    workbook: Workbook,
    /// The name of the first sheet; the next are `NAME (2)`, `NAME (3)`, …
    name: String,
    sheets: usize,
    /// The next row of the current sheet.
    next: u32,
    /// Data rows written, over every sheet: the record number in errors.
    written: u64,
    /// Rows a sheet takes before the next one starts: [`SHEET_ROWS`] but in tests.
    sheet_rows: u32,
    header: Vec<String>,
    numeric: Vec<bool>,
    bold: Format,
}

impl XlsxRows {
    /// A workbook whose first sheet is `name`.
    pub fn new(name: &str) -> XlsxRows {
        XlsxRows {
            workbook: Workbook::new(),
            name: name.to_string(),
            sheets: 0,
            next: 0,
            written: 0,
            sheet_rows: SHEET_ROWS,
            header: Vec::new(),
            numeric: Vec::new(),
            bold: Format::new().set_bold(),
        }
    }

    /// Starts a sheet and writes the header row on it.
    fn start_sheet(&mut self) -> io::Result<()> {
        self.sheets += 1;
        let name = if self.sheets == 1 { self.name.clone() } else { format!("{} ({})", self.name, self.sheets) };
        let sheet = self.workbook.add_worksheet_with_constant_memory().map_err(xlsx_err)?;
        sheet.set_name(name).map_err(xlsx_err)?;
        write_header(sheet, self.header.iter().map(String::as_str), &self.bold)?;
        sheet.set_freeze_panes(1, 0).map_err(xlsx_err)?;
        self.next = 1;
        Ok(())
    }

    /// Writes one data row: a cell of a numeric column that reads as a number is stored as one.
    pub fn write_row<'a>(&mut self, cells: impl IntoIterator<Item = &'a str>) -> io::Result<()> {
        if self.sheets == 0 || self.next == self.sheet_rows {
            self.start_sheet()?;
        }
        self.written += 1;
        let (row, record) = (self.next, self.written);
        let sheet = self.workbook.worksheet_from_index(self.sheets - 1).map_err(xlsx_err)?;
        for (col, cell) in cells.into_iter().enumerate() {
            let number = if self.numeric.get(col).copied().unwrap_or(false) { cell.parse::<f64>().ok() } else { None };
            let written = match number {
                Some(n) => sheet.write_number(row, col_index(col)?, n).map(drop),
                None if cell.is_empty() => Ok(()),
                None => sheet.write_string(row, col_index(col)?, cell).map(drop),
            };
            // the sheet checks a cell's length: its error is made to name the row and column
            written.map_err(|e| match e {
                XlsxError::MaxStringLengthExceeded => io::Error::other(format!(
                    "row {record}: the {} cell holds {} characters, more than the {CELL_CHARS} an Excel cell can; \
                     write CSV instead (--output-format csv)",
                    self.header.get(col).map_or("?", String::as_str),
                    cell.chars().count()
                )),
                e => xlsx_err(e),
            })?;
        }
        self.next += 1;
        Ok(())
    }

    /// Sets the header (and which columns hold numbers) and starts the first sheet.
    pub fn start(&mut self, header: &[&str], numeric: &[bool]) -> io::Result<()> {
        self.header = header.iter().map(|h| h.to_string()).collect();
        self.numeric = numeric.to_vec();
        self.start_sheet()
    }

    /// Adds a sheet of its own with `header` and `rows`, after the current one.
    pub fn add_table(&mut self, name: &str, header: &[&str], rows: &[Vec<String>]) -> io::Result<()> {
        let sheet = self.workbook.add_worksheet();
        sheet.set_name(name).map_err(xlsx_err)?;
        write_header(sheet, header.iter().copied(), &self.bold)?;
        for (r, cells) in rows.iter().enumerate() {
            let r = u32::try_from(r + 1).map_err(|_| io::Error::other("too many rows for a sheet"))?;
            for (col, cell) in cells.iter().enumerate() {
                sheet.write_string(r, col_index(col)?, cell).map_err(xlsx_err)?;
            }
        }
        Ok(())
    }

    /// Finishes the workbook and writes it to `out`.
    pub fn finish(mut self, out: &mut impl Write) -> io::Result<()> {
        if self.sheets == 0 {
            self.start_sheet()?;
        }
        let bytes = self.workbook.save_to_buffer().map_err(xlsx_err)?;
        out.write_all(&bytes)
    }
}

impl Rows for XlsxRows {
    fn header(&mut self, row: &csv::StringRecord, numeric: &[bool]) -> io::Result<()> {
        let header: Vec<&str> = row.iter().collect();
        self.start(&header, numeric)
    }

    fn row(&mut self, row: &csv::StringRecord) -> io::Result<()> {
        self.write_row(row.iter())
    }

    /// Nothing to push: the workbook is written whole at the end.
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Writes `header` in bold on the first row of `sheet`.
fn write_header<'a>(sheet: &mut Worksheet, header: impl Iterator<Item = &'a str>, bold: &Format) -> io::Result<()> {
    for (col, h) in header.enumerate() {
        sheet.write_string_with_format(0, col_index(col)?, h, bold).map_err(xlsx_err)?;
    }
    Ok(())
}

/// A column number as the sheet takes it; Excel has 16,384 columns.
fn col_index(col: usize) -> io::Result<u16> {
    u16::try_from(col)
        .ok()
        .filter(|c| *c < 16_384)
        .ok_or_else(|| io::Error::other(format!("{} columns are more than the 16,384 an Excel sheet holds", col + 1)))
}

fn xlsx_err(e: XlsxError) -> io::Error {
    io::Error::other(format!("writing the workbook: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_back(bytes: Vec<u8>) -> calamine::Xlsx<io::Cursor<Vec<u8>>> {
        calamine::open_workbook_from_rs(io::Cursor::new(bytes)).unwrap()
    }

    #[test]
    fn numbers_are_numbers_and_text_stays_text() {
        use calamine::{Data, Reader};
        let mut rows = XlsxRows::new("classified");
        rows.start(&["phone", "text", "confidence"], &[false, false, true]).unwrap();
        rows.write_row(["013800138000", "=HYPERLINK(\"x\")", "0.9312"]).unwrap();
        rows.write_row(["", "控制\u{1b}字符", "n/a"]).unwrap();
        let mut out = Vec::new();
        rows.finish(&mut out).unwrap();
        let mut book = read_back(out);
        assert_eq!(book.sheet_names(), ["classified"]);
        let range = book.worksheet_range("classified").unwrap();
        let cells: Vec<Vec<Data>> = range.rows().map(|r| r.to_vec()).collect();
        assert_eq!(cells[1][0], Data::String("013800138000".into()), "a phone number keeps its leading 0");
        assert_eq!(cells[1][1], Data::String("=HYPERLINK(\"x\")".into()), "text, never a formula");
        assert_eq!(cells[1][2], Data::Float(0.9312));
        assert_eq!(cells[2][0], Data::Empty);
        assert_eq!(cells[2][1], Data::String("控制\u{1b}字符".into()), "a control character survives the XML");
        assert_eq!(cells[2][2], Data::String("n/a".into()));
    }

    #[test]
    fn rows_past_a_full_sheet_go_on_in_the_next_with_the_header() {
        use calamine::Reader;
        let mut rows = XlsxRows::new("classified");
        rows.sheet_rows = 3;
        rows.start(&["id", "p"], &[false, true]).unwrap();
        for i in 1..=5 {
            rows.write_row([i.to_string().as_str(), "0.5"]).unwrap();
        }
        let mut out = Vec::new();
        rows.finish(&mut out).unwrap();
        let mut book = read_back(out);
        assert_eq!(book.sheet_names(), ["classified", "classified (2)", "classified (3)"]);
        let ids: Vec<String> = book
            .worksheets()
            .iter()
            .flat_map(|(_, range)| range.rows().map(|r| r[0].to_string()).collect::<Vec<_>>())
            .collect();
        assert_eq!(ids, ["id", "1", "2", "id", "3", "4", "id", "5"], "every row once, a header on each sheet");
    }

    #[test]
    fn an_overlong_cell_is_an_error_that_names_row_and_column() {
        let mut rows = XlsxRows::new("classified");
        rows.start(&["id", "text"], &[false, false]).unwrap();
        rows.write_row(["1", "短"]).unwrap();
        let long = "长".repeat(CELL_CHARS + 1);
        let e = rows.write_row(["2", &long]).unwrap_err().to_string();
        assert!(
            e.starts_with("row 2: the text cell holds 32768 characters") && e.contains("--output-format csv"),
            "{e}"
        );
    }
}
