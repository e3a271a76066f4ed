//! The line loop shared by the line formats (JSON Lines, plain text): reads one line at a time
//! into a reused buffer, counts lines, skips blank ones and strips the line ending.

use std::io::{BufRead, BufReader, Read};

use super::InputError;

/// The non-blank lines of an input, one at a time, numbered from 1.
pub struct Lines {
    reader: BufReader<Box<dyn Read + Send>>,
    line: u64,
    buf: Vec<u8>,
}

impl Lines {
    /// Reads lines from `reader`.
    pub fn new(reader: Box<dyn Read + Send>) -> Lines {
        Lines { reader: BufReader::with_capacity(1 << 16, reader), line: 0, buf: Vec::new() }
    }

    /// The next line that is not blank, without its line ending, and its 1-based number;
    /// `None` at the end. `name` is the input's name for errors.
    pub fn next_line(&mut self, name: &str) -> Option<Result<(u64, &[u8]), InputError>> {
        loop {
            self.buf.clear();
            match self.reader.read_until(b'\n', &mut self.buf) {
                Ok(0) => return None,
                Ok(_) => {}
                Err(source) => return Some(Err(InputError::Io { file: name.to_string(), source })),
            }
            self.line += 1;
            let bytes = self.buf.strip_suffix(b"\n").unwrap_or(&self.buf);
            let bytes = bytes.strip_suffix(b"\r").unwrap_or(bytes);
            if !bytes.iter().all(u8::is_ascii_whitespace) {
                let end = bytes.len();
                return Some(Ok((self.line, &self.buf[..end])));
            }
        }
    }
}
