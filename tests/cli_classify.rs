//! `cuishou classify` end to end: columns, order, threads, errors, rejects, pipes.

mod common;

use std::io::{BufRead, BufReader, Write};
use std::process::Stdio;

use common::{Workdir, numbered_csv, parse_csv};

const LABELS: [&str; 4] = ["lawful_reminder", "intimidation", "doctored_image_threat", "other"];

#[test]
fn classify_keeps_every_column_and_the_input_order_whatever_the_threads() {
    let wd = Workdir::new();
    wd.write("in.csv", numbered_csv(300));
    let one = wd.ok(&["classify", "in.csv", "--threads", "1", "--chunk-size", "7"]);
    let two = wd.ok(&["classify", "in.csv", "--threads", "2", "--chunk-size", "64"]);
    assert_eq!(one, two, "output must not depend on threads or chunking");
    let rows = parse_csv(&one);
    assert_eq!(rows[0], ["id", "note", "text", "label", "confidence", "tags", "evidence"]);
    assert_eq!(rows.len(), 301);
    let input = parse_csv(&wd.read("in.csv"));
    for (i, (out, inp)) in rows[1..].iter().zip(&input[1..]).enumerate() {
        assert_eq!(&out[..3], &inp[..], "row {i} input columns changed");
        assert!(LABELS.contains(&out[3].as_str()), "row {i}: bad label {}", out[3]);
        let conf: f64 = out[4].parse().unwrap();
        assert!((0.0..=1.0).contains(&conf) && out[4].len() == 6, "row {i}: confidence {}", out[4]);
    }
}

#[test]
fn evidence_spans_are_exact_character_offsets_into_the_original() {
    let wd = Workdir::new();
    wd.write("in.csv", "text\n😀再不还钱就爆 通 讯 錄，把你P成遗照发到你家族群\n");
    let rows = parse_csv(&wd.ok(&["classify", "in.csv"]));
    let text: Vec<char> = rows[1][0].chars().collect();
    let evidence = &rows[1][4];
    assert!(!evidence.is_empty());
    for part in evidence.split(';') {
        let (span, range) = part.rsplit_once('@').unwrap();
        let (s, e) = range.split_once('-').unwrap();
        let (s, e): (usize, usize) = (s.parse().unwrap(), e.parse().unwrap());
        assert_eq!(text[s..e].iter().collect::<String>(), span, "{part}");
    }
}

#[test]
fn reads_standard_input() {
    let wd = Workdir::new();
    let mut child = wd
        .command(&["classify", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(numbered_csv(5).as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    assert_eq!(parse_csv(&String::from_utf8(out.stdout).unwrap()).len(), 6);
}

#[test]
fn a_missing_text_column_is_named_with_the_columns_found() {
    let wd = Workdir::new();
    wd.write("in.csv", "id,body\n1,还钱\n");
    let out = wd.run(&["classify", "in.csv"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("in.csv") && err.contains("\"text\"") && err.contains("id, body"), "{err}");
    // --text-column picks another column
    let rows = parse_csv(&wd.ok(&["classify", "in.csv", "--text-column", "body"]));
    assert_eq!(rows.len(), 2);
}

#[test]
fn bad_rows_go_to_the_rejects_file_and_the_counts_reconcile() {
    let wd = Workdir::new();
    wd.write("in.csv", b"id,text\n1,\xE8\xBF\x98\xE9\x92\xB1\n2,a,b\n3,\xFF\xFE\n4,ok\n".as_slice());
    let out = wd.run(&["classify", "in.csv", "-o", "out.csv"]);
    assert_eq!(out.status.code(), Some(3), "some rejected: exit 3");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("4 records read, 2 classified, 2 rejected"), "{err}");
    assert_eq!(parse_csv(&wd.read("out.csv")).len(), 3);
    let rejects = parse_csv(&wd.read("out.csv.rejects.csv"));
    assert_eq!(rejects[0], ["file", "line", "reason", "raw"]);
    assert_eq!(rejects.len(), 3);
    assert_eq!(rejects[1][1], "3");
    assert!(rejects[1][2].contains("wrong field count"));
    assert!(rejects[2][2].contains("invalid encoding"));
    // --on-error fail stops with status 2 and leaves no finished-looking output file
    let out = wd.run(&["classify", "in.csv", "-o", "strict.csv", "--on-error", "fail"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(!wd.path("strict.csv").exists());
    // a clean rerun to the same output leaves no earlier rejects file behind
    wd.write("in.csv", "id,text\n1,还钱\n");
    wd.ok(&["classify", "in.csv", "-o", "out.csv", "--quiet"]);
    assert!(!wd.path("out.csv.rejects.csv").exists(), "the earlier run's rejects file was left");
    // segment says so in its exit status too
    wd.write("bad.csv", b"id,text\n1,a,b\n2,ok\n".as_slice());
    assert_eq!(wd.run(&["segment", "bad.csv"]).status.code(), Some(3));
}

#[test]
fn a_corrupt_or_foreign_model_is_a_clear_error() {
    let wd = Workdir::new();
    wd.write("in.csv", "text\n还钱\n");
    wd.write("foreign.model", "this is not a model");
    let out = wd.run(&["classify", "in.csv", "--model", "foreign.model"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a cuishou model"));
    let bundled = std::fs::read(common::repo_root().join("models/default.model")).unwrap();
    wd.write("cut.model", &bundled[..bundled.len() / 3]);
    let out = wd.run(&["classify", "in.csv", "--model", "cut.model"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("cut.model") && (err.contains("corrupt") || err.contains("truncated")), "{err}");
    // a huge file with a model's prefix is refused by its size, before it is read (sparse file)
    let huge = std::fs::File::create(wd.path("huge.model")).unwrap();
    huge.set_len(8 << 30).unwrap();
    drop(huge);
    let mut prefix = bundled[..16].to_vec();
    prefix[12..16].copy_from_slice(&1000u32.to_le_bytes());
    let mut f = std::fs::OpenOptions::new().write(true).open(wd.path("huge.model")).unwrap();
    f.write_all(&prefix).unwrap();
    drop(f);
    let out = wd.run(&["classify", "in.csv", "--model", "huge.model"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.code() == Some(2) && err.contains("more than the largest model"), "{err}");
}

#[test]
fn a_closed_output_pipe_ends_quietly() {
    let wd = Workdir::new();
    wd.write("big.csv", numbered_csv(20_000));
    let mut child = wd
        .command(&["classify", "big.csv", "--chunk-size", "256"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut first).unwrap();
    assert!(first.starts_with("id,note,text,label"));
    // the reader is dropped here: the pipe closes
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0), "stderr: {}", String::from_utf8_lossy(&out.stderr));
}

#[test]
fn help_has_examples_and_version_works() {
    let wd = Workdir::new();
    for cmd in ["classify", "train", "eval", "segment", "explain"] {
        let help = wd.ok(&[cmd, "--help"]);
        assert!(help.contains("Example"), "{cmd} --help has no example");
    }
    assert!(wd.ok(&["--version"]).starts_with("cuishou "));
}

#[test]
fn segment_and_explain_show_what_the_model_sees() {
    let wd = Workdir::new();
    wd.write("in.csv", "text\n再不还钱就爆 通 讯 录，欠款1280元\n");
    let out = wd.ok(&["segment", "in.csv"]);
    assert!(out.contains("爆通讯录"), "{out}");
    assert!(out.contains("<money>"), "{out}");
    let out = wd.ok(&["explain", "本平台不会P图、不会爆通讯录，请按时还款"]);
    for section in ["label", "normalized", "tokens", "lexicon hits", "NEGATED", "for:", "against:"] {
        assert!(out.contains(section), "explain lacks {section}:\n{out}");
    }
}

#[test]
fn redact_masks_numbers_in_every_output_field_but_keeps_evidence_offsets() {
    let wd = Workdir::new();
    wd.write("in.csv", "id,sender,text\n1,13811112222,快还钱 打13811112222找我，不还就爆你通讯录\n");
    wd.ok(&["classify", "in.csv", "--redact", "-o", "out.csv"]);
    let rows = parse_csv(&wd.read("out.csv"));
    assert_eq!(rows[1][1], "*******2222");
    assert_eq!(rows[1][2], "快还钱 打*******2222找我，不还就爆你通讯录");
    assert!(!wd.read("out.csv").contains("13811112222"));
    let text: Vec<char> = rows[1][2].chars().collect();
    for part in rows[1][6].split(';') {
        let (span, range) = part.rsplit_once('@').unwrap();
        let (s, e) = range.split_once('-').unwrap();
        let (s, e): (usize, usize) = (s.parse().unwrap(), e.parse().unwrap());
        assert_eq!(text[s..e].iter().collect::<String>(), span);
    }
}

#[cfg(unix)]
#[test]
fn output_onto_a_fifo_a_device_or_a_link_to_one_is_written_through_never_replaced() {
    use std::os::unix::fs::FileTypeExt;
    let wd = Workdir::new();
    wd.write("in.csv", "text\n你好\n明天不还就爆你通讯录\n");
    // a device, directly and through a symbolic link: still a device afterwards
    std::os::unix::fs::symlink("/dev/null", wd.path("null-link")).unwrap();
    for target in ["/dev/null", "null-link"] {
        wd.ok(&["classify", "in.csv", "-o", target, "--quiet"]);
        assert!(std::fs::metadata("/dev/null").unwrap().file_type().is_char_device(), "{target} replaced /dev/null");
    }
    assert!(std::fs::symlink_metadata(wd.path("null-link")).unwrap().file_type().is_symlink());
    // a FIFO: its reader gets the output, and it stays a FIFO
    let fifo = wd.path("out.fifo");
    assert!(std::process::Command::new("mkfifo").arg(&fifo).status().unwrap().success());
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || std::fs::read_to_string(fifo).unwrap())
    };
    wd.ok(&["classify", "in.csv", "-o", "out.fifo", "--quiet"]);
    let got = reader.join().unwrap();
    assert_eq!(got.lines().count(), 3, "{got}");
    assert!(std::fs::metadata(&fifo).unwrap().file_type().is_fifo());
    // no rejects file is made beside a device
    assert!(!std::path::Path::new("/dev/null.rejects.csv").exists());
}

#[cfg(unix)]
#[test]
fn a_replaced_output_keeps_its_mode_and_a_new_one_follows_the_umask() {
    use std::os::unix::fs::PermissionsExt;
    let wd = Workdir::new();
    wd.write("in.csv", "text\n你好\n");
    let run = |umask: &str| {
        let status = std::process::Command::new("sh")
            .args([
                "-c",
                &format!("umask {umask} && \"$0\" classify in.csv -o out.csv --quiet"),
                env!("CARGO_BIN_EXE_cuishou"),
            ])
            .current_dir(wd.path(""))
            .status()
            .unwrap();
        assert!(status.success());
        std::fs::metadata(wd.path("out.csv")).unwrap().permissions().mode() & 0o777
    };
    assert_eq!(run("027"), 0o640, "a new file follows the umask");
    std::fs::set_permissions(wd.path("out.csv"), std::fs::Permissions::from_mode(0o600)).unwrap();
    assert_eq!(run("022"), 0o600, "a replaced file keeps its mode");
}

#[test]
fn probabilities_add_one_column_per_label_that_sums_to_one() {
    let wd = Workdir::new();
    wd.write("in.csv", "id,text\n1,你好\n2,明天不还就爆你通讯录\n");
    let rows = parse_csv(&wd.ok(&["classify", "in.csv", "--probabilities", "--quiet"]));
    assert_eq!(rows[0][6..], ["p_lawful_reminder", "p_intimidation", "p_doctored_image_threat", "p_other"]);
    for r in &rows[1..] {
        let p: Vec<f64> = r[6..].iter().map(|v| v.parse().unwrap()).collect();
        assert!((p.iter().sum::<f64>() - 1.0).abs() < 1e-3, "{r:?}");
        // the label's probability is its confidence
        let k = ["lawful_reminder", "intimidation", "doctored_image_threat", "other"]
            .iter()
            .position(|l| *l == r[2])
            .unwrap();
        assert_eq!(r[6 + k], r[3], "{r:?}");
    }
    let jsonl = wd.ok(&["classify", "in.csv", "--probabilities", "--output-format", "jsonl", "--quiet"]);
    let first: serde_json::Value = serde_json::from_str(jsonl.lines().next().unwrap()).unwrap();
    assert_eq!(first["probabilities"].as_object().unwrap().len(), 4);
    // without the flag, the output is as before
    let plain = parse_csv(&wd.ok(&["classify", "in.csv", "--quiet"]));
    assert_eq!(plain[0].len(), 6);
}

#[test]
fn json_lines_input_keeps_its_own_label_field() {
    let wd = Workdir::new();
    wd.write(
        "in.jsonl",
        "{\"text\":\"不还钱就爆你通讯录\",\"label\":\"gold-intimidation\",\"id\":1}\n{\"text\":\"今晚吃饭吗\",\"id\":2}\n",
    );
    let out = wd.ok(&["classify", "in.jsonl", "--output-format", "jsonl", "--quiet"]);
    let rows: Vec<serde_json::Value> = out.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    // the input's own label is kept; ours is cuishou_label on that object
    assert_eq!(rows[0]["label"], "gold-intimidation");
    assert_eq!(rows[0]["cuishou_label"], "intimidation");
    assert!(rows[0].get("cuishou_evidence").is_some());
    // an object without a clash gets the plain names
    assert_eq!(rows[1]["label"], "other");
    assert!(rows[1].get("cuishou_label").is_none());
}

#[test]
fn a_signal_removes_unfinished_outputs_and_exits_128_plus_its_number() {
    let wd = Workdir::new();
    let rows: String = (0..400_000).map(|i| format!("{i},不还钱就爆你通讯录，第{i}次提醒\n")).collect();
    wd.write("big.csv", format!("id,text\n{rows}"));
    for (signal, code) in [("-INT", 130), ("-TERM", 143)] {
        let mut child = wd.command(&["classify", "big.csv", "-o", "out.csv", "--quiet"]).spawn().unwrap();
        let temp_exists = || {
            std::fs::read_dir(wd.path("."))
                .unwrap()
                .any(|e| e.unwrap().file_name().to_string_lossy().starts_with(".cuishou-"))
        };
        let started = std::time::Instant::now();
        while !temp_exists() && started.elapsed().as_secs() < 20 {
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        assert!(temp_exists(), "the run never started writing");
        std::process::Command::new("kill").args([signal, &child.id().to_string()]).status().unwrap();
        let status = child.wait().unwrap();
        assert_eq!(status.code(), Some(code), "{signal}");
        assert!(!temp_exists(), "{signal}: a temporary file was left behind");
        assert!(!wd.path("out.csv").exists(), "{signal}: an unfinished output stands under its name");
    }
}

#[test]
fn spreadsheet_safe_neutralizes_formulas_and_the_default_keeps_exact_text() {
    let wd = Workdir::new();
    wd.write(
        "in.csv",
        "id,text\n=1+1,\"=HYPERLINK(\"\"http://x\"\",\"\"还钱\"\")\"\n+86,@SUM(A1) 不还就爆通讯录\n3,-5元 普通消息\n",
    );
    let exact = parse_csv(&wd.ok(&["classify", "in.csv", "--quiet"]));
    assert_eq!(exact[1][0], "=1+1", "the default keeps the message exactly as received");
    let safe = parse_csv(&wd.ok(&["classify", "in.csv", "--quiet", "--spreadsheet-safe"]));
    assert_eq!((safe[1][0].as_str(), safe[2][0].as_str()), ("'=1+1", "'+86"));
    assert!(safe[1][1].starts_with("'=HYPERLINK") && safe[2][1].starts_with("'@SUM") && safe[3][1].starts_with("'-5"));
    for row in &safe[1..] {
        for cell in row {
            assert!(!cell.starts_with(['=', '+', '-', '@', '\t', '\r']), "{cell}");
        }
    }
}

#[test]
fn terminal_escapes_in_the_input_never_reach_the_terminal() {
    let wd = Workdir::new();
    let esc = "\u{1b}]8;;http://evil\u{7}点我\u{1b}]8;;\u{7}\u{1b}[2J";
    let out = wd.run(&["explain", &format!("不还钱就爆你通讯录{esc}")]);
    let shown = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success() && !shown.contains('\u{1b}') && !shown.contains('\u{7}'), "{shown}");
    assert!(shown.contains('␛'), "escapes are shown, not dropped: {shown}");
    wd.write("in.csv", format!("id,text\n1,还钱{esc}\n"));
    let seg = wd.run(&["segment", "in.csv"]);
    assert!(!String::from_utf8_lossy(&seg.stdout).contains('\u{1b}'));
    // a column name in an error message
    wd.write("bad.csv", format!("id,te{esc}xt\n1,还钱\n"));
    let err = wd.run(&["classify", "bad.csv"]);
    let stderr = String::from_utf8_lossy(&err.stderr);
    assert!(!err.status.success() && stderr.contains("no column named") && !stderr.contains('\u{1b}'), "{stderr}");
}

#[test]
fn top_k_lists_the_most_probable_labels_in_order() {
    let wd = Workdir::new();
    wd.write("in.csv", "id,text\n1,不还钱就爆你通讯录\n2,您的借款今日到期，请按时还款\n");
    let rows = parse_csv(&wd.ok(&["classify", "in.csv", "--top-k", "2", "--probabilities", "--quiet"]));
    let col = |name: &str| rows[0].iter().position(|c| c == name).unwrap_or_else(|| panic!("{name}"));
    for r in &rows[1..] {
        assert_eq!(r[col("top1_label")], r[col("label")], "the best label is the label");
        let (p1, p2): (f64, f64) = (r[col("top1_p")].parse().unwrap(), r[col("top2_p")].parse().unwrap());
        assert!(p1 >= p2);
        assert_eq!(r[col(&format!("p_{}", r[col("top2_label")]))], r[col("top2_p")]);
    }
    assert!(!rows[0].iter().any(|c| c == "top3_label"));
    let jsonl = wd.ok(&["classify", "in.csv", "--top-k", "3", "--output-format", "jsonl", "--quiet"]);
    let first: serde_json::Value = serde_json::from_str(jsonl.lines().next().unwrap()).unwrap();
    assert_eq!(first["top"].as_array().unwrap().len(), 3);
    assert_eq!(first["top"][0]["label"], first["label"]);
    assert!(!wd.run(&["classify", "in.csv", "--top-k", "5"]).status.success());
}
