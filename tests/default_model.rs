//! The committed default model is exactly what a flagless `cuishou train` makes of the committed
//! data: every default lives in the library (model/hyperparams.rs, FeatureConfig::default).

mod common;

use common::{Workdir, repo_root};

#[test]
fn retraining_from_the_committed_data_reproduces_the_default_model_bytes() {
    let root = repo_root();
    // train and dev, in the order of scripts/train-default.sh's sorted glob data/labelled/*/*.csv
    let mut inputs: Vec<String> = Vec::new();
    for side in ["dev", "train"] {
        let mut files: Vec<String> = std::fs::read_dir(root.join("data/labelled").join(side))
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|x| x == "csv"))
            .map(|p| p.display().to_string())
            .collect();
        files.sort();
        inputs.extend(files);
    }
    let wd = Workdir::new();
    let out = wd.path("retrained.model").display().to_string();
    let mut cmd: Vec<&str> = vec!["train"];
    cmd.extend(inputs.iter().map(String::as_str));
    cmd.extend(["-o", out.as_str()]);
    wd.ok(&cmd);
    let committed = std::fs::read(root.join("models/default.model")).unwrap();
    let retrained = std::fs::read(&out).unwrap();
    assert!(committed.len() <= 8_000_000, "default model is {} bytes, over 8 MB", committed.len());
    assert!(committed == retrained, "models/default.model is stale: run scripts/train-default.sh");
}
