//! Rendering the reports built in [`report`](crate::report): HTML pages with SVG charts, Markdown,
//! JSON and CSV, one file per form; the wording they share (sender names, activity lines,
//! headings) and escaping live here.

pub mod csv;
pub mod html;
pub mod json;
pub mod markdown;
pub mod svg;

use crate::labels::{Tag, TagSet};
use crate::output::redact;
use crate::report::RunInfo;
use crate::report::evidence::SenderReport;

pub use crate::output::{is_shown_control, show_control};

/// Escapes text for HTML and SVG content and attributes; control characters are shown, not
/// passed on ([`show_control`]).
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            c if is_shown_control(c) => show_control(c, &mut out),
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A count with thousands separators: `1,234,567`.
pub fn fmt_count(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// The heading of a sender's messages sent to review.
pub const REVIEW_HEADING: &str = "待人工复核（置信度低于 --min-confidence，计入“其他”；标签为模型倾向）";

/// The sender for people: a mobile number as `+86 138 0013 8000` (masked digits too:
/// `+86 *** **** 2222`) and a landline as `+86 10 1234 5678` or `+86 755 123 4567`, a short code or a name as it is,
/// 未知号码 when the input has none. `sender` is normalized ([`normalize_sender`]), so a number
/// written with and without +86 is one sender, shown one way.
///
/// [`normalize_sender`]: crate::report::evidence::normalize_sender
pub fn sender_display(sender: &str) -> String {
    if sender.is_empty() {
        return "未知号码".to_string();
    }
    if !sender.chars().all(|c| c.is_ascii_digit() || c == '*') {
        return sender.to_string();
    }
    let b = sender.as_bytes();
    let (number, groups) = if b.len() == 11 && (b[0] == b'1' || b[0] == b'*') {
        // a mobile number, or one masked but for its last four digits
        (sender, [3, 4, 4])
    } else if b.len() > 8 && b[0] == b'0' && b[1] != b'0' {
        // a landline: the trunk 0, an area code (10 and 2X have 2 digits, the rest 3), then a
        // local number of 7 or 8 digits; the 0 is dropped after the country code
        let area = if b[1] == b'2' || b.starts_with(b"010") { 2 } else { 3 };
        match sender.len() - 1 - area {
            8 => (&sender[1..], [area, 4, 4]),
            7 => (&sender[1..], [area, 3, 4]),
            _ => return sender.to_string(),
        }
    } else {
        return sender.to_string();
    };
    let mut out = String::from("+86");
    let mut rest = number;
    for n in groups {
        let (group, tail) = rest.split_at(n);
        out.push(' ');
        out.push_str(group);
        rest = tail;
    }
    out
}

/// `（name）` after a sender, when the contact has a name.
pub fn contact_suffix(name: &str) -> String {
    if name.is_empty() { String::new() } else { format!("（{name}）") }
}

/// First and last message, span, messages per day and the busiest day, in one line.
pub fn activity_line(s: &SenderReport) -> String {
    match (s.first, s.last) {
        (Some(a), Some(b)) => {
            let busiest = s.busiest_day().map(|(d, n)| format!("，最多一天 {n} 条（{d}）")).unwrap_or_default();
            format!(
                "{} 至 {}，{} 天内共 {} 条消息，平均每天 {:.1} 条{}",
                a.to_display(),
                b.to_display(),
                s.span_days(),
                s.counts.total(),
                s.per_day(),
                busiest
            )
        }
        _ => format!("共 {} 条消息（无可读的时间）", s.counts.total()),
    }
}

/// The heading of a sender's pictures and other attachments.
pub const ATTACHMENTS_HEADING: &str = "图片与附件（常是威胁本身，模型读不到，请对照手机查看）";

/// One attachment for people: `编号 7 · 2025-03-03 10:00 · image/jpeg IMG_0001.jpg`.
pub fn attachment_line(a: &crate::report::evidence::Attachment) -> String {
    let time = a.time.map_or_else(|| "时间不明".to_string(), |t| t.to_display());
    format!("编号 {} · {} · {}", a.id, time, a.note)
}

/// The inputs as the report names them (来源), masked when the report is redacted: a file
/// name may hold a phone number.
pub fn sources(info: &RunInfo) -> String {
    input_name(info, &info.inputs.join("、"))
}

/// An input's name as a report shows it: masked when the report is redacted.
pub fn input_name(info: &RunInfo, name: &str) -> String {
    if info.redacted { redact(name) } else { name.to_string() }
}

/// `导出文件声明 N 条消息，实际读取 M 条，文件不完整` when the inputs declare more messages than
/// were read (a truncated export).
pub fn shortfall_note(info: &RunInfo) -> Option<String> {
    info.declared
        .filter(|&d| d > info.read)
        .map(|d| format!("导出文件声明 {d} 条消息，实际读取 {} 条：文件不完整（提前结束）", info.read))
}

/// The chain of custody as lines for people: each source file with its size and SHA-256, the
/// counts, the cuishou version and the model's checksum.
pub fn custody_lines(info: &RunInfo) -> Vec<String> {
    let mut lines = Vec::new();
    for f in &info.custody.files {
        let name = input_name(info, &f.name);
        lines.push(match (&f.sha256, f.bytes) {
            (Some(hash), Some(bytes)) => format!("来源文件 {name}：{} 字节，SHA-256 {hash}", fmt_count(bytes)),
            _ => format!("来源 {name}：标准输入，未计算校验和"),
        });
    }
    let declared = info.declared.map(|d| format!("导出文件声明 {} 条，", fmt_count(d))).unwrap_or_default();
    lines.push(format!("{declared}读取 {} 条记录，其中 {} 条无法读取", fmt_count(info.read), fmt_count(info.rejected)));
    lines.push(format!("生成时间 {}，cuishou {}", info.generated, info.custody.version));
    lines.push(match &info.custody.model_sha256 {
        Some(hash) => format!("分类模型 SHA-256 {hash}"),
        None => "分类取自输入文件（未重新分类）".to_string(),
    });
    lines
}

/// Tag names of a tag set, in the fixed tag order.
fn tag_list(tags: TagSet) -> Vec<&'static str> {
    tags.iter().map(Tag::as_str).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_escaping_shows_control_characters() {
        assert_eq!(escape("\u{1b}[31m<b>\"&'"), "␛[31m&lt;b&gt;&quot;&amp;&#39;");
        // a C1 control is shown without any character that is markup (found by fuzzing)
        assert_eq!(escape("\u{98}x"), "⟨U0098⟩x");
        assert!(!markdown::md_text("\u{98}\u{9b}").contains(['<', '>', '[', ']']));
        assert_eq!(fmt_count(1_234_567), "1,234,567");
    }

    #[test]
    fn senders_are_shown_as_people_write_numbers() {
        assert_eq!(sender_display("13800138000"), "+86 138 0013 8000");
        assert_eq!(sender_display("*******2222"), "+86 *** **** 2222");
        assert_eq!(sender_display("01012345678"), "+86 10 1234 5678");
        assert_eq!(sender_display("02112345678"), "+86 21 1234 5678");
        assert_eq!(sender_display("075588886666"), "+86 755 8888 6666");
        assert_eq!(sender_display("07551234567"), "+86 755 123 4567");
        for kept in ["10690001", "95588", "106900012345678", "速融宝", "0123", "1380013800"] {
            assert_eq!(sender_display(kept), kept);
        }
        assert_eq!(sender_display(""), "未知号码");
        // with and without +86 is one sender, shown one way
        use crate::report::evidence::normalize_sender;
        for written in ["13800138000", "+86 138 0013 8000", "+8613800138000", "0086 13800138000"] {
            assert_eq!(sender_display(&normalize_sender(written)), "+86 138 0013 8000", "{written}");
        }
        for written in ["021-1234-5678", "+86 21 1234 5678", "0086 21 12345678"] {
            assert_eq!(sender_display(&normalize_sender(written)), "+86 21 1234 5678", "{written}");
        }
    }
}
