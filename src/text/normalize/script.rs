//! Stage: traditional to simplified Chinese characters.

use super::chars::LazyBits;
use super::{CharBuf, Outcome, Stage, StageScratch};

/// The ranges whose characters are checked once, at first use, for a simplified form (zhconv
/// converts nothing outside them).
const CJK_RANGES: [(u32, u32); 7] = [
    (0x2000, 0x206F), // general punctuation
    (0x3000, 0x303F), // CJK symbols and punctuation: zhconv turns 「」 into “”
    (0x3400, 0x4DBF),
    (0x4E00, 0x9FFF),
    (0xF900, 0xFAFF),
    (0xFE30, 0xFE4F),
    (0xFF00, 0xFFEF),
];

/// Whether zhconv's `zh-Hans` conversion changes `c` on its own (only characters of
/// [`CJK_RANGES`] are checked).
pub(super) fn is_traditional(c: char) -> bool {
    fn test(c: char) -> bool {
        let u = c as u32;
        if !CJK_RANGES.iter().any(|&(lo, hi)| (lo..=hi).contains(&u)) {
            return false;
        }
        let mut buf = [0u8; 4];
        let one: &str = c.encode_utf8(&mut buf);
        zhconv::get_builtin_converter(zhconv::Variant::ZhHans).convert(one) != one
    }
    // from the first character of CJK_RANGES to the last
    static CONVERTIBLE: LazyBits<896, 14> = LazyBits::new(0x2000, test);
    CONVERTIBLE.get(c)
}

/// Traditional to simplified Chinese characters (zhconv's `zh-Hans` tables).
pub struct ScriptFold;

impl Stage for ScriptFold {
    fn apply(&self, src: &CharBuf, dst: &mut CharBuf, scratch: &mut StageScratch) -> Outcome {
        // Most messages are already simplified: skip the converter unless some character would change.
        if !src.chars.iter().any(|&c| is_traditional(c)) {
            return Outcome::Unchanged;
        }
        dst.clear();
        let converter = zhconv::get_builtin_converter(zhconv::Variant::ZhHans);
        let StageScratch { text: input, text2: output, .. } = scratch;
        input.clear();
        input.extend(src.chars.iter());
        output.clear();
        converter.convert_to(input, output);
        if output.chars().count() == src.chars.len() {
            for (c, &span) in output.chars().zip(&src.spans) {
                dst.push(c, span);
            }
        } else {
            // A phrase rule changed the length: convert character by character to keep the map.
            let mut one = String::new();
            for (&c, &span) in src.chars.iter().zip(&src.spans) {
                one.clear();
                one.push(c);
                for out in converter.convert(&one).chars() {
                    dst.push(out, span);
                }
            }
        }
        Outcome::Written
    }
}
