//! Stage: separators inserted to split a word (`爆 通 讯 录`, `P*图`) are removed.

use super::chars::{LazyBits, is_cjk, is_emoji};
use super::{CharBuf, Edits, Outcome, Stage, StageScratch};

pub(super) fn is_separator(c: char) -> bool {
    // a bit per character of planes 0 and 1
    static SEPARATORS: LazyBits<2048, 32> = LazyBits::new(0, is_separator_char);
    if (c as u32) < 0x2_0000 { SEPARATORS.get(c) } else { is_separator_char(c) }
}

pub(super) fn is_separator_char(c: char) -> bool {
    c.is_whitespace()
        || matches!(
            c,
            '*' | '.'
                | '-'
                | '_'
                | '/'
                | '|'
                | '\\'
                | '·'
                | '。'
                | '~'
                | '^'
                | '#'
                | '@'
                | '`'
                | '\''
                | '"'
                | '+'
                | '='
                | '•'
                | '…'
                | '丶'
                | '﹏'
                | '∙'
                | '⋅'
        )
        || is_emoji(c)
}

/// A separator that ordinary prose does not put between two Chinese characters.
fn is_strong_separator(c: char) -> bool {
    is_separator(c) && !c.is_whitespace() && c != '。'
}

fn is_gluable(c: char) -> bool {
    is_cjk(c) || c.is_ascii_alphabetic()
}

/// Removes separators inserted to split a word (`爆 通 讯 录`, `P*图`, `曝.光`, `t x l`): around
/// a run of two or more single characters, or a non-space symbol between a Chinese character and a
/// letter or another Chinese character. Spaces between ordinary multi-character words stay.
pub struct CollapseSeparators;

impl CollapseSeparators {
    /// Whether the separator run between `left` and `right` units should go.
    fn glue(chars: &[char], units: &[(usize, usize)], k: usize) -> bool {
        let (ls, le) = units[k];
        let (rs, re) = units[k + 1];
        let single = |u: usize| units.get(u).is_some_and(|&(s, e)| e - s == 1 && is_gluable(chars[s]));
        let left_char = chars[le - 1];
        let right_char = chars[rs];
        // a run of singles: both sides single, or one side single with a single beyond it
        let in_run = (single(k) && single(k + 1))
            || (single(k + 1) && single(k + 2) && is_gluable(left_char))
            || (k > 0 && single(k) && single(k - 1) && is_gluable(right_char));
        if in_run && (is_cjk(left_char) || is_cjk(right_char) || (re - rs == 1 && le - ls == 1)) {
            return true;
        }
        let strong = chars[le..rs].iter().all(|&c| is_strong_separator(c));
        strong && is_gluable(left_char) && is_gluable(right_char) && (is_cjk(left_char) || is_cjk(right_char))
    }
}

impl Stage for CollapseSeparators {
    fn apply(&self, src: &CharBuf, dst: &mut CharBuf, scratch: &mut StageScratch) -> Outcome {
        let chars = &src.chars;
        let n = chars.len();
        let Some(mut i) = chars.iter().position(|&c| is_separator(c)) else { return Outcome::Unchanged };
        // Units: the runs of non-separators.
        let units = &mut scratch.units;
        units.clear();
        if i > 0 {
            units.push((0, i));
        }
        while i < n {
            if is_separator(chars[i]) {
                i += 1;
                continue;
            }
            let start = i;
            while i < n && !is_separator(chars[i]) {
                i += 1;
            }
            units.push((start, i));
        }
        // Drop the separators between two units that glue.
        let mut edits = Edits::new(src, dst);
        for k in 0..units.len().saturating_sub(1) {
            if CollapseSeparators::glue(chars, units, k) {
                edits.delete(units[k].1, units[k + 1].0);
            }
        }
        edits.finish()
    }
}
