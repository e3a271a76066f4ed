//! `cuishou report evidence` and `cuishou report scan` end to end: the JSON forms (snapshots of
//! classified input, so they do not move with the model), the CSV and Markdown forms,
//! redaction, the bundled samples, and errors.

mod common;

use common::{Workdir, repo_root};
use serde_json::{Value, json};

/// A phone export that is already classified (as `cuishou classify` writes it).
const CLASSIFIED_PHONE: &str = "id,sender,contact_name,time,text,label,confidence,tags,evidence
1,10690001,,2026-03-01 09:12,【速融宝】您的借款将于03月05日到期，请按时还款。,lawful_reminder,0.9100,,
2,138 1111 2222,催收A,2026-03-09 21:03,再不还钱明天就给你通讯录里每个人打电话,intimidation,0.9500,contacts,通讯录@9-12
3,13811112222,(Unknown),2026-03-08 08:15,你的照片我们已经P好了，黑白的,doctored_image_threat,0.9700,image,P好了@8-11
4,13900001111,妈妈,2026-03-02 18:00,周末回家吃饭吗,other,0.9900,,
5,17155550123,,1773054000000,今晚去你家找你爸妈,intimidation,0.8000,visit;contacts,去你家@2-5
6,+86 138-1111-2222,,2026-03-10 22:00,老赖，打13911112222问问你妈,intimidation,0.7000,insult,
";

/// A complaint corpus that is already classified.
const CLASSIFIED_COMPLAINTS: &str = "id,platform,time,text,label,confidence,tags,evidence
c1,橙意贷,2025-01-06 09:41,催收打电话给我单位领导和同事,intimidation,0.9,contacts,
c2,,2025-01-09 20:13,【速融宝】您的借款已逾期3天，请尽快还款。,lawful_reminder,0.8,,
c3,,2025-02-03T10:00:00+08:00,投诉对象：米粒花 催收说要把我P成遗照发给我通讯录,doctored_image_threat,0.95,contacts;image,P成遗照@15-19
c4,橙意贷,2025/02/15,催收骂我全家不得好死,intimidation,0.7,insult,
c5,,,您的投诉已受理，请保持电话畅通。,other,0.9,,
c6,,1740787200000,小鹿钱包的催收天天打我爸妈电话,intimidation,0.85,contacts,
";

fn labels(l: u64, i: u64, d: u64, o: u64) -> Value {
    json!({"lawful_reminder": l, "intimidation": i, "doctored_image_threat": d, "other": o})
}

fn tags(contacts: u64, visit: u64, insult: u64, image: u64) -> Value {
    json!({"contacts": contacts, "visit": visit, "violence": 0, "false_legal": 0, "insult": insult, "exposure": 0, "image": image})
}

fn parse(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("not JSON ({e}):\n{text}"))
}

#[test]
fn evidence_json_form() {
    let wd = Workdir::new();
    wd.write("phone.csv", CLASSIFIED_PHONE);
    let mut out = parse(&wd.ok(&["report", "evidence", "phone.csv", "--output-format", "json", "-q"]));
    // the run (chain of custody) comes last, and attachments (none here) after each sender's
    // review; their own tests check them
    assert!(out.as_object_mut().unwrap().remove("run").is_some());
    let mut keys_of_first = Vec::new();
    for s in out["senders"].as_array_mut().unwrap() {
        keys_of_first = s.as_object().unwrap().keys().cloned().collect();
        assert_eq!(s.as_object_mut().unwrap().remove("attachments"), Some(json!([])));
    }
    assert_eq!(keys_of_first.last().map(String::as_str), Some("attachments"));
    let expected = json!({
        "senders": [
            {
                "sender": "13811112222",
                "contact_name": "催收A",
                "counts": labels(0, 2, 1, 0),
                "tags": tags(1, 0, 1, 1),
                "first": "2026-03-08T08:15:00",
                "last": "2026-03-10T22:00:00",
                "messages": [
                    {"id": "3", "time": "2026-03-08T08:15:00", "text": "你的照片我们已经P好了，黑白的",
                     "label": "doctored_image_threat", "tags": ["image"],
                     "evidence": [{"start": 8, "end": 11, "text": "P好了"}]},
                    {"id": "2", "time": "2026-03-09T21:03:00", "text": "再不还钱明天就给你通讯录里每个人打电话",
                     "label": "intimidation", "tags": ["contacts"],
                     "evidence": [{"start": 9, "end": 12, "text": "通讯录"}]},
                    {"id": "6", "time": "2026-03-10T22:00:00", "text": "老赖，打13911112222问问你妈",
                     "label": "intimidation", "tags": ["insult"], "evidence": []}
                ],
                "review": []
            },
            {
                "sender": "17155550123",
                "contact_name": "",
                "counts": labels(0, 1, 0, 0),
                "tags": tags(1, 1, 0, 0),
                "first": "2026-03-09T19:00:00+08:00",
                "last": "2026-03-09T19:00:00+08:00",
                "messages": [
                    {"id": "5", "time": "2026-03-09T19:00:00+08:00", "text": "今晚去你家找你爸妈",
                     "label": "intimidation", "tags": ["contacts", "visit"],
                     "evidence": [{"start": 2, "end": 5, "text": "去你家"}]}
                ],
                "review": []
            },
            {
                "sender": "10690001",
                "contact_name": "",
                "counts": labels(1, 0, 0, 0),
                "tags": tags(0, 0, 0, 0),
                "first": "2026-03-01T09:12:00",
                "last": "2026-03-01T09:12:00",
                "messages": [],
                "review": []
            }
        ],
        "total": 6,
        "outgoing": 0,
        "excluded": 0,
        "unparsed_times": 0
    });
    assert_eq!(out, expected, "got:\n{}", serde_json::to_string_pretty(&out).unwrap());
    // the keys in the documented order
    let keys: Vec<&String> = out["senders"][0].as_object().unwrap().keys().collect();
    assert_eq!(keys, ["sender", "contact_name", "counts", "tags", "first", "last", "messages", "review"]);
    let keys: Vec<&String> = out["senders"][0]["messages"][0].as_object().unwrap().keys().collect();
    assert_eq!(keys, ["id", "time", "text", "label", "tags", "evidence"]);
}

#[test]
fn scan_json_form() {
    let wd = Workdir::new();
    wd.write("complaints.csv", CLASSIFIED_COMPLAINTS);
    let mut out = parse(&wd.ok(&["report", "scan", "complaints.csv", "--output-format", "json", "-q"]));
    let run = out.as_object_mut().unwrap().remove("run").expect("the run's counts");
    assert_eq!((run["read"].as_u64(), run["rejected"].as_u64()), (Some(6), Some(0)));
    let expected = json!({
        "total": 6,
        "review": 0,
        "empty": 0,
        "unparsed_times": 0,
        "by_label": labels(1, 3, 1, 1),
        "by_tag": tags(3, 0, 1, 1),
        "by_platform": {
            "橙意贷": labels(0, 2, 0, 0),
            "小鹿钱包": labels(0, 1, 0, 0),
            "米粒花": labels(0, 0, 1, 0),
            "unknown": labels(0, 0, 0, 1),
            "速融宝": labels(1, 0, 0, 0)
        },
        "by_month": {
            "2025-01": labels(1, 1, 0, 0),
            "2025-02": labels(0, 1, 1, 0),
            "2025-03": labels(0, 1, 0, 0)
        }
    });
    assert_eq!(out, expected, "got:\n{}", serde_json::to_string_pretty(&out).unwrap());
    let keys: Vec<&String> = out.as_object().unwrap().keys().collect();
    assert_eq!(keys, ["total", "review", "empty", "unparsed_times", "by_label", "by_tag", "by_platform", "by_month"]);
    let platforms: Vec<&String> = out["by_platform"].as_object().unwrap().keys().collect();
    assert_eq!(platforms, ["橙意贷", "小鹿钱包", "米粒花", "unknown", "速融宝"], "most unlawful first");
}

#[test]
fn scan_platform_column_is_named_and_checked() {
    let wd = Workdir::new();
    wd.write("c.csv", CLASSIFIED_COMPLAINTS.replace("id,platform,", "id,lender,"));
    let out =
        parse(&wd.ok(&["report", "scan", "c.csv", "--platform-column", "lender", "--output-format", "json", "-q"]));
    assert_eq!(out["by_platform"]["橙意贷"], labels(0, 2, 0, 0));
    let bad = wd.run(&["report", "scan", "c.csv", "--platform-column", "platfrom", "--output-format", "json"]);
    assert_eq!(bad.status.code(), Some(2));
    let err = String::from_utf8_lossy(&bad.stderr);
    assert!(err.contains("no column named \"platfrom\"") && err.contains("lender"), "{err}");
}

#[test]
fn scan_csv_form_agrees_with_the_json_form() {
    let wd = Workdir::new();
    wd.write("complaints.csv", CLASSIFIED_COMPLAINTS);
    wd.ok(&["report", "scan", "complaints.csv", "-o", "scan.csv", "-q"]);
    wd.ok(&["report", "scan", "complaints.csv", "-o", "scan.json", "-q"]);
    let json = parse(&wd.read("scan.json"));
    let rows = common::parse_csv(&wd.read("scan.csv"));
    assert_eq!(rows[0], ["section", "key", "name", "count"]);
    for row in &rows[1..] {
        let n: u64 = row[3].parse().unwrap();
        let expected = match row[0].as_str() {
            "total" => &json["total"],
            "review" => &json["review"],
            "empty" => &json["empty"],
            "unparsed_times" => &json["unparsed_times"],
            "read" | "rejected" | "declared" => &json["run"][&row[0]],
            "label" => &json["by_label"][&row[2]],
            "tag" => &json["by_tag"][&row[2]],
            "platform" => &json["by_platform"][&row[1]][&row[2]],
            "month" => &json["by_month"][&row[1]][&row[2]],
            "platform_tag" => continue,
            other => panic!("unknown section {other}"),
        };
        assert_eq!(expected.as_u64(), Some(n), "{row:?}");
    }
    assert!(rows.iter().any(|r| r == &["platform_tag", "米粒花", "image", "1"]));
}

#[test]
fn redaction_masks_numbers_in_every_form() {
    let wd = Workdir::new();
    wd.write("phone.csv", CLASSIFIED_PHONE);
    for format in ["json", "html", "md"] {
        let out = wd.ok(&["report", "evidence", "phone.csv", "--redact", "--output-format", format, "-q"]);
        for number in ["13811112222", "1381111", "13911112222", "17155550123"] {
            assert!(!out.contains(number), "{format} still shows {number}");
        }
        assert!(out.contains("10690001"), "{format}: an SMS service number is not personal and stays");
        // Markdown escapes the mask's asterisks, so they cannot turn text bold
        let star = if format == "md" { r"\*" } else { "*" };
        let plus = if format == "md" { r"\+" } else { "+" };
        let a = format!("{}2222", star.repeat(7));
        // a sender is shown grouped to people, kept as it is in JSON
        let b = match format {
            "json" => format!("{}0123", star.repeat(7)),
            _ => format!("{plus}86 {0}{0}{0} {0}{0}{0}{0} 0123", star),
        };
        assert!(out.contains(&a) && out.contains(&b), "{format}: {b}");
    }
    let out = parse(&wd.ok(&["report", "evidence", "phone.csv", "--redact", "--output-format", "json", "-q"]));
    assert_eq!(out["senders"][0]["messages"][2]["text"], "老赖，打*******2222问问你妈");
    // spans still point at the same words: redaction keeps the length in characters
    assert_eq!(out["senders"][0]["messages"][1]["evidence"][0]["text"], "通讯录");
}

#[test]
fn evidence_markdown_lists_every_unlawful_message_with_its_id() {
    let wd = Workdir::new();
    wd.write("phone.csv", CLASSIFIED_PHONE);
    wd.ok(&["report", "evidence", "phone.csv", "-o", "evidence.md", "-q"]);
    let md = wd.read("evidence.md");
    assert!(md.starts_with("# 催收短信证据汇总"));
    for id in ["编号 3", "编号 2", "编号 6", "编号 5"] {
        assert!(md.contains(id), "{id} missing");
    }
    assert!(md.contains("**P好了**"), "evidence is bold");
    assert!(md.contains("第246条") && md.contains("12378") && md.contains("不是法律意见"));
    assert!(!md.contains("编号 1 ") && !md.contains("编号 4 "), "lawful and ordinary messages are not listed");
}

#[test]
fn evidence_on_the_bundled_phone_export() {
    let wd = Workdir::new();
    let sample = repo_root().join("data/examples/sms-backup.xml");
    let sample = sample.to_str().unwrap();
    let out = parse(&wd.ok(&["report", "evidence", sample, "--output-format", "json", "-q", "--threads", "2"]));
    assert_eq!(out["total"], 40);
    let senders = out["senders"].as_array().unwrap();
    assert!(senders.len() >= 2, "at least the two collectors");
    let unlawful = |s: &Value| {
        s["counts"]["intimidation"].as_u64().unwrap() + s["counts"]["doctored_image_threat"].as_u64().unwrap()
    };
    for pair in senders.windows(2) {
        assert!(unlawful(&pair[0]) >= unlawful(&pair[1]), "senders sorted by unlawful messages");
    }
    // the collector's +86-formatted number is one sender
    assert_eq!(senders.iter().filter(|s| s["sender"] == "17155550123").count(), 1);
    for s in senders {
        let messages = s["messages"].as_array().unwrap();
        assert_eq!(messages.len() as u64, unlawful(s));
        let times: Vec<&str> = messages.iter().map(|m| m["time"].as_str().unwrap()).collect();
        let mut sorted = times.clone();
        sorted.sort();
        assert_eq!(times, sorted, "messages in time order");
        for m in messages {
            assert!(["intimidation", "doctored_image_threat"].contains(&m["label"].as_str().unwrap()));
            assert!(!m["id"].as_str().unwrap().is_empty());
        }
    }
    let html = wd.ok(&["report", "evidence", sample, "-q"]);
    assert!(html.starts_with("<!DOCTYPE html>") && html.contains("<mark>"));
}

#[test]
fn scan_on_the_bundled_complaints() {
    let wd = Workdir::new();
    let sample = repo_root().join("data/examples/complaints.csv");
    let out = parse(&wd.ok(&["report", "scan", sample.to_str().unwrap(), "--output-format", "json", "-q"]));
    let total = out["total"].as_u64().unwrap();
    assert_eq!(total, 60);
    let sum = |v: &Value| v.as_object().unwrap().values().map(|n| n.as_u64().unwrap()).sum::<u64>();
    assert_eq!(sum(&out["by_label"]), total);
    let platforms: u64 = out["by_platform"].as_object().unwrap().values().map(sum).sum();
    assert_eq!(platforms, total, "every message has one platform");
    let months: u64 = out["by_month"].as_object().unwrap().values().map(sum).sum();
    assert_eq!(months, total, "every complaint has a time");
    // platforms found in the text: the 投诉对象 line, or a lender of the lexicon
    assert!(out["by_platform"].get("米粒花").is_some() && out["by_platform"].get("熊猫钱包").is_some());
}

#[test]
fn labels_can_be_recomputed_on_a_classified_input() {
    let wd = Workdir::new();
    wd.write("phone.csv", CLASSIFIED_PHONE);
    let input = parse(&wd.ok(&["report", "scan", "phone.csv", "--output-format", "json", "-q"]));
    let classified =
        parse(&wd.ok(&["report", "scan", "phone.csv", "--output-format", "json", "-q", "--labels", "classify"]));
    assert_eq!(input["total"], 6);
    assert_eq!(classified["total"], 6);
    // a raw input has no labels to read
    wd.write("raw.csv", "id,text\n1,你好\n");
    let out = wd.run(&["report", "scan", "raw.csv", "--labels", "input", "--output-format", "json", "-o", "s.json"]);
    assert_eq!(out.status.code(), Some(3), "the record without a label is rejected");
    assert!(wd.read("s.json.rejects.csv").contains("no \"\"label\"\" field"));
}

#[test]
fn help_shows_examples() {
    let wd = Workdir::new();
    for sub in ["evidence", "scan"] {
        let help = wd.ok(&["report", sub, "--help"]);
        assert!(help.contains("Examples:") && help.contains(&format!("cuishou report {sub}")), "{help}");
        assert!(help.contains("--redact") && help.contains("--input-format") && help.contains("--output-format"));
        // the old spelling works (see tests/formats.rs) but is not shown
        assert!(!help.contains(" --format"), "{help}");
    }
    assert!(wd.ok(&["report", "scan", "--help"]).contains("--platform-column"));
}

#[test]
fn an_output_name_must_agree_with_the_format() {
    let wd = Workdir::new();
    wd.write("phone.csv", CLASSIFIED_PHONE);
    for (report, name) in [("scan", "scan.pdf"), ("evidence", "e.xlsx"), ("scan", "scan.md"), ("evidence", "e.csv")] {
        let out = wd.run(&["report", report, "phone.csv", "-o", name, "-q"]);
        assert_eq!(out.status.code(), Some(2), "{report} -o {name}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("is not written as"), "{err}");
        assert!(!wd.path(name).exists(), "{name} was written");
    }
    let out = wd.run(&["report", "scan", "phone.csv", "-o", "s.json", "--output-format", "html", "-q"]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("make them agree"));
    // a name without an extension takes --format; a matching one is fine
    wd.ok(&["report", "scan", "phone.csv", "-o", "scan-report", "--format", "csv", "-q"]);
    assert!(wd.read("scan-report").starts_with("section,key,name,count"));
    wd.ok(&["report", "evidence", "phone.csv", "-o", "e.MD", "-q"]);
    assert!(wd.read("e.MD").starts_with("# "));
}

#[test]
fn excluded_senders_are_counted_apart_and_sent_messages_can_be_listed() {
    let wd = Workdir::new();
    wd.write("phone.csv", CLASSIFIED_PHONE);
    let all = parse(&wd.ok(&["report", "evidence", "phone.csv", "--output-format", "json", "-q"]));
    let senders = |v: &Value| -> Vec<String> {
        v["senders"].as_array().unwrap().iter().map(|s| s["sender"].as_str().unwrap().to_string()).collect()
    };
    assert!(senders(&all).iter().any(|s| s.contains("1381111")), "{all}");
    // written with +86 and spaces, it still matches every form of that number (rows 2, 3 and 6)
    let out = parse(&wd.ok(&[
        "report",
        "evidence",
        "phone.csv",
        "--format",
        "json",
        "--exclude-sender",
        "+86 138 1111 2222",
        "-q",
    ]));
    assert!(!senders(&out).iter().any(|s| s.contains("1381111")), "{out}");
    assert_eq!((out["excluded"].as_u64(), out["total"].as_u64()), (Some(3), Some(6)));
    let md =
        wd.ok(&["report", "evidence", "phone.csv", "--output-format", "md", "--exclude-sender", "13811112222", "-q"]);
    assert!(md.contains("按用户要求排除的发送方的 3 条消息未列入"), "{md}");
    // sent messages: counted by default, listed with --include-sent
    wd.write(
        "sent.csv",
        "id,sender,time,type,text,label,confidence,tags,evidence\n1,13800001111,2026-03-01 10:00,sent,再不还就去你家,intimidation,0.9,visit,\n",
    );
    let quiet = parse(&wd.ok(&["report", "evidence", "sent.csv", "--output-format", "json", "-q"]));
    assert_eq!((quiet["outgoing"].as_u64(), quiet["senders"].as_array().unwrap().len()), (Some(1), 0));
    let listed = parse(&wd.ok(&["report", "evidence", "sent.csv", "--output-format", "json", "--include-sent", "-q"]));
    assert_eq!((listed["outgoing"].as_u64(), listed["senders"].as_array().unwrap().len()), (Some(0), 1));
}

#[test]
fn the_evidence_report_states_its_chain_of_custody() {
    let wd = Workdir::new();
    wd.write("phone.csv", CLASSIFIED_PHONE);
    let sha = {
        let out = std::process::Command::new("sha256sum").arg(wd.path("phone.csv")).output().unwrap();
        String::from_utf8_lossy(&out.stdout).split_whitespace().next().unwrap().to_string()
    };
    let size = CLASSIFIED_PHONE.len() as u64;
    let json = parse(&wd.ok(&["report", "evidence", "phone.csv", "--output-format", "json", "-q"]));
    let run = &json["run"];
    assert_eq!(run["files"][0]["sha256"], sha);
    assert_eq!(run["files"][0]["bytes"], size);
    assert_eq!((run["read"].as_u64(), run["rejected"].as_u64()), (Some(6), Some(0)));
    assert_eq!(run["cuishou_version"], env!("CARGO_PKG_VERSION"));
    assert!(run["model_sha256"].is_null(), "labels read from the input: no model labelled them");
    assert!(!run["generated"].as_str().unwrap().is_empty());
    for format in ["html", "md"] {
        let page = wd.ok(&["report", "evidence", "phone.csv", "--output-format", format, "-q"]);
        assert!(page.contains(&sha) && page.contains("来源与校验"), "{format}");
    }
    // classified here: the model's checksum is the bundled model's
    let model_sha = {
        let path = common::repo_root().join("models/default.model");
        let out = std::process::Command::new("sha256sum").arg(path).output().unwrap();
        String::from_utf8_lossy(&out.stdout).split_whitespace().next().unwrap().to_string()
    };
    wd.write("raw.csv", "id,sender,time,text\n1,13800001111,2026-03-01 10:00,不还钱就爆你通讯录\n");
    let json = parse(&wd.ok(&["report", "evidence", "raw.csv", "--output-format", "json", "-q"]));
    assert_eq!(json["run"]["model_sha256"], model_sha);
}

#[test]
fn chinese_times_are_read_with_a_reference_date_and_unreadable_ones_are_reported() {
    let wd = Workdir::new();
    wd.write(
        "phone.csv",
        "id,sender,time,text,label,confidence,tags,evidence\n\
         1,13800001111,2025年3月3日 10:00,不还钱就爆你通讯录,intimidation,0.9,contacts,\n\
         2,13800001111,昨天 22:15,明天去你单位,intimidation,0.9,visit,\n\
         3,13800001111,上个月,老赖,intimidation,0.9,insult,\n",
    );
    let out = wd.run(&["report", "evidence", "phone.csv", "--output-format", "json"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("2 message time(s) could not be read") && stderr.contains("--reference-date"), "{stderr}");
    let json = parse(&String::from_utf8_lossy(&out.stdout));
    assert_eq!(
        (json["unparsed_times"].as_u64(), json["senders"][0]["first"].as_str()),
        (Some(2), Some("2025-03-03T10:00:00"))
    );
    let out = wd.run(&["report", "evidence", "phone.csv", "--output-format", "json", "--reference-date", "2025-03-05"]);
    let json = parse(&String::from_utf8_lossy(&out.stdout));
    assert_eq!(json["unparsed_times"].as_u64(), Some(1), "上个月 is no time");
    assert_eq!(json["senders"][0]["last"], "2025-03-04T22:15:00");
    assert!(String::from_utf8_lossy(&out.stderr).contains("\"上个月\""));
}

#[test]
fn pictures_are_listed_under_their_sender() {
    let wd = Workdir::new();
    wd.write(
        "backup.xml",
        r#"<?xml version='1.0' encoding='UTF-8' standalone='yes' ?>
<smses count="3">
  <sms address="13811112222" date="1710043200000" type="1" body="今天不还钱，照片就发你家族群" />
  <mms date="1710050500000" msg_box="1" address="13811112222"><parts>
    <part seq="-1" ct="application/smil" text="&lt;smil/&gt;" />
    <part seq="0" ct="image/jpeg" name="遗照.jpg" />
  </parts></mms>
  <mms date="1710050600000" msg_box="1" address="13900001111"><parts>
    <part seq="0" ct="image/png" name="cat.png" />
  </parts></mms>
</smses>"#,
    );
    let json = parse(&wd.ok(&["report", "evidence", "backup.xml", "--output-format", "json", "-q"]));
    let senders = json["senders"].as_array().unwrap();
    let collector = senders.iter().find(|s| s["sender"] == "13811112222").expect("the collector");
    assert_eq!(collector["attachments"][0]["note"], "image/jpeg 遗照.jpg");
    assert_eq!(collector["attachments"][0]["time"], "2024-03-10T14:01:40+08:00");
    // a sender who sent only a picture is listed too: the picture may be the threat
    assert!(senders.iter().any(|s| s["sender"] == "13900001111" && s["attachments"][0]["note"] == "image/png cat.png"));
    for format in ["html", "md"] {
        let page = wd.ok(&["report", "evidence", "backup.xml", "--output-format", format, "-q"]);
        assert!(page.contains("图片与附件") && page.contains("遗照"), "{format}");
    }
}
