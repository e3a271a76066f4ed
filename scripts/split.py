#!/usr/bin/env python3
"""Split the hand-written corpus into train and dev, keeping near-duplicates on one side.

Rows whose character 4-gram sets have a Jaccard similarity above --threshold (default 0.5) are
joined into one group (union-find over all pairs, found through an inverted index, so the check is
exact); whole groups go to dev with probability --dev-share, decided by a seeded hash of the
group's smallest id. Output: data/labelled/{train,dev}/written_<slice>.csv, sorted by id.

Usage: python3 scripts/split.py [--seed 20261128] [--dev-share 0.2] [--threshold 0.5]
"""
import argparse
import collections
import csv
import glob
import hashlib
import os
import sys

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data", "labelled")
HEADER = ["id", "text", "label", "tags", "kind", "source"]


def grams(text, n=4):
    t = "".join(text.lower().split())
    if len(t) < n:
        return {t}
    return {t[i:i + n] for i in range(len(t) - n + 1)}


def read_written():
    rows = {}
    for path in sorted(glob.glob(os.path.join(ROOT, "**", "written_*.csv"), recursive=True)):
        with open(path, newline="", encoding="utf-8") as fh:
            for r in csv.DictReader(fh):
                if r["id"] in rows:
                    sys.exit(f"{path}: duplicate id {r['id']}")
                rows[r["id"]] = r
    return rows


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", default="20261128")
    ap.add_argument("--dev-share", type=float, default=0.2)
    ap.add_argument("--threshold", type=float, default=0.5)
    args = ap.parse_args()

    rows = read_written()
    ids = sorted(rows)
    gram_sets = [grams(rows[i]["text"]) for i in ids]
    postings = collections.defaultdict(list)
    for k, gs in enumerate(gram_sets):
        for g in gs:
            postings[g].append(k)
    parent = list(range(len(ids)))

    def find(x):
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for k, gs in enumerate(gram_sets):
        shared = collections.Counter()
        for g in gs:
            for j in postings[g]:
                if j < k:
                    shared[j] += 1
        for j, s in shared.items():
            if s / (len(gs) + len(gram_sets[j]) - s) > args.threshold:
                parent[find(k)] = find(j)

    groups = collections.defaultdict(list)
    for k in range(len(ids)):
        groups[find(k)].append(ids[k])
    split = {}
    for members in groups.values():
        key = f"{args.seed}:{min(members)}".encode()
        h = int.from_bytes(hashlib.sha256(key).digest()[:8], "big") / 2**64
        side = "dev" if h < args.dev_share else "train"
        for m in members:
            split[m] = side

    out = collections.defaultdict(list)
    for i in ids:
        slice_ = i.rsplit("-", 1)[0]
        out[(split[i], slice_)].append(rows[i])
    for old in glob.glob(os.path.join(ROOT, "**", "written_*.csv"), recursive=True):
        os.remove(old)
    for (side, slice_), rs in sorted(out.items()):
        os.makedirs(os.path.join(ROOT, side), exist_ok=True)
        with open(os.path.join(ROOT, side, f"written_{slice_}.csv"), "w", newline="", encoding="utf-8") as fh:
            w = csv.DictWriter(fh, fieldnames=HEADER, lineterminator="\n")
            w.writeheader()
            for r in rs:
                w.writerow({k: r[k] for k in HEADER})
    multi = sum(1 for g in groups.values() if len(g) > 1)
    counts = collections.Counter((split[i], rows[i]["label"]) for i in ids)
    print(f"{len(ids)} rows in {len(groups)} groups ({multi} with near-duplicates)")
    for side in ("train", "dev"):
        print(side, {l: counts[(side, l)] for l in sorted({r['label'] for r in rows.values()})})


if __name__ == "__main__":
    main()
