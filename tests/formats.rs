//! Every format and encoding: output rows plus rejects rows equal the input records.

mod common;

use std::io::Write;
use std::process::Stdio;

use common::{Workdir, parse_csv, repo_root};

/// (fixture, records in it, of which rejected, a text that must come out classified)
const FIXTURES: &[(&str, usize, usize, &str)] = &[
    ("gbk.csv", 3, 0, "再不还钱就爆你通讯录，让你全家都知道"),
    ("bom.csv", 3, 0, "你的遗照做好了，今晚发你家族群"),
    ("semicolon.csv", 3, 0, "你的遗照做好了，今晚发你家族群"),
    ("messages.tsv", 3, 0, "你的遗照做好了，今晚发你家族群"),
    ("lines.txt", 3, 0, "你的遗照做好了，今晚发你家族群"),
    ("ragged.csv", 5, 2, "第一行\n第二行"),
    ("nul_invalid.csv", 4, 2, "又一条正常消息"),
    ("broken.jsonl", 4, 1, "你的黑白照已经做好了"),
    ("mms.xml", 5, 0, "你的遗照做好了，今晚发你家族群"),
    ("utf16.xml", 5, 0, "再不还钱就爆你通讯录\n让你全家都知道"),
    ("empty.csv", 0, 0, ""),
    ("header_only.csv", 0, 0, ""),
];

fn count_output(path: &std::path::Path, jsonl: bool) -> (usize, Vec<String>) {
    let Ok(text) = std::fs::read_to_string(path) else { return (0, Vec::new()) };
    if jsonl {
        let texts: Vec<String> = text
            .lines()
            .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap()["text"].as_str().unwrap().to_string())
            .collect();
        return (texts.len(), texts);
    }
    let rows = parse_csv(&text);
    if rows.is_empty() {
        return (0, Vec::new());
    }
    let col = rows[0].iter().position(|c| c == "text").unwrap();
    (rows.len() - 1, rows[1..].iter().map(|r| r[col].clone()).collect())
}

#[test]
fn every_record_is_an_output_row_or_a_reject_row() {
    let wd = Workdir::new();
    for &(name, records, rejected, expect_text) in FIXTURES {
        let input = repo_root().join("tests/fixtures/formats").join(name);
        for jsonl in [false, true] {
            let out = wd.path(&format!("{name}.{jsonl}.out"));
            let rejects = wd.path(&format!("{name}.{jsonl}.rejects.csv"));
            let mut args = vec![
                "classify".to_string(),
                input.display().to_string(),
                "-o".into(),
                out.display().to_string(),
                "--rejects".into(),
                rejects.display().to_string(),
            ];
            if jsonl {
                args.extend(["--output-format".into(), "jsonl".into()]);
            }
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            let run = wd.run(&args);
            let expected_status = if rejected > 0 { 3 } else { 0 };
            let stderr = String::from_utf8_lossy(&run.stderr);
            assert_eq!(run.status.code(), Some(expected_status), "{name}: {stderr}");
            let (written, texts) = count_output(&out, jsonl);
            let rejected_rows =
                if rejects.exists() { parse_csv(&std::fs::read_to_string(&rejects).unwrap()).len() - 1 } else { 0 };
            assert_eq!(rejected_rows, rejected, "{name}: rejects");
            assert_eq!(written + rejected_rows, records, "{name}: output rows + rejects = records");
            assert!(
                stderr.contains(&format!(
                    "{records} records read, {} classified, {rejected} rejected",
                    records - rejected
                )),
                "{name}: {stderr}"
            );
            if !expect_text.is_empty() {
                assert!(texts.iter().any(|t| t == expect_text), "{name}: {expect_text:?} not in {texts:?}");
            }
        }
    }
}

#[test]
fn xml_fields_become_columns_with_iso_times() {
    let wd = Workdir::new();
    let input = repo_root().join("tests/fixtures/formats/utf16.xml");
    let out = wd.run(&["classify", input.to_str().unwrap(), "--rejects", "r.csv"]);
    let rows = parse_csv(&String::from_utf8(out.stdout).unwrap());
    assert_eq!(&rows[0][..6], ["id", "sender", "contact_name", "time", "type", "text"]);
    assert_eq!(&rows[1][..5], ["1", "10690001", "(Unknown)", "2024-03-10T12:00:00+08:00", "received"]);
    assert_eq!(rows[3][0], "3", "the MMS keeps its record number");
    assert_eq!(rows[0][6], "attachments");
    assert_eq!(
        (rows[3][6].as_str(), rows[4][5].as_str(), rows[4][6].as_str()),
        ("image/jpeg a.jpg", "", "image/png b.png")
    );
}

/// Five messages: an SMS, an MMS holding a forwarded MMS in its parts, an image-only MMS, an SMS.
const NESTED_MMS: &str = r#"<?xml version='1.0' encoding='UTF-8' standalone='yes' ?>
<smses count="5">
  <sms address="13811112222" date="1710043200000" type="1" body="再不还钱就爆你通讯录" />
  <mms date="1710050400000" msg_box="1" address="13811112222"><parts>
    <part seq="0" ct="text/plain" text="看看你自己" />
    <mms date="1710050300000" msg_box="1" address="13900000000"><parts>
      <part seq="0" ct="text/plain" text="你的遗照做好了" />
    </parts></mms>
    <part seq="1" ct="image/jpeg" name="IMG_0001.jpg" />
  </parts></mms>
  <mms date="1710050500000" msg_box="1" address="13811112222"><parts>
    <part seq="-1" ct="application/smil" text="&lt;smil/&gt;" />
    <part seq="0" ct="image/jpeg" name="IMG_0002.jpg" />
  </parts></mms>
  <sms address="95588" date="1710050600000" type="1" body="您尾号8821的卡消费128.00元" />
</smses>
"#;

#[test]
fn a_nested_mms_and_an_image_only_mms_are_records() {
    let wd = Workdir::new();
    wd.write("nested.xml", NESTED_MMS);
    let out = wd.run(&["classify", "nested.xml", "-o", "out.csv"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(stderr.contains("5 records read, 5 classified, 0 rejected"), "{stderr}");
    let rows = parse_csv(&wd.read("out.csv"));
    let by_id = |id: &str| rows.iter().find(|r| r[0] == id).unwrap_or_else(|| panic!("no message {id}: {rows:?}"));
    assert_eq!((by_id("2")[5].as_str(), by_id("2")[6].as_str()), ("看看你自己", "image/jpeg IMG_0001.jpg"));
    assert_eq!(by_id("3")[5], "你的遗照做好了");
    assert_eq!((by_id("4")[5].as_str(), by_id("4")[6].as_str()), ("", "image/jpeg IMG_0002.jpg"));
    assert!(!by_id("4")[7].is_empty(), "the image-only MMS is classified");
}

#[test]
fn a_truncated_export_says_it_ends_early() {
    let wd = Workdir::new();
    let mut xml = String::from("<?xml version='1.0' encoding='UTF-8' standalone='yes' ?>\n<smses count=\"43\">\n");
    for i in 0..21 {
        xml.push_str(&format!("  <sms address=\"1\" date=\"{i}\" type=\"1\" body=\"消息 {i}\" />\n"));
    }
    xml.push_str("  <sms address=\"1\" date=\"21\" type=\"1\" bo");
    wd.write("cut.xml", xml);
    let out = wd.run(&["classify", "cut.xml", "-o", "out.csv"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    assert!(stderr.contains("22 records read, 21 classified, 1 rejected"), "{stderr}");
    let rejects = parse_csv(&wd.read("out.csv.rejects.csv"));
    assert_eq!(rejects[1][1], "22");
    assert!(
        rejects[1][2].starts_with("file ends early: the export declares 43 messages, 21 were read"),
        "{:?}",
        rejects[1]
    );
    // the summary and both report forms say how many were declared and read
    assert!(
        stderr.contains("cut.xml: the export declares 43 messages, 22 records were read (21 classified, 1 rejected): the file ends early"),
        "{stderr}"
    );
    let out = wd.run(&["report", "evidence", "cut.xml", "-o", "e.md"]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("the export declares 43 messages"));
    assert!(wd.read("e.md").contains("导出文件声明 43 条消息，实际读取 22 条"), "{}", wd.read("e.md"));
    wd.run(&["report", "evidence", "cut.xml", "-o", "e.html"]);
    assert!(wd.read("e.html").contains("导出文件声明 43 条消息"));
}

#[test]
fn encoding_and_delimiter_can_be_forced() {
    let wd = Workdir::new();
    let gbk = repo_root().join("tests/fixtures/formats/gbk.csv");
    let rows = parse_csv(&wd.ok(&["classify", gbk.to_str().unwrap(), "--encoding", "gbk"]));
    assert_eq!(rows.len(), 4);
    let tsv = repo_root().join("tests/fixtures/formats/messages.tsv");
    let rows = parse_csv(&wd.ok(&["classify", tsv.to_str().unwrap(), "--input-format", "csv", "--delimiter", "tab"]));
    assert_eq!(rows.len(), 4);
    let out = wd.run(&["classify", gbk.to_str().unwrap(), "--encoding", "klingon"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn streaming_jsonl_keeps_order_and_count() {
    let n = 30_000;
    let texts = common::sample_texts();
    let mut input = String::new();
    for i in 0..n {
        input.push_str(&serde_json::json!({"id": i, "text": texts[i % texts.len()], "extra": {"k": i}}).to_string());
        input.push('\n');
    }
    let wd = Workdir::new();
    let mut child = wd
        .command(&["classify", "--format", "jsonl", "--output-format", "jsonl", "--chunk-size", "500", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let lines: Vec<serde_json::Value> =
        String::from_utf8(out.stdout).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines.len(), n);
    for (i, v) in lines.iter().enumerate() {
        assert_eq!(v["id"].as_u64(), Some(i as u64), "line {i} out of order");
        assert_eq!(v["extra"]["k"].as_u64(), Some(i as u64), "input fields are kept");
        assert!(v["label"].is_string() && v["confidence"].is_number() && v["evidence"].is_string());
    }
}

/// More than the 64 KiB the encoding is guessed from of GBK lines, then lines in UTF-8.
fn gbk_then_utf8(header: &str, gbk_row: impl Fn(usize) -> String, utf8_rows: &[&str]) -> Vec<u8> {
    let mut gbk = String::from(header);
    let mut i = 0;
    while gbk.len() < 100_000 {
        gbk.push_str(&gbk_row(i));
        i += 1;
    }
    let mut bytes = encoding_rs::GB18030.encode(&gbk).0.into_owned();
    for row in utf8_rows {
        bytes.extend_from_slice(row.as_bytes());
    }
    bytes
}

#[test]
fn utf8_lines_after_a_gbk_start_are_not_garbled() {
    let wd = Workdir::new();
    // the second, read as GB18030, is valid mojibake (鏄庡ぉ涓婇棬鎵句綘瀹朵汉) and was classified silently
    let utf8 = ["你的遗照做好了，今晚发你家族群", "明天上门找你家人"];
    let csv = gbk_then_utf8(
        "id,text\n",
        |i| format!("g{i},您的借款已逾期，请尽快还款\n"),
        &[&format!("u1,{}\r\n", utf8[0]), &format!("u2,\"{}\"\n", utf8[1])],
    );
    let txt =
        gbk_then_utf8("", |_| "您的借款已逾期，请尽快还款\n".to_string(), &[&format!("{}\n{}", utf8[0], utf8[1])]);
    for (name, bytes) in [("mixed.csv", csv), ("mixed.txt", txt)] {
        wd.write(name, bytes);
        let out = format!("{name}.out.csv");
        let run = wd.run(&["classify", name, "-o", &out]);
        assert_eq!(run.status.code(), Some(0), "{name}: {}", String::from_utf8_lossy(&run.stderr));
        let rows = parse_csv(&wd.read(&out));
        let col = rows[0].iter().position(|c| c == "text").unwrap();
        let texts: Vec<&str> = rows[1..].iter().map(|r| r[col].as_str()).collect();
        assert_eq!(texts[texts.len() - 2..], utf8, "{name}: the UTF-8 lines come out garbled");
        assert!(texts[..texts.len() - 2].iter().all(|t| *t == "您的借款已逾期，请尽快还款"), "{name}: GBK lines");
    }
}

#[test]
fn crlf_inputs_reject_with_the_right_line_numbers() {
    let wd = Workdir::new();
    // in each, the bad records are on lines 3 and 6
    let inputs: [(&str, &[u8]); 4] = [
        ("crlf.csv", b"id,text\r\n1,ok\r\n2,a,b\r\n3,\"two\r\nlines\"\r\n4,x,y\r\n5,fine\r\n"),
        ("crlf.tsv", b"id\ttext\r\n1\tok\r\n2\ta\tb\r\n\r\n3\tfine\r\n4\tx\ty\r\n"),
        ("crlf.jsonl", b"{\"text\":\"ok\"}\r\n\r\n{\"text\":\r\n{\"text\":\"fine\"}\r\n\r\n[1]\r\n"),
        ("crlf.txt", b"ok\r\n\r\nbad\x00\r\nfine\r\n\r\nbad\x00again\r\n"),
    ];
    for (name, bytes) in inputs {
        wd.write(name, bytes);
        let out = format!("{name}.out.csv");
        let run = wd.run(&["classify", name, "-o", &out]);
        assert_eq!(run.status.code(), Some(3), "{name}: {}", String::from_utf8_lossy(&run.stderr));
        let rejects = parse_csv(&wd.read(&format!("{out}.rejects.csv")));
        let lines: Vec<&str> = rejects[1..].iter().map(|r| r[1].as_str()).collect();
        assert_eq!(lines, ["3", "6"], "{name}: {rejects:?}");
    }
}

/// Runs cuishou and returns its output with the peak resident memory seen (VmHWM, in KiB), polled
/// from /proc while it runs.
#[cfg(target_os = "linux")]
fn run_with_peak_memory(wd: &Workdir, args: &[&str]) -> (std::process::Output, u64) {
    let mut child =
        wd.command(args).stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    let status_file = format!("/proc/{}/status", child.id());
    let mut peak = 0;
    while child.try_wait().unwrap().is_none() {
        let status = std::fs::read_to_string(&status_file).unwrap_or_default();
        let hwm = status.lines().find_map(|l| l.strip_prefix("VmHWM:")).and_then(|v| v.trim().strip_suffix("kB"));
        peak = peak.max(hwm.and_then(|v| v.trim().parse().ok()).unwrap_or(0));
        std::thread::sleep(std::time::Duration::from_millis(2));
    }
    (child.wait_with_output().unwrap(), peak)
}

#[cfg(target_os = "linux")]
#[test]
fn a_50_mb_line_or_field_is_one_reject_in_bounded_memory() {
    let wd = Workdir::new();
    let big = 50 << 20;
    wd.write("small.txt", "你好\n");
    let mut line = vec![b'a'; big];
    wd.write("line.txt", &line);
    line.splice(0..0, b"id,text\n1,\"".iter().copied());
    line.extend_from_slice(b"\"\"\n,\"\r\n2,ok\n");
    wd.write("field.csv", &line);
    drop(line);
    let (_, baseline) = run_with_peak_memory(&wd, &["classify", "small.txt", "-o", "small.out.csv"]);
    for (name, records) in [("line.txt", 1), ("field.csv", 2)] {
        let out = format!("{name}.out.csv");
        let (run, peak) = run_with_peak_memory(&wd, &["classify", name, "-o", &out]);
        let stderr = String::from_utf8_lossy(&run.stderr);
        assert_eq!(run.status.code(), Some(3), "{name}: {stderr}");
        assert!(
            stderr.contains(&format!("{records} records read, {} classified, 1 rejected", records - 1)),
            "{stderr}"
        );
        let rejects = parse_csv(&wd.read(&format!("{out}.rejects.csv")));
        assert_eq!(rejects.len(), 2);
        // the field holds the a's, an escaped quote, a line break and a comma
        let (line, chars) = if name == "line.txt" { ("1", big) } else { ("2", big + 3) };
        assert_eq!(rejects[1][1], line, "{name}");
        assert_eq!(rejects[1][2], format!("text longer than --max-chars ({chars} > 20000 characters)"), "{name}");
        assert!(baseline > 0 && peak > 0, "the memory of the runs could not be read");
        assert!(
            peak < baseline + 25 * 1024,
            "{name}: peak memory {peak} KiB, {baseline} KiB for a small input: the line was buffered"
        );
    }
}

/// A workbook of two sheets: 短信 (sender stored as a number, a date-time cell, the text; a row
/// left empty; a text longer than 30 characters) and 其他 (one message).
fn workbook() -> Vec<u8> {
    use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
    let mut book = Workbook::new();
    let date = Format::new().set_num_format("yyyy-mm-dd hh:mm:ss");
    let sms = book.add_worksheet();
    sms.set_name("短信").unwrap();
    for (c, h) in ["sender", "time", "text"].into_iter().enumerate() {
        sms.write_string(0, c as u16, h).unwrap();
    }
    let rows = [
        (13811112222.0, "2024-03-01 09:30:00", "你的遗照做好了，今晚发你家族群"),
        (95588.0, "2024-03-02 18:05:07", "您尾号8821的卡消费128.00元"),
    ];
    for (r, (sender, time, text)) in rows.into_iter().enumerate() {
        let r = r as u32 + 1;
        sms.write_number(r, 0, sender).unwrap();
        sms.write_datetime_with_format(r, 1, ExcelDateTime::parse_from_str(time).unwrap(), &date).unwrap();
        sms.write_string(r, 2, text).unwrap();
    }
    // row 4 is left empty; row 5 holds a text too long for --max-chars 30
    sms.write_number(4, 0, 13900000000.0).unwrap();
    sms.write_string(4, 2, "还".repeat(31)).unwrap();
    let other = book.add_worksheet();
    other.set_name("其他").unwrap();
    other.write_string(0, 0, "text").unwrap();
    other.write_string(1, 0, "再不还钱就爆你通讯录").unwrap();
    book.save_to_buffer().unwrap()
}

#[test]
fn a_workbook_reads_numbers_dates_and_row_numbers_as_shown() {
    let wd = Workdir::new();
    wd.write("export.xlsx", workbook());
    let out = wd.run(&["classify", "export.xlsx", "--max-chars", "30", "-o", "out.csv"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    assert!(stderr.contains("3 records read, 2 classified, 1 rejected"), "{stderr}");
    let rows = parse_csv(&wd.read("out.csv"));
    assert_eq!(&rows[0][..3], ["sender", "time", "text"]);
    assert_eq!(&rows[1][..3], ["13811112222", "2024-03-01 09:30:00", "你的遗照做好了，今晚发你家族群"]);
    assert_eq!(&rows[2][..2], ["95588", "2024-03-02 18:05:07"]);
    let rejects = parse_csv(&wd.read("out.csv.rejects.csv"));
    let line = rejects[0].iter().position(|c| c == "line").unwrap();
    let reason = rejects[0].iter().position(|c| c == "reason").unwrap();
    assert_eq!(rejects[1][line], "5", "the spreadsheet's row number, the header being row 1");
    assert!(rejects[1][reason].contains("(31 > 30 characters)"), "{rejects:?}");
}

#[test]
fn a_sheet_is_chosen_by_name_and_an_unknown_one_lists_the_sheets() {
    let wd = Workdir::new();
    wd.write("export.xlsx", workbook());
    let rows = parse_csv(&wd.ok(&["classify", "export.xlsx", "--sheet", "其他", "-q"]));
    assert_eq!(rows.len(), 2, "{rows:?}");
    assert_eq!(rows[1][0], "再不还钱就爆你通讯录");
    let out = wd.run(&["classify", "export.xlsx", "--sheet", "Sheet1"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains(r#"export.xlsx: no sheet named "Sheet1"; the sheets are: "短信", "其他""#), "{stderr}");
}

#[test]
fn a_binary_file_named_as_text_says_what_it_is() {
    let wd = Workdir::new();
    wd.write("report.csv", workbook());
    let out = wd.run(&["classify", "report.csv"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("report.csv: not text but a ZIP archive (an Excel .xlsx"), "{stderr}");
    assert!(stderr.contains("--input-format xlsx") && !stderr.contains("UTF-8 (try --encoding)"), "{stderr}");
    // and as it says, --format xlsx reads it
    let rows = parse_csv(&wd.ok(&["classify", "report.csv", "--input-format", "xlsx", "-q"]));
    assert_eq!(rows.len(), 4, "{rows:?}");
    let cases: &[(&str, &[u8], &str)] = &[
        ("mmssms.txt", b"SQLite format 3\0\x10\0\x01\x01", "an SQLite database"),
        ("chat.csv", b"%PDF-1.7\n%\xE2\xE3\xCF\xD3\n", "a PDF document"),
        ("old.csv", b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1\0\0\0\0", "an Excel 97-2003 workbook (.xls)"),
        ("shot.txt", b"\x89PNG\r\n\x1A\n\0\0\0\rIHDR", "a PNG image"),
        ("sms.jsonl", b"\x1F\x8B\x08\0\0\0\0\0", "a gzip-compressed file"),
    ];
    for (name, bytes, what) in cases {
        wd.write(name, bytes);
        let out = wd.run(&["classify", name]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{name}: {stderr}");
        assert!(stderr.contains(&format!("{name}: not text but {what}")), "{name}: {stderr}");
    }
    // text asked to be read as a workbook
    wd.write("plain.csv", "text\n你好\n");
    let out = wd.run(&["classify", "plain.csv", "--format", "xlsx"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("plain.csv: not an Excel or OpenDocument workbook"), "{stderr}");
}

#[test]
fn csv_output_can_carry_a_bom_or_be_gb18030() {
    let wd = Workdir::new();
    let input = repo_root().join("tests/fixtures/formats/bom.csv");
    let input = input.to_str().unwrap();
    let plain = wd.ok(&["classify", input, "-q"]);
    assert!(!plain.starts_with('\u{FEFF}'), "UTF-8 without a BOM by default");
    wd.ok(&["classify", input, "-q", "--output-encoding", "utf-8-bom", "-o", "bom.csv"]);
    let bom = std::fs::read(wd.path("bom.csv")).unwrap();
    assert_eq!(&bom[..3], b"\xEF\xBB\xBF");
    assert_eq!(&bom[3..], plain.as_bytes(), "the same rows after the mark");
    wd.ok(&["classify", input, "-q", "--output-encoding", "gb18030", "-o", "gb.csv"]);
    let gb = std::fs::read(wd.path("gb.csv")).unwrap();
    assert!(std::str::from_utf8(&gb).is_err(), "transcoded");
    let (decoded, had_errors) = encoding_rs::GB18030.decode_without_bom_handling(&gb);
    assert!(!had_errors);
    assert_eq!(decoded, plain, "GB18030 decodes back to the same text");
    // every character, those beyond the BMP and the private-use U+E5E5 included
    let text = "还钱😀 \u{E5E5} \u{20000} ok";
    wd.write("rare.csv", format!("text\n{text}\n"));
    wd.ok(&["classify", "rare.csv", "-q", "--output-encoding", "gb18030", "-o", "rare.out.csv"]);
    let rare = std::fs::read(wd.path("rare.out.csv")).unwrap();
    let (decoded, _) = encoding_rs::GB18030.decode_without_bom_handling(&rare);
    // encoding_rs reads GB18030's A3 A0 as U+3000; Windows and ICU as U+E5E5
    assert!(rare.windows(2).any(|w| w == b"\xA3\xA0"));
    assert_eq!(parse_csv(&decoded)[1][0], text.replace('\u{E5E5}', "\u{3000}"));
    // the scan report's CSV too; JSON Lines stays UTF-8
    wd.ok(&[
        "report",
        "scan",
        input,
        "-q",
        "--output-format",
        "csv",
        "--output-encoding",
        "utf-8-bom",
        "-o",
        "scan.csv",
    ]);
    assert!(std::fs::read(wd.path("scan.csv")).unwrap().starts_with(b"\xEF\xBB\xBFsection,key,name,count"));
    let out = wd.run(&["classify", input, "--output-format", "jsonl", "--output-encoding", "gb18030"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("JSON Lines and xlsx are always UTF-8"));
}

#[test]
fn input_format_and_output_format_mean_the_same_in_every_command() {
    let wd = Workdir::new();
    // a JSON Lines file named .txt: only --input-format jsonl reads it as JSON
    wd.write("msgs.txt", "{\"text\": \"再不还钱就爆你通讯录\", \"label\": \"intimidation\"}\n{\"text\": \"您的账单已出，请按时还款\", \"label\": \"lawful_reminder\"}\n");
    for sub in [&["classify"][..], &["segment"], &["report", "scan"], &["eval"]] {
        let help = wd.ok(&[sub, &["--help"]].concat());
        assert!(help.contains("--input-format"), "{sub:?}: {help}");
        assert!(!help.contains(" --format"), "{sub:?} shows the old spelling: {help}");
        let new = wd.run(&[sub, &["msgs.txt", "--input-format", "jsonl"]].concat());
        let old = wd.run(&[sub, &["msgs.txt", "--format", "jsonl"]].concat());
        let sub = sub.join(" ");
        if sub == "report scan" {
            // in a report the old --format was the report's format, and still is
            assert_ne!(old.status.code(), Some(0), "{sub}: --format jsonl is no report format");
            let json = wd.ok(&["report", "scan", "msgs.txt", "--input-format", "jsonl", "--format", "json", "-q"]);
            let alias: serde_json::Value = serde_json::from_str(&json).unwrap();
            let json =
                wd.ok(&["report", "scan", "msgs.txt", "--input-format", "jsonl", "--output-format", "json", "-q"]);
            let spelled: serde_json::Value = serde_json::from_str(&json).unwrap();
            assert_eq!(alias["total"], 2);
            assert_eq!(alias["by_label"], spelled["by_label"]);
        } else {
            assert_eq!(new.status.code(), Some(0), "{sub}: {}", String::from_utf8_lossy(&new.stderr));
            assert_eq!(new.stdout, old.stdout, "{sub}: the old spelling reads the same");
        }
    }
    for sub in [&["classify"][..], &["report", "evidence"], &["report", "scan"]] {
        assert!(wd.ok(&[sub, &["--help"]].concat()).contains("--output-format"), "{sub:?}");
    }
}

/// Every sheet of a workbook as rows of cells shown as text (numbers as calamine prints them).
fn workbook_rows(path: &std::path::Path) -> Vec<(String, Vec<Vec<calamine::Data>>)> {
    use calamine::Reader;
    let mut book: calamine::Xlsx<_> = calamine::open_workbook(path).unwrap();
    book.worksheets().into_iter().map(|(name, range)| (name, range.rows().map(|r| r.to_vec()).collect())).collect()
}

#[test]
fn classify_and_scan_write_xlsx_with_the_rows_of_their_csv() {
    use calamine::Data;
    let wd = Workdir::new();
    let input = repo_root().join("data/examples/messages.csv");
    let input = input.to_str().unwrap();
    let csv = parse_csv(&wd.ok(&["classify", input, "-q", "--probabilities"]));
    // the format comes from -o's extension
    wd.ok(&["classify", input, "-q", "--probabilities", "-o", "out.xlsx"]);
    let sheets = workbook_rows(&wd.path("out.xlsx"));
    assert_eq!(sheets.len(), 1);
    let (name, rows) = &sheets[0];
    assert_eq!(name, "classified");
    assert_eq!(rows.len(), csv.len(), "one row a record, and the header");
    let confidence = csv[0].iter().position(|c| c == "confidence").unwrap();
    let p_other = csv[0].iter().position(|c| c == "p_other").unwrap();
    for (cells, fields) in rows.iter().zip(&csv).skip(1) {
        for (i, (cell, field)) in cells.iter().zip(fields).enumerate() {
            match cell {
                Data::Float(v) => {
                    assert!(i == confidence || i >= p_other - 3, "column {i} is no number column");
                    assert_eq!(format!("{v}"), field.trim_end_matches('0').trim_end_matches('.'), "column {i}");
                }
                Data::String(s) => assert_eq!(s, field, "column {i}"),
                Data::Empty => assert_eq!(field, "", "column {i}"),
                other => panic!("unexpected cell {other:?} in column {i}"),
            }
        }
    }
    // an explicit format that disagrees with -o is an error; JSON Lines by extension
    let out = wd.run(&["classify", input, "--output-format", "csv", "-o", "x.xlsx"]);
    assert_eq!(out.status.code(), Some(2));
    wd.ok(&["classify", input, "-q", "-o", "out.jsonl"]);
    assert!(wd.read("out.jsonl").starts_with('{'));

    // the scan: its CSV rows on the sheet `scan`, the run and the inputs' checksums beside
    let scan_csv = parse_csv(&wd.ok(&["report", "scan", input, "-q", "--output-format", "csv"]));
    wd.ok(&["report", "scan", input, "-q", "-o", "scan.xlsx"]);
    let sheets = workbook_rows(&wd.path("scan.xlsx"));
    let names: Vec<&str> = sheets.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["scan", "run", "files"]);
    let shown: Vec<Vec<String>> = sheets[0].1.iter().map(|r| r.iter().map(|c| c.to_string()).collect()).collect();
    assert_eq!(shown, scan_csv);
    assert!(sheets[0].1[1..].iter().all(|r| matches!(r[3], Data::Float(_))), "counts are numbers");
    assert!(scan_csv.iter().any(|r| r[0] == "read" && r[3] == (csv.len() - 1).to_string()), "{scan_csv:?}");
    assert!(scan_csv.iter().any(|r| r[0] == "rejected" && r[3] == "0"));
    let files = &sheets[2].1;
    assert_eq!(files[1][0].to_string(), input);
    let bytes = std::fs::read(input).unwrap();
    assert_eq!(files[1][1].to_string(), bytes.len().to_string());
    assert_eq!(files[1][2].to_string().len(), 64, "a SHA-256 in hex");
}
