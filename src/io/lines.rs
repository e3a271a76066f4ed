//! The line loop shared by the line formats (JSON Lines, plain text): reads one line at a time
//! into a reused buffer, counts lines, skips blank ones and strips the line ending.
//!
//! A line is buffered up to a byte limit only. Past it the rest of the line is skipped (counted,
//! not kept) up to its newline, and the line comes back as [`Line::TooLong`] with its first
//! bytes: an endless line (`/dev/zero`, a file with no newline) costs the limit in memory, not
//! its length.

use std::io::{BufRead, BufReader, Read};

use super::{InputError, MAX_RAW_BYTES, utf8_chars};

/// The non-blank lines of an input, one at a time, numbered from 1.
pub struct Lines {
    reader: BufReader<Box<dyn Read + Send>>,
    line: u64,
    buf: Vec<u8>,
    /// The most bytes of a line (without its line ending) that are kept.
    limit: usize,
}

/// A line that is not blank.
#[derive(Debug, PartialEq)]
pub enum Line<'a> {
    /// Its 1-based number and its bytes without the line ending.
    Text(u64, &'a [u8]),
    /// A line longer than the limit, read to its end but not kept.
    TooLong {
        /// Its 1-based number.
        line: u64,
        /// Its first bytes (at most the limit and [`MAX_RAW_BYTES`]).
        head: &'a [u8],
        /// Its length without the line ending, in bytes.
        bytes: u64,
        /// Its length in characters (bytes that do not continue a UTF-8 sequence).
        chars: u64,
    },
}

impl Lines {
    /// Lines of `reader`, each kept up to `limit` bytes.
    pub fn new(reader: Box<dyn Read + Send>, limit: usize) -> Lines {
        Lines { reader: BufReader::with_capacity(1 << 16, reader), line: 0, buf: Vec::new(), limit }
    }

    /// The capacity of the line buffer: what the longest line kept so far cost.
    pub fn buffered(&self) -> usize {
        self.buf.capacity()
    }

    /// The next line that is not blank and its 1-based number; `None` at the end. `name` is the
    /// input's name for errors.
    pub fn next_line(&mut self, name: &str) -> Option<Result<Line<'_>, InputError>> {
        let io = |source| InputError::Io { file: name.to_string(), source };
        loop {
            self.buf.clear();
            // the limit, and room for a CRLF
            let most = self.limit.saturating_add(2);
            match (&mut self.reader).take(most as u64).read_until(b'\n', &mut self.buf) {
                Ok(0) => return None,
                Ok(_) => {}
                Err(source) => return Some(Err(io(source))),
            }
            self.line += 1;
            if self.buf.len() == most && !self.buf.ends_with(b"\n") {
                match self.skip_rest() {
                    Err(source) => return Some(Err(io(source))),
                    Ok(None) => continue,
                    Ok(Some((bytes, chars))) => {
                        // the first bytes, ending on a character boundary
                        let mut end = self.limit.min(MAX_RAW_BYTES).min(self.buf.len());
                        while end > 0 && end < self.buf.len() && (self.buf[end] as i8) < -0x40 {
                            end -= 1;
                        }
                        let head = &self.buf[..end];
                        return Some(Ok(Line::TooLong { line: self.line, head, bytes, chars }));
                    }
                }
            }
            let bytes = self.buf.strip_suffix(b"\n").unwrap_or(&self.buf);
            let bytes = bytes.strip_suffix(b"\r").unwrap_or(bytes);
            if !bytes.iter().all(u8::is_ascii_whitespace) {
                let end = bytes.len();
                return Some(Ok(Line::Text(self.line, &self.buf[..end])));
            }
        }
    }

    /// Reads past the rest of a line longer than the limit, through its newline; returns its
    /// length without the line ending in bytes and characters, or `None` for a blank line.
    fn skip_rest(&mut self) -> std::io::Result<Option<(u64, u64)>> {
        let mut bytes = self.buf.len() as u64;
        let mut chars = utf8_chars(&self.buf);
        let mut blank = self.buf.iter().all(u8::is_ascii_whitespace);
        let mut last = self.buf.last().copied();
        loop {
            let chunk = self.reader.fill_buf()?;
            if chunk.is_empty() {
                break;
            }
            let (part, newline) = match chunk.iter().position(|&b| b == b'\n') {
                Some(i) => (&chunk[..i], true),
                None => (chunk, false),
            };
            bytes += part.len() as u64;
            chars += utf8_chars(part);
            blank = blank && part.iter().all(u8::is_ascii_whitespace);
            last = part.last().copied().or(last);
            let n = part.len() + usize::from(newline);
            self.reader.consume(n);
            if newline {
                break;
            }
        }
        if last == Some(b'\r') {
            bytes -= 1;
            chars -= 1;
        }
        Ok(if blank { None } else { Some((bytes, chars)) })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(data: &'static [u8], limit: usize) -> Vec<String> {
        let mut lines = Lines::new(Box::new(data), limit);
        let mut out = Vec::new();
        while let Some(line) = lines.next_line("t") {
            out.push(match line.unwrap() {
                Line::Text(n, bytes) => format!("{n}:{}", String::from_utf8_lossy(bytes)),
                Line::TooLong { line, head, bytes, chars } => {
                    format!("{line}:long {bytes}/{chars} {}", String::from_utf8_lossy(head))
                }
            });
        }
        out
    }

    #[test]
    fn lines_past_the_limit_are_skipped_to_their_end() {
        assert_eq!(
            lines(b"abcd\r\nabcde\r\n\n    \r\nab\xE4\xB8\xADcd\r\nok", 4),
            ["1:abcd", "2:long 5/5 abcd", "5:long 7/5 ab", "6:ok"]
        );
        // a long blank line is still blank; a long last line without a newline still counts
        assert_eq!(lines(b"          \nx\nyyyyyyyy", 4), ["2:x", "3:long 8/8 yyyy"]);
    }
}
