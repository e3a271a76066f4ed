//! The Markdown form of the evidence report. Every field from the input is escaped for
//! CommonMark (all ASCII punctuation backslash-escaped, line breaks and control characters
//! neutralized), so a message cannot add headings, links, images, HTML or tables of its own.

use std::fmt::Write;

use super::{
    ATTACHMENTS_HEADING, REVIEW_HEADING, activity_line, attachment_line, contact_suffix, custody_lines, sender_display,
    shortfall_note, sources,
};
use crate::labels::{Label, Tag};
use crate::output::marked_pieces;
use crate::prediction::Span;
use crate::report::evidence::{EvidenceReport, Message};
use crate::report::{RunInfo, law};

impl EvidenceReport {
    /// The Markdown form: the same content as the HTML page, as text.
    pub fn to_markdown(&self, info: &RunInfo) -> String {
        let mut md = String::new();
        let counts = self.counts();
        let _ = writeln!(md, "# 催收短信证据汇总\n");
        let _ = writeln!(md, "- 来源文件：{}", md_text(&sources(info)));
        let _ = writeln!(md, "- 生成时间：{}", info.generated);
        let _ = writeln!(
            md,
            "- 共读取 {} 条消息；{} 个发送方发来催收消息，其中违法催收消息 {} 条（恐吓威胁 {} 条，P图威胁 {} 条）",
            self.total,
            self.senders.len(),
            counts.unlawful(),
            counts.get(Label::Intimidation),
            counts.get(Label::DoctoredImageThreat)
        );
        if self.outgoing > 0 {
            let _ = writeln!(md, "- 本机发出的 {} 条消息不计入各发送方", self.outgoing);
        }
        if self.unparsed_times.0 > 0 {
            let _ = writeln!(md, "- {} 条消息的时间无法识别，未计入最早、最晚和每日统计", self.unparsed_times.0);
        }
        if self.excluded > 0 {
            let _ = writeln!(md, "- 按用户要求排除的发送方的 {} 条消息未列入", self.excluded);
        }
        if info.rejected > 0 {
            let _ = writeln!(md, "- 另有 {} 条记录无法读取，未计入", info.rejected);
        }
        if let Some(note) = shortfall_note(info) {
            let _ = writeln!(md, "- {note}");
        }
        if info.redacted {
            let _ = writeln!(md, "- 已遮盖手机号、身份证号、银行卡号（保留后4位）、电子邮箱、微信号和QQ号");
        }
        let _ = writeln!(md, "\n> {}\n", law::DISCLAIMER);
        let _ = writeln!(md, "## 发送方一览\n");
        let _ = writeln!(md, "| 发送方 | 联系人 | 违法催收 | 恐吓威胁 | P图威胁 | 合法提醒 | 其他 | 最早 | 最晚 |");
        let _ = writeln!(md, "|---|---|---:|---:|---:|---:|---:|---|---|");
        for s in &self.senders {
            let _ = writeln!(
                md,
                "| {} | {} | {} | {} | {} | {} | {} | {} | {} |",
                md_text(&sender_display(&s.sender)),
                md_text(&s.contact_name),
                s.unlawful(),
                s.counts.get(Label::Intimidation),
                s.counts.get(Label::DoctoredImageThreat),
                s.counts.get(Label::LawfulReminder),
                s.counts.get(Label::Other),
                s.first.map(|t| t.to_display()).unwrap_or_default(),
                s.last.map(|t| t.to_display()).unwrap_or_default(),
            );
        }
        for s in &self.senders {
            let _ = writeln!(
                md,
                "\n## 发送方 {}\n",
                md_text(&format!("{}{}", sender_display(&s.sender), contact_suffix(&s.contact_name)))
            );
            let _ = writeln!(md, "- {}", activity_line(s));
            let tags: Vec<String> = Tag::ALL
                .iter()
                .filter(|t| s.tags.get(**t) > 0)
                .map(|t| format!("{} {}", law::tag_name(*t), s.tags.get(*t)))
                .collect();
            if !tags.is_empty() {
                let _ = writeln!(md, "- 涉及：{}", tags.join("，"));
            }
            if s.messages.is_empty() {
                let _ = writeln!(md, "\n未发现违法催收消息。");
            } else {
                let _ = writeln!(md, "\n违法催收消息（按时间排序，**加粗**为判断依据）：\n");
            }
            md_messages(&mut md, &s.messages);
            if !s.review.is_empty() {
                let _ = writeln!(md, "\n{}：\n", REVIEW_HEADING);
                md_messages(&mut md, &s.review);
            }
            if !s.attachments.is_empty() {
                let _ = writeln!(md, "\n{}：\n", ATTACHMENTS_HEADING);
                for a in &s.attachments {
                    let _ = writeln!(md, "- {}", md_text(&attachment_line(a)));
                }
            }
        }
        let present = self.tags_present();
        if !present.is_empty() {
            let _ = writeln!(md, "\n## 法律依据\n");
            for t in present {
                let _ = writeln!(md, "- **{}**：{}", law::tag_name(t), law::basis(t));
            }
        }
        let _ = writeln!(md, "\n## 来源与校验\n");
        for line in custody_lines(info) {
            let _ = writeln!(md, "- {}", md_text(&line));
        }
        let _ = writeln!(md, "\n## 投诉与报警渠道\n");
        for (number, who, what) in law::COMPLAINTS {
            let _ = writeln!(md, "- **{number}**（{who}）：{what}");
        }
        let _ = writeln!(md, "\n---\n\n{}", law::DISCLAIMER);
        md
    }
}

/// A numbered Markdown list of messages with their evidence in bold.
fn md_messages(md: &mut String, messages: &[Message]) {
    for (n, m) in messages.iter().enumerate() {
        let tags: Vec<&str> = m.tags.iter().map(law::tag_name).collect();
        let _ = writeln!(
            md,
            "{}. 编号 {} · {} · {}{}  \n   {}",
            n + 1,
            md_text(&m.id),
            md_text(&m.time_display()),
            law::label_name(m.label),
            if tags.is_empty() { String::new() } else { format!("（{}）", tags.join("、")) },
            md_marked(&m.text, &m.evidence)
        );
    }
}

/// Escapes `s` for CommonMark inline text on one line: every ASCII punctuation character is
/// backslash-escaped, line breaks become spaces, control characters are shown (`␛`).
pub fn md_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    push_escaped(s, "", &mut out);
    out
}

/// Appends `s` escaped for CommonMark; a line break becomes `line_break` (a space when empty).
fn push_escaped(s: &str, line_break: &str, out: &mut String) {
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\r' | '\n' => {
                if c == '\r' && chars.peek() == Some(&'\n') {
                    chars.next();
                }
                out.push_str(if line_break.is_empty() { " " } else { line_break });
            }
            c if super::is_shown_control(c) => super::show_control(c, out),
            c if c.is_ascii_punctuation() => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
}

/// Markdown-escapes `text` and makes its evidence spans bold; line breaks stay inside the list
/// item.
pub fn md_marked(text: &str, spans: &[Span]) -> String {
    let mut out = String::with_capacity(text.len() + 8 * spans.len());
    for (piece, is_evidence) in marked_pieces(text, spans) {
        if is_evidence {
            out.push_str("**");
        }
        push_escaped(piece, "  \n   ", &mut out);
        if is_evidence {
            out.push_str("**");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_bolds_evidence_and_escapes() {
        assert_eq!(md_marked("再不还就爆你通讯录*", &[Span { start: 6, end: 9 }]), "再不还就爆你**通讯录**\\*");
        // touching spans are one bold run, never `****`
        let two = [Span { start: 0, end: 2 }, Span { start: 2, end: 4 }];
        assert_eq!(md_marked("再不还就", &two), "**再不还就**");
    }

    #[test]
    fn no_input_field_can_make_markup() {
        for hostile in [
            "<img src=http://x/a.png>",
            "[点我](http://evil)",
            "![](http://x/p.png)",
            "a\r\n---\r\n# 伪造标题",
            "| a | b |",
            "1. list",
            "&amp; &#60;",
            "`code`",
            "\u{1b}]8;;http://x\u{7}link\u{1b}]8;;\u{7}",
        ] {
            let out = md_text(hostile);
            assert!(!out.contains('\n') && !out.contains('\r') && !out.contains('\u{1b}'), "{out}");
            for c in out.chars().filter(|c| c.is_ascii_punctuation() && *c != '\\') {
                let i = out.find(c).unwrap();
                assert_eq!(&out[i - 1..i], "\\", "{c} unescaped in {out}");
            }
        }
    }
}
