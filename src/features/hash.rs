//! Feature hashing: FNV-1a for strings, a 64-bit mixer for characters and for combining, and
//! Fibonacci hashing into 2^k buckets.

const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
const FNV_PRIME: u64 = 0x0000_0100_0000_01b3;

/// FNV-1a over `bytes`, started from a namespace `seed`.
#[inline]
pub fn fnv1a(seed: u64, bytes: &[u8]) -> u64 {
    let mut h = FNV_OFFSET ^ seed.wrapping_mul(FNV_PRIME);
    for &b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(FNV_PRIME);
    }
    h
}

/// A strong 64-bit finalizer (splitmix64), so nearby inputs land far apart.
#[inline]
pub fn mix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

/// Combines a running n-gram hash with the next element.
#[inline]
pub fn combine(h: u64, next: u64) -> u64 {
    mix(h.rotate_left(17) ^ next)
}

/// The bucket of a well-mixed hash `h` in a table of `2^bits` buckets: the top bits of a
/// multiplication by the golden ratio (Fibonacci hashing), one multiply instead of a full mix.
#[inline]
pub fn bucket(h: u64, bits: u8) -> u32 {
    (h.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> (64 - u32::from(bits))) as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_are_stable_across_runs_and_platforms() {
        // Fixed values: a change here silently invalidates every saved model.
        assert_eq!(fnv1a(0, b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a(0, b"a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(bucket(fnv1a(1, "通讯录".as_bytes()), 18), bucket(fnv1a(1, "通讯录".as_bytes()), 18));
        assert_eq!(bucket(fnv1a(1, "通讯录".as_bytes()), 18), 93_258);
        assert_ne!(fnv1a(1, b"x"), fnv1a(2, b"x"));
        assert!(bucket(u64::MAX, 18) < 1 << 18);
    }
}
