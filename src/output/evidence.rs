//! Evidence spans as text: the `SPAN@START-END;…` field that `classify` writes and the reports
//! read back, the text of each span, and a text cut into marked and unmarked pieces for the
//! HTML and Markdown reports. Offsets are characters of the original text, end exclusive.

use std::fmt::Write;

use crate::prediction::Span;

/// Writes evidence as `SPAN@START-END;…`, SPAN being the original text between the character
/// offsets START and END (end exclusive).
pub fn format_evidence(text: &str, spans: &[Span]) -> String {
    let mut out = String::new();
    write_evidence(text, spans, &mut out);
    out
}

/// Appends the evidence field of [`format_evidence`] to `out`.
pub fn write_evidence(text: &str, spans: &[Span], out: &mut String) {
    let mut cursor = CharCursor { text, chars: 0, byte: 0 };
    for (i, s) in spans.iter().enumerate() {
        if i > 0 {
            out.push(';');
        }
        let a = cursor.byte_of(s.start as usize);
        let b = cursor.byte_of(s.end as usize).max(a);
        out.push_str(&text[a..b]);
        let _ = write!(out, "@{}-{}", s.start, s.end);
    }
}

/// Parses `SPAN@START-END;…` (the evidence field of [`format_evidence`]) into spans, sorted;
/// parts that do not parse, and empty spans, are left out.
pub fn parse_evidence(field: &str) -> Vec<Span> {
    let mut spans: Vec<Span> = field
        .split(';')
        .filter_map(|part| {
            let (_, range) = part.rsplit_once('@')?;
            let (s, e) = range.split_once('-')?;
            let (start, end) = (s.trim().parse().ok()?, e.trim().parse().ok()?);
            (start < end).then_some(Span { start, end })
        })
        .collect();
    spans.sort();
    spans
}

/// The text of each span (clipped to the text).
pub fn span_texts(text: &str, spans: &[Span]) -> Vec<String> {
    let mut cursor = CharCursor { text, chars: 0, byte: 0 };
    spans
        .iter()
        .map(|s| {
            let a = cursor.byte_of(s.start as usize);
            let b = cursor.byte_of(s.end as usize).max(a);
            text[a..b].to_string()
        })
        .collect()
}

/// `text` cut into pieces, each marked when it is evidence. Spans must be in text order; a span
/// that overlaps the one before, or is empty, is skipped. Spans that touch are one marked piece,
/// so that a renderer never writes two marks back to back (`**a****b**`).
pub fn marked_pieces<'a>(text: &'a str, spans: &[Span]) -> Vec<(&'a str, bool)> {
    let mut cursor = CharCursor { text, chars: 0, byte: 0 };
    let mut pieces: Vec<(&'a str, bool)> = Vec::with_capacity(2 * spans.len() + 1);
    let (mut pos_char, mut pos_byte) = (0usize, 0usize);
    for s in spans {
        let (start, end) = (s.start as usize, s.end as usize);
        if start < pos_char || start >= end {
            continue;
        }
        let a = cursor.byte_of(start);
        let b = cursor.byte_of(end);
        if a >= b {
            continue;
        }
        if a > pos_byte {
            pieces.push((&text[pos_byte..a], false));
        }
        match pieces.last_mut() {
            Some((last, true)) if a == pos_byte => *last = &text[pos_byte - last.len()..b],
            _ => pieces.push((&text[a..b], true)),
        }
        (pos_char, pos_byte) = (end, b);
    }
    if pos_byte < text.len() {
        pieces.push((&text[pos_byte..], false));
    }
    pieces
}

/// Turns character offsets into byte offsets, walking forward from the last one asked for.
struct CharCursor<'a> {
    text: &'a str,
    chars: usize,
    byte: usize,
}

impl CharCursor<'_> {
    /// The byte offset of character `c` (the text's length past its end).
    fn byte_of(&mut self, c: usize) -> usize {
        if c < self.chars {
            (self.chars, self.byte) = (0, 0);
        }
        for ch in self.text[self.byte..].chars() {
            if self.chars == c {
                break;
            }
            self.chars += 1;
            self.byte += ch.len_utf8();
        }
        self.byte
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn span(start: u32, end: u32) -> Span {
        Span { start, end }
    }

    #[test]
    fn evidence_is_written_with_character_offsets() {
        let text = "😀再不还就爆 通 讯 录";
        assert_eq!(format_evidence(text, &[span(5, 12)]), "爆 通 讯 录@5-12");
        assert_eq!(format_evidence(text, &[]), "");
        assert_eq!(format_evidence(text, &[span(1, 3), span(5, 6)]), "再不@1-3;爆@5-6");
        // out of order or past the end: no panic, the text that exists
        assert_eq!(format_evidence(text, &[span(5, 6), span(0, 1), span(11, 40)]), "爆@5-6;😀@0-1;录@11-40");
    }

    #[test]
    fn evidence_fields_round_trip() {
        let text = "😀再不还就爆 通 讯 录";
        let spans = [span(5, 12), span(1, 3)];
        let field = format_evidence(text, &spans);
        assert_eq!(parse_evidence(&field), [span(1, 3), span(5, 12)]);
        assert_eq!(parse_evidence(""), []);
        assert_eq!(parse_evidence("a@x-y;b@5-3"), []);
        assert_eq!(span_texts(text, &spans), ["爆 通 讯 录", "再不"]);
    }

    #[test]
    fn pieces_mark_spans_and_join_touching_ones() {
        let text = "再不还就爆通讯录";
        assert_eq!(marked_pieces(text, &[span(4, 5), span(5, 8)]), [("再不还就", false), ("爆通讯录", true)]);
        assert_eq!(
            marked_pieces(text, &[span(0, 2), span(1, 3), span(4, 5), span(9, 12)]),
            [("再不", true), ("还就", false), ("爆", true), ("通讯录", false)]
        );
        assert_eq!(marked_pieces("", &[span(0, 1)]), []);
        assert_eq!(marked_pieces("还钱", &[]), [("还钱", false)]);
    }
}
