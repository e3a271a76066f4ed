//! Input bytes to UTF-8: byte-order marks, GB18030/GBK detection, `--encoding`, and transcoding
//! with encoding_rs. UTF-8 input passes through untouched, so a bad byte rejects only its record.

use std::io::{self, Cursor, Read};

use encoding_rs::{Encoding, GB18030, UTF_8, UTF_16BE, UTF_16LE};
use encoding_rs_io::DecodeReaderBytesBuilder;

/// How many leading bytes are examined to guess the encoding.
const SNIFF_BYTES: usize = 64 * 1024;

/// A reader of UTF-8 bytes and what it was decoded from.
pub struct Decoded {
    /// The input as UTF-8 bytes.
    pub reader: Box<dyn Read + Send>,
    /// The encoding the input was read as, forced or guessed.
    pub encoding: &'static Encoding,
    /// True when bytes were transcoded: malformed input then shows as U+FFFD.
    pub transcoded: bool,
}

/// Looks an encoding up by label (`utf-8`, `gbk`, `gb18030`, `utf-16le`, …).
pub fn encoding_for_label(label: &str) -> Option<&'static Encoding> {
    Encoding::for_label(label.trim().as_bytes())
}

fn valid_utf8_prefix(bytes: &[u8]) -> bool {
    match std::str::from_utf8(bytes) {
        Ok(_) => true,
        // an incomplete sequence cut off at the end of the sample is fine
        Err(e) => e.error_len().is_none() && bytes.len() - e.valid_up_to() < 4,
    }
}

/// Guesses the encoding of `sample` (the start of a file).
pub fn sniff(sample: &[u8]) -> &'static Encoding {
    if let Some((enc, _)) = Encoding::for_bom(sample) {
        return enc;
    }
    if valid_utf8_prefix(sample) {
        return UTF_8;
    }
    // Not UTF-8: GB18030 (a superset of GBK) if it decodes cleanly, dropping a cut-off tail.
    let mut end = sample.len();
    for _ in 0..4 {
        if GB18030.decode_without_bom_handling_and_without_replacement(&sample[..end]).is_some() {
            return GB18030;
        }
        end = end.saturating_sub(1);
    }
    UTF_8
}

/// Wraps `input` so that it yields UTF-8, with `forced` overriding the guess.
pub fn decode(mut input: Box<dyn Read + Send>, forced: Option<&'static Encoding>) -> io::Result<Decoded> {
    let mut sample = Vec::with_capacity(SNIFF_BYTES);
    (&mut input).take(SNIFF_BYTES as u64).read_to_end(&mut sample)?;
    let bom = Encoding::for_bom(&sample);
    let encoding = forced.unwrap_or_else(|| sniff(&sample));
    let rest: Box<dyn Read + Send> = Box::new(Cursor::new(sample).chain(input));
    if encoding == UTF_8 {
        // pass bytes through; drop a UTF-8 byte-order mark
        let mut reader = rest;
        if matches!(bom, Some((e, _)) if e == UTF_8) {
            let mut skip = [0u8; 3];
            reader.read_exact(&mut skip)?;
        }
        return Ok(Decoded { reader, encoding, transcoded: false });
    }
    let reader = DecodeReaderBytesBuilder::new()
        .encoding(Some(encoding))
        .bom_override(encoding == UTF_16LE || encoding == UTF_16BE)
        .strip_bom(true)
        .build(rest);
    Ok(Decoded { reader: Box::new(reader), encoding, transcoded: true })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_all(bytes: Vec<u8>, forced: Option<&'static Encoding>) -> (String, &'static str) {
        let d = decode(Box::new(Cursor::new(bytes)), forced).unwrap();
        let name = d.encoding.name();
        let mut out = Vec::new();
        let mut r = d.reader;
        r.read_to_end(&mut out).unwrap();
        (String::from_utf8_lossy(&out).into_owned(), name)
    }

    #[test]
    fn detects_utf8_bom_utf16_and_gbk() {
        let text = "text\n再不还钱就爆你通讯录\n";
        assert_eq!(read_all(text.as_bytes().to_vec(), None), (text.to_string(), "UTF-8"));
        let mut bom = vec![0xEF, 0xBB, 0xBF];
        bom.extend_from_slice(text.as_bytes());
        assert_eq!(read_all(bom, None), (text.to_string(), "UTF-8"));
        let mut utf16 = vec![0xFF, 0xFE];
        for u in text.encode_utf16() {
            utf16.extend_from_slice(&u.to_le_bytes());
        }
        assert_eq!(read_all(utf16, None), (text.to_string(), "UTF-16LE"));
        let (gbk, _, _) = GB18030.encode(text);
        assert_eq!(read_all(gbk.into_owned(), None), (text.to_string(), "gb18030"));
    }

    #[test]
    fn invalid_utf8_that_is_not_gbk_stays_utf8() {
        let bytes = b"text\nok\n\xFF\xFF bad\n".to_vec();
        assert_eq!(read_all(bytes, None).1, "UTF-8");
        assert_eq!(encoding_for_label("GBK").map(|e| e.name()), Some("GBK"));
        assert!(encoding_for_label("klingon").is_none());
    }
}
