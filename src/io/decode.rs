//! Input bytes to UTF-8: byte-order marks, GB18030/GBK detection, `--encoding`, and transcoding
//! with encoding_rs. UTF-8 input passes through untouched, so a bad byte rejects only its record.
//!
//! The guess looks at the first 64 KiB only, and exports get concatenated: a GBK file may go on
//! with lines a newer phone wrote in UTF-8. Transcoded as GB18030 those lines would turn into
//! plausible-looking mojibake and be classified without a word. So a file *guessed* to be GB18030
//! is decoded line by line: a line that is valid UTF-8 and holds a 3- or 4-byte sequence (every
//! Chinese character in UTF-8 is one) passes through as UTF-8, any other line is decoded as
//! GB18030. GBK text is almost never valid UTF-8 — a GBK character is a lead byte 0x81–0xFE and a
//! trail byte, and for a line of them to be valid UTF-8 every lead must happen to be followed by
//! the right number of 0x80–0xBF bytes — so this decodes such lines right rather than rejecting
//! them. A line of GBK that only forms 2-byte UTF-8 sequences (Latin, Greek, Cyrillic letters, not
//! Chinese) stays GB18030. A line longer than 64 KiB is judged by its first 64 KiB. With
//! `--encoding` the encoding given is used for every line.

use std::io::{self, BufRead, BufReader, Cursor, Read};

use encoding_rs::{Decoder, Encoding, GB18030, UTF_8, UTF_16BE, UTF_16LE};
use encoding_rs_io::DecodeReaderBytesBuilder;

/// How many leading bytes are examined to guess the encoding.
const SNIFF_BYTES: usize = 64 * 1024;

/// How much of a line (of a file guessed to be GB18030) decides whether it is UTF-8.
const LINE_HEAD_BYTES: usize = 64 * 1024;

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

/// Guesses the encoding of `sample` (the start of a file, the whole of it when shorter than
/// 64 KiB).
pub fn sniff(sample: &[u8]) -> &'static Encoding {
    if let Some((enc, _)) = Encoding::for_bom(sample) {
        return enc;
    }
    if valid_utf8_prefix(sample) {
        return UTF_8;
    }
    // Not UTF-8: GB18030 (a superset of GBK) if it decodes cleanly, dropping a tail the 64 KiB
    // cut off (not the real end of a short file: a stray byte there is not a GB18030 hint).
    let tries = if sample.len() >= SNIFF_BYTES { 4 } else { 1 };
    let mut end = sample.len();
    for _ in 0..tries {
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
    if encoding == GB18030 && forced.is_none() {
        let reader = GbLines::new(BufReader::with_capacity(1 << 16, rest));
        return Ok(Decoded { reader: Box::new(reader), encoding, transcoded: true });
    }
    let reader = DecodeReaderBytesBuilder::new()
        .encoding(Some(encoding))
        .bom_override(encoding == UTF_16LE || encoding == UTF_16BE)
        .strip_bom(true)
        .build(rest);
    Ok(Decoded { reader: Box::new(reader), encoding, transcoded: true })
}

/// Whether a line (or the head of a long one, `complete` false) of a file guessed to be GB18030
/// is UTF-8: valid UTF-8 holding at least one 3- or 4-byte sequence.
fn utf8_line(line: &[u8], complete: bool) -> bool {
    let valid = match std::str::from_utf8(line) {
        Ok(_) => true,
        // the head of a long line may end inside a character
        Err(e) => !complete && e.error_len().is_none(),
    };
    valid && line.iter().any(|&b| b >= 0xE0)
}

/// A file guessed to be GB18030, decoded line by line (see the module comment).
struct GbLines<R> {
    input: R,
    decoder: Decoder,
    /// Whether the current line is UTF-8; `None` at the start of a line.
    utf8: Option<bool>,
    head: Vec<u8>,
    /// Decoded bytes not handed out yet, from `out_pos`.
    out: Vec<u8>,
    out_pos: usize,
    done: bool,
}

impl<R: BufRead> GbLines<R> {
    fn new(input: R) -> GbLines<R> {
        GbLines {
            input,
            decoder: GB18030.new_decoder_without_bom_handling(),
            utf8: None,
            head: Vec::with_capacity(LINE_HEAD_BYTES),
            out: Vec::new(),
            out_pos: 0,
            done: false,
        }
    }

    /// Decodes `bytes` as GB18030 onto `out`.
    fn transcode(decoder: &mut Decoder, bytes: &[u8], last: bool, out: &mut Vec<u8>) {
        let start = out.len();
        let room = decoder.max_utf8_buffer_length(bytes.len()).unwrap_or(bytes.len() * 3 + 16);
        out.resize(start + room, 0);
        let (_, _, written, _) = decoder.decode_to_utf8(bytes, &mut out[start..], last);
        out.truncate(start + written);
    }

    /// Fills `out` with the next piece of decoded input; leaves it empty at the end.
    fn refill(&mut self) -> io::Result<()> {
        self.out.clear();
        self.out_pos = 0;
        while self.out.is_empty() && !self.done {
            match self.utf8 {
                None => {
                    self.head.clear();
                    (&mut self.input).take(LINE_HEAD_BYTES as u64).read_until(b'\n', &mut self.head)?;
                    if self.head.is_empty() {
                        self.done = true;
                        GbLines::<R>::transcode(&mut self.decoder, &[], true, &mut self.out);
                        break;
                    }
                    let complete = self.head.ends_with(b"\n");
                    let utf8 = utf8_line(&self.head, complete);
                    if utf8 {
                        self.out.extend_from_slice(&self.head);
                    } else {
                        GbLines::<R>::transcode(&mut self.decoder, &self.head, false, &mut self.out);
                    }
                    self.utf8 = if complete { None } else { Some(utf8) };
                }
                Some(utf8) => {
                    let chunk = self.input.fill_buf()?;
                    if chunk.is_empty() {
                        self.utf8 = None;
                        continue;
                    }
                    let (n, complete) = match chunk.iter().position(|&b| b == b'\n') {
                        Some(i) => (i + 1, true),
                        None => (chunk.len(), false),
                    };
                    if utf8 {
                        self.out.extend_from_slice(&chunk[..n]);
                    } else {
                        GbLines::<R>::transcode(&mut self.decoder, &chunk[..n], false, &mut self.out);
                    }
                    self.input.consume(n);
                    if complete {
                        self.utf8 = None;
                    }
                }
            }
        }
        Ok(())
    }
}

impl<R: BufRead> Read for GbLines<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.out_pos >= self.out.len() {
            self.refill()?;
        }
        let n = buf.len().min(self.out.len() - self.out_pos);
        buf[..n].copy_from_slice(&self.out[self.out_pos..self.out_pos + n]);
        self.out_pos += n;
        Ok(n)
    }
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
    fn utf8_lines_in_a_gbk_file_are_decoded_as_utf8() {
        // more than the 64 KiB sniffed of GBK, then UTF-8 lines, one of them longer than a line head
        let gbk_line = "再不还钱就爆你通讯录，让你全家都知道\n";
        let mut expected = String::from("id,text\n");
        while expected.len() < 3 * SNIFF_BYTES / 2 {
            expected.push_str(gbk_line);
        }
        let mut bytes = GB18030.encode(&expected).0.into_owned();
        let long_utf8 = format!("{}\n", "你的遗照做好了".repeat(LINE_HEAD_BYTES / 10));
        let long_gbk = format!("{}\n", "逾期还款提醒".repeat(LINE_HEAD_BYTES / 6));
        for (text, utf8) in [
            ("你的遗照做好了，今晚发你家族群\r\n", true),
            ("plain ASCII\n", true),
            (long_utf8.as_str(), true),
            ("还款提醒\n", false),
            (long_gbk.as_str(), false),
            ("最后一行 UTF-8 无换行", true),
        ] {
            expected.push_str(text);
            if utf8 {
                bytes.extend_from_slice(text.as_bytes());
            } else {
                bytes.extend_from_slice(&GB18030.encode(text).0);
            }
        }
        let (decoded, name) = read_all(bytes, None);
        assert_eq!(name, "gb18030");
        assert!(decoded == expected, "UTF-8 lines were garbled");
        // GBK is not valid UTF-8, and a GBK line that happens to be valid UTF-8 of 2-byte
        // sequences (模模 is C4 A3 C4 A3, UTF-8 for ģģ) stays GBK
        assert!(!utf8_line(&GB18030.encode("中文短信\n").0, true));
        assert_eq!(GB18030.encode("模模").0.as_ref(), b"\xC4\xA3\xC4\xA3");
        assert!(!utf8_line(b"\xC4\xA3\xC4\xA3\n", true), "2-byte sequences only: not taken for UTF-8");
        assert!(utf8_line("中文".as_bytes(), true) && !utf8_line(b"ascii\n", true));
        // with --encoding every line is GB18030
        let (forced, _) = read_all("中文\n".as_bytes().to_vec(), Some(GB18030));
        assert_ne!(forced, "中文\n");
    }

    #[test]
    fn invalid_utf8_that_is_not_gbk_stays_utf8() {
        let bytes = b"text\nok\n\xFF\xFF bad\n".to_vec();
        assert_eq!(read_all(bytes, None).1, "UTF-8");
        // a stray byte at the very end of a short file is not a GB18030 hint
        assert_eq!(sniff(b"text\nok\nbad\xFF\r\n"), UTF_8);
        assert_eq!(encoding_for_label("GBK").map(|e| e.name()), Some("GBK"));
        assert!(encoding_for_label("klingon").is_none());
    }
}
