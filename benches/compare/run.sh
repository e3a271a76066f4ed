#!/usr/bin/env bash
# Side-by-side comparison of `cuishou classify` / `cuishou train` with the jieba-rs floor and the
# Python pipelines (jieba + scikit-learn, jieba + fastText, rjieba + fastText). See README.md
# beside this file. Not part of CI; takes about half an hour on 2 cores.
#
#   benches/compare/run.sh                 # everything, 3 runs of each timed command
#   RUNS=5 benches/compare/run.sh          # more runs
#   MESSAGES=20000 TRAIN_ROWS=10000 RUNS=1 benches/compare/run.sh   # a quick smoke run
#
# Needs cargo, python3 (3.9 or later, with venv and pip) and network access to crates.io and
# PyPI. Writes benches/compare/out/ (corpus, models, outputs, last.md) and
# benches/compare/.venv/, both ignored by git.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
cd "$ROOT"
OUT="${OUT:-$HERE/out}"
RUNS="${RUNS:-3}"
MESSAGES="${MESSAGES:-200000}"
TRAIN_ROWS="${TRAIN_ROWS:-100000}"
SEED="${SEED:-6}"
VENV="${VENV:-$HERE/.venv}"
PYTHON="${PYTHON:-python3}"
MAX_WAIT="${MAX_WAIT:-300}"   # seconds to wait before each timed run for other processes to go quiet

say() { printf '\n== %s\n' "$*" >&2; }

say "tools"
command -v cargo >/dev/null || { echo "cargo is required" >&2; exit 1; }
command -v "$PYTHON" >/dev/null || { echo "python3 is required" >&2; exit 1; }
if [ ! -x /usr/bin/time ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    apt-get update -qq && apt-get install -y -qq time >/dev/null
  else
    echo "GNU time (/usr/bin/time) is required: apt-get install time" >&2; exit 1
  fi
fi

say "build (release)"
cargo build --release --locked --bin cuishou
FLOOR="$(cargo bench --locked --bench segment_floor --no-run --message-format=json 2>/dev/null \
  | "$PYTHON" -c 'import json,sys
for line in sys.stdin:
    m = json.loads(line)
    if m.get("reason") == "compiler-artifact" and m.get("target", {}).get("name") == "segment_floor" and m.get("executable"):
        print(m["executable"])')"
[ -x "$FLOOR" ] || { echo "could not build the segment_floor bench" >&2; exit 1; }
TARGET_DIR="$(cargo metadata --format-version 1 --no-deps | "$PYTHON" -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')"
CUISHOU="$TARGET_DIR/release/cuishou"
echo "cuishou: $CUISHOU" >&2
echo "floor:   $FLOOR" >&2

say "python environment ($VENV)"
if [ ! -x "$VENV/bin/python" ]; then
  "$PYTHON" -m venv "$VENV"
fi
VPY="$VENV/bin/python"
"$VPY" -m pip install -q --upgrade pip
"$VPY" -m pip install -q jieba scikit-learn rjieba
if ! "$VPY" -c 'import fasttext' 2>/dev/null; then
  "$VPY" -m pip install -q fasttext-wheel || "$VPY" -m pip install -q fasttext
fi
"$VPY" - <<'EOF'
import importlib.metadata as md
print("  " + ", ".join(f"{p} {md.version(p)}" for p in
      ["jieba", "rjieba", "scikit-learn", "numpy", "scipy"]
      + [p for p in ("fasttext-wheel", "fasttext") if any(d.metadata["Name"] == p for d in md.distributions())]))
EOF

say "corpus ($MESSAGES messages, $TRAIN_ROWS training rows, seed $SEED)"
mkdir -p "$OUT"
"$PYTHON" "$HERE/make_corpus.py" --out "$OUT" --messages "$MESSAGES" --train-rows "$TRAIN_ROWS" \
  --seed "$SEED" | tee "$OUT/corpus.txt" >&2
head -n 1 "$OUT/corpus.txt" | sed "s|$OUT/||" > "$OUT/corpus_stats.txt"

say "timing ($RUNS runs of each command)"
"$VPY" "$HERE/bench.py" --root "$ROOT" --out "$OUT" --cuishou "$CUISHOU" --floor "$FLOOR" \
  --python "$VPY" --corpus-stats "$OUT/corpus_stats.txt" --runs "$RUNS" --max-wait "$MAX_WAIT"
echo "(also written to $OUT/last.md)" >&2
