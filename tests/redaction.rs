//! The redaction corpus (`tests/fixtures/redaction.tsv`): messages that each hold one private
//! item in some written form (phone numbers in every separator and numeral form, ID cards, bank
//! cards, e-mail addresses, WeChat and QQ IDs), with the text `--redact` must write and the
//! substrings that must not survive, and prose numbers that must stay. Every form goes through
//! every output of `--redact` — `classify` as CSV and JSON Lines, its rejects file, `report
//! evidence` as HTML, Markdown and JSON with its rejects file, `report scan` as HTML, JSON and
//! CSV — with one run of the binary per output format over the whole corpus.

mod common;

use common::{Workdir, parse_csv};
use cuishou::output::redact;

/// One row of the corpus.
struct Form {
    name: String,
    text: String,
    expected: String,
    secrets: Vec<String>,
}

/// `\t`, `\\` and `\u{HEX}` as the fixture writes invisible characters.
fn unescape(s: &str) -> String {
    let mut out = String::new();
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('t') => out.push('\t'),
            Some('\\') => out.push('\\'),
            Some('u') => {
                let hex: String = chars.by_ref().skip(1).take_while(|&c| c != '}').collect();
                out.push(char::from_u32(u32::from_str_radix(&hex, 16).expect("hex")).expect("a character"));
            }
            other => panic!("bad escape \\{other:?} in {s}"),
        }
    }
    out
}

fn corpus() -> Vec<Form> {
    let text = include_str!("fixtures/redaction.tsv");
    let mut forms = Vec::new();
    for line in text.lines().filter(|l| !l.starts_with('#')).skip(1) {
        let cols: Vec<&str> = line.split('\t').collect();
        assert_eq!(cols.len(), 5, "{line}");
        let (text, expected) = (unescape(cols[2]), unescape(cols[3]));
        // a prose row must come back unchanged: it is its own expected text
        assert!(cols[0] == "mask" || text == expected, "{line}");
        let secrets = if cols[0] == "mask" { cols[4].split('|').map(unescape).collect() } else { Vec::new() };
        forms.push(Form { name: cols[1].to_string(), text, expected, secrets });
    }
    forms
}

#[test]
fn the_corpus_has_at_least_200_forms_and_each_is_masked_exactly() {
    let forms = corpus();
    let masked = forms.iter().filter(|f| !f.secrets.is_empty()).count();
    assert!(masked >= 200, "only {masked} forms");
    assert!(forms.len() - masked >= 30, "only {} prose rows", forms.len() - masked);
    let failures: Vec<String> = forms
        .iter()
        .filter_map(|f| {
            let got = redact(&f.text);
            (got != f.expected)
                .then(|| format!("{}:\n  text     {}\n  got      {got}\n  expected {}", f.name, f.text, f.expected))
        })
        .collect();
    assert!(failures.is_empty(), "{} of {} forms:\n{}", failures.len(), forms.len(), failures.join("\n"));
    for f in &forms {
        assert_eq!(redact(&f.expected), f.expected, "masking is idempotent: {}", f.name);
        for s in &f.secrets {
            assert!(f.text.contains(s.as_str()) && !f.expected.contains(s.as_str()), "{}: secret {s:?}", f.name);
        }
    }
}

/// The message of form `i` in the runs: a marker, then the form's text.
fn message(i: usize, text: &str) -> String {
    format!("〔F{i:03}〕{text}")
}

/// Phone numbers and addresses outside the texts: senders, an id, a contact name, a time that
/// does not parse, the input's file name; with the substrings that must not survive.
const SENDERS: [&str; 4] = ["13700001111", "+86 150 2222 3333", "0755-8888-9999", "li.sihai@qq.com"];
const FIELD_SECRETS: [&str; 11] = [
    "1370000",
    "150 2222",
    "1502222",
    "0755-8888",
    "07558888",
    "li.sihai",
    "1366667",
    "1393333",
    "1585555",
    "wang_qiang_77",
    "1375555",
];
const INPUT_NAME: &str = "export-13755556666";

/// Too long for `--max-chars` in the runs: the forms packed into rows go to the rejects file.
const MAX_CHARS: usize = 100;

fn escape_json(s: &str) -> String {
    let quoted = serde_json::to_string(s).expect("json");
    quoted[1..quoted.len() - 1].to_string()
}

fn escape_html(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;").replace('\'', "&#39;")
}

/// As the Markdown report escapes a field: every ASCII punctuation character (CommonMark).
fn escape_md(s: &str) -> String {
    s.chars().fold(String::new(), |mut out, c| {
        if c.is_ascii_punctuation() {
            out.push('\\');
        }
        out.push(c);
        out
    })
}

/// As platform names are written: full-width ASCII folded.
use cuishou::report::platform::half_width;

/// The failures of one output: a form's masked message that is missing (when every form must
/// show), and any secret that survived, as written or in the output's escaping.
fn check(
    output: &str,
    content: &str,
    forms: &[Form],
    escape: &dyn Fn(&str) -> String,
    every_form_shows: bool,
) -> Vec<String> {
    let mut failures = Vec::new();
    for (i, f) in forms.iter().enumerate() {
        let shown = escape(&message(i, &f.expected));
        if every_form_shows && !content.contains(&shown) {
            let raw = escape(&message(i, &f.text));
            let why = if content.contains(&raw) { "unmasked" } else { "missing or masked otherwise" };
            failures.push(format!("{output}: {} {why}: {shown}", f.name));
        }
        for s in &f.secrets {
            for form in [s.clone(), escape(s), half_width(s), escape(&half_width(s))] {
                if content.contains(&form) {
                    failures.push(format!("{output}: {} shows {form:?}", f.name));
                    break;
                }
            }
        }
    }
    for s in FIELD_SECRETS {
        if content.contains(s) {
            failures.push(format!("{output}: shows {s:?} of a sender, id, contact, time or file name"));
        }
    }
    failures
}

fn csv_text(rows: &[Vec<String>]) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    for r in rows {
        w.write_record(r).expect("csv row");
    }
    String::from_utf8(w.into_inner().expect("csv")).expect("utf-8")
}

/// The forms' messages packed into texts of more than `MAX_CHARS` characters (so that they are
/// rejected) and at most 800 bytes (so that a rejects row shows them whole).
fn packed(forms: &[Form]) -> Vec<String> {
    let mut texts = vec![String::new()];
    for (i, f) in forms.iter().enumerate() {
        let m = message(i, &f.text);
        let last = texts.last_mut().expect("one text");
        if !last.is_empty() && last.len() + m.len() + 3 > 800 {
            texts.push(String::new());
        }
        let last = texts.last_mut().expect("one text");
        if !last.is_empty() {
            last.push('；');
        }
        last.push_str(&m);
    }
    for t in &mut texts {
        while t.chars().count() <= MAX_CHARS {
            t.push_str("；再不还钱就等着");
        }
    }
    texts
}

/// A row that is rejected, with the phone number 13712348765 starting 4 bytes before the cut of
/// the rejects raw column (`id,sender,time,text` with `S1,x,t,` in front of the text).
fn straddling_reject() -> Vec<String> {
    let pad = "a".repeat(cuishou::io::MAX_RAW_BYTES - 4 - "S1,x,t,".len());
    vec!["S1".into(), "x".into(), "t".into(), format!("{pad}13712348765{}", "b".repeat(50))]
}

/// `classify --redact`: CSV and JSON Lines, and the rejects file of each run.
#[test]
fn every_form_is_masked_in_classify_csv_jsonl_and_rejects() {
    let forms = corpus();
    let mut rows = vec![vec!["id".to_string(), "sender".into(), "time".into(), "text".into()]];
    for (i, f) in forms.iter().enumerate() {
        let m = message(i, &f.text);
        assert!(m.chars().count() <= MAX_CHARS, "{} is too long to be classified", f.name);
        rows.push(vec![format!("F{i:03}"), SENDERS[i % 4].into(), "2025-03-01 10:00".into(), m]);
    }
    rows.push(vec![
        "13666677778".into(),
        SENDERS[0].into(),
        "昨晚 13933334444 打来".into(),
        "联系人 王 15855556666".into(),
    ]);
    rows.push(vec!["F-wx".into(), SENDERS[1].into(), "2025-03-01".into(), "微信号：wang_qiang_77".into()]);
    for (i, t) in packed(&forms).into_iter().enumerate() {
        rows.push(vec![format!("L{i:02}"), SENDERS[i % 4].into(), "2025-03-01 10:00".into(), t]);
    }
    rows.push(straddling_reject());
    let wd = Workdir::new();
    let input = format!("{INPUT_NAME}.csv");
    wd.write(&input, csv_text(&rows));
    let max = MAX_CHARS.to_string();
    let mut failures = Vec::new();
    for (format, out) in [("csv", "out.csv"), ("jsonl", "out.jsonl")] {
        let run =
            wd.run(&["classify", &input, "--redact", "--max-chars", &max, "--output-format", format, "-o", out, "-q"]);
        assert_eq!(run.status.code(), Some(3), "some rows are rejected: {}", String::from_utf8_lossy(&run.stderr));
        let content = wd.read(out);
        let escape: &dyn Fn(&str) -> String = if format == "csv" { &|s: &str| s.to_string() } else { &escape_json };
        failures.extend(check(out, &content, &forms, escape, true));
        let rejects = parse_csv(&wd.read(&format!("{out}.rejects.csv")));
        assert_eq!(rejects[0], ["file", "line", "reason", "raw"]);
        let raws: Vec<&str> = rejects[1..].iter().map(|r| r[3].as_str()).collect();
        failures.extend(check(&format!("{out}.rejects.csv"), &raws.join("\n"), &forms, &|s: &str| s.to_string(), true));
        let file_names: Vec<&str> = rejects[1..].iter().map(|r| r[0].as_str()).collect();
        failures.extend(check(
            &format!("{out}.rejects.csv files"),
            &file_names.join("\n"),
            &[],
            &|s: &str| s.to_string(),
            false,
        ));
        // a number across the cut is masked before the cut
        let straddling = raws.iter().find(|r| r.starts_with("S1,")).expect("the straddling row is rejected");
        assert!(straddling.ends_with("aaaa****"), "{out}: {}", &straddling[straddling.len() - 12..]);
    }
    assert!(failures.is_empty(), "{} failures:\n{}", failures.len(), failures.join("\n"));
}

/// `report evidence --redact` in every format, and its rejects file.
#[test]
fn every_form_is_masked_in_every_form_of_the_evidence_report() {
    let forms = corpus();
    let header = ["id", "sender", "contact_name", "time", "text", "label", "confidence", "tags", "evidence"];
    let mut rows = vec![header.iter().map(|s| s.to_string()).collect::<Vec<_>>()];
    let row = |id: String, sender: &str, contact: &str, time: &str, text: String| {
        vec![
            id,
            sender.into(),
            contact.into(),
            time.into(),
            text,
            "intimidation".into(),
            "0.9".into(),
            String::new(),
            String::new(),
        ]
    };
    for (i, f) in forms.iter().enumerate() {
        rows.push(row(format!("F{i:03}"), SENDERS[i % 4], "", "2025-03-01 10:00", message(i, &f.text)));
    }
    rows.push(row(
        "13666677778".into(),
        SENDERS[0],
        "王 15855556666",
        "昨晚 13933334444 打来",
        "微信号：wang_qiang_77".into(),
    ));
    for (i, t) in packed(&forms).into_iter().enumerate() {
        rows.push(row(format!("L{i:02}"), SENDERS[i % 4], "", "2025-03-01 10:00", t));
    }
    let wd = Workdir::new();
    let input = format!("{INPUT_NAME}.csv");
    wd.write(&input, csv_text(&rows));
    let max = MAX_CHARS.to_string();
    let mut failures = Vec::new();
    type Escape = fn(&str) -> String;
    for (format, escape) in [("html", escape_html as Escape), ("md", escape_md), ("json", escape_json)] {
        let out = format!("evidence.{format}");
        let run = wd.run(&[
            "report",
            "evidence",
            &input,
            "--redact",
            "--max-chars",
            &max,
            "--format",
            format,
            "-o",
            &out,
            "-q",
        ]);
        assert_eq!(run.status.code(), Some(3), "{format}: {}", String::from_utf8_lossy(&run.stderr));
        let content = wd.read(&out);
        // a masked mobile number is shown grouped to people, kept as it is in JSON
        let masked = if format == "json" { "*******1111" } else { "+86 *** **** 1111" };
        assert!(
            content.contains(&escape(masked)) && content.contains(&escape("*******@qq.com")),
            "{format}: senders are listed"
        );
        failures.extend(check(&out, &content, &forms, &escape, true));
        let rejects = wd.read(&format!("{out}.rejects.csv"));
        failures.extend(check(&format!("{out}.rejects.csv"), &rejects, &forms, &|s: &str| s.to_string(), true));
    }
    assert!(failures.is_empty(), "{} failures:\n{}", failures.len(), failures.join("\n"));
}

/// `report scan --redact` in every format: the forms as example texts (HTML) and as platform
/// names (every format).
#[test]
fn every_form_is_masked_in_every_form_of_the_scan_report() {
    let forms = corpus();
    const PLATFORMS: [&str; 8] = ["甲贷", "乙贷", "丙贷", "丁贷", "戊贷", "己贷", "庚贷", "辛贷"];
    const LABELS: [&str; 4] = ["intimidation", "doctored_image_threat", "lawful_reminder", "other"];
    // the page shows 3 examples per platform and label, of 8 platforms, cut at 160 characters
    let mut texts = vec![String::new()];
    for (i, f) in forms.iter().enumerate() {
        let m = message(i, &f.text);
        let last = texts.last_mut().expect("one text");
        if !last.is_empty() && last.chars().count() + m.chars().count() + 1 > cuishou::report::scan::EXAMPLE_CHARS {
            texts.push(String::new());
        }
        let last = texts.last_mut().expect("one text");
        if !last.is_empty() {
            last.push('；');
        }
        last.push_str(&m);
    }
    let cells: Vec<(&str, &str)> =
        LABELS.iter().flat_map(|l| (0..3).flat_map(move |_| PLATFORMS.iter().map(move |p| (*p, *l)))).collect();
    assert!(texts.len() < cells.len() - 8, "{} texts do not fit the examples", texts.len());
    let header = ["id", "platform", "time", "text", "label", "confidence", "tags", "evidence"];
    let mut rows = vec![header.iter().map(|s| s.to_string()).collect::<Vec<_>>()];
    let row = |id: String, platform: &str, text: String, label: &str| {
        vec![id, platform.into(), "2025-03-01".into(), text, label.into(), "0.9".into(), String::new(), String::new()]
    };
    for (k, t) in texts.into_iter().enumerate() {
        rows.push(row(format!("E{k:02}"), cells[k].0, t, cells[k].1));
    }
    // a number across the cut of an example is masked before the cut
    let pad = "催".repeat(cuishou::report::scan::EXAMPLE_CHARS - 4 - "〔S2〕".chars().count());
    rows.push(row("S2".into(), PLATFORMS[0], format!("〔S2〕{pad}13712348765还钱"), "other"));
    rows.push(row("13666677778".into(), PLATFORMS[1], "微信号：wang_qiang_77".into(), "other"));
    for (i, f) in forms.iter().enumerate() {
        rows.push(row(format!("P{i:03}"), &message(i, &f.text), "平台名".into(), "other"));
    }
    let wd = Workdir::new();
    let input = format!("{INPUT_NAME}.csv");
    wd.write(&input, csv_text(&rows));
    let mut failures = Vec::new();
    let platform_forms: Vec<Form> = forms
        .iter()
        .map(|f| Form {
            name: f.name.clone(),
            text: half_width(&f.text),
            expected: half_width(&f.expected),
            secrets: f.secrets.clone(),
        })
        .collect();
    type Escape = fn(&str) -> String;
    let plain: Escape = |s| s.to_string();
    for (format, escape) in [("html", escape_html as Escape), ("json", escape_json), ("csv", plain)] {
        let out = format!("scan.{format}");
        wd.ok(&["report", "scan", &input, "--redact", "--output-format", format, "-o", &out, "-q"]);
        let content = wd.read(&out);
        // every form is an example on the page, and a platform name in JSON and CSV
        failures.extend(check(&out, &content, &forms, &escape, format == "html"));
        if format != "html" {
            let halves: Vec<Form> = platform_forms
                .iter()
                .enumerate()
                .map(|(i, f)| Form {
                    name: f.name.clone(),
                    text: f.text.clone(),
                    expected: message(i, &f.expected),
                    secrets: Vec::new(),
                })
                .collect();
            for (i, f) in halves.iter().enumerate() {
                if !content.contains(&escape(&f.expected)) {
                    failures.push(format!("{out}: platform {} (form {i}) missing: {}", f.name, f.expected));
                }
            }
        } else {
            assert!(content.contains("催****…") && !content.contains("催1371"), "the cut example is masked first");
        }
    }
    assert!(failures.is_empty(), "{} failures:\n{}", failures.len(), failures.join("\n"));
}

/// JSON numbers of a JSON Lines input, nested or not, are masked as strings would be.
#[test]
fn json_numbers_are_masked_in_json_lines_output() {
    let wd = Workdir::new();
    wd.write(
        "in.jsonl",
        r#"{"id": 13811112222, "text": "快还钱", "meta": {"phone": 13911113333, "cards": [6222021234567890], "amount": 2300.5, "code": 482913}}
"#,
    );
    let out = wd.ok(&["classify", "in.jsonl", "--output-format", "jsonl", "--redact", "-q"]);
    let v: serde_json::Value = serde_json::from_str(out.trim()).expect("one JSON object");
    assert_eq!(v["id"], "*******2222");
    assert_eq!(v["meta"]["phone"], "*******3333");
    assert_eq!(v["meta"]["cards"][0], "************7890");
    assert_eq!((v["meta"]["amount"].as_f64(), v["meta"]["code"].as_u64()), (Some(2300.5), Some(482913)));
}
