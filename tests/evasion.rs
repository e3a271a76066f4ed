//! Robustness to evasion: threats from the training data rewritten the ways collectors dodge
//! keyword filters keep their label; negations stay lawful; ordinary spaced text is not glued.

mod common;

use std::collections::BTreeMap;

use common::{parse_csv, repo_root};
use cuishou::{AnalyzedText, Classifier, Label, Scratch};

const REQUIRED_RATE: f64 = 0.95;
const BASES: usize = 100;

/// canonical -> (Chinese variants, latin variants), from data/variants.tsv rules without context.
fn variant_table() -> BTreeMap<String, (Vec<String>, Vec<String>)> {
    let text = std::fs::read_to_string(repo_root().join("data/variants.tsv")).unwrap();
    let mut table: BTreeMap<String, (Vec<String>, Vec<String>)> = BTreeMap::new();
    for line in text.lines().skip(1) {
        let parts: Vec<&str> = line.split('\t').collect();
        if parts.len() < 2 || parts.get(2).is_some_and(|c| !c.trim().is_empty()) {
            continue;
        }
        let entry = table.entry(parts[1].trim().to_string()).or_default();
        let v = parts[0].trim().to_string();
        if v.is_ascii() { entry.1.push(v) } else { entry.0.push(v) }
    }
    table
}

fn spaced(word: &str, sep: &str) -> String {
    word.chars().map(String::from).collect::<Vec<_>>().join(sep)
}

fn fullwidth(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_ascii_alphanumeric() { char::from_u32(c as u32 + 0xFEE0).unwrap_or(c) } else { c })
        .collect()
}

/// Rewrites every keyword of `text` (longest first) with `disguise`.
fn disguise_all(text: &str, words: &[&String], disguise: impl Fn(&str, usize) -> String) -> String {
    let mut out = text.to_string();
    for (i, w) in words.iter().enumerate() {
        if out.contains(w.as_str()) {
            out = out.replace(w.as_str(), &disguise(w, i));
        }
    }
    out
}

/// At least five evasion variants of `text`, each disguising every keyword it contains.
fn variants(text: &str, table: &BTreeMap<String, (Vec<String>, Vec<String>)>, k: usize) -> Option<Vec<String>> {
    let mut words: Vec<&String> =
        table.keys().filter(|w| w.chars().count() >= 2 && text.contains(w.as_str())).collect();
    if words.is_empty() {
        return None;
    }
    words.sort_by_key(|w| std::cmp::Reverse(w.chars().count()));
    let pick = |w: &str, i: usize, latin: bool| -> String {
        let (zh, lat) = &table[w];
        let list = if latin { lat } else { zh };
        if list.is_empty() { spaced(w, "·") } else { list[(k + i) % list.len()].clone() }
    };
    let mut out = vec![
        disguise_all(text, &words, |w, _| spaced(w, " ")),
        disguise_all(text, &words, |w, _| spaced(w, "*")),
        disguise_all(text, &words, |w, _| spaced(w, "😊")),
        zhconv::zhconv(&disguise_all(text, &words, |w, _| spaced(w, "-")), zhconv::Variant::ZhHant),
        fullwidth(&disguise_all(text, &words, |w, _| spaced(w, "."))),
        disguise_all(text, &words, |w, i| pick(w, i, false)),
        disguise_all(text, &words, |w, i| pick(w, i, true)),
    ];
    out.retain(|v| v != text);
    out.sort();
    out.dedup();
    (out.len() >= 5).then_some(out)
}

fn base_threats() -> Vec<String> {
    let dir = repo_root().join("data/labelled/train");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.file_name().unwrap().to_string_lossy().starts_with("written_"))
        .collect();
    files.sort();
    let mut rows = Vec::new();
    for f in files {
        for r in parse_csv(&std::fs::read_to_string(f).unwrap()).into_iter().skip(1) {
            if r[2] == "intimidation" || r[2] == "doctored_image_threat" {
                rows.push((r[0].clone(), r[1].clone()));
            }
        }
    }
    rows.sort();
    rows.into_iter().map(|(_, t)| t).collect()
}

/// The bundled model, or the model file named by CUISHOU_EVASION_MODEL (to measure another model).
fn model_under_test() -> Classifier {
    match std::env::var("CUISHOU_EVASION_MODEL") {
        Ok(path) => Classifier::load(std::path::Path::new(&path)).unwrap(),
        Err(_) => Classifier::bundled().unwrap(),
    }
}

#[test]
fn evasion_variants_keep_the_label_of_their_plain_form() {
    let classifier = model_under_test();
    let mut a = Scratch::default();
    let mut label = |t: &str| classifier.predict(t, &mut a).label;
    let table = variant_table();
    let mut pairs: Vec<(String, String)> = Vec::new();
    let mut bases = 0;
    // every 7th threat with a known keyword, so the bases spread over the slices
    for (k, text) in base_threats().iter().enumerate().filter(|(k, _)| k % 7 == 0) {
        if bases == BASES {
            break;
        }
        if let Some(vs) = variants(text, &table, k) {
            bases += 1;
            pairs.extend(vs.into_iter().map(|v| (text.clone(), v)));
        }
    }
    assert!(bases >= 80, "only {bases} base threats had a keyword to disguise");
    let fixture = std::fs::read_to_string(repo_root().join("tests/fixtures/evasions.tsv")).unwrap();
    let hand_made: Vec<(String, String)> = fixture
        .lines()
        .skip(1)
        .filter_map(|l| l.split_once('\t'))
        .map(|(p, e)| (p.to_string(), e.to_string()))
        .collect();
    let generated = pairs.len();
    pairs.extend(hand_made);
    let mut kept = 0;
    let mut changed = Vec::new();
    for (plain, variant) in &pairs {
        let (lp, lv) = (label(plain), label(variant));
        if lp == lv {
            kept += 1;
        } else {
            changed.push(format!("  {lp} -> {lv}: {variant}"));
        }
    }
    let rate = kept as f64 / pairs.len() as f64;
    println!(
        "evasion suite: {bases} base threats, {generated} generated + {} hand-made variants; label kept for {kept}/{} = {:.2}%",
        pairs.len() - generated,
        pairs.len(),
        rate * 100.0
    );
    for c in changed.iter().take(20) {
        println!("{c}");
    }
    assert!(rate >= REQUIRED_RATE, "evasion rate {rate:.4} is below {REQUIRED_RATE}");
}

#[test]
fn negated_threats_read_as_promises() {
    let classifier = Classifier::bundled().unwrap();
    let mut a = Scratch::default();
    for text in [
        "本平台不会P图、不会爆通讯录，请按时还款",
        "我们承诺绝不联系您的家人和同事，请您按期还款",
        "本公司催收严禁辱骂、恐吓和上门骚扰，请您按期还款，如有此类行为请投诉",
        "请放心，我们不会把您的欠款告诉任何第三方，请尽快处理逾期账单",
    ] {
        let p = classifier.predict(text, &mut a);
        assert_eq!(p.label, Label::LawfulReminder, "{text}");
        assert!(a.analysis().hits.iter().any(|h| h.negated), "{text}: a negated lexicon hit");
    }
    // a platform's rule with no request for payment is not a collection message at all
    // (docs/labels.md: platform rules are `other`); either way it is no threat
    let rule = classifier.predict("本公司催收严禁辱骂、恐吓和上门骚扰，如有此类行为请投诉", &mut a);
    assert!(!rule.label.is_unlawful(), "{rule:?}");
    for text in ["我们不会爆你通讯录，我们直接去你家找你爸妈", "不打你电话了，直接打你老婆电话"]
    {
        assert_eq!(classifier.predict(text, &mut a).label, Label::Intimidation, "{text}");
    }
}

#[test]
fn ordinary_spaced_text_keeps_its_words() {
    let classifier = Classifier::bundled().unwrap();
    let mut a = AnalyzedText::default();
    for (text, words) in [
        ("今天 天气 不错 我们 去 公园", vec!["今天", "天气", "不错", "公园"]),
        ("会议 改到 下午 三点 请 通知 大家", vec!["会议", "下午", "通知", "大家"]),
        ("hello world 周末 见", vec!["hello", "world", "周末"]),
    ] {
        classifier.analyzer().analyze(text, &mut a);
        assert!(a.normalized.text.contains(' '), "{text}: spaces between words stay");
        let tokens: Vec<&str> = a.tokens.iter().map(|t| a.token_text(t)).collect();
        for w in words {
            assert!(tokens.contains(&w), "{text}: {w} missing from {tokens:?}");
        }
    }
}

#[test]
fn evidence_offsets_survive_emoji_and_wide_characters() {
    let classifier = Classifier::bundled().unwrap();
    let mut a = Scratch::default();
    let text = "👨‍👩‍👧你好😀，再不还钱就爆 通 讯 錄🙂，把你ＰＳ成遗照发到你家族群";
    let p = classifier.predict(text, &mut a);
    assert!(p.label.is_unlawful());
    let chars: Vec<char> = text.chars().collect();
    let evidence = cuishou::output::format_evidence(text, &p.evidence);
    assert!(!evidence.is_empty());
    for part in evidence.split(';') {
        let (span, range) = part.rsplit_once('@').unwrap();
        let (s, e) = range.split_once('-').unwrap();
        let (s, e): (usize, usize) = (s.parse().unwrap(), e.parse().unwrap());
        assert_eq!(chars[s..e].iter().collect::<String>(), span);
    }
    assert!(evidence.contains("爆 通 讯 錄") || evidence.contains("通 讯 錄"), "{evidence}");
}
