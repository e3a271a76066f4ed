#!/usr/bin/env python3
"""Attributes the samples of a `perf record --call-graph dwarf` of `cuishou classify` to the
pipeline's stages and prints the split (share of all samples and of on-CPU time).

  perf record -e cpu-clock -F 999 --call-graph dwarf,16384 -o perf.data -- \
      cuishou classify corpus.csv -o out.csv --threads 1 --quiet
  perf script -i perf.data -F tid,ip,sym | python3 benches/compare/perf_stages.py

Build with debug info for inlined frames (CARGO_PROFILE_RELEASE_DEBUG=true cargo build
--release). A sample goes to `startup` when any frame is the model or dictionary load; otherwise
to the innermost frame that names a stage; samples that name none (thread start, rayon waiting,
kernel work outside the stages) go to `other`.
"""
import collections
import re
import sys

STARTUP = re.compile(r"load_model|Classifier::from_bytes|Classifier::bundled|Analyzer::new|"
                     r"Jieba::new|Segmenter::new|Lexicon::parse|Normalizer::new|clap|"
                     r"model::file::from_bytes")
# Innermost first: the first of these found walking from the leaf up names the stage.
STAGES = [
    ("read (CSV in)", re.compile(r"csv_in|CsvSource|read_all|csv::reader|csv_core::reader|decode::")),
    ("normalize", re.compile(r"text::normalize")),
    ("segment (jieba-rs)", re.compile(r"jieba_rs|Segmenter::segment")),
    ("lexicon", re.compile(r"lexicon::Lexicon::find|negated_before")),
    ("features", re.compile(r"features::extract|BucketCounter::fold|features::hash|is_content_token")),
    ("predict (scores)", re.compile(r"LinearModel::(label_logits|label_probabilities|tag_logits|tag_probabilities)")),
    ("tags", re.compile(r"Classifier::tags")),
    ("evidence", re.compile(r"Classifier::evidence|Classifier::contribution|format_evidence|write_evidence|"
                            r"CharCursor|normalized_slice|original_span")),
    ("write (CSV out)", re.compile(r"csv_out|CsvSink|write_all|csv::writer|csv_core::writer|"
                                   r"io::Write|BufWriter")),
    ("analyze (glue)", re.compile(r"Analyzer::analyze")),
    ("predict (glue)", re.compile(r"Classifier::predict")),
]


def main():
    counts = collections.Counter()
    threads = collections.Counter()
    frames, tid = [], None
    total = 0

    def flush():
        nonlocal total
        if tid is None:
            return
        total += 1
        threads[tid] += 1
        if any(STARTUP.search(f) for f in frames):
            counts["startup (model, dictionaries)"] += 1
            return
        for f in frames:  # leaf first
            for name, pat in STAGES:
                if pat.search(f):
                    counts[name] += 1
                    return
        if any("rayon" in f for f in frames):
            counts["other (rayon scheduling, idle spin)"] += 1
        else:
            counts["other"] += 1

    for line in sys.stdin:
        if not line.strip():
            flush()
            frames, tid = [], None
        elif not line.startswith("\t"):  # a sample's header: the thread id, padded
            tid = line.split()[0]
        else:
            parts = line.strip().split(None, 1)
            frames.append(parts[1] if len(parts) > 1 else "")
    flush()
    print(f"{total} samples, {len(threads)} threads")
    print("| stage | samples | share |")
    print("|---|---|---|")
    for name, n in counts.most_common():
        print(f"| {name} | {n} | {100 * n / total:.1f}% |")


if __name__ == "__main__":
    main()
