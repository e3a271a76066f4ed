//! Criterion benches of each stage of `cuishou classify` and of the whole pipeline, on a fixed,
//! seeded sample of realistic messages. Every bench reports messages/s and bytes/s.
//!
//!   cargo bench --bench stages                 # all of them (about a minute)
//!   cargo bench --bench stages -- segment      # one stage
//!
//! The sample: 2,000 messages composed from the hand-written rows of data/labelled/{train,dev}
//! (sentences of random rows, cut to a length drawn log-normally around a median of 50
//! characters, 10 to 300), with a fixed seed, so every run measures the same text. The same
//! recipe, in Python, makes the 200,000-message corpus of benches/compare/run.sh.
//!
//! Stages, in pipeline order (each one is given the previous stage's output, computed once):
//!   read       CSV bytes → records (io::open)
//!   normalize  Normalizer::normalize
//!   segment    Segmenter::segment (jieba-rs, HMM on) of the normalized text
//!   lexicon    Lexicon::find (Aho-Corasick + negation)
//!   featurize  features::extract + BucketCounter::fold
//!   predict    LinearModel::label_probabilities (tag outputs are computed for unlawful labels only)
//!   analyze    Analyzer::analyze: normalize + segment + lexicon + featurize, as the pipeline does
//!   classify   Classifier::predict: analyze + scores + tags + evidence
//!   write      CsvSink::write of the predictions (formats evidence)
//!   pipeline   pipeline::run, CSV bytes in memory → CSV bytes in memory, 1 and 2 threads

use std::hint::black_box;
use std::time::Duration;

use criterion::measurement::WallTime;
use criterion::{BenchmarkGroup, Criterion, Throughput, criterion_group, criterion_main};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use cuishou::features::{self, BucketCounter, FeatureInput, Hit, Lexicon, SparseVec};
use cuishou::io::{CsvSink, Item, ReadOptions, Record, RejectWriter, RejectsTo, Sink};
use cuishou::pipeline::{self, Options};
use cuishou::text::{NormalizeScratch, Normalized, Normalizer, Segmenter, TokenSpan, parse_variants};
use cuishou::{AnalyzedText, Classifier, Prediction, Scratch};

const SAMPLE_SIZE: usize = 2_000;
const SEED: u64 = 6;
const MEDIAN_CHARS: f64 = 50.0;
const SIGMA: f64 = 0.6;
const MIN_CHARS: usize = 10;
const MAX_CHARS: usize = 300;

/// The texts of every hand-written labelled row, in file order.
fn written_texts() -> Vec<String> {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/data/labelled");
    let mut paths: Vec<std::path::PathBuf> = ["train", "dev"]
        .iter()
        .flat_map(|side| {
            std::fs::read_dir(format!("{root}/{side}"))
                .unwrap_or_else(|e| panic!("reading {root}/{side}: {e}"))
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| {
                    p.file_name()
                        .and_then(|n| n.to_str())
                        .is_some_and(|n| n.starts_with("written_") && n.ends_with(".csv"))
                })
        })
        .collect();
    paths.sort();
    let mut texts = Vec::new();
    for path in paths {
        let mut reader = csv::Reader::from_path(&path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
        let headers = reader.headers().expect("header row").clone();
        let col = headers.iter().position(|h| h == "text").expect("a text column");
        for row in reader.records() {
            let row = row.expect("a CSV row");
            if let Some(t) = row.get(col).filter(|t| !t.trim().is_empty()) {
                texts.push(t.to_string());
            }
        }
    }
    assert!(!texts.is_empty(), "no written rows under {root}");
    texts
}

/// Sentences of a text, each keeping its closing punctuation.
fn sentences(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    for (i, c) in text.char_indices() {
        if matches!(c, '。' | '！' | '？' | '!' | '?' | '\n' | '；') {
            let end = i + c.len_utf8();
            if !text[start..end].trim().is_empty() {
                out.push(&text[start..end]);
            }
            start = end;
        }
    }
    if !text[start..].trim().is_empty() {
        out.push(&text[start..]);
    }
    out
}

/// A target length: log-normal around the median, clamped to 10..=300 characters.
fn target_length(rng: &mut ChaCha8Rng) -> usize {
    // Box-Muller
    let u1: f64 = rng.r#gen::<f64>().max(f64::MIN_POSITIVE);
    let u2: f64 = rng.r#gen();
    let z = (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos();
    ((MEDIAN_CHARS.ln() + SIGMA * z).exp().round() as usize).clamp(MIN_CHARS, MAX_CHARS)
}

/// The fixed sample: `n` messages composed from the written rows.
fn sample(n: usize) -> Vec<String> {
    let texts = written_texts();
    let split: Vec<Vec<&str>> = texts.iter().map(|t| sentences(t)).collect();
    let mut rng = ChaCha8Rng::seed_from_u64(SEED);
    (0..n)
        .map(|_| {
            let want = target_length(&mut rng);
            let mut msg = String::new();
            let mut len = 0;
            while len < want {
                let parts = &split[rng.gen_range(0..split.len())];
                let from = rng.gen_range(0..parts.len());
                for s in &parts[from..] {
                    msg.push_str(s);
                    len += s.chars().count();
                    if len >= want {
                        break;
                    }
                }
            }
            msg.chars().take(want).collect::<String>().trim().to_string()
        })
        .filter(|m| m.chars().count() >= MIN_CHARS)
        .collect()
}

/// The sample as a CSV file with `id,text` columns (read back through the page cache, as
/// `cuishou classify` reads its input).
fn to_csv_file(messages: &[String]) -> tempfile::NamedTempFile {
    let file = tempfile::NamedTempFile::new().expect("a temporary file");
    let mut w = csv::Writer::from_path(file.path()).expect("writing the sample CSV");
    w.write_record(["id", "text"]).unwrap();
    for (i, m) in messages.iter().enumerate() {
        w.write_record([format!("m{i}").as_str(), m.as_str()]).unwrap();
    }
    w.flush().unwrap();
    file
}

fn group<'a>(c: &'a mut Criterion, name: &str, messages: &[String]) -> BenchmarkGroup<'a, WallTime> {
    let bytes: usize = messages.iter().map(|m| m.len()).sum();
    let mut g = c.benchmark_group(name);
    g.throughput(Throughput::ElementsAndBytes { elements: messages.len() as u64, bytes: bytes as u64 });
    g.sample_size(10).warm_up_time(Duration::from_millis(500)).measurement_time(Duration::from_secs(3));
    g
}

fn stages(c: &mut Criterion) {
    let messages = sample(SAMPLE_SIZE);
    let mut lengths: Vec<usize> = messages.iter().map(|m| m.chars().count()).collect();
    lengths.sort_unstable();
    eprintln!(
        "sample: {} messages, {} bytes, characters min {} median {} max {}",
        messages.len(),
        messages.iter().map(|m| m.len()).sum::<usize>(),
        lengths[0],
        lengths[lengths.len() / 2],
        lengths[lengths.len() - 1]
    );
    let classifier = Classifier::bundled().expect("the bundled model");
    let resources = &classifier.meta().resources;
    let config = classifier.meta().features.clone();
    let normalizer = Normalizer::new(parse_variants(&resources.variants).unwrap());
    let segmenter = Segmenter::new(&resources.domain_dict).unwrap();
    let lexicon = Lexicon::parse(&resources.lexicon, &normalizer).unwrap();

    // Each stage's input, computed once.
    let mut scratch = NormalizeScratch::default();
    let normalized: Vec<String> = messages
        .iter()
        .map(|m| {
            let mut out = Normalized::default();
            normalizer.normalize(m, &mut scratch, &mut out);
            out.text
        })
        .collect();
    let char_starts: Vec<Vec<u32>> =
        normalized.iter().map(|t| t.char_indices().map(|(i, _)| i as u32).collect()).collect();
    let tokens: Vec<Vec<TokenSpan>> = normalized
        .iter()
        .map(|t| {
            let mut out = Vec::new();
            segmenter.segment(t, &mut out);
            out
        })
        .collect();
    let find = |text: &str, starts: &[u32], out: &mut Vec<Hit>| {
        lexicon.find(text, |byte| starts.partition_point(|&s| (s as usize) < byte), out)
    };
    let hits: Vec<Vec<Hit>> = normalized
        .iter()
        .zip(&char_starts)
        .map(|(t, s)| {
            let mut out = Vec::new();
            find(t, s, &mut out);
            out
        })
        .collect();
    let mut analysis = AnalyzedText::default();
    let vectors: Vec<SparseVec> = messages
        .iter()
        .map(|m| {
            classifier.analyzer().analyze(m, &mut analysis);
            analysis.features.clone()
        })
        .collect();
    let mut scratch = Scratch::default();
    let predictions: Vec<Prediction> = messages.iter().map(|m| classifier.predict(m, &mut scratch)).collect();
    let csv_file = to_csv_file(&messages);
    let csv_path = csv_file.path().display().to_string();
    let open = || cuishou::io::open(&csv_path, &ReadOptions::default()).expect("the sample CSV");
    let records: Vec<Record> = {
        let mut source = open();
        let mut out = Vec::new();
        while let Some(item) = source.next_item() {
            if let Ok(Item::Record(r)) = item {
                out.push(r);
            }
        }
        out
    };
    assert_eq!(records.len(), messages.len());
    let csv_len = std::fs::metadata(&csv_path).map_or(0, |m| m.len() as usize);
    let columns = vec!["id".to_string(), "text".to_string()];

    let mut g = group(c, "stage", &messages);
    g.bench_function("read", |b| {
        b.iter(|| {
            let mut source = open();
            let mut n = 0usize;
            while let Some(item) = source.next_item() {
                if let Ok(Item::Record(r)) = item {
                    n += r.text().len();
                }
            }
            black_box(n)
        })
    });
    g.bench_function("normalize", |b| {
        let mut scratch = NormalizeScratch::default();
        let mut out = Normalized::default();
        b.iter(|| {
            for m in &messages {
                normalizer.normalize(black_box(m), &mut scratch, &mut out);
            }
            black_box(out.text.len())
        })
    });
    g.bench_function("segment", |b| {
        let mut out = Vec::new();
        b.iter(|| {
            for t in &normalized {
                segmenter.segment(black_box(t), &mut out);
            }
            black_box(out.len())
        })
    });
    g.bench_function("lexicon", |b| {
        let mut out = Vec::new();
        b.iter(|| {
            for (t, s) in normalized.iter().zip(&char_starts) {
                find(black_box(t), s, &mut out);
            }
            black_box(out.len())
        })
    });
    g.bench_function("featurize", |b| {
        let mut occurrences = Vec::new();
        let mut counter = BucketCounter::default();
        let (mut vector, mut positions) = (SparseVec::default(), Vec::new());
        b.iter(|| {
            for ((t, toks), h) in normalized.iter().zip(&tokens).zip(&hits) {
                let input = FeatureInput { text: black_box(t), tokens: toks, hits: h, lexicon: &lexicon };
                features::extract(&config, &input, &mut occurrences);
                counter.fold(occurrences.iter().map(|o| o.bucket), &mut vector, &mut positions);
            }
            black_box(vector.len())
        })
    });
    g.bench_function("predict", |b| {
        let model = classifier.model();
        b.iter(|| {
            let mut sum = 0.0f32;
            for v in &vectors {
                sum += model.label_probabilities(black_box(v))[0];
            }
            black_box(sum)
        })
    });
    g.bench_function("analyze", |b| {
        let mut a = AnalyzedText::default();
        b.iter(|| {
            for m in &messages {
                classifier.analyzer().analyze(black_box(m), &mut a);
            }
            black_box(a.features.len())
        })
    });
    g.bench_function("classify", |b| {
        let mut a = Scratch::default();
        b.iter(|| {
            let mut n = 0usize;
            for m in &messages {
                n += classifier.predict(black_box(m), &mut a).evidence.len();
            }
            black_box(n)
        })
    });
    g.bench_function("write", |b| {
        let mut buf = Vec::with_capacity(csv_len * 2);
        b.iter(|| {
            buf.clear();
            let mut sink = CsvSink::new(&mut buf);
            sink.begin(&columns).unwrap();
            for (r, p) in records.iter().zip(&predictions) {
                sink.write(r, p).unwrap();
            }
            sink.flush().unwrap();
            drop(sink);
            black_box(buf.len())
        })
    });
    g.finish();

    let mut g = group(c, "pipeline", &messages);
    for threads in [1usize, 2] {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
        // Chunks small enough that reading, classifying and writing overlap on this sample.
        let options = Options { chunk_size: 256, ..Options::default() };
        g.bench_function(format!("threads_{threads}"), |b| {
            let mut buf = Vec::with_capacity(csv_len * 2);
            b.iter(|| {
                buf.clear();
                let source = open();
                let mut sink = CsvSink::new(&mut buf);
                let mut rejects = RejectWriter::new(RejectsTo::Stderr);
                let summary = pool
                    .install(|| pipeline::run(&classifier, vec![source], &mut sink, &mut rejects, &options).unwrap());
                drop(sink);
                black_box((summary.classified(), buf.len()))
            })
        });
    }
    g.finish();
}

criterion_group!(benches, stages);
criterion_main!(benches);
