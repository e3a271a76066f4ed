//! Labels of one's own (issue #15), end to end with the real binary: train on a set that is not
//! the built-in four, then classify, eval, explain and `model info` by its names; the reports,
//! which need the built-in labels, refuse such a model and its classified output.

mod common;

use common::{Workdir, parse_csv};

/// Three labels of one's own, three written rows each, in no particular order.
const OWN: &str = "id,text,label
p1,双十一大促，全场五折，点击链接立即抢购,promo
b1,您本月的电费账单为128元，请于25日前缴纳,bill
m1,晚上一起吃饭吗，我在老地方等你,personal
p2,新店开业，进店即送优惠券，欢迎光临,promo
b2,本期信用卡账单金额3560元，最后还款日为15日,bill
m2,妈妈说周末回家，记得带点水果,personal
p3,限时特价，会员专享满减活动火热进行中,promo
b3,您的话费账单已出，本月消费89元,bill
m3,生日快乐，祝你天天开心,personal
";

const TRAIN: [&str; 8] = ["train", "own.csv", "-o", "own.model", "--epochs", "20", "--bucket-bits", "12"];

fn trained() -> Workdir {
    let wd = Workdir::new();
    wd.write("own.csv", OWN);
    let out = wd.ok(&TRAIN);
    assert!(out.contains("labels of its own: bill, personal, promo"), "{out}");
    wd
}

/// Runs, requires exit status 2, and returns standard error.
fn fails(wd: &Workdir, args: &[&str]) -> String {
    let out = wd.run(args);
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(2), "cuishou {args:?} should fail; stderr: {err}");
    err
}

#[test]
fn train_is_deterministic_and_model_info_shows_the_set() {
    let wd = trained();
    let first = std::fs::read(wd.path("own.model")).unwrap();
    wd.ok(&TRAIN);
    assert_eq!(first, std::fs::read(wd.path("own.model")).unwrap(), "same data and seed, same bytes");
    let info = wd.ok(&["model", "info", "own.model"]);
    assert!(info.contains("labels        bill, personal, promo  (labels of its own"), "{info}");
    assert!(info.contains("tags          (none)"), "{info}");
    let json: serde_json::Value = serde_json::from_str(&wd.ok(&["model", "info", "own.model", "--json"])).unwrap();
    assert_eq!(json["labels"], serde_json::json!(["bill", "personal", "promo"]));
    assert_eq!(json["builtin_labels"], false);
    let builtin: serde_json::Value = serde_json::from_str(&wd.ok(&["model", "info", "--json"])).unwrap();
    assert_eq!(builtin["builtin_labels"], true);
    // held-out scoring by the set's names too
    let mut args = TRAIN.to_vec();
    args.extend(["--cv", "3", "--loso", "--loso-out", "held.csv"]);
    let out = wd.ok(&args);
    assert!(out.contains("3-fold cross-validation") && out.contains("  promo  "), "{out}");
    let held = parse_csv(&wd.read("held.csv"));
    assert_eq!(held[0], ["slice", "id", "gold", "predicted", "confidence", "bill", "personal", "promo", "text"]);
    assert_eq!(held.len(), 1 + 9, "every written row held out once");
}

#[test]
fn classify_writes_the_sets_names_probabilities_and_top_k() {
    let wd = trained();
    wd.write("in.csv", "id,text\n1,全场五折限时抢购\n2,本月电费账单128元\n3,周末一起吃饭吗\n");
    let args = ["classify", "in.csv", "--model", "own.model", "--probabilities", "--top-k", "3"];
    let rows = parse_csv(&wd.ok(&args));
    assert_eq!(
        rows[0],
        [
            "id",
            "text",
            "label",
            "confidence",
            "tags",
            "evidence",
            "p_bill",
            "p_personal",
            "p_promo",
            "top1_label",
            "top1_p",
            "top2_label",
            "top2_p",
            "top3_label",
            "top3_p"
        ]
    );
    let labels: Vec<&str> = rows[1..].iter().map(|r| r[2].as_str()).collect();
    assert_eq!(labels, ["promo", "bill", "personal"]);
    for r in &rows[1..] {
        assert_eq!(r[4], "", "no tags for labels of one's own");
        let p: Vec<f64> = r[6..9].iter().map(|v| v.parse().unwrap()).collect();
        assert!((p.iter().sum::<f64>() - 1.0).abs() < 1e-3, "{r:?}");
        assert_eq!(r[9], r[2], "the top label is the label");
        assert_eq!(r[3], r[10], "its probability is the confidence");
    }
    // a workbook: the same rows, the set's probabilities (and the top-k ones) stored as numbers
    wd.ok(&[&args[..], &["-o", "out.xlsx", "-q"]].concat());
    let mut book: calamine::Xlsx<_> = calamine::open_workbook(wd.path("out.xlsx")).unwrap();
    let sheet = calamine::Reader::worksheet_range(&mut book, "classified").unwrap();
    let cells: Vec<Vec<calamine::Data>> = sheet.rows().map(|r| r.to_vec()).collect();
    assert_eq!(cells.len(), rows.len());
    let header: Vec<String> = cells[0].iter().map(|c| c.to_string()).collect();
    assert_eq!(header, rows[0], "the set's column names");
    for (cells, fields) in cells.iter().zip(&rows).skip(1) {
        for i in [3, 6, 7, 8, 10, 12, 14] {
            assert!(matches!(cells[i], calamine::Data::Float(_)), "column {} is a number: {:?}", rows[0][i], cells[i]);
        }
        assert_eq!(cells[2].to_string(), fields[2], "the label, by the set's name");
        assert!(matches!(cells[9], calamine::Data::String(_)), "top1_label is text");
    }
    // JSON Lines: a probabilities object by the set's names
    let out = wd.ok(&["classify", "in.csv", "--model", "own.model", "--probabilities", "--output-format", "jsonl"]);
    let first: serde_json::Value = serde_json::from_str(out.lines().next().unwrap()).unwrap();
    let names: Vec<&String> = first["probabilities"].as_object().unwrap().keys().collect();
    assert_eq!(names, ["bill", "personal", "promo"]);
    // no `other` to send doubtful messages to; a prior names the set's labels
    let err = fails(&wd, &["classify", "in.csv", "--model", "own.model", "--min-confidence", "0.7"]);
    assert!(err.contains("--min-confidence") && err.contains("bill, personal, promo"), "{err}");
    let err = fails(&wd, &["classify", "in.csv", "--model", "own.model", "--prior", "other=0.9"]);
    assert!(err.contains("unknown label \"other\""), "{err}");
    wd.ok(&["classify", "in.csv", "--model", "own.model", "--prior", "promo=0.5"]);
    let err = fails(&wd, &["classify", "in.csv", "--model", "own.model", "--top-k", "4"]);
    assert!(err.contains("--top-k 4 is more than the model's 3 labels (bill, personal, promo)"), "{err}");
}

#[test]
fn eval_scores_by_name_and_names_a_label_the_model_lacks() {
    let wd = trained();
    wd.write("dev.csv", "text,label\n全场五折限时抢购,promo\n本月电费账单128元,bill\n周末一起吃饭吗,personal\n");
    let json: serde_json::Value =
        serde_json::from_str(&wd.ok(&["eval", "dev.csv", "--model", "own.model", "--json"])).unwrap();
    assert_eq!(json["rows"], 3);
    assert_eq!(json["confusion"]["promo"]["promo"], 1);
    assert_eq!(json["confusion"]["bill"].as_object().unwrap().len(), 3, "{json}");
    let table = wd.ok(&["eval", "dev.csv", "--model", "own.model"]);
    assert!(table.contains("confusion") && table.contains("personal"), "{table}");
    wd.write("bad.csv", "text,label\n全场五折,promo\n验证码482913,spam\n");
    let err = fails(&wd, &["eval", "bad.csv", "--model", "own.model"]);
    assert!(err.contains("bad.csv:3") && err.contains("\"spam\"") && err.contains("bill, personal, promo"), "{err}");
}

#[test]
fn explain_shows_every_label_of_the_set() {
    let wd = trained();
    let out = wd.ok(&["explain", "本期信用卡账单金额3560元", "--model", "own.model"]);
    assert!(out.starts_with("label       bill ("), "{out}");
    assert!(out.contains("scores      bill 0.") && out.contains(", promo 0."), "{out}");
    for label in ["\nbill\n", "\npersonal\n", "\npromo\n"] {
        assert!(out.contains(label), "a for/against section per label: {out}");
    }
}

#[test]
fn reports_refuse_a_model_or_a_classified_file_with_labels_of_its_own() {
    let wd = trained();
    wd.write("phone.csv", "sender,time,text\n10086,2024-05-01 10:00,全场五折限时抢购\n");
    let err = fails(&wd, &["report", "evidence", "phone.csv", "--model", "own.model", "-o", "e.html"]);
    assert!(
        err.contains(
            "report evidence needs a model with the four built-in labels \
             (lawful_reminder, intimidation, doctored_image_threat, other); model own.model has: bill, personal, promo"
        ),
        "{err}"
    );
    let err = fails(&wd, &["report", "scan", "phone.csv", "--model", "own.model", "-o", "s.html"]);
    assert!(err.contains("report scan needs a model with the four built-in labels"), "{err}");
    assert!(!wd.path("e.html").exists() && !wd.path("s.html").exists());
    // the classified output of such a model is refused as a whole, not row by row
    wd.ok(&["classify", "phone.csv", "--model", "own.model", "-o", "labelled.csv"]);
    let err = fails(&wd, &["report", "scan", "labelled.csv", "-o", "s.html"]);
    assert!(err.contains("report scan needs the four built-in labels") && err.contains("\"promo\""), "{err}");
}
