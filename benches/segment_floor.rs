//! The floor of benches/compare/run.sh: bare jieba-rs segmentation of the texts of a CSV file,
//! with the same threads as `cuishou classify --threads N`. Reads the CSV too (csv crate, the
//! `text` column), so it does what any segmenting pipeline must do at least; writes nothing.
//!
//!   SEGMENT_FLOOR_CSV=corpus.csv SEGMENT_FLOOR_THREADS=1 cargo bench --bench segment_floor
//!
//! Prints one line to stdout: `segment_floor threads=N messages=M tokens=T elapsed=S` (seconds,
//! from start to end of the process's work, dictionary load included), and the split of that
//! time to stderr. Without SEGMENT_FLOOR_CSV (as under a plain `cargo bench`) it segments
//! data/labelled/dev/written_*.csv once, as a smoke test.

use std::time::Instant;

use jieba_rs::Jieba;
use rayon::prelude::*;

fn read_texts(path: &str) -> Vec<String> {
    let mut reader =
        csv::ReaderBuilder::new().flexible(true).from_path(path).unwrap_or_else(|e| panic!("opening {path}: {e}"));
    let headers = reader.byte_headers().expect("a header row").clone();
    let col = headers
        .iter()
        .position(|h| h.strip_prefix("\u{FEFF}".as_bytes()).unwrap_or(h) == b"text")
        .unwrap_or_else(|| panic!("{path} has no `text` column"));
    let mut texts = Vec::new();
    let mut row = csv::ByteRecord::new();
    while reader.read_byte_record(&mut row).expect("a CSV row") {
        if let Some(f) = row.get(col)
            && let Ok(s) = std::str::from_utf8(f)
        {
            texts.push(s.to_string());
        }
    }
    texts
}

fn main() {
    let started = Instant::now();
    let threads: usize = std::env::var("SEGMENT_FLOOR_THREADS").ok().and_then(|s| s.parse().ok()).unwrap_or(1);
    let paths: Vec<String> = match std::env::var("SEGMENT_FLOOR_CSV") {
        Ok(p) => vec![p],
        Err(_) => {
            let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/data/labelled/dev");
            let mut v: Vec<String> = std::fs::read_dir(dir)
                .expect("data/labelled/dev")
                .filter_map(|e| e.ok())
                .map(|e| e.path().display().to_string())
                .filter(|p| p.contains("written_") && p.ends_with(".csv"))
                .collect();
            v.sort();
            v
        }
    };
    let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().expect("a thread pool");
    let jieba = Jieba::new();
    let loaded = started.elapsed();
    let texts: Vec<String> = paths.iter().flat_map(|p| read_texts(p)).collect();
    let read = started.elapsed();
    let tokens: usize = pool.install(|| texts.par_iter().with_min_len(256).map(|t| jieba.cut(t, true).len()).sum());
    let done = started.elapsed();
    eprintln!(
        "segment_floor: dictionary {:.3}s, read {:.3}s, segment {:.3}s",
        loaded.as_secs_f64(),
        (read - loaded).as_secs_f64(),
        (done - read).as_secs_f64()
    );
    println!(
        "segment_floor threads={threads} messages={} tokens={tokens} elapsed={:.3}",
        texts.len(),
        done.as_secs_f64()
    );
}
