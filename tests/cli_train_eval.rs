//! `cuishou train` and `cuishou eval` end to end: round trip, determinism, metrics by hand.

mod common;

use common::{Workdir, parse_csv};

/// A small labelled set: a few distinct rows per label.
const LABELLED: &str = "id,text,label,tags
a1,您的借款将于明日到期，请按时还款。,lawful_reminder,
a2,您已逾期3天，请尽快还款，逾期将上报征信。,lawful_reminder,
a3,本平台不会联系您的家人，请按期还款。,lawful_reminder,
a4,我方将依法向法院提起诉讼，请于三日内处理。,lawful_reminder,
b1,再不还钱就打爆你通讯录，让你全家知道。,intimidation,contacts
b2,明天我们的人去你单位找你领导。,intimidation,visit;contacts
b3,你个老赖不要脸，走夜路小心点。,intimidation,insult;violence
b4,经侦已经对你立案，等着被拘留吧。,intimidation,false_legal
c1,把你P成遗照发到你家族群。,doctored_image_threat,image;contacts
c2,你的裸照合成好了，今晚发你同事。,doctored_image_threat,image;contacts
c3,给你做张通缉令贴满你小区。,doctored_image_threat,image;exposure
c4,用AI换脸把你做成不雅视频发朋友圈。,doctored_image_threat,image;exposure
d1,您的验证码是482913，五分钟内有效。,other,
d2,快递已到驿站，取件码1035。,other,
d3,周末一起吃火锅吗？,other,
d4,您尾号8821的卡消费128元。,other,
";

#[test]
fn train_then_classify_round_trip_with_deterministic_bytes() {
    let wd = Workdir::new();
    wd.write("train.csv", LABELLED);
    let out = wd.ok(&["train", "train.csv", "-o", "a.model", "--seed", "3", "--epochs", "30", "--bucket-bits", "14"]);
    assert!(out.contains("lawful_reminder") && out.contains("4"), "train prints rows per label: {out}");
    wd.ok(&["train", "train.csv", "-o", "b.model", "--seed", "3", "--epochs", "30", "--bucket-bits", "14"]);
    assert_eq!(std::fs::read(wd.path("a.model")).unwrap(), std::fs::read(wd.path("b.model")).unwrap());
    let rows = parse_csv(&wd.ok(&["classify", "train.csv", "--model", "a.model"]));
    // the input has a label column, so cuishou's own columns are prefixed
    assert_eq!(rows[0][4], "cuishou_label");
    let right = rows[1..].iter().filter(|r| r[2] == r[4]).count();
    assert_eq!(right, 16, "a model fits its own 16 training rows");
}

fn f1(p: f64, r: f64) -> f64 {
    if p + r == 0.0 { 0.0 } else { 2.0 * p * r / (p + r) }
}

#[test]
fn eval_json_agrees_with_metrics_computed_by_hand() {
    let wd = Workdir::new();
    wd.write("train.csv", LABELLED);
    wd.ok(&["train", "train.csv", "-o", "m.model", "--epochs", "30", "--bucket-bits", "14"]);
    // held-out rows, some of which the tiny model will get wrong
    let dev = "text,label
下周一是还款日，请留意。,lawful_reminder
再拖就通知你爸妈和同事。,intimidation
你的黑白照已经做好了。,doctored_image_threat
晚上回家吃饭吗,other
公司通讯录已更新，请查收。,other
我们已经到你家楼下了。,intimidation
";
    wd.write("dev.csv", dev);
    let predicted: Vec<String> =
        parse_csv(&wd.ok(&["classify", "dev.csv", "--model", "m.model"]))[1..].iter().map(|r| r[2].clone()).collect();
    let gold: Vec<String> = parse_csv(dev)[1..].iter().map(|r| r[1].clone()).collect();
    let json: serde_json::Value =
        serde_json::from_str(&wd.ok(&["eval", "dev.csv", "--model", "m.model", "--json"])).unwrap();

    let n = gold.len() as f64;
    let correct = gold.iter().zip(&predicted).filter(|(g, p)| g == p).count() as f64;
    assert!((json["accuracy"].as_f64().unwrap() - correct / n).abs() < 1e-9);
    let mut f1s = Vec::new();
    for label in ["lawful_reminder", "intimidation", "doctored_image_threat", "other"] {
        let tp = gold.iter().zip(&predicted).filter(|(g, p)| *g == label && *p == label).count() as f64;
        let support = gold.iter().filter(|g| *g == label).count() as f64;
        let pred = predicted.iter().filter(|p| *p == label).count() as f64;
        let p = if pred > 0.0 { tp / pred } else { 0.0 };
        let r = if support > 0.0 { tp / support } else { 0.0 };
        let s = &json["per_label"][label];
        assert!((s["precision"].as_f64().unwrap() - p).abs() < 1e-9, "{label} precision");
        assert!((s["recall"].as_f64().unwrap() - r).abs() < 1e-9, "{label} recall");
        assert!((s["f1"].as_f64().unwrap() - f1(p, r)).abs() < 1e-9, "{label} f1");
        assert_eq!(s["support"].as_f64().unwrap(), support);
        if support > 0.0 || pred > 0.0 {
            f1s.push(f1(p, r));
        }
        for (g, p) in gold.iter().zip(&predicted).filter(|(g, _)| *g == label) {
            assert!(json["confusion"][g][p].as_u64().unwrap() >= 1);
        }
    }
    let macro_f1 = f1s.iter().sum::<f64>() / f1s.len() as f64;
    assert!((json["macro_f1"].as_f64().unwrap() - macro_f1).abs() < 1e-9);
    let total: u64 = json["confusion"]
        .as_object()
        .unwrap()
        .values()
        .flat_map(|r| r.as_object().unwrap().values())
        .map(|v| v.as_u64().unwrap())
        .sum();
    assert_eq!(total, gold.len() as u64);
}

#[test]
fn training_on_bad_labels_names_file_and_line() {
    let wd = Workdir::new();
    wd.write("bad.csv", "text,label\n还钱,lawful_reminder\n滚,\n");
    let out = wd.run(&["train", "bad.csv", "-o", "x.model"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("bad.csv") && err.contains("line 3") && err.contains("empty label"), "{err}");
}

#[test]
fn a_label_outside_the_four_makes_labels_of_its_own_and_a_warning_when_mixed() {
    // (before labels of one's own, "threat" was refused; a typo must still not pass unnoticed)
    let wd = Workdir::new();
    wd.write("mixed.csv", "text,label\n还钱,lawful_reminder\n滚,threat\n");
    let out = wd.run(&["train", "mixed.csv", "-o", "x.model", "--bucket-bits", "10", "--epochs", "2"]);
    let (stdout, stderr) = (String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(stdout.contains("labels of its own: lawful_reminder, threat"), "{stdout}");
    assert!(stderr.contains("warning") && stderr.contains("(threat)") && stderr.contains("typos"), "{stderr}");
    // one label is no classifier
    wd.write("one.csv", "text,label\n还钱,bill\n交费,bill\n");
    let out = wd.run(&["train", "one.csv", "-o", "y.model"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.code() == Some(2) && stderr.contains("2 to 32 labels, found 1"), "{stderr}");
}

#[test]
fn leave_one_slice_out_scores_every_written_row_once_and_calibrates_the_model() {
    let wd = Workdir::new();
    // three slices (ids up to the first '-'); an augmented row (id with '~') is trained on, never scored
    let mut csv = sliced();
    csv.push_str("s0-0~spaced,您的借款将于明日到期 请按时还款,lawful_reminder,\n");
    wd.write("slices.csv", &csv);
    let out = wd.ok(&[
        "train",
        "slices.csv",
        "-o",
        "m.model",
        "--loso",
        "--loso-out",
        "held.csv",
        "--epochs",
        "20",
        "--bucket-bits",
        "14",
    ]);
    assert!(out.contains("leave one slice out (3 slices"), "{out}");
    for s in ["s0", "s1", "s2"] {
        assert!(out.lines().any(|l| l.trim_start().starts_with(s)), "slice {s} in the table: {out}");
    }
    assert!(out.contains("pooled over 16 held-out rows"), "{out}");
    let t: f32 = out
        .split("temperature ")
        .nth(1)
        .and_then(|r| r.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .expect("a fitted temperature");
    assert!(out.contains(&format!("--temperature {t}")), "the fitted temperature is stored: {out}");
    let held = parse_csv(&wd.read("held.csv"));
    assert_eq!(held[0][..5], ["slice", "id", "gold", "predicted", "confidence"]);
    assert_eq!(held.len(), 17, "every written row once, the augmented one never");
    assert!(held[1..].iter().all(|r| !r[1].contains('~')));
    // an explicit temperature wins over the fitted one
    let out = wd.ok(&["train", "slices.csv", "-o", "n.model", "--temperature", "2", "--bucket-bits", "14"]);
    assert!(out.contains("--temperature 2"), "{out}");
    let err = wd.run(&["train", "slices.csv", "-o", "n.model", "--temperature", "0"]);
    assert!(!err.status.success());
}

#[test]
fn min_confidence_sends_unsure_collection_labels_to_review_and_prior_shifts_labels() {
    let wd = Workdir::new();
    wd.write("train.csv", LABELLED);
    wd.ok(&["train", "train.csv", "-o", "m.model", "--epochs", "30", "--bucket-bits", "14"]);
    let plain = parse_csv(&wd.ok(&["classify", "train.csv", "--model", "m.model"]));
    assert!(!plain[0].iter().any(|c| c.ends_with("review")), "no review column unless asked");
    // a threshold of 1 sends every collection label to review
    let rows = parse_csv(&wd.ok(&["classify", "train.csv", "--model", "m.model", "--min-confidence", "1"]));
    let review = rows[0].iter().position(|c| c == "cuishou_review").expect("review column");
    for r in &rows[1..] {
        assert_eq!(r[4], "other", "{r:?}");
        assert_eq!(r[review] == "true", r[2] != "other", "{r:?}");
    }
    // JSON Lines carries the flag as a boolean, renamed like the CSV's (the input has a label)
    let jsonl =
        wd.ok(&["classify", "train.csv", "--model", "m.model", "--min-confidence", "1", "--output-format", "jsonl"]);
    assert!(jsonl.lines().all(|l| l.contains("\"cuishou_review\":true") || l.contains("\"cuishou_review\":false")));
    // a strong prior towards other turns more messages into other, never fewer
    let count_other = |rows: &[Vec<String>]| rows[1..].iter().filter(|r| r[4] == "other").count();
    let shifted = parse_csv(&wd.ok(&["classify", "train.csv", "--model", "m.model", "--prior", "other=0.999"]));
    assert!(count_other(&shifted) > count_other(&plain), "{shifted:?}");
    for bad in ["other=1.5", "nonsense=0.5", "other"] {
        let out = wd.run(&["classify", "train.csv", "--model", "m.model", "--prior", bad]);
        assert_eq!(out.status.code(), Some(2), "--prior {bad}");
    }
}

#[test]
fn eval_reports_calibration_error_and_per_tag_scores() {
    let wd = Workdir::new();
    wd.write("train.csv", LABELLED);
    wd.ok(&["train", "train.csv", "-o", "m.model", "--epochs", "30", "--bucket-bits", "14"]);
    let text = wd.ok(&["eval", "train.csv", "--model", "m.model"]);
    assert!(text.contains("expected calibration error"), "{text}");
    assert!(text.contains("contacts") && text.contains("false_legal"), "{text}");
    let json: serde_json::Value =
        serde_json::from_str(&wd.ok(&["eval", "train.csv", "--model", "m.model", "--json"])).unwrap();
    assert!(json["ece"].as_f64().is_some_and(|e| (0.0..=1.0).contains(&e)));
    // the model fits its training rows, so image is always right
    assert_eq!(json["per_tag"]["image"]["recall"].as_f64(), Some(1.0));
    assert_eq!(json["per_tag"]["image"]["support"].as_u64(), Some(4));
}

#[test]
fn a_diverging_training_run_is_an_error_and_leaves_no_model() {
    let wd = Workdir::new();
    wd.write("train.csv", LABELLED);
    let out = wd.run(&["train", "train.csv", "-o", "m.model", "--learning-rate", "1e38", "--bucket-bits", "14"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("diverged"), "{err}");
    assert!(!wd.path("m.model").exists(), "no model is written");
}

#[test]
fn training_without_a_tags_column_does_not_teach_every_tag() {
    let wd = Workdir::new();
    let untagged: String =
        LABELLED.lines().map(|l| l.splitn(4, ',').take(3).collect::<Vec<_>>().join(",") + "\n").collect();
    assert!(untagged.starts_with("id,text,label\n"));
    wd.write("train.csv", untagged);
    wd.ok(&["train", "train.csv", "-o", "m.model", "--epochs", "30", "--bucket-bits", "14"]);
    wd.write("in.csv", "text\n再不还钱就打爆你通讯录，让你全家知道。\n明天我们的人去你单位找你领导。\n");
    let rows = parse_csv(&wd.ok(&["classify", "in.csv", "--model", "m.model"]));
    for row in &rows[1..] {
        assert_eq!(row[1], "intimidation", "{row:?}");
        let tags: Vec<&str> = row[3].split(';').collect();
        assert!(tags.len() < 3, "unknown tags were taught as every tag: {row:?}");
    }
}

#[test]
fn model_info_shows_settings_rows_recorded_scores_and_checksum() {
    let wd = Workdir::new();
    wd.write("train.csv", LABELLED);
    wd.ok(&["train", "train.csv", "-o", "m.model", "--epochs", "3", "--bucket-bits", "14", "--cv", "2"]);
    let info: serde_json::Value = serde_json::from_str(&wd.ok(&["model", "info", "m.model", "--json"])).unwrap();
    let sha = {
        let out = std::process::Command::new("sha256sum").arg(wd.path("m.model")).output().unwrap();
        String::from_utf8_lossy(&out.stdout).split_whitespace().next().unwrap().to_string()
    };
    assert_eq!(info["sha256"], sha);
    assert_eq!(info["bytes"].as_u64(), Some(std::fs::metadata(wd.path("m.model")).unwrap().len()));
    assert_eq!(info["trained_by"], env!("CARGO_PKG_VERSION"));
    assert_eq!(info["features"]["bucket_bits"], 14);
    assert_eq!(info["params"]["epochs"], 3);
    let rows: u64 = info["trained_on"].as_object().unwrap().values().map(|v| v.as_u64().unwrap()).sum();
    assert_eq!(rows as usize, LABELLED.lines().count() - 1);
    let f1 = info["metrics"]["cv_macro_f1"].as_f64().expect("the cross-validated score is recorded");
    assert!((0.0..=1.0).contains(&f1));
    // the built-in model, for people
    let text = wd.ok(&["model", "info"]);
    assert!(
        text.contains("(built in)") && text.contains("temperature   1.2888") && text.contains("64113 rows"),
        "{text}"
    );
}

#[test]
fn train_and_eval_read_gbk_files_and_other_column_names() {
    let wd = Workdir::new();
    // the labelled rows with renamed columns, written in GBK
    let renamed = LABELLED.replacen("id,text,label,tags", "编号,内容,类别,标签", 1);
    let (gbk, _, unmappable) = encoding_rs::GBK.encode(&renamed);
    assert!(!unmappable);
    wd.write("gbk.csv", gbk.as_ref());
    let columns = ["--text-column", "内容", "--label-column", "类别", "--tags-column", "标签", "--id-column", "编号"];
    let mut train = vec!["train", "gbk.csv", "-o", "g.model", "--epochs", "3", "--bucket-bits", "14"];
    train.extend(columns);
    wd.ok(&train);
    // the same rows in UTF-8 with the usual names make the same model
    wd.write("utf8.csv", LABELLED);
    wd.ok(&["train", "utf8.csv", "-o", "u.model", "--epochs", "3", "--bucket-bits", "14"]);
    let same = std::fs::read(wd.path("g.model")).unwrap() == std::fs::read(wd.path("u.model")).unwrap();
    assert!(same, "GBK and renamed columns read the same rows");
    let mut eval = vec!["eval", "gbk.csv", "--model", "g.model", "--json"];
    eval.extend(columns);
    let json: serde_json::Value = serde_json::from_str(&wd.ok(&eval)).unwrap();
    assert_eq!(json["rows"].as_u64(), Some((LABELLED.lines().count() - 1) as u64));
    // a missing label column is named, with the columns found
    let out = wd.run(&["eval", "gbk.csv", "--text-column", "内容"]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("no column named \"label\""));
}

/// The labelled rows in three slices (ids `s0-…`, `s1-…`, `s2-…`), for leave-one-slice-out.
fn sliced() -> String {
    let mut csv = String::from("id,text,label,tags\n");
    for (i, line) in LABELLED.lines().skip(1).enumerate() {
        let rest = line.split_once(',').unwrap().1;
        csv.push_str(&format!("s{}-{i},{rest}\n", i % 3));
    }
    csv
}

fn mean_and_std(values: &[f64]) -> (f64, f64) {
    let n = values.len() as f64;
    let mean = values.iter().sum::<f64>() / n;
    (mean, (values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / n).sqrt())
}

/// Checks a cross-validation object: `k` folds that score every row once and never a row they
/// trained on, and mean and std that are those of the folds.
fn check_cv(cv: &serde_json::Value, k: usize, rows: u64) {
    let folds = cv["folds"].as_array().expect("folds");
    assert_eq!(folds.len(), k, "{cv}");
    assert_eq!(cv["k"].as_u64(), Some(k as u64));
    let held: u64 = folds.iter().map(|f| f["rows"].as_u64().unwrap()).sum();
    assert_eq!(held, rows, "every row is held out once");
    for f in folds {
        assert_eq!(f["rows"].as_u64().unwrap() + f["train_rows"].as_u64().unwrap(), rows, "{f}");
    }
    assert_eq!(cv["pooled"]["rows"].as_u64(), Some(rows));
    for key in ["accuracy", "macro_f1"] {
        let values: Vec<f64> = folds.iter().map(|f| f[key].as_f64().unwrap()).collect();
        let (mean, std) = mean_and_std(&values);
        assert!((cv["mean"][key].as_f64().unwrap() - mean).abs() < 1e-9, "{key} mean: {cv}");
        assert!((cv["std"][key].as_f64().unwrap() - std).abs() < 1e-9, "{key} std: {cv}");
    }
    for label in ["lawful_reminder", "intimidation", "doctored_image_threat", "other"] {
        assert!(cv["mean"]["per_label_f1"][label].as_f64().is_some(), "{label}: {cv}");
        assert!(cv["std"]["per_label_f1"][label].as_f64().is_some(), "{label}: {cv}");
        assert!(folds[0]["per_label"][label]["f1"].as_f64().is_some(), "{label}: {cv}");
    }
}

#[test]
fn grid_search_logs_every_candidate_and_prints_a_reusable_argument_line() {
    let wd = Workdir::new();
    wd.write("train.csv", LABELLED);
    let grid = "epochs=2,3 lr=0.2,0.3 char-ngrams=1-2";
    let out = wd.ok(&[
        "train",
        "train.csv",
        "-o",
        "m.model",
        "--cv",
        "3",
        "--bucket-bits",
        "12",
        "--grid",
        grid,
        "--search-log",
        "log.csv",
    ]);
    let log = parse_csv(&wd.read("log.csv"));
    let mut header = vec!["candidate", "bucket_bits", "word_ngrams", "char_ngrams", "epochs", "learning_rate", "l2"];
    header.extend(["tag_weight", "accuracy", "macro_f1", "mean_accuracy", "std_accuracy", "mean_macro_f1"]);
    header.extend(["std_macro_f1", "f1_lawful_reminder", "f1_intimidation", "f1_doctored_image_threat", "f1_other"]);
    header.extend(["fit_seconds", "winner"]);
    assert_eq!(log[0], header);
    assert_eq!(log.len() - 1, 4, "one row per candidate of the 2x2x1 grid");
    let col = |name: &str| header.iter().position(|h| *h == name).unwrap();
    let tried: Vec<(&str, &str)> =
        log[1..].iter().map(|r| (r[col("epochs")].as_str(), r[col("learning_rate")].as_str())).collect();
    assert_eq!(tried, [("2", "0.2"), ("2", "0.3"), ("3", "0.2"), ("3", "0.3")]);
    assert!(log[1..].iter().all(|r| r[col("bucket_bits")] == "12" && r[col("char_ngrams")] == "1-2"), "{log:?}");
    let winners: Vec<&Vec<String>> = log[1..].iter().filter(|r| r[col("winner")] == "true").collect();
    assert_eq!(winners.len(), 1, "{log:?}");
    let best = log[1..].iter().map(|r| r[col("macro_f1")].parse::<f64>().unwrap()).fold(0.0, f64::max);
    assert_eq!(winners[0][col("macro_f1")].parse::<f64>().unwrap(), best);
    // the winner is printed as an argument line that train takes back
    let line = out.lines().find_map(|l| l.strip_prefix("chosen (")).expect("a chosen line");
    let args_line = line.split_once("): ").expect("chosen (macro-F1 X): ARGS").1;
    assert!(args_line.contains(&format!("--epochs {}", winners[0][col("epochs")])), "{args_line}");
    assert!(args_line.contains(&format!("--learning-rate {}", winners[0][col("learning_rate")])), "{args_line}");
    let mut again = vec!["train", "train.csv", "-o", "again.model", "--cv", "3"];
    again.extend(args_line.split_whitespace());
    wd.ok(&again);
    // the same setting, data and folds make the same model as the search's winner, recorded scores included
    let same = std::fs::read(wd.path("m.model")).unwrap() == std::fs::read(wd.path("again.model")).unwrap();
    assert!(same, "the argument line {args_line:?} does not make the winner's model");
    // the winner's folds, their mean and std are printed
    for row in ["fold ", "1 ", "2 ", "3 ", "mean ", "std ", "pooled "] {
        assert!(out.lines().any(|l| l.starts_with(row)), "no {row:?} row: {out}");
    }
}

#[test]
fn grid_errors_name_the_key_or_the_value() {
    let wd = Workdir::new();
    wd.write("train.csv", LABELLED);
    let fails = |args: &[&str]| {
        let out = wd.run(args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        String::from_utf8_lossy(&out.stderr).to_string()
    };
    let base = ["train", "train.csv", "-o", "m.model", "--cv", "3", "--bucket-bits", "12", "--grid"];
    let err = fails(&[&base[..], &["epochs=2 momentum=0.9"]].concat());
    assert!(err.contains("\"momentum\"") && err.contains("learning-rate") && err.contains("tag-weight"), "{err}");
    let err = fails(&[&base[..], &["epochs=2,0"]].concat());
    assert!(err.contains("epochs=\"0\"") && err.contains("1..=1000"), "{err}");
    let err = fails(&[&base[..], &["char-ngrams=1-9"]].concat());
    assert!(err.contains("char-ngrams=\"1-9\""), "{err}");
    let err = fails(&[&base[..], &["lr=fast"]].concat());
    assert!(err.contains("learning-rate=\"fast\""), "{err}");
    // --grid needs --cv, and replaces --search's grid
    fails(&["train", "train.csv", "-o", "m.model", "--grid", "epochs=2"]);
    fails(&["train", "train.csv", "-o", "m.model", "--cv", "3", "--search", "--grid", "epochs=2"]);
    assert!(!wd.path("m.model").exists(), "no model is written");
}

#[test]
fn train_json_holds_rows_timings_cv_search_and_loso() {
    let wd = Workdir::new();
    wd.write("slices.csv", sliced());
    let args = "train slices.csv -o m.model --cv 3 --grid epochs=2,3 --loso --bucket-bits 12 --json";
    let out = wd.run(&args.split(' ').collect::<Vec<_>>());
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("trained on 16 rows") && stderr.contains("leave one slice out"), "progress: {stderr}");
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("stdout is one JSON object");
    assert_eq!(json["model"], "m.model");
    assert_eq!(json["rows"].as_u64(), Some(16));
    assert_eq!(json["rows_per_label"]["intimidation"].as_u64(), Some(4));
    assert!(json["featurize_seconds"].as_f64().is_some() && json["fit_seconds"].as_f64().is_some());
    assert_eq!(json["bytes"].as_u64(), Some(std::fs::metadata(wd.path("m.model")).unwrap().len()));
    check_cv(&json["cv"], 3, 16);
    let search = &json["search"];
    let candidates = search["candidates"].as_array().unwrap();
    assert_eq!(candidates.len(), 2);
    let winner = search["winner"].as_u64().unwrap() as usize;
    assert_eq!(search["winner_args"], candidates[winner]["args"]);
    assert_eq!(candidates[winner]["cv"], json["cv"], "cv is the winner's");
    for c in candidates {
        check_cv(&c["cv"], 3, 16);
    }
    let args = json["args"].as_str().unwrap();
    assert!(args.starts_with(search["winner_args"].as_str().unwrap()) && args.contains("--temperature"), "{args}");
    let loso = &json["loso"];
    assert_eq!(loso["slices"].as_array().map(Vec::len), Some(3));
    assert_eq!(loso["pooled"]["rows"].as_u64(), Some(16));
    assert_eq!(loso["temperature"], json["temperature"], "the fitted temperature is stored");
    assert!(loso["ece_before"].as_f64().is_some() && loso["worst"]["slice"].is_string());
    // without --cv or --loso, no such keys
    let plain: serde_json::Value = serde_json::from_str(&wd.ok(&[
        "train",
        "slices.csv",
        "-o",
        "p.model",
        "--bucket-bits",
        "12",
        "--epochs",
        "2",
        "--json",
    ]))
    .unwrap();
    assert!(plain.get("cv").is_none() && plain.get("search").is_none() && plain.get("loso").is_none(), "{plain}");
}

#[test]
fn eval_cv_scores_the_recipe_per_fold_with_mean_and_std() {
    let wd = Workdir::new();
    wd.write("train.csv", LABELLED);
    let json: serde_json::Value = serde_json::from_str(&wd.ok(&["eval", "train.csv", "--cv", "3", "--json"])).unwrap();
    check_cv(&json["cv"], 3, 16);
    assert_eq!(json["rows"].as_u64(), Some(16), "the pooled held-out scores at the top, like eval's");
    assert_eq!(json["macro_f1"], json["cv"]["pooled"]["macro_f1"]);
    assert!(json["args"].as_str().unwrap().contains("--seed 42"));
    // a different seed is a different recipe, still three folds
    let seeded: serde_json::Value =
        serde_json::from_str(&wd.ok(&["eval", "train.csv", "--cv", "3", "--seed", "7", "--json"])).unwrap();
    assert!(seeded["args"].as_str().unwrap().contains("--seed 7"));
    let text = wd.ok(&["eval", "train.csv", "--cv", "3"]);
    let first: Vec<&str> = text.lines().map(|l| l.split_whitespace().next().unwrap_or("")).collect();
    assert_eq!(first[1..], ["fold", "1", "2", "3", "mean", "std", "pooled"], "{text}");
    // cross-validation scores no model; too many folds for the rows is an error that says so
    let out = wd.run(&["eval", "train.csv", "--cv", "3", "--model", "m.model"]);
    assert_eq!(out.status.code(), Some(2));
    let out = wd.run(&["eval", "train.csv", "--cv", "200"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("holds no rows"), "{out:?}");
}

#[test]
fn explain_json_says_what_the_text_says() {
    let wd = Workdir::new();
    let message = "本平台不会P图、不会爆通讯录，请按时还款";
    let text = wd.ok(&["explain", message]);
    let json: serde_json::Value = serde_json::from_str(&wd.ok(&["explain", message, "--json"])).unwrap();
    let field = |name: &str| {
        text.lines().find_map(|l| l.strip_prefix(name)).map(str::trim).unwrap_or_else(|| panic!("{name}: {text}"))
    };
    assert_eq!(json["text"], message);
    assert!(field("label").starts_with(json["label"].as_str().unwrap()), "{json}");
    assert_eq!(json["evidence"], field("evidence"));
    assert_eq!(json["normalized"], field("normalized"));
    let tokens: Vec<&str> = json["tokens"].as_array().unwrap().iter().map(|t| t.as_str().unwrap()).collect();
    assert_eq!(tokens.join(" | "), field("tokens"));
    let hits = json["lexicon_hits"].as_array().unwrap();
    assert!(hits.iter().any(|h| h["term"] == "爆通讯录" && h["tag"] == "contacts" && h["negated"] == true), "{json}");
    let labels: Vec<&String> = json["features"].as_object().unwrap().keys().collect();
    assert_eq!(labels, ["lawful_reminder", "intimidation", "doctored_image_threat", "other"]);
    let top = &json["features"]["lawful_reminder"]["for"][0];
    assert!(top["contribution"].as_f64().unwrap() > 0.0 && top["feature"].is_string(), "{json}");
    let sum: f64 = json["scores"].as_object().unwrap().values().map(|v| v.as_f64().unwrap()).sum();
    assert!((sum - 1.0).abs() < 1e-3, "{json}");
}
