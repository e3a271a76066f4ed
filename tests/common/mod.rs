//! A temporary working folder in which the real `cuishou` binary runs (after xsv's tests/workdir.rs).

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

pub struct Workdir {
    dir: tempfile::TempDir,
}

impl Workdir {
    pub fn new() -> Workdir {
        Workdir { dir: tempfile::tempdir().expect("temp dir") }
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    pub fn write(&self, name: &str, content: impl AsRef<[u8]>) -> PathBuf {
        let p = self.path(name);
        std::fs::write(&p, content).expect("write fixture");
        p
    }

    pub fn read(&self, name: &str) -> String {
        std::fs::read_to_string(self.path(name)).expect("read output")
    }

    /// A command for the binary, run inside the folder.
    pub fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_cuishou"));
        cmd.args(args).current_dir(self.dir.path()).env_remove("RAYON_NUM_THREADS");
        cmd
    }

    pub fn run(&self, args: &[&str]) -> Output {
        self.command(args).stdin(Stdio::null()).output().expect("run cuishou")
    }

    /// Runs and requires exit status 0; returns standard output.
    pub fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(
            out.status.success(),
            "cuishou {args:?} failed with {:?}\nstderr: {}",
            out.status.code(),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).expect("utf-8 output")
    }
}

pub fn repo_root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Parses CSV text into rows of fields (header included).
pub fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let mut r = csv::ReaderBuilder::new().has_headers(false).from_reader(text.as_bytes());
    r.records().map(|rec| rec.expect("valid CSV").iter().map(String::from).collect()).collect()
}

/// The bundled sample's texts, a mix of all four labels.
pub fn sample_texts() -> Vec<String> {
    let text = std::fs::read_to_string(repo_root().join("data/examples/messages.csv")).expect("sample");
    let rows = parse_csv(&text);
    let col = rows[0].iter().position(|c| c == "text").expect("text column");
    rows[1..].iter().map(|r| r[col].clone()).collect()
}

/// A CSV with `n` rows: id, a note with a comma, and a text cycling through the sample.
pub fn numbered_csv(n: usize) -> String {
    let texts = sample_texts();
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(["id", "note", "text"]).unwrap();
    for i in 0..n {
        w.write_record([i.to_string(), format!("row {i}, kept"), texts[i % texts.len()].clone()]).unwrap();
    }
    String::from_utf8(w.into_inner().unwrap()).unwrap()
}
