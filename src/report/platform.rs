//! Which platform (lender, bank, shop) a message comes from: a column when the corpus has one,
//! else the 【签名】 at the start or end of an SMS, else the 投诉对象 of a complaint, else the
//! first lender name of `data/lenders.txt` found in the text.

use aho_corasick::{AhoCorasick, MatchKind};

/// The platform key for messages whose platform is not known.
pub const UNKNOWN: &str = "unknown";

/// The lender names bundled with cuishou, one a line.
pub static LENDERS: &str = include_str!("../../data/lenders.txt");

/// Bracketed words that head a message but name no sender: 【最后警告】, 【催收通知函】, 【债务公示】.
const NOT_A_SIGNATURE: [&str; 12] =
    ["警告", "通知", "公示", "提醒", "提示", "公告", "紧急", "重要", "告知", "催收", "函", "曝光"];

/// Longest signature taken, in characters.
const MAX_SIGNATURE_CHARS: usize = 20;

/// Finds the platform of a message. Build once; `detect` takes `&self`.
pub struct PlatformDetector {
    lenders: AhoCorasick,
    names: Vec<String>,
}

impl Default for PlatformDetector {
    fn default() -> Self {
        PlatformDetector::new(LENDERS.lines())
    }
}

impl PlatformDetector {
    /// A detector with these lender names (blank lines and `#` comments are skipped).
    pub fn new<'a>(lenders: impl IntoIterator<Item = &'a str>) -> PlatformDetector {
        let names: Vec<String> = lenders
            .into_iter()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .map(String::from)
            .collect();
        let lenders = AhoCorasick::builder()
            .match_kind(MatchKind::LeftmostLongest)
            .build(&names)
            .unwrap_or_else(|_| AhoCorasick::new(Vec::<String>::new()).expect("an empty automaton builds"));
        PlatformDetector { lenders, names }
    }

    /// The platform named by `column` (when not blank), else by the text; [`UNKNOWN`] if none.
    pub fn detect(&self, column: Option<&str>, text: &str) -> String {
        if let Some(c) = column.map(str::trim).filter(|c| !c.is_empty()) {
            return half_width(c);
        }
        if let Some(s) = signature(text) {
            return half_width(s);
        }
        if let Some(s) = complaint_target(text) {
            return half_width(s);
        }
        if let Some(m) = self.lenders.find(text) {
            return self.names[m.pattern().as_usize()].clone();
        }
        UNKNOWN.to_string()
    }
}

fn is_name(s: &str) -> bool {
    let n = s.chars().count();
    (2..=MAX_SIGNATURE_CHARS).contains(&n)
        && !NOT_A_SIGNATURE.iter().any(|w| s.contains(w))
        && s.chars().any(|c| c.is_alphanumeric())
}

/// The 【签名】 (or `[签名]`, `〖签名〗`) that opens or closes an SMS.
pub fn signature(text: &str) -> Option<&str> {
    const PAIRS: [(char, char); 3] = [('【', '】'), ('[', ']'), ('〖', '〗')];
    let t = text.trim();
    for (open, close) in PAIRS {
        if let Some(rest) = t.strip_prefix(open)
            && let Some(end) = rest.find(close)
            && is_name(rest[..end].trim())
        {
            return Some(rest[..end].trim());
        }
    }
    for (open, close) in PAIRS {
        if let Some(rest) = t.strip_suffix(close)
            && let Some(start) = rest.rfind(open)
            && is_name(rest[start + open.len_utf8()..].trim())
        {
            return Some(rest[start + open.len_utf8()..].trim());
        }
    }
    None
}

/// The `投诉对象：X` line of a complaint.
fn complaint_target(text: &str) -> Option<&str> {
    let start = text.find("投诉对象")? + "投诉对象".len();
    let rest = text[start..].trim_start_matches([':', '：', ' ', '\u{3000}']);
    let end = rest.find(|c: char| c.is_whitespace() || "，。,;；、（(".contains(c)).unwrap_or(rest.len());
    let s = rest[..end].trim();
    is_name(s).then_some(s)
}

/// Full-width letters, digits and punctuation as ASCII (the ideographic space as a space), so
/// 【ＬＸ分期】 and 【LX分期】 count as one platform.
pub fn half_width(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            '\u{3000}' => ' ',
            c => c,
        })
        .collect::<String>()
        .trim()
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_column_wins_then_the_signature_then_the_lexicon() {
        let d = PlatformDetector::default();
        assert_eq!(d.detect(Some("橙意贷"), "【速融宝】您的借款已逾期"), "橙意贷");
        assert_eq!(d.detect(Some("  "), "【速融宝】您的借款已逾期"), "速融宝");
        assert_eq!(d.detect(None, "您的借款将于明日到期，请按时还款。【小鹿钱包】"), "小鹿钱包");
        assert_eq!(d.detect(None, "【ＬＸ分期】您的账单已出"), "LX分期");
        assert_eq!(d.detect(None, "我在拍拍贷借了3000，催收天天打我爸妈电话"), "拍拍贷");
        assert_eq!(d.detect(None, "再不还钱就爆你通讯录"), UNKNOWN);
    }

    #[test]
    fn headings_are_not_signatures() {
        let d = PlatformDetector::default();
        assert_eq!(d.detect(None, "【最后警告】明天上午9点你的名字会出现在协查名单里"), UNKNOWN);
        assert_eq!(d.detect(None, "【催收通知函】逾期人：杜某某"), UNKNOWN);
        assert_eq!(d.detect(None, "【最后警告】你在花呗的欠款"), "花呗");
    }

    #[test]
    fn complaints_name_their_target() {
        let d = PlatformDetector::default();
        let text = "投诉对象：橙意贷\n投诉问题：暴力催收\n催收说要把我P成遗照";
        assert_eq!(d.detect(None, text), "橙意贷");
    }

    #[test]
    fn a_custom_lexicon() {
        let d = PlatformDetector::new(["# comment", "", "甲贷", "甲贷宝"]);
        assert_eq!(d.detect(None, "你在甲贷宝借的钱"), "甲贷宝");
    }
}
