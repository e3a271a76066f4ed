#!/usr/bin/env python3
"""The leave-one-slice-out table of the model card, from held-out prediction files.

    cuishou train data/labelled/*/*.csv -o /tmp/x.model --loso --loso-out held.csv
    python3 scripts/loso_baseline.py data/labelled/*/*.csv --out held-baseline.csv
    python3 scripts/loso_table.py held.csv held-baseline.csv

Each file has the columns slice, id, gold, predicted (cuishou's has more). Prints a Markdown table:
per slice, its rows, its labels and each file's accuracy; then each file's pooled macro-F1,
accuracy and worst slice. Standard library only.
"""
import collections
import csv
import sys

LABELS = ["lawful_reminder", "intimidation", "doctored_image_threat", "other"]
SHORT = {"lawful_reminder": "lawful", "intimidation": "intim.", "doctored_image_threat": "image", "other": "other"}


def load(path):
    with open(path, newline="", encoding="utf-8") as f:
        return [(r["slice"], r["gold"], r["predicted"]) for r in csv.DictReader(f)]


def macro_f1(pairs):
    f1s = []
    for label in LABELS:
        tp = sum(g == label and p == label for g, p in pairs)
        fp = sum(g != label and p == label for g, p in pairs)
        fn = sum(g == label and p != label for g, p in pairs)
        if tp + fp + fn == 0:
            continue
        prec = tp / (tp + fp) if tp + fp else 0.0
        rec = tp / (tp + fn) if tp + fn else 0.0
        f1s.append(2 * prec * rec / (prec + rec) if prec + rec else 0.0)
    return sum(f1s) / len(f1s)


def main(paths):
    runs = [load(p) for p in paths]
    slices = sorted({s for s, _, _ in runs[0]})
    names = ["cuishou", "baseline"][: len(paths)] if len(paths) <= 2 else paths
    print("| slice | rows | labels | " + " | ".join(f"{n} accuracy" for n in names) + " |")
    print("|---|---|---|" + "---|" * len(names))
    for s in slices:
        gold = [g for sl, g, _ in runs[0] if sl == s]
        labels = collections.Counter(gold)
        mix = ", ".join(f"{SHORT[l]} {labels[l]}" for l in LABELS if labels[l])
        accs = []
        for run in runs:
            pairs = [(g, p) for sl, g, p in run if sl == s]
            accs.append(sum(g == p for g, p in pairs) / len(pairs))
        print(f"| {s} | {len(gold)} | {mix} | " + " | ".join(f"{a:.4f}" for a in accs) + " |")
    for name, run in zip(names, runs):
        pairs = [(g, p) for _, g, p in run]
        acc = sum(g == p for g, p in pairs) / len(pairs)
        per = {s: sum(g == p for sl, g, p in run if sl == s) / sum(sl == s for sl, _, _ in run) for s in slices}
        worst = min(per, key=per.get)
        print(f"\n{name}: pooled macro-F1 {macro_f1(pairs):.4f}, accuracy {acc:.4f}, worst slice {worst} {per[worst]:.4f} ({len(pairs)} rows)")


if __name__ == "__main__":
    main(sys.argv[1:])
