//! Text analysis before features: normalization, then segmentation.

pub mod normalize;
pub mod openings;
pub mod segment;

pub use normalize::{NormalizeScratch, Normalized, Normalizer, Placeholder, VariantRule, parse_variants};
pub use segment::{Segmenter, TokenSpan, is_content_token};
