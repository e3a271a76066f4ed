#!/usr/bin/env python3
"""Prints the corpus counts that data/README.md reports: by split, label, kind, source and tag."""
import collections
import csv
import glob
import os

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data", "labelled")
LABELS = ["lawful_reminder", "intimidation", "doctored_image_threat", "other"]


def main():
    rows = []
    for path in sorted(glob.glob(os.path.join(ROOT, "*", "*.csv"))):
        side = os.path.basename(os.path.dirname(path))
        with open(path, newline="", encoding="utf-8") as fh:
            for r in csv.DictReader(fh):
                r["split"] = side
                r["origin"] = "written" if r["source"] == "written" else r["source"]
                rows.append(r)
    print("| split | origin | " + " | ".join(LABELS) + " | total |")
    print("|---|---|" + "---|" * (len(LABELS) + 1))
    for side in ("train", "dev"):
        for origin in ("written", "augmented"):
            sel = [r for r in rows if r["split"] == side and (r["origin"] == "written") == (origin == "written")]
            c = collections.Counter(r["label"] for r in sel)
            print(f"| {side} | {origin} | " + " | ".join(str(c[l]) for l in LABELS) + f" | {len(sel)} |")
    written = [r for r in rows if r["origin"] == "written"]
    print()
    print("written rows by kind:", dict(collections.Counter((r["kind"], r["label"]) for r in written)))
    print("written rows by slice:", dict(sorted(collections.Counter(r["id"].rsplit("-", 1)[0] for r in written).items())))
    tags = collections.Counter(t for r in written for t in r["tags"].split(";") if t)
    print("written rows by tag:", dict(tags.most_common()))
    rules = collections.Counter(r["source"] for r in rows if r["origin"] != "written")
    print("augmented rows by rule:", dict(rules.most_common()))
    lengths = sorted(len(r["text"]) for r in written)
    print(f"written text length: min {lengths[0]}, median {lengths[len(lengths) // 2]}, max {lengths[-1]}")


if __name__ == "__main__":
    main()
