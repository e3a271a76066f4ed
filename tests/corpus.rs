//! Validates every labelled file in data/labelled and prints the corpus counts.

mod common;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::PathBuf;

use common::{parse_csv, repo_root};

const HEADER: [&str; 6] = ["id", "text", "label", "tags", "kind", "source"];
const LABELS: [&str; 4] = ["lawful_reminder", "intimidation", "doctored_image_threat", "other"];
const TAGS: [&str; 7] = ["contacts", "visit", "violence", "false_legal", "insult", "exposure", "image"];
const NEAR_DUPLICATE: f64 = 0.5;

struct Row {
    file: String,
    side: String,
    id: String,
    text: String,
    label: String,
    tags: Vec<String>,
    kind: String,
    source: String,
}

fn files() -> Vec<PathBuf> {
    let mut out = Vec::new();
    for side in ["train", "dev"] {
        for entry in std::fs::read_dir(repo_root().join("data/labelled").join(side)).unwrap() {
            let p = entry.unwrap().path();
            if p.extension().is_some_and(|e| e == "csv") {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

fn load() -> Vec<Row> {
    let mut rows = Vec::new();
    for path in files() {
        let side = path.parent().unwrap().file_name().unwrap().to_string_lossy().into_owned();
        let name = path.strip_prefix(repo_root()).unwrap().display().to_string();
        let table = parse_csv(&std::fs::read_to_string(&path).unwrap());
        assert_eq!(table[0], HEADER, "{name}: header");
        for (i, r) in table[1..].iter().enumerate() {
            let at = format!("{name} line {}", i + 2);
            assert_eq!(r.len(), 6, "{at}: field count");
            let tags: Vec<String> = r[3].split(';').filter(|t| !t.is_empty()).map(String::from).collect();
            let row = Row {
                file: name.clone(),
                side: side.clone(),
                id: r[0].clone(),
                text: r[1].clone(),
                label: r[2].clone(),
                tags,
                kind: r[4].clone(),
                source: r[5].clone(),
            };
            assert!(!row.text.trim().is_empty(), "{at}: empty text");
            assert!(LABELS.contains(&row.label.as_str()), "{at}: label {}", row.label);
            for t in &row.tags {
                assert!(TAGS.contains(&t.as_str()), "{at}: tag {t}");
            }
            assert!(row.kind == "message" || row.kind == "complaint", "{at}: kind {}", row.kind);
            assert!(
                row.source == "written" || row.source.starts_with("augmented:") || row.source.starts_with("cite:"),
                "{at}: source {}",
                row.source
            );
            if row.label == "doctored_image_threat" {
                assert!(row.tags.iter().any(|t| t == "image"), "{at}: an image threat carries the image tag");
            }
            if row.label == "intimidation" {
                assert!(!row.tags.is_empty(), "{at}: intimidation carries a tag");
            }
            if row.source.starts_with("augmented:") {
                assert!(row.id.contains('~'), "{at}: augmented ids are SOURCE~RULE");
            }
            rows.push(row);
        }
    }
    rows
}

fn grams(text: &str) -> HashSet<String> {
    let chars: Vec<char> = text.to_lowercase().chars().filter(|c| !c.is_whitespace()).collect();
    if chars.len() < 4 {
        return HashSet::from([chars.iter().collect()]);
    }
    chars.windows(4).map(|w| w.iter().collect()).collect()
}

#[test]
fn labelled_files_are_valid_and_the_counts_hold() {
    let rows = load();
    let mut ids = HashSet::new();
    let mut texts: HashMap<&str, &str> = HashMap::new();
    for r in &rows {
        assert!(ids.insert(r.id.as_str()), "{}: duplicate id {}", r.file, r.id);
        if let Some(other) = texts.insert(r.text.as_str(), r.id.as_str()) {
            panic!("{}: text of {} repeats {other}", r.file, r.id);
        }
    }
    let written: Vec<&Row> = rows.iter().filter(|r| r.source == "written").collect();
    let mut by_label: BTreeMap<&str, usize> = BTreeMap::new();
    let mut complaints: BTreeMap<&str, usize> = BTreeMap::new();
    let mut by_tag: BTreeMap<&str, usize> = BTreeMap::new();
    for r in &written {
        *by_label.entry(r.label.as_str()).or_default() += 1;
        if r.kind == "complaint" {
            *complaints.entry(r.label.as_str()).or_default() += 1;
        }
        for t in &r.tags {
            *by_tag.entry(t.as_str()).or_default() += 1;
        }
    }
    let augmented = rows.len() - written.len();
    println!("written rows: {} {by_label:?}", written.len());
    println!("complaints (written): {} {complaints:?}", complaints.values().sum::<usize>());
    println!("tags (written): {by_tag:?}");
    println!("augmented rows: {augmented}");
    assert!(written.len() >= 3000, "at least 3,000 hand-written rows");
    for label in LABELS {
        assert!(by_label.get(label).copied().unwrap_or(0) >= 600, "at least 600 written rows of {label}");
    }
    assert!(complaints.values().sum::<usize>() >= 300, "at least 300 complaint narratives");
    for label in ["lawful_reminder", "intimidation", "doctored_image_threat"] {
        assert!(complaints.get(label).copied().unwrap_or(0) >= 50, "complaints spread over {label}");
    }
}

#[test]
fn no_near_duplicates_cross_the_train_dev_split() {
    let rows = load();
    let sets: Vec<HashSet<String>> = rows.iter().map(|r| grams(&r.text)).collect();
    let mut postings: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, (r, s)) in rows.iter().zip(&sets).enumerate() {
        if r.side == "train" {
            for g in s {
                postings.entry(g.as_str()).or_default().push(i);
            }
        }
    }
    let mut worst = 0.0f64;
    for (i, r) in rows.iter().enumerate().filter(|(_, r)| r.side == "dev") {
        let mut shared: HashMap<usize, usize> = HashMap::new();
        for g in &sets[i] {
            for &j in postings.get(g.as_str()).map(Vec::as_slice).unwrap_or(&[]) {
                *shared.entry(j).or_default() += 1;
            }
        }
        for (j, s) in shared {
            let jaccard = s as f64 / (sets[i].len() + sets[j].len() - s) as f64;
            worst = worst.max(jaccard);
            assert!(
                jaccard <= NEAR_DUPLICATE,
                "dev {} and train {} are near-duplicates (Jaccard {jaccard:.2}):\n  {}\n  {}",
                r.id,
                rows[j].id,
                r.text,
                rows[j].text
            );
        }
    }
    println!("highest train/dev char-4-gram Jaccard: {worst:.3}");
}
