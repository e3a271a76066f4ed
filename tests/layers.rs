//! The walls between the library's layers hold: each top-level module imports only the modules
//! below it (docs: the module map in README), so there is no import circle, io knows no model or
//! report, and text, features and model know no io, report, pipeline or command line.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// What each top-level module of `src/` may import (`crate::<module>`), bottom layer first.
const ALLOWED: &[(&str, &[&str])] = &[
    ("labels", &[]),
    ("prediction", &["labels"]),
    ("output", &["labels", "prediction"]),
    ("text", &[]),
    ("features", &["labels", "text"]),
    ("analysis", &["features", "text"]),
    ("model", &["labels", "prediction", "text", "features", "analysis"]),
    ("io", &["labels", "prediction", "output"]),
    ("data", &["labels", "io", "model"]),
    ("pipeline", &["labels", "prediction", "io", "model"]),
    ("report", &["labels", "prediction", "output", "io"]),
    ("error", &["io", "model", "pipeline"]),
    ("lib", &[]),
];

/// Source lines outside `#[cfg(test)]` modules (tests may reach across layers).
fn code_lines(text: &str) -> impl Iterator<Item = &str> {
    text.split("#[cfg(test)]").next().unwrap_or("").lines().filter(|l| !l.trim_start().starts_with("//"))
}

fn imports(text: &str, prefix: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for line in code_lines(text) {
        for (i, _) in line.match_indices(prefix) {
            let name: String =
                line[i + prefix.len()..].chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
            if !name.is_empty() {
                out.insert(name);
            }
        }
    }
    out
}

fn walk(dir: &Path, files: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            walk(&path, files);
        } else if path.extension().is_some_and(|e| e == "rs") {
            files.push(path);
        }
    }
}

#[test]
fn each_layer_imports_only_the_layers_below_it() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let allowed: BTreeMap<&str, &[&str]> = ALLOWED.iter().copied().collect();
    let mut files = Vec::new();
    walk(&src, &mut files);
    let mut checked = 0;
    for file in files {
        let rel = file.strip_prefix(&src).unwrap();
        let top = rel.components().next().unwrap().as_os_str().to_str().unwrap().trim_end_matches(".rs");
        if top == "cli" || top == "main" {
            continue; // the binary: it may use everything
        }
        let ok = allowed.get(top).unwrap_or_else(|| panic!("{} is in no layer: add it to ALLOWED", rel.display()));
        let text = std::fs::read_to_string(&file).unwrap();
        for used in imports(&text, "crate::") {
            assert!(
                used == top || ok.contains(&used.as_str()),
                "{} imports crate::{used}, which its layer ({top}) may not",
                rel.display()
            );
        }
        checked += 1;
    }
    assert!(checked > 40, "only {checked} files checked");
}

#[test]
fn report_building_never_imports_its_rendering() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/report");
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_file() {
            let text = std::fs::read_to_string(&path).unwrap();
            assert!(
                !code_lines(&text).any(|l| l.contains("render::") && !l.contains("pub mod render")),
                "{} (building) imports render",
                path.display()
            );
        }
    }
}
