//! How a set of patterns opens: a quick test for where in a text none of them can begin, so that
//! an automaton can skip those texts, or the start of them.

/// The first characters of each pattern: the whole of a one- or two-character pattern, the first
/// three of a longer one.
pub struct Openings {
    /// The first two characters of every pattern of two or more, hashed to a bit: a cheap first test.
    pairs: Vec<u64>,
    /// Sorted [`Openings::key`]s.
    keys: Vec<u64>,
    /// The one-character patterns.
    singles: Vec<char>,
    /// A bit for each one-character pattern, at its code point modulo 64.
    single_bits: u64,
}

impl Openings {
    /// `pairs` has `1 << PAIR_BITS` bits.
    const PAIR_BITS: u32 = 16;

    fn pair_bit(a: char, b: char) -> usize {
        ((a as u32).wrapping_mul(0x9E37_79B1) ^ (b as u32).wrapping_mul(0x85EB_CA77)) as usize >> (32 - Self::PAIR_BITS)
    }

    /// The key of a two-character pattern (`c` None) or of the first three characters of a longer one.
    fn key(a: char, b: char, c: Option<char>) -> u64 {
        // characters take 21 bits
        let pair = (a as u64) << 42 | (b as u64) << 21;
        c.map_or(pair | 1 << 63, |c| pair | c as u64)
    }

    /// The openings of `patterns` (empty patterns are ignored).
    pub fn new<'a>(patterns: impl IntoIterator<Item = &'a str>) -> Openings {
        let mut pairs = vec![0u64; (1 << Self::PAIR_BITS) / 64];
        let mut keys = Vec::new();
        let mut singles = Vec::new();
        for p in patterns {
            let mut chars = p.chars();
            match (chars.next(), chars.next()) {
                (Some(a), Some(b)) => {
                    let i = Self::pair_bit(a, b);
                    pairs[i / 64] |= 1 << (i % 64);
                    keys.push(Self::key(a, b, chars.next()));
                }
                (Some(a), None) => singles.push(a),
                _ => {}
            }
        }
        keys.sort_unstable();
        singles.sort_unstable();
        let single_bits = singles.iter().fold(0, |bits, &c| bits | 1 << (c as u32 % 64));
        Openings { pairs, keys, singles, single_bits }
    }

    /// Whether some pattern may begin with `a`, then `b`, then `c` (the characters after `a`, if any):
    /// exactly, false when no pattern does.
    pub fn opens(&self, a: char, b: Option<char>, c: Option<char>) -> bool {
        if self.single_bits & (1 << (a as u32 % 64)) != 0 && self.singles.binary_search(&a).is_ok() {
            return true;
        }
        let Some(b) = b else { return false };
        let i = Self::pair_bit(a, b);
        let has = |key: u64| self.keys.binary_search(&key).is_ok();
        self.pairs[i / 64] & (1 << (i % 64)) != 0
            && (has(Self::key(a, b, None)) || c.is_some_and(|c| has(Self::key(a, b, Some(c)))))
    }

    /// Whether some pattern may begin at some character of `chars`.
    pub fn any_in(&self, chars: &[char]) -> bool {
        (0..chars.len()).any(|k| self.opens(chars[k], chars.get(k + 1).copied(), chars.get(k + 2).copied()))
    }

    /// The byte offset of the first character of `text` where some pattern may begin.
    pub fn first_in(&self, text: &str) -> Option<usize> {
        let mut chars = text.chars();
        let (mut a, mut b, mut c) = (chars.next(), chars.next(), chars.next());
        let mut at = 0;
        while let Some(first) = a {
            if self.opens(first, b, c) {
                return Some(at);
            }
            at += first.len_utf8();
            (a, b, c) = (b, c, chars.next());
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_where_a_pattern_may_begin() {
        let o = Openings::new(["通讯录", "txl", "刀", "p图"]);
        assert_eq!(o.first_in("我们的通讯方式"), None);
        assert_eq!(o.first_in("爆你通讯录"), Some("爆你".len()));
        assert_eq!(o.first_in("一把刀"), Some("一把".len()));
        assert_eq!(o.first_in("给你p图"), Some("给你".len()));
        assert_eq!(o.first_in(""), None);
        assert!(o.any_in(&['爆', 't', 'x', 'l']));
        assert!(!o.any_in(&['t', 'x']));
    }
}
