//! Fuzz target: the evidence and scan reports, rendered as HTML and Markdown from arbitrary
//! texts, senders, contact names, ids and times, never let input markup through: every HTML tag
//! is one the renderer writes, every link is an anchor in the page, and Markdown holds no HTML,
//! no link or image and no heading but the renderer's.
#![no_main]

use cuishou::io::{Record, Sink};
use cuishou::labels::{Label, TagSet};
use cuishou::prediction::{Prediction, Span};
use cuishou::report::platform::PlatformDetector;
use cuishou::report::render::html::{evidence_html, scan_html};
use cuishou::report::{ColumnNames, EvidenceSink, RunInfo, ScanSink};
use libfuzzer_sys::fuzz_target;

/// The tags the HTML renderer writes (SVG charts included).
const TAGS: &[&str] = &[
    "html", "head", "meta", "title", "style", "body", "main", "section", "footer", "h1", "h2", "h3", "p", "div",
    "span", "small", "table", "tr", "td", "th", "ul", "li", "b", "a", "mark", "br", "time", "svg", "rect", "line",
    "polyline", "circle", "text", "g",
];

const HEADINGS: &[&str] = &["# 催收短信证据汇总", "## 发送方一览", "## 发送方 ", "## 法律依据", "## 来源与校验", "## 投诉与报警渠道"];

fn check_html(html: &str) {
    for (i, _) in html.match_indices('<') {
        let rest = &html[i + 1..];
        let rest = rest.strip_prefix('/').unwrap_or(rest);
        if rest.starts_with("!DOCTYPE") {
            continue;
        }
        let name: String = rest.chars().take_while(|c| c.is_ascii_alphanumeric()).collect();
        assert!(TAGS.contains(&name.as_str()), "input markup <{name} survived");
        if name == "a" && !rest.starts_with("a>") {
            assert!(rest.starts_with("a href=\"#"), "a link out of the page: {}", &rest[..rest.len().min(60)]);
        }
    }
}

fn check_markdown(md: &str) {
    assert!(!md.contains("]("), "a link or image survived");
    for (i, _) in md.match_indices('<') {
        assert!(md[..i].ends_with('\\'), "raw HTML survived: {}", &md[i..md.len().min(i + 40)]);
    }
    for line in md.lines().filter(|l| l.starts_with('#')) {
        assert!(HEADINGS.iter().any(|h| line.starts_with(h)), "a forged heading: {line}");
    }
}

fuzz_target!(|data: &[u8]| {
    let input = String::from_utf8_lossy(data);
    let mut parts = input.splitn(5, '\u{1}');
    let mut next = || parts.next().unwrap_or("").to_string();
    let (id, sender, name, time, text) = (next(), next(), next(), next(), next());
    let columns: Vec<String> =
        ["id", "sender", "contact_name", "time", "text"].iter().map(|s| s.to_string()).collect();
    let n = text.chars().count() as u32;
    let spans = if n >= 2 { vec![Span { start: 0, end: n / 2 }, Span { start: n / 2, end: n }] } else { vec![] };
    let mut evidence = EvidenceSink::new(ColumnNames::default(), false);
    let mut scan = ScanSink::new(ColumnNames::default(), PlatformDetector::default(), false);
    evidence.begin(&columns).unwrap();
    scan.begin(&columns).unwrap();
    for (k, label) in [Label::Intimidation, Label::DoctoredImageThreat, Label::Other].into_iter().enumerate() {
        let record = Record {
            line: k as u64 + 2,
            fields: vec![id.clone(), sender.clone(), name.clone(), time.clone(), text.clone()],
            text_field: 4,
            object: None,
        };
        let p = Prediction::recorded(label, 0.9, TagSet::parse_field("contacts;insult").unwrap(), spans.clone());
        evidence.write(&record, &p).unwrap();
        scan.write(&record, &p).unwrap();
    }
    let info = RunInfo { inputs: vec![text.clone()], read: 3, ..RunInfo::default() };
    let evidence = evidence.finish();
    check_html(&evidence_html(&evidence, &info));
    check_markdown(&evidence.to_markdown(&info));
    check_html(&scan_html(&scan.finish(), &info));
});
