"""Writes N benchmark rows drawn with a fixed seed from the texts of data/labelled, as JSON Lines
(for the command line) and Parquet (for Spark and the wheel). Not committed: regenerate them.

    python python/bench/make_rows.py --rows 1000000 --seed 8 --out /tmp/cuishou-bench
"""

import argparse
import csv
import glob
import json
import os
import random

import pyarrow as pa
import pyarrow.parquet as pq

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--seed", type=int, default=8)
    ap.add_argument("--out", default="/tmp/cuishou-bench", help="writes OUT.jsonl and OUT.parquet")
    args = ap.parse_args()
    pool = []
    for path in sorted(glob.glob(os.path.join(REPO, "data/labelled/**/*.csv"), recursive=True)):
        with open(path, encoding="utf-8", newline="") as f:
            pool.extend(r["text"] for r in csv.DictReader(f))
    rng = random.Random(args.seed)
    texts = [rng.choice(pool) for _ in range(args.rows)]
    with open(args.out + ".jsonl", "w", encoding="utf-8") as f:
        for i, t in enumerate(texts):
            f.write(json.dumps({"id": i, "text": t}, ensure_ascii=False) + "\n")
    table = pa.table({"id": pa.array(range(args.rows), pa.int64()), "text": pa.array(texts, pa.string())})
    pq.write_table(table, args.out + ".parquet", row_group_size=100_000)
    chars = sum(len(t) for t in texts)
    print(f"{args.rows} rows ({chars / args.rows:.0f} characters on average) from {len(pool)} labelled texts, "
          f"seed {args.seed}: {args.out}.jsonl, {args.out}.parquet")


if __name__ == "__main__":
    main()
