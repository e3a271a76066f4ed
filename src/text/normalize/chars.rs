//! Character classes the stages share: Chinese characters, emoji, and a lazily computed bit set
//! for classes that are costly to test.

use std::sync::atomic::{AtomicU64, Ordering};

/// Whether `c` is a CJK unified ideograph (the basic block, extension A or extension B).
pub fn is_cjk(c: char) -> bool {
    matches!(c, '\u{4E00}'..='\u{9FFF}' | '\u{3400}'..='\u{4DBF}' | '\u{20000}'..='\u{2A6DF}')
}

/// Whether `c` is in an emoji or symbol block (pictographs, dingbats, arrows, geometric shapes)
/// or is one of 〰 〽 ㊗ ㊙.
pub fn is_emoji(c: char) -> bool {
    matches!(c,
        '\u{1F000}'..='\u{1FAFF}'
        | '\u{2600}'..='\u{27BF}'
        | '\u{2B00}'..='\u{2BFF}'
        | '\u{2190}'..='\u{21FF}'
        | '\u{25A0}'..='\u{25FF}'
        | '\u{3030}' | '\u{303D}' | '\u{3297}' | '\u{3299}')
}

/// A bit per character of `base..base + 64 * BLOCKS`, from a pure `test`, computed 64 characters
/// at a time on first use: a process pays only for the blocks its texts use. `WORDS` is
/// `BLOCKS / 64`.
pub(super) struct LazyBits<const BLOCKS: usize, const WORDS: usize> {
    base: u32,
    test: fn(char) -> bool,
    bits: [AtomicU64; BLOCKS],
    /// A bit per block: computed.
    done: [AtomicU64; WORDS],
}

impl<const BLOCKS: usize, const WORDS: usize> LazyBits<BLOCKS, WORDS> {
    pub(super) const fn new(base: u32, test: fn(char) -> bool) -> Self {
        // evaluated at compile time, for a static
        assert!(BLOCKS == WORDS * 64);
        LazyBits { base, test, bits: [const { AtomicU64::new(0) }; BLOCKS], done: [const { AtomicU64::new(0) }; WORDS] }
    }

    /// The bit of `c`; false outside the range.
    pub(super) fn get(&self, c: char) -> bool {
        let i = (c as u32).wrapping_sub(self.base) as usize;
        let block = i / 64;
        let (Some(bits), Some(done)) = (self.bits.get(block), self.done.get(block / 64)) else { return false };
        let flag = 1 << (block % 64);
        if done.load(Ordering::Acquire) & flag == 0 {
            // Threads racing here compute the same word.
            let first = self.base + (block * 64) as u32;
            let mut word = 0u64;
            for k in 0..64 {
                if char::from_u32(first + k).is_some_and(self.test) {
                    word |= 1 << k;
                }
            }
            bits.store(word, Ordering::Relaxed);
            done.fetch_or(flag, Ordering::Release);
        }
        bits.load(Ordering::Relaxed) & (1 << (i % 64)) != 0
    }
}
