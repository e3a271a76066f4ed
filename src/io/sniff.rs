//! What an input is, by its first bytes: a workbook, a document, an image, an archive or a
//! database renamed (or exported) as `.csv` or `.txt` would otherwise be decoded as text and fail
//! with a misleading reason (an invalid UTF-8 header, a guessed encoding). Each of these
//! signatures starts with bytes that no text export starts with.

use std::io::Read;

use super::InputError;

/// How many leading bytes [`peek`] reads: the longest signature, and the start of a ZIP's first
/// entry (an OpenDocument file names its kind there).
pub const HEAD_BYTES: usize = 128;

/// A kind of binary file recognised by its first bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Binary {
    /// A ZIP archive: an .xlsx, .ods or .docx file, or a .zip.
    Zip,
    /// An OLE2 compound file: an .xls workbook or a .doc document.
    Ole2,
    /// A PDF document.
    Pdf,
    /// A PNG image.
    Png,
    /// A JPEG image.
    Jpeg,
    /// A GIF image.
    Gif,
    /// A gzip-compressed file.
    Gzip,
    /// A 7z archive.
    SevenZip,
    /// A RAR archive.
    Rar,
    /// An SQLite database, such as Android's `mmssms.db`.
    Sqlite,
}

/// The binary kind `head` (the first bytes of an input) starts like, if any.
pub fn binary_kind(head: &[u8]) -> Option<Binary> {
    const SIGNATURES: &[(&[u8], Binary)] = &[
        (b"PK\x03\x04", Binary::Zip),
        (b"PK\x05\x06", Binary::Zip),
        (b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", Binary::Ole2),
        (b"%PDF-", Binary::Pdf),
        (b"\x89PNG\r\n\x1A\n", Binary::Png),
        (b"\xFF\xD8\xFF", Binary::Jpeg),
        (b"GIF87a", Binary::Gif),
        (b"GIF89a", Binary::Gif),
        (b"\x1F\x8B", Binary::Gzip),
        (b"7z\xBC\xAF\x27\x1C", Binary::SevenZip),
        (b"Rar!\x1A\x07", Binary::Rar),
        (b"SQLite format 3\0", Binary::Sqlite),
    ];
    SIGNATURES.iter().find(|(magic, _)| head.starts_with(magic)).map(|&(_, kind)| kind)
}

/// Reads up to [`HEAD_BYTES`] of `input` (fewer only at its end) and gives them back with a
/// reader that yields the whole input, those bytes first.
pub fn peek(mut input: Box<dyn Read + Send>) -> std::io::Result<(Vec<u8>, Box<dyn Read + Send>)> {
    let mut head = Vec::with_capacity(HEAD_BYTES);
    (&mut input).take(HEAD_BYTES as u64).read_to_end(&mut head)?;
    let rest: Box<dyn Read + Send> = Box::new(std::io::Cursor::new(head.clone()).chain(input));
    Ok((head, rest))
}

/// What a ZIP archive holds, as far as its first entry tells: an OpenDocument file stores its
/// `mimetype` first, uncompressed.
fn zip_description(head: &[u8]) -> &'static str {
    let has = |needle: &[u8]| head.windows(needle.len()).any(|w| w == needle);
    if has(b"opendocument.spreadsheet") {
        "an OpenDocument spreadsheet (.ods, a ZIP archive)"
    } else if has(b"opendocument.text") {
        "an OpenDocument text document (.odt, a ZIP archive)"
    } else {
        "a ZIP archive (an Excel .xlsx or OpenDocument .ods workbook, a Word .docx, or a .zip)"
    }
}

/// The error for `file` when its first bytes `head` show it is not text but a binary file: what
/// the file is and what to do instead; `None` when it may be text.
pub fn check_text_input(file: &str, head: &[u8]) -> Option<InputError> {
    let kind = binary_kind(head)?;
    let workbook = "read a workbook with --input-format xlsx, or save it as CSV UTF-8";
    let (what, todo) = match kind {
        Binary::Zip => (zip_description(head), workbook),
        Binary::Ole2 => ("an Excel 97-2003 workbook (.xls) or a Word .doc (an OLE2 compound file)", workbook),
        Binary::Pdf => ("a PDF document", "export the messages as CSV, JSON Lines, SMS-backup XML or plain text"),
        Binary::Png => ("a PNG image", "a picture holds no text to read: export the messages as text"),
        Binary::Jpeg => ("a JPEG image", "a picture holds no text to read: export the messages as text"),
        Binary::Gif => ("a GIF image", "a picture holds no text to read: export the messages as text"),
        Binary::Gzip => ("a gzip-compressed file", "unpack it first (gunzip) and read the file inside"),
        Binary::SevenZip => ("a 7z archive", "unpack it first and read the files inside"),
        Binary::Rar => ("a RAR archive", "unpack it first and read the files inside"),
        Binary::Sqlite => (
            "an SQLite database (such as Android's mmssms.db)",
            "export the messages first, with SMS Backup & Restore (XML) or \
             `sqlite3 -header -csv FILE 'SELECT * FROM sms'` (then --text-column body)",
        ),
    };
    Some(InputError::Format { file: file.to_string(), message: format!("not text but {what}: {todo}") })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_are_recognised_and_text_is_not() {
        assert_eq!(binary_kind(b"PK\x03\x04\x14\x00"), Some(Binary::Zip));
        assert_eq!(binary_kind(b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1\0\0"), Some(Binary::Ole2));
        assert_eq!(binary_kind(b"SQLite format 3\0\x10\0"), Some(Binary::Sqlite));
        assert_eq!(binary_kind(b"\xFF\xD8\xFF\xE0"), Some(Binary::Jpeg));
        for text in [&b"text,sender\n"[..], b"\xEF\xBB\xBFtext", b"\xFF\xFEt\0", b"\xC4\xE3\xBA\xC3", b"", b"PK"] {
            assert_eq!(binary_kind(text), None, "{text:?}");
        }
        let ods = b"PK\x03\x04\x14\0\0\0\0\0mimetypeapplication/vnd.oasis.opendocument.spreadsheet";
        let e = check_text_input("a.csv", ods).unwrap().to_string();
        assert!(
            e.starts_with("a.csv: not text but an OpenDocument spreadsheet") && e.contains("--input-format xlsx"),
            "{e}"
        );
    }

    #[test]
    fn peek_gives_every_byte_back() {
        let data: Vec<u8> = (0..=255).collect();
        let (head, mut rest) = peek(Box::new(std::io::Cursor::new(data.clone()))).unwrap();
        assert_eq!(head, &data[..HEAD_BYTES]);
        let mut all = Vec::new();
        rest.read_to_end(&mut all).unwrap();
        assert_eq!(all, data);
    }
}
