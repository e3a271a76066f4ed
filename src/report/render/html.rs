//! The HTML pages of both reports: self-contained (inline CSS and SVG, no script, no network),
//! printable on A4, with evidence highlighted by `<mark>` and every count that the JSON form
//! also has tagged `data-json="/json/pointer" data-value="n"`, so a test can compare the two.

use std::fmt::Write;

use super::svg::{self, Bar, Series, label_color};
use super::{
    ATTACHMENTS_HEADING, REVIEW_HEADING, activity_line, attachment_line, contact_suffix, custody_lines, escape,
    fmt_count, sender_display, shortfall_note, sources,
};
use crate::labels::{Label, Tag};
use crate::output::marked_pieces;
use crate::prediction::Span;
use crate::report::evidence::{EvidenceReport, Message, SenderReport};
use crate::report::scan::{Example, MORE_PLATFORMS, PlatformRow, ScanReport};
use crate::report::{RunInfo, law, platform, pointer_step};

/// `n` as a percentage of `of`.
fn percent(n: u64, of: u64) -> String {
    if of == 0 { "–".to_string() } else { format!("{:.1}%", n as f64 * 100.0 / of as f64) }
}

/// Escaped `text` with its evidence spans in `<mark>`; line breaks kept.
pub fn marked(text: &str, spans: &[Span]) -> String {
    let mut out = String::with_capacity(text.len() + 16 * spans.len());
    for (piece, is_evidence) in marked_pieces(text, spans) {
        let piece = escape(piece).replace("\r\n", "<br>").replace(['\n', '\r'], "<br>");
        if is_evidence {
            out.push_str("<mark>");
            out.push_str(&piece);
            out.push_str("</mark>");
        } else {
            out.push_str(&piece);
        }
    }
    out
}

/// A number cell or span tied to a JSON Pointer of the report's JSON form.
fn counted(tag: &str, pointer: &str, n: u64, class: &str) -> String {
    let class = if class.is_empty() { String::new() } else { format!(r#" class="{class}""#) };
    format!(r#"<{tag}{class} data-json="{}" data-value="{n}">{}</{tag}>"#, escape(pointer), fmt_count(n))
}

const CSS: &str = r#"
:root { --ink: #1f2328; --muted: #5b6570; --line: #d8dde3; --bg: #f6f7f9;
  --lawful: #3f8f5f; --intim: #e08a00; --image: #c2302a; --other: #a4adb8; }
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body { margin: 0; color: var(--ink); background: #fff; line-height: 1.55; font-size: 15px;
  font-family: "Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei", "Hiragino Sans GB", "WenQuanYi Micro Hei", system-ui, sans-serif; }
main { max-width: 980px; margin: 0 auto; padding: 28px 32px 48px; }
h1 { font-size: 26px; margin: 0 0 4px; }
h1 small { font-size: 15px; color: var(--muted); font-weight: normal; margin-left: 8px; }
h2 { font-size: 20px; margin: 34px 0 10px; padding-bottom: 6px; border-bottom: 2px solid var(--ink); }
h3 { font-size: 16px; margin: 22px 0 8px; }
.meta { color: var(--muted); font-size: 13px; margin: 0 0 18px; }
.meta span + span::before { content: " · "; }
.note { background: #fff8e6; border-left: 4px solid var(--intim); padding: 10px 14px; font-size: 13.5px; margin: 16px 0; }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(118px, 1fr)); gap: 10px; margin: 14px 0 6px; }
.card { border: 1px solid var(--line); border-radius: 8px; padding: 10px 14px; background: var(--bg); }
.card .n { font-size: 26px; font-weight: 700; display: block; line-height: 1.2; }
.card .k { font-size: 13px; color: var(--muted); }
.card.bad { border-color: #f0b9b5; background: #fdf1f0; }
.card.bad .n { color: var(--image); }
table { border-collapse: collapse; width: 100%; margin: 8px 0 14px; font-size: 13.5px; }
th, td { border-bottom: 1px solid var(--line); padding: 5px 8px; text-align: left; vertical-align: top; }
th { background: var(--bg); font-weight: 600; white-space: nowrap; }
table.counts, table.tags { width: auto; min-width: 56%; }
td.t { white-space: nowrap; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.dot { display: inline-block; width: 10px; height: 10px; border-radius: 2px; margin-right: 5px; vertical-align: baseline; }
.chart { display: block; max-width: 100%; height: auto; margin: 6px 0 16px; }
.sender { margin-top: 30px; }
.sender h2 .unl { font-size: 14px; font-weight: normal; color: var(--image); margin-left: 8px; }
.facts { margin: 6px 0 10px; padding-left: 20px; font-size: 14px; }
.msg { border: 1px solid var(--line); border-left: 5px solid var(--intim); border-radius: 6px; padding: 8px 12px; margin: 8px 0; break-inside: avoid; }
.msg.doctored_image_threat { border-left-color: var(--image); }
.msg .head { font-size: 12.5px; color: var(--muted); display: flex; flex-wrap: wrap; gap: 4px 14px; }
.msg .id { font-weight: 700; color: var(--ink); font-family: ui-monospace, "DejaVu Sans Mono", monospace; }
.msg .text { margin-top: 4px; white-space: normal; overflow-wrap: anywhere; }
.pill { display: inline-block; border-radius: 9px; padding: 0 7px; font-size: 12px; color: #fff; }
.pill.tag { background: #eef0f3; color: var(--ink); }
mark { background: #ffe08a; color: inherit; padding: 0 1px; border-radius: 2px; box-shadow: inset 0 -2px 0 #e0a800; }
.law li, .channels li { margin: 6px 0; }
.ex { font-size: 12.5px; color: var(--ink); margin: 3px 0 0; padding-left: 8px; border-left: 2px solid var(--line); overflow-wrap: anywhere; }
.ex .id { color: var(--muted); font-family: ui-monospace, monospace; }
footer { margin-top: 36px; padding-top: 10px; border-top: 1px solid var(--line); color: var(--muted); font-size: 12.5px; }
@page { size: A4; margin: 14mm 12mm 16mm; }
@media print {
  body { font-size: 10.5pt; -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  main { max-width: none; padding: 0; }
  h2 { break-after: avoid; }
  .sender { break-before: page; }
  .chart, table, .card, .msg, .law li { break-inside: avoid; }
  tr { break-inside: avoid; }
  a { color: inherit; text-decoration: none; }
}
"#;

fn page(title: &str, body: &str) -> String {
    format!(
        r#"<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<meta name="generator" content="cuishou {version}">
<title>{title}</title>
<style>{CSS}</style>
</head>
<body>
<main>
{body}
</main>
</body>
</html>
"#,
        version = env!("CARGO_PKG_VERSION"),
        title = escape(title),
    )
}

fn meta_line(info: &RunInfo, extra: &str) -> String {
    let mut m = String::from(r#"<p class="meta">"#);
    let _ = write!(m, "<span>来源：{}</span>", escape(&sources(info)));
    let _ = write!(m, "<span>生成于 {}</span>", escape(&info.generated));
    if !extra.is_empty() {
        let _ = write!(m, "<span>{extra}</span>");
    }
    if info.rejected > 0 {
        let _ = write!(m, r#"<span data-rejected="{0}">{0} 条记录无法读取，未计入</span>"#, info.rejected);
    }
    if let Some(note) = shortfall_note(info) {
        let _ = write!(m, r#"<span class="bad">{}</span>"#, escape(&note));
    }
    if info.redacted {
        m.push_str("<span>已遮盖手机号、身份证号、银行卡号（保留后4位）、邮箱、微信号和QQ号</span>");
    }
    if info.labels_from_input {
        m.push_str("<span>分类取自输入文件</span>");
    }
    m.push_str("</p>");
    m
}

fn label_pill(label: Label) -> String {
    format!(r#"<span class="pill" style="background:{}">{}</span>"#, label_color(label), law::label_name(label))
}

fn label_head(label: Label) -> String {
    format!(r#"<span class="dot" style="background:{}"></span>{}"#, label_color(label), law::label_name(label))
}

fn label_series() -> Vec<Series<'static>> {
    Label::ALL.iter().map(|l| Series { name: law::label_name(*l), color: label_color(*l) }).collect()
}

fn law_section(out: &mut String, tags: &[Tag]) {
    if !tags.is_empty() {
        out.push_str(r#"<h2 id="law">法律依据</h2><ul class="law">"#);
        for t in tags {
            let _ = write!(out, "<li><b>{}</b>：{}</li>", law::tag_name(*t), escape(law::basis(*t)));
        }
        out.push_str("</ul>");
    }
    out.push_str(r#"<h2 id="complain">投诉与报警渠道</h2><ul class="channels">"#);
    for (number, who, what) in law::COMPLAINTS {
        let _ = write!(out, "<li><b>{number}</b>（{who}）：{what}</li>");
    }
    out.push_str("</ul>");
}

/// 来源与校验: the files' sizes and SHA-256, the counts, the version and the model's checksum.
fn custody_section(out: &mut String, info: &RunInfo) {
    out.push_str(r#"<h2 id="custody">来源与校验</h2><ul class="custody">"#);
    for line in custody_lines(info) {
        let _ = write!(out, "<li>{}</li>", escape(&line));
    }
    out.push_str("</ul>");
}

fn message_block(out: &mut String, m: &Message) {
    let tags: String =
        m.tags.iter().map(|t| format!(r#"<span class="pill tag">{}</span>"#, law::tag_name(t))).collect();
    let _ = write!(
        out,
        r#"<div class="msg {label}" data-id="{id}"><div class="head"><span class="id">编号 {id}</span><span>{time}</span><span>{pill} {tags}</span></div><div class="text">{text}</div></div>"#,
        label = m.label.as_str(),
        id = escape(&m.id),
        time = escape(&m.time_display()),
        pill = label_pill(m.label),
        text = marked(&m.text, &m.evidence),
    );
}

fn sender_section(out: &mut String, i: usize, s: &SenderReport) {
    let base = format!("/senders/{i}");
    let _ = write!(
        out,
        r#"<section class="sender" id="sender-{i}"><h2>发送方 {}{}<span class="unl">违法催收 {} 条</span></h2>"#,
        escape(&sender_display(&s.sender)),
        escape(&contact_suffix(&s.contact_name)),
        counted("span", &format!("{base}/messages"), s.messages.len() as u64, "")
    );
    let _ = write!(out, r#"<ul class="facts"><li>{}</li>"#, escape(&activity_line(s)));
    if let (Some(a), Some(b)) = (s.first, s.last) {
        let _ = write!(
            out,
            r#"<li>最早 <time data-json="{base}/first" data-value="{}">{}</time>，最晚 <time data-json="{base}/last" data-value="{}">{}</time></li>"#,
            escape(&a.to_iso()),
            escape(&a.to_display()),
            escape(&b.to_iso()),
            escape(&b.to_display())
        );
    }
    out.push_str("</ul>");
    out.push_str(r#"<table class="counts"><tr>"#);
    for l in Label::ALL {
        let _ = write!(out, r#"<th class="num">{}</th>"#, label_head(l));
    }
    out.push_str("</tr><tr>");
    for l in Label::ALL {
        out.push_str(&counted("td", &format!("{base}/counts/{}", l.as_str()), s.counts.get(l), "num"));
    }
    out.push_str("</tr></table>");
    let tags: Vec<Tag> = Tag::ALL.into_iter().filter(|t| s.tags.get(*t) > 0).collect();
    if !tags.is_empty() {
        out.push_str(r#"<table class="tags"><tr>"#);
        for t in &tags {
            let _ = write!(out, r#"<th class="num">{}</th>"#, law::tag_name(*t));
        }
        out.push_str("</tr><tr>");
        for t in &tags {
            out.push_str(&counted("td", &format!("{base}/tags/{}", t.as_str()), s.tags.get(*t), "num"));
        }
        out.push_str("</tr></table>");
    }
    if let (Some(a), Some(b)) = (s.first, s.last) {
        out.push_str(&svg::daily("每日消息数", &s.days, a.date(), b.date()));
    }
    if s.messages.is_empty() {
        out.push_str("<p>未发现违法催收消息。</p>");
    } else {
        out.push_str("<h3>违法催收消息（按时间排序，黄色为判断依据）</h3>");
        for m in &s.messages {
            message_block(out, m);
        }
    }
    if !s.review.is_empty() {
        let _ = write!(out, r#"<h3 class="review">{}</h3>"#, escape(REVIEW_HEADING));
        for m in &s.review {
            message_block(out, m);
        }
    }
    if !s.attachments.is_empty() {
        let _ = write!(out, r#"<h3 class="attachments">{}</h3><ul class="attachments">"#, escape(ATTACHMENTS_HEADING));
        for a in &s.attachments {
            let _ = write!(out, "<li>{}</li>", escape(&attachment_line(a)));
        }
        out.push_str("</ul>");
    }
    out.push_str("</section>");
}

/// The evidence report as one self-contained HTML page.
pub fn evidence_html(r: &EvidenceReport, info: &RunInfo) -> String {
    let mut b = String::new();
    let counts = r.counts();
    b.push_str("<h1>催收短信证据汇总<small>Debt-collection messages: evidence</small></h1>");
    b.push_str(&meta_line(info, ""));
    let _ = write!(b, r#"<div class="note">{}</div>"#, escape(law::DISCLAIMER));
    b.push_str(r#"<div class="cards">"#);
    let _ = write!(
        b,
        r#"<div class="card"><span class="k">读取消息</span>{}</div>"#,
        counted("span", "/total", r.total, "n")
    );
    let _ = write!(
        b,
        r#"<div class="card"><span class="k">催收发送方</span><span class="n" data-senders="{0}">{0}</span></div>"#,
        r.senders.len()
    );
    let _ = write!(
        b,
        r#"<div class="card bad"><span class="k">违法催收消息</span><span class="n" data-unlawful="{0}">{1}</span></div>"#,
        counts.unlawful(),
        fmt_count(counts.unlawful())
    );
    for l in [Label::Intimidation, Label::DoctoredImageThreat, Label::LawfulReminder] {
        let _ = write!(
            b,
            r#"<div class="card"><span class="k">{}</span><span class="n">{}</span></div>"#,
            label_head(l),
            fmt_count(counts.get(l))
        );
    }
    b.push_str("</div>");
    if r.other_senders > 0 || r.outgoing > 0 || r.excluded > 0 || r.unparsed_times.0 > 0 {
        let mut notes = Vec::new();
        if r.other_senders > 0 {
            notes.push(format!("另有 {} 个发送方只有普通消息，未列出", r.other_senders));
        }
        if r.outgoing > 0 {
            notes.push(format!("本机发出的 {} 条消息不计入各发送方", r.outgoing));
        }
        if r.excluded > 0 {
            notes.push(format!("按用户要求排除的发送方的 {} 条消息未列入", r.excluded));
        }
        if r.unparsed_times.0 > 0 {
            notes.push(format!("{} 条消息的时间无法识别，未计入最早、最晚和每日统计", r.unparsed_times.0));
        }
        let _ = write!(b, r#"<p class="meta">{}。</p>"#, notes.join("；"));
    }
    b.push_str(r#"<h2 id="overview">发送方一览</h2>"#);
    let bars: Vec<Bar> = r
        .senders
        .iter()
        .enumerate()
        .map(|(i, s)| Bar {
            name: sender_display(&s.sender),
            note: s.contact_name.clone(),
            values: Label::ALL.iter().map(|l| s.counts.get(*l)).collect(),
            pointers: Some(Label::ALL.iter().map(|l| format!("/senders/{i}/counts/{}", l.as_str())).collect()),
        })
        .collect();
    b.push_str(&svg::stacked_bars("各发送方消息数（按类别）", &bars, &label_series()));
    b.push_str(r#"<table class="senders"><tr><th>发送方</th><th>联系人</th><th class="num">违法催收</th>"#);
    for l in Label::ALL {
        let _ = write!(b, r#"<th class="num">{}</th>"#, label_head(l));
    }
    b.push_str("<th>最早</th><th>最晚</th></tr>");
    for (i, s) in r.senders.iter().enumerate() {
        let _ = write!(
            b,
            r##"<tr><td><a href="#sender-{i}">{}</a></td><td>{}</td><td class="num">{}</td>"##,
            escape(&sender_display(&s.sender)),
            escape(&s.contact_name),
            fmt_count(s.unlawful())
        );
        for l in Label::ALL {
            b.push_str(&counted("td", &format!("/senders/{i}/counts/{}", l.as_str()), s.counts.get(l), "num"));
        }
        let _ = write!(
            b,
            "<td class=\"t\">{}</td><td class=\"t\">{}</td></tr>",
            s.first.map(|t| t.to_display()).unwrap_or_default(),
            s.last.map(|t| t.to_display()).unwrap_or_default()
        );
    }
    b.push_str("</table>");
    for (i, s) in r.senders.iter().enumerate() {
        sender_section(&mut b, i, s);
    }
    custody_section(&mut b, info);
    law_section(&mut b, &r.tags_present());
    let _ = write!(b, "<footer>{} · cuishou {}</footer>", escape(law::DISCLAIMER), env!("CARGO_PKG_VERSION"));
    page("催收短信证据汇总", &b)
}

/// A platform name for people: the key [`UNKNOWN`](platform::UNKNOWN) reads 未识别平台, and
/// [`MORE_PLATFORMS`] 其余平台（超出上限）.
fn platform_display(name: &str) -> String {
    match name {
        platform::UNKNOWN => "未识别平台".to_string(),
        MORE_PLATFORMS => "其余平台（超出上限）".to_string(),
        _ => name.to_string(),
    }
}

/// Whether a platform key gathers messages of no one platform.
fn is_bucket(name: &str) -> bool {
    name == platform::UNKNOWN || name == MORE_PLATFORMS
}

/// Platforms drawn in the charts and listed in the tables of the scan page.
const TOP_PLATFORMS: usize = 15;
/// Platforms whose example messages the scan page shows.
const EXAMPLE_PLATFORMS: usize = 8;

fn example_list(out: &mut String, examples: &[Example]) {
    for e in examples {
        let _ = write!(
            out,
            r#"<p class="ex"><span class="id">#{}</span> {}</p>"#,
            escape(&e.id),
            marked(&e.text, &e.evidence)
        );
    }
}

/// The scan report as one self-contained HTML page.
pub fn scan_html(r: &ScanReport, info: &RunInfo) -> String {
    let mut b = String::new();
    b.push_str("<h1>催收投诉与短信扫描<small>Debt-collection corpus scan</small></h1>");
    b.push_str(&meta_line(info, ""));
    b.push_str(r#"<div class="cards">"#);
    let _ = write!(
        b,
        r#"<div class="card"><span class="k">消息总数</span>{}</div>"#,
        counted("span", "/total", r.total, "n")
    );
    let _ = write!(
        b,
        r#"<div class="card bad"><span class="k">违法催收</span><span class="n">{}</span><span class="k">{}</span></div>"#,
        fmt_count(r.by_label.unlawful()),
        percent(r.by_label.unlawful(), r.total)
    );
    if r.review > 0 {
        let _ = write!(
            b,
            r#"<div class="card"><span class="k">待人工复核（计入其他）</span>{}<span class="k">{}</span></div>"#,
            counted("span", "/review", r.review, "n"),
            percent(r.review, r.total)
        );
    }
    if r.empty > 0 {
        let _ = write!(
            b,
            r#"<div class="card"><span class="k">无文字的消息（不计入任何类别）</span>{}<span class="k">{}</span></div>"#,
            counted("span", "/empty", r.empty, "n"),
            percent(r.empty, r.total)
        );
    }
    for l in Label::ALL {
        let _ = write!(
            b,
            r#"<div class="card"><span class="k">{}</span>{}<span class="k">{}</span></div>"#,
            label_head(l),
            counted("span", &format!("/by_label/{}", l.as_str()), r.by_label.get(l), "n"),
            percent(r.by_label.get(l), r.total)
        );
    }
    b.push_str("</div>");

    b.push_str(r#"<h2 id="harms">违法催收的手段</h2><table class="by-tag"><tr><th>手段</th><th class="num">消息数</th><th class="num">占违法催收</th></tr>"#);
    for t in Tag::ALL {
        let _ = write!(
            b,
            "<tr><td>{}</td>{}<td class=\"num\">{}</td></tr>",
            law::tag_name(t),
            counted("td", &format!("/by_tag/{}", t.as_str()), r.by_tag.get(t), "num"),
            percent(r.by_tag.get(t), r.by_label.unlawful())
        );
    }
    b.push_str("</table>");

    // Named platforms are ranked and drawn; the messages without a platform and those beyond the
    // platform cap are listed under the table only, so they do not flatten the charts.
    let named: Vec<&PlatformRow> = r.platforms.iter().filter(|p| !is_bucket(&p.name)).collect();
    let buckets: Vec<&PlatformRow> = r.platforms.iter().filter(|p| is_bucket(&p.name)).collect();
    let top: Vec<&PlatformRow> = named.iter().take(TOP_PLATFORMS).copied().collect();
    b.push_str(r#"<h2 id="platforms">按平台</h2>"#);
    let bars: Vec<Bar> = top
        .iter()
        .map(|p| Bar {
            name: platform_display(&p.name),
            note: String::new(),
            values: Label::ALL.iter().map(|l| p.labels.get(*l)).collect(),
            pointers: Some(
                Label::ALL.iter().map(|l| format!("/by_platform/{}/{}", pointer_step(&p.name), l.as_str())).collect(),
            ),
        })
        .collect();
    b.push_str(&svg::stacked_bars(
        &format!("消息最多的平台（前{}，按违法催收条数排序）", top.len()),
        &bars,
        &label_series(),
    ));
    let unlawful: Vec<&PlatformRow> =
        named.iter().filter(|p| p.labels.unlawful() > 0).take(TOP_PLATFORMS).copied().collect();
    b.push_str("<h3>违法催收最多的平台及各手段占比</h3>");
    let rows: Vec<String> = unlawful.iter().map(|p| platform_display(&p.name)).collect();
    let columns: Vec<&str> = Tag::ALL.iter().map(|t| law::tag_short(*t)).collect();
    let shares: Vec<Vec<f64>> = unlawful.iter().map(|p| Tag::ALL.iter().map(|t| p.share(*t)).collect()).collect();
    let counts: Vec<Vec<u64>> = unlawful.iter().map(|p| Tag::ALL.iter().map(|t| p.tags.get(*t)).collect()).collect();
    b.push_str(&svg::heat_map("各平台违法催收手段热图", &rows, &columns, &shares, &counts));
    b.push_str(r#"<table class="by-platform"><tr><th>平台</th><th class="num">合计</th>"#);
    for l in Label::ALL {
        let _ = write!(b, r#"<th class="num">{}</th>"#, label_head(l));
    }
    b.push_str(r#"<th class="num">违法占比</th></tr>"#);
    for p in top.iter().chain(&buckets) {
        let base = format!("/by_platform/{}", pointer_step(&p.name));
        let _ = write!(
            b,
            "<tr><td>{}</td><td class=\"num\">{}</td>",
            escape(&platform_display(&p.name)),
            fmt_count(p.labels.total())
        );
        for l in Label::ALL {
            b.push_str(&counted("td", &format!("{base}/{}", l.as_str()), p.labels.get(l), "num"));
        }
        let _ = write!(b, "<td class=\"num\">{}</td></tr>", percent(p.labels.unlawful(), p.labels.total()));
    }
    b.push_str("</table>");
    if named.len() > top.len() {
        let _ = write!(
            b,
            r#"<p class="meta">另有 {} 个平台未列出，完整数据见 JSON 或 CSV 格式（--format json|csv）。</p>"#,
            named.len() - top.len()
        );
    }
    if r.overflow > 0 {
        let _ = write!(
            b,
            r#"<p class="meta">平台超过 {} 个，其后出现的新平台的 {} 条消息计入“{}”。</p>"#,
            crate::report::scan::MAX_PLATFORMS,
            fmt_count(r.overflow),
            platform_display(MORE_PLATFORMS)
        );
    }

    b.push_str(r#"<h2 id="months">按月份</h2>"#);
    if r.months.is_empty() {
        let why = if r.has_time {
            "时间列中没有可读的时间。"
        } else {
            "输入没有时间列（可用 --time-column 指定）。"
        };
        let _ = write!(b, "<p>{why}</p>");
    } else {
        let labels: Vec<String> = r.months.iter().map(|(m, _)| m.clone()).collect();
        let values: Vec<Vec<u64>> =
            Label::ALL.iter().map(|l| r.months.iter().map(|(_, c)| c.get(*l)).collect()).collect();
        b.push_str(&svg::lines("每月消息数（按类别）", &labels, &label_series(), &values));
        b.push_str(r#"<table class="by-month"><tr><th>月份</th>"#);
        for l in Label::ALL {
            let _ = write!(b, r#"<th class="num">{}</th>"#, label_head(l));
        }
        b.push_str(r#"<th class="num">合计</th></tr>"#);
        for (m, c) in &r.months {
            let _ = write!(b, "<tr><td>{}</td>", escape(m));
            for l in Label::ALL {
                b.push_str(&counted("td", &format!("/by_month/{m}/{}", l.as_str()), c.get(l), "num"));
            }
            let _ = write!(b, "<td class=\"num\">{}</td></tr>", fmt_count(c.total()));
        }
        b.push_str("</table>");
        if r.timed < r.total {
            let _ = write!(
                b,
                r#"<p class="meta">{} 条消息没有可读的时间，不在月份统计中。</p>"#,
                fmt_count(r.total - r.timed)
            );
        }
    }

    b.push_str(r#"<h2 id="examples">示例消息</h2><p class="meta">每个平台、每个类别最多列出 3 条分类最有把握的消息；黄色为判断依据。</p>"#);
    let shown: Vec<&PlatformRow> =
        named.iter().filter(|p| p.labels.unlawful() > 0).take(EXAMPLE_PLATFORMS).copied().collect();
    let shown = if shown.is_empty() { r.platforms.iter().take(EXAMPLE_PLATFORMS).collect() } else { shown };
    for p in shown {
        let _ = write!(b, "<h3>{}</h3><table class=\"examples\">", escape(&platform_display(&p.name)));
        for l in Label::ALL {
            let ex = &p.examples[l.index()];
            if ex.is_empty() {
                continue;
            }
            let _ = write!(
                b,
                r#"<tr><th style="width:9em">{}<br><span class="meta">{} 条</span></th><td>"#,
                label_head(l),
                fmt_count(p.labels.get(l))
            );
            example_list(&mut b, ex);
            b.push_str("</td></tr>");
        }
        b.push_str("</table>");
    }
    let present: Vec<Tag> = Tag::ALL.into_iter().filter(|t| r.by_tag.get(*t) > 0).collect();
    law_section(&mut b, &present);
    let _ = write!(b, "<footer>{} · cuishou {}</footer>", escape(law::SCAN_DISCLAIMER), env!("CARGO_PKG_VERSION"));
    page("催收投诉与短信扫描", &b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_and_marks() {
        assert_eq!(escape(r#"<a href="x">&'"#), "&lt;a href=&quot;x&quot;&gt;&amp;&#39;");
        assert_eq!(
            marked("再不还<就>爆你通讯录", &[Span { start: 8, end: 11 }]),
            "再不还&lt;就&gt;爆你<mark>通讯录</mark>"
        );
        assert_eq!(marked("a\nb", &[Span { start: 0, end: 9 }]), "<mark>a<br>b</mark>");
        assert_eq!(marked("ab", &[Span { start: 1, end: 2 }, Span { start: 0, end: 2 }]), "a<mark>b</mark>");
    }

    #[test]
    fn counts_have_separators() {
        assert_eq!(fmt_count(0), "0");
        assert_eq!(fmt_count(999), "999");
        assert_eq!(fmt_count(1000), "1,000");
        assert_eq!(fmt_count(1234567), "1,234,567");
        assert_eq!(percent(1, 3), "33.3%");
        assert_eq!(percent(1, 0), "–");
    }

    #[test]
    fn pages_are_self_contained() {
        let info = RunInfo { inputs: vec!["a.xml".into()], generated: "2024-01-01 00:00".into(), ..RunInfo::default() };
        for html in [evidence_html(&EvidenceReport::default(), &info), scan_html(&ScanReport::default(), &info)] {
            assert!(html.starts_with("<!DOCTYPE html>"));
            assert!(!html.contains("<script"));
            assert!(!html.contains("src=\"http") && !html.contains("href=\"http") && !html.contains("url("));
            assert!(html.contains("@page { size: A4"));
            assert!(html.contains(r#"data-json="/total" data-value="0""#));
            assert!(html.contains("12378") && html.contains("12321") && html.contains("110"));
        }
    }
}
