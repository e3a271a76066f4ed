//! The committed default model is exactly what the documented training command makes.

mod common;

use common::{Workdir, repo_root};

#[test]
fn retraining_from_the_committed_data_reproduces_the_default_model_bytes() {
    let root = repo_root();
    let args = std::fs::read_to_string(root.join("models/default.args")).unwrap();
    let mut inputs: Vec<String> = std::fs::read_dir(root.join("data/labelled/train"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "csv"))
        .map(|p| p.display().to_string())
        .collect();
    inputs.sort(); // the shell glob in scripts/train-default.sh sorts too
    let wd = Workdir::new();
    let out = wd.path("retrained.model").display().to_string();
    let mut cmd: Vec<&str> = vec!["train"];
    cmd.extend(inputs.iter().map(String::as_str));
    cmd.extend(["-o", out.as_str()]);
    cmd.extend(args.split_whitespace());
    wd.ok(&cmd);
    let committed = std::fs::read(root.join("models/default.model")).unwrap();
    let retrained = std::fs::read(&out).unwrap();
    assert!(committed.len() <= 8_000_000, "default model is {} bytes, over 8 MB", committed.len());
    assert!(committed == retrained, "models/default.model is stale: run scripts/train-default.sh");
}
