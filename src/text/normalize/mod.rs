//! Normalization: a chain of small stages that fold width, case, script, separators, evasion
//! spellings and numbers, keeping for every output character the span of the original it came from.
//! This file holds the chain and what its stages share (the character buffer, the `Stage` trait,
//! the edit builder); each stage is a file of its own.

mod chars;
mod numbers;
mod placeholder;
mod script;
mod separators;
mod variants;
mod width;

pub use chars::{is_cjk, is_emoji};
pub use numbers::FoldNumbers;
pub use placeholder::{Placeholder, display_placeholders};
pub use script::ScriptFold;
pub use separators::CollapseSeparators;
pub use variants::{FoldVariants, VariantRule, VariantsError, parse_variants};
pub use width::{AsciiLowercase, WidthCaseFold};

/// Characters with, for each, the half-open span of original characters it stands for.
#[derive(Debug, Default, Clone)]
pub struct CharBuf {
    /// The characters.
    pub chars: Vec<char>,
    /// Per character, the half-open span of original characters it stands for.
    pub spans: Vec<(u32, u32)>,
}

impl CharBuf {
    fn clear(&mut self) {
        self.chars.clear();
        self.spans.clear();
    }

    fn push(&mut self, c: char, span: (u32, u32)) {
        self.chars.push(c);
        self.spans.push(span);
    }

    /// Appends `src`'s characters `range`, with their spans.
    fn extend_from(&mut self, src: &CharBuf, range: std::ops::Range<usize>) {
        self.chars.extend_from_slice(&src.chars[range.clone()]);
        self.spans.extend_from_slice(&src.spans[range]);
    }

    fn fill_identity(&mut self, text: &str) {
        self.clear();
        self.chars.reserve(text.len());
        self.chars.extend(text.chars());
        let n = self.chars.len() as u32;
        self.spans.extend((0..n).map(|i| (i, i + 1)));
    }

    /// The original span covered by output characters `start..end`.
    fn span_of(&self, start: usize, end: usize) -> (u32, u32) {
        (self.spans[start].0, self.spans[end - 1].1)
    }
}

/// What a stage did with its input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// The output is in `dst`.
    Written,
    /// The output would equal the input, so `dst` was left alone: the next stage reads `src`.
    Unchanged,
}

/// Buffers a stage may reuse from one message to the next (each stage clears what it uses).
#[derive(Debug, Default)]
pub struct StageScratch {
    text: String,
    text2: String,
    /// Byte offset in `text` of each character, then its length.
    offsets: Vec<u32>,
    units: Vec<(usize, usize)>,
}

/// One step of the chain: reads `src` and either writes `dst` (clearing it first) or, when it
/// would change nothing, returns [`Outcome::Unchanged`] without touching `dst`.
pub trait Stage: Send + Sync {
    /// Reads `src` and either writes `dst` and returns [`Outcome::Written`], or returns
    /// [`Outcome::Unchanged`].
    fn apply(&self, src: &CharBuf, dst: &mut CharBuf, scratch: &mut StageScratch) -> Outcome;
}

/// A stage's output built as its input with some ranges replaced: nothing is copied before the
/// first replacement, and a stage that replaces nothing finishes [`Outcome::Unchanged`].
struct Edits<'a> {
    src: &'a CharBuf,
    dst: &'a mut CharBuf,
    /// Characters of `src` before this are in `dst` (or replaced).
    copied: usize,
    written: bool,
}

impl<'a> Edits<'a> {
    fn new(src: &'a CharBuf, dst: &'a mut CharBuf) -> Edits<'a> {
        Edits { src, dst, copied: 0, written: false }
    }

    /// Copies the untouched characters up to `start`, the start of a replacement.
    fn copy_to(&mut self, start: usize) {
        if !self.written {
            self.dst.clear();
            self.written = true;
        }
        self.dst.extend_from(self.src, self.copied..start);
    }

    /// Drops characters `start..end`.
    fn delete(&mut self, start: usize, end: usize) {
        self.copy_to(start);
        self.copied = end;
    }

    /// Replaces characters `start..end` by `with`, each standing for the span they covered.
    fn replace(&mut self, start: usize, end: usize, with: impl IntoIterator<Item = char>) {
        self.copy_to(start);
        let span = self.src.span_of(start, end);
        for c in with {
            self.dst.push(c, span);
        }
        self.copied = end;
    }

    fn finish(self) -> Outcome {
        if !self.written {
            return Outcome::Unchanged;
        }
        self.dst.extend_from(self.src, self.copied..self.src.chars.len());
        Outcome::Written
    }
}

/// The normalized text of a message and, per character, the original character span.
#[derive(Debug, Default, Clone)]
pub struct Normalized {
    /// The normalized text.
    pub text: String,
    /// Per character of `text`, the half-open span of original characters it came from.
    pub spans: Vec<(u32, u32)>,
    /// Per character, its byte offset in `text`.
    pub char_starts: Vec<u32>,
}

impl Normalized {
    /// The original character span covered by normalized characters `start..end` (end exclusive).
    pub fn original_span(&self, start: usize, end: usize) -> (u32, u32) {
        if start >= end || end > self.spans.len() {
            return (0, 0);
        }
        (self.spans[start].0, self.spans[end - 1].1)
    }
}

/// Reusable buffers for [`Normalizer::normalize`].
#[derive(Default)]
pub struct NormalizeScratch {
    a: CharBuf,
    b: CharBuf,
    stage: StageScratch,
}

/// The normalization chain: width and case, script, separators, variants, numbers.
pub struct Normalizer {
    stages: Vec<Box<dyn Stage>>,
}

impl Normalizer {
    /// Builds the chain. Variant rules are themselves normalized by the stages before them, so the
    /// table can be written in any width, case or script.
    pub fn new(rules: Vec<VariantRule>) -> Normalizer {
        let prefix =
            Normalizer { stages: vec![Box::new(WidthCaseFold), Box::new(ScriptFold), Box::new(CollapseSeparators)] };
        let mut scratch = NormalizeScratch::default();
        let mut out = Normalized::default();
        let mut norm = |s: &str| {
            prefix.run(s, &mut scratch, &mut out);
            out.text.clone()
        };
        let rules = rules
            .into_iter()
            .map(|r| VariantRule {
                variant: norm(&r.variant),
                canonical: norm(&r.canonical),
                context: r.context.iter().map(|w| norm(w)).collect(),
            })
            .filter(|r| !r.variant.is_empty() && r.variant != r.canonical)
            .collect();
        let mut stages = prefix.stages;
        stages.push(Box::new(FoldVariants::new(rules)));
        stages.push(Box::new(FoldNumbers));
        Normalizer { stages }
    }

    /// The basic chain: ASCII lower-casing and number placeholders, nothing else.
    pub fn basic() -> Normalizer {
        Normalizer { stages: vec![Box::new(AsciiLowercase), Box::new(FoldNumbers)] }
    }

    /// Normalizes `text` into `out`, reusing `scratch`.
    pub fn normalize(&self, text: &str, scratch: &mut NormalizeScratch, out: &mut Normalized) {
        self.run(text, scratch, out)
    }

    fn run(&self, text: &str, scratch: &mut NormalizeScratch, out: &mut Normalized) {
        let NormalizeScratch { a, b, stage: s } = scratch;
        a.fill_identity(text);
        for stage in &self.stages {
            if stage.apply(a, b, s) == Outcome::Written {
                std::mem::swap(a, b);
            }
        }
        out.text.clear();
        out.text.extend(a.chars.iter());
        out.char_starts.clear();
        out.char_starts.extend(a.chars.iter().scan(0, |at, &c| {
            let start = *at;
            *at += c.len_utf8() as u32;
            Some(start)
        }));
        out.spans.clear();
        out.spans.extend_from_slice(&a.spans);
    }
}

#[cfg(test)]
mod tests {
    use super::script::is_traditional;
    use super::separators::{is_separator, is_separator_char};
    use super::*;

    fn normalizer() -> Normalizer {
        let table = "variant\tcanonical\tcontext\n通迅录\t通讯录\t\ntxl\t通讯录\t\n\
                     hei bai zhao\t黑白照\t\n批图\tp图\t\nyz\t遗照\t照片|图|发\n暴光\t曝光\t\n";
        Normalizer::new(parse_variants(table).unwrap())
    }

    fn norm(s: &str) -> String {
        let n = normalizer();
        let mut out = Normalized::default();
        n.normalize(s, &mut NormalizeScratch::default(), &mut out);
        display_placeholders(&out.text)
    }

    #[test]
    fn folds_width_case_and_script() {
        assert_eq!(norm("ＰＳ你的照片"), "ps你的照片");
        assert_eq!(norm("把你P成遺照發給通訊錄"), "把你p成遗照发给通讯录");
        assert_eq!(norm("通\u{200B}讯录"), "通讯录");
        assert!(is_traditional('遺') && is_traditional('錄') && is_traditional('發'));
        assert!(!is_traditional('遗') && !is_traditional('录') && !is_traditional('a'));
    }

    #[test]
    fn character_tables_agree_with_the_long_way() {
        let mut fast = Vec::new();
        let mut slow = Vec::new();
        for c in (0..0x3_0000).filter_map(char::from_u32) {
            fast.clear();
            slow.clear();
            WidthCaseFold::fold(c, |f| fast.push(f));
            WidthCaseFold::fold_one(c, |f| slow.push(f));
            assert_eq!(fast, slow, "fold of U+{:04X}", c as u32);
            assert!(!WidthCaseFold::keeps(c) || slow == [c], "U+{:04X} kept", c as u32);
            assert_eq!(is_separator(c), is_separator_char(c), "U+{:04X} separator", c as u32);
        }
    }

    #[test]
    fn collapses_split_words_but_not_ordinary_spaces() {
        assert_eq!(norm("爆 通 讯 录"), "爆通讯录");
        assert_eq!(norm("P*图"), "p图");
        assert_eq!(norm("曝.光你"), "曝光你");
        assert_eq!(norm("爆😀通😀讯😀录"), "爆通讯录");
        assert_eq!(norm("爆。通。讯。录"), "爆通讯录");
        assert_eq!(norm("再不还就爆 通 讯 录 等着"), "再不还就爆通讯录等着");
        assert_eq!(norm("t x l"), "通讯录");
        assert_eq!(norm("今天 天气 不错"), "今天 天气 不错");
        assert_eq!(norm("hello world"), "hello world");
        assert_eq!(norm("好的。明天见。"), "好的。明天见。");
    }

    #[test]
    fn folds_variants_with_boundaries_and_context() {
        assert_eq!(norm("再不还就爆你txl"), "再不还就爆你通讯录");
        assert_eq!(norm("通迅录"), "通讯录");
        assert_eq!(norm("给你做张hei bai zhao"), "给你做张黑白照");
        assert_eq!(norm("暴 光"), "曝光");
        assert_eq!(norm("批图"), "p图");
        // latin variants need word boundaries, context rules need their context
        assert_eq!(norm("atxlb"), "atxlb");
        assert_eq!(norm("yz"), "yz");
        assert_eq!(norm("你的yz照片"), "你的遗照照片");
    }

    #[test]
    fn folds_numbers_to_placeholders() {
        assert_eq!(norm("验证码381920"), "验证码<code>");
        assert_eq!(norm("欠款1,280.00元"), "欠款<money>元");
        assert_eq!(norm("验证码482913，5分钟内有效"), "验证码<code>,<num>分钟内有效");
        assert_eq!(norm("￥500"), "<money>");
        assert_eq!(norm("逾期3天"), "逾期<num>天");
        assert_eq!(norm("致电13812345678"), "致电<phone>");
        assert_eq!(norm("客服400-123-4567"), "客服<phone>");
        assert_eq!(norm("2024-05-12到期"), "<date>到期");
        assert_eq!(norm("2024年"), "<date>年");
        assert_eq!(norm("点击 https://t.cn/a1b2 查看"), "点击 <url> 查看");
        assert_eq!(norm("登录 dai.example.com 还款"), "登录 <url> 还款");
    }

    #[test]
    fn spans_point_back_into_the_original() {
        let n = normalizer();
        let mut out = Normalized::default();
        let original = "😀你好，爆 通 讯 錄🙂txl";
        n.normalize(original, &mut NormalizeScratch::default(), &mut out);
        assert_eq!(out.text, "😀你好,爆通讯录通讯录");
        let chars: Vec<char> = original.chars().collect();
        let take = |s: (u32, u32)| chars[s.0 as usize..s.1 as usize].iter().collect::<String>();
        // 爆通讯录 is normalized chars 4..8
        assert_eq!(take(out.original_span(4, 8)), "爆 通 讯 錄");
        // the variant's canonical form maps back to the variant as written
        let last = out.text.chars().count();
        assert_eq!(take(out.original_span(last - 3, last)), "txl");
    }
}
