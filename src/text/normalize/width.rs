//! Stage: Unicode compatibility folding (width, circled digits), lower-casing, and removal of
//! invisible characters; or, for the `basic` chain, ASCII lower-casing only.

use unicode_normalization::UnicodeNormalization;

use super::chars::LazyBits;
use super::{CharBuf, Outcome, Stage, StageScratch};

/// Zero-width, joiner, variation-selector and combining characters: dropped.
fn is_invisible(c: char) -> bool {
    matches!(c,
        '\u{200B}'..='\u{200F}'
        | '\u{202A}'..='\u{202E}'
        | '\u{2060}'..='\u{2064}'
        | '\u{FEFF}'
        | '\u{00AD}'
        | '\u{FE00}'..='\u{FE0F}'
        | '\u{E0100}'..='\u{E01EF}'
        | '\u{20E3}'
        | '\u{0300}'..='\u{036F}'
        | '\u{1F3FB}'..='\u{1F3FF}')
}

/// Unicode compatibility folding (full width to half width, circled digits, compatibility
/// ideographs), lower-casing, and removal of invisible characters.
pub struct WidthCaseFold;

impl WidthCaseFold {
    /// The folding of one character, given to `emit` (none for an invisible character).
    pub(super) fn fold(c: char, mut emit: impl FnMut(char)) {
        if WidthCaseFold::keeps(c) {
            emit(c);
        } else if let '\u{FF01}'..='\u{FF5E}' = c {
            // full-width ASCII: NFKC gives the ASCII character U+FEE0 below
            emit(char::from((c as u32 - 0xFEE0) as u8).to_ascii_lowercase());
        } else {
            WidthCaseFold::fold_one(c, emit);
        }
    }

    /// The folding of one character, the long way.
    pub(super) fn fold_one(c: char, mut emit: impl FnMut(char)) {
        if c.is_ascii() {
            emit(c.to_ascii_lowercase());
        } else if matches!(c, '\u{4E00}'..='\u{9FFF}') {
            emit(c);
        } else if is_invisible(c) {
            // dropped
        } else if c == '\u{3000}' {
            emit(' ');
        } else {
            for folded in std::iter::once(c).nfkc() {
                if is_invisible(folded) {
                    continue;
                }
                for lower in folded.to_lowercase() {
                    emit(lower);
                }
            }
        }
    }

    /// Whether the folding gives `c` back (false beyond plane 1, whatever it does there): a bit
    /// per character, so that mixed Chinese, Latin and punctuation costs no mispredicted branch.
    pub(super) fn keeps(c: char) -> bool {
        fn test(c: char) -> bool {
            let mut out = ['\0'; 2];
            let mut n = 0;
            WidthCaseFold::fold_one(c, |f| {
                if let Some(slot) = out.get_mut(n) {
                    *slot = f;
                }
                n += 1;
            });
            n == 1 && out[0] == c
        }
        static KEEPS: LazyBits<2048, 32> = LazyBits::new(0, test);
        KEEPS.get(c)
    }
}

impl Stage for WidthCaseFold {
    fn apply(&self, src: &CharBuf, dst: &mut CharBuf, _scratch: &mut StageScratch) -> Outcome {
        let Some(first) = src.chars.iter().position(|&c| !WidthCaseFold::keeps(c)) else {
            return Outcome::Unchanged;
        };
        dst.clear();
        dst.extend_from(src, 0..first);
        let mut k = first;
        while let Some(&c) = src.chars.get(k) {
            let span = src.spans[k];
            WidthCaseFold::fold(c, |f| dst.push(f, span));
            // then the run of characters that stay
            let end = src.chars[k + 1..]
                .iter()
                .position(|&c| !WidthCaseFold::keeps(c))
                .map_or(src.chars.len(), |p| k + 1 + p);
            dst.extend_from(src, k + 1..end);
            k = end;
        }
        Outcome::Written
    }
}

/// ASCII lower-casing only: the `basic` chain, kept to measure what the full chain adds.
pub struct AsciiLowercase;

impl Stage for AsciiLowercase {
    fn apply(&self, src: &CharBuf, dst: &mut CharBuf, _scratch: &mut StageScratch) -> Outcome {
        if !src.chars.iter().any(char::is_ascii_uppercase) {
            return Outcome::Unchanged;
        }
        dst.clear();
        dst.chars.extend(src.chars.iter().map(char::to_ascii_lowercase));
        dst.spans.extend_from_slice(&src.spans);
        Outcome::Written
    }
}
