#!/usr/bin/env python3
"""Leave-one-slice-out for the textbook baseline: jieba words (1-2-grams) + TF-IDF + LinearSVC.

The same protocol as `cuishou train --loso`: a row's slice is its id up to the first '-'; for each
slice, fit on every other slice's rows (written and augmented) and score the slice's written rows
(ids without '~'). Prints a Markdown table of slice accuracies and the pooled macro-F1.

    pip install jieba==0.42.1 scikit-learn==1.9.1
    python3 scripts/loso_baseline.py data/labelled/*/*.csv [--out held-baseline.csv]

--out writes every held-out prediction (slice, id, gold, predicted), for scripts/loso_table.py.
"""
import csv
import sys
from collections import defaultdict

import jieba
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics import f1_score
from sklearn.svm import LinearSVC

jieba.setLogLevel(60)


def load(paths):
    rows = []
    for p in paths:
        with open(p, newline="", encoding="utf-8") as f:
            for r in csv.DictReader(f):
                group = r["id"].split("~")[0]
                rows.append((group.split("-")[0], "~" in r["id"], r["text"], r["label"], r["id"]))
    return rows


def main(args):
    out = None
    if "--out" in args:
        k = args.index("--out")
        out = args[k + 1]
        args = args[:k] + args[k + 2:]
    rows = load(args)
    tokens = [" ".join(jieba.lcut(r[2])) for r in rows]
    slices = sorted({r[0] for r in rows if not r[1]})
    gold_all, pred_all, table, held = [], [], [], []
    for s in slices:
        train = [i for i, r in enumerate(rows) if r[0] != s]
        test = [i for i, r in enumerate(rows) if r[0] == s and not r[1]]
        vec = TfidfVectorizer(token_pattern=r"(?u)[^ ]+", ngram_range=(1, 2), sublinear_tf=True)
        x = vec.fit_transform([tokens[i] for i in train])
        clf = LinearSVC(C=1.0).fit(x, [rows[i][3] for i in train])
        pred = clf.predict(vec.transform([tokens[i] for i in test]))
        gold = [rows[i][3] for i in test]
        held += [(s, rows[i][4], g, p) for i, g, p in zip(test, gold, pred)]
        acc = sum(g == p for g, p in zip(gold, pred)) / len(gold)
        table.append((s, len(gold), acc))
        gold_all += gold
        pred_all += list(pred)
        print(f"  {s:<10} {len(gold):>6} {acc:.4f}", file=sys.stderr, flush=True)
    print("| slice | rows | accuracy |\n|---|---|---|")
    for s, n, acc in table:
        print(f"| {s} | {n} | {acc:.4f} |")
    macro = f1_score(gold_all, pred_all, average="macro")
    acc = sum(g == p for g, p in zip(gold_all, pred_all)) / len(gold_all)
    worst = min(table, key=lambda t: t[2])
    if out:
        with open(out, "w", newline="", encoding="utf-8") as f:
            w = csv.writer(f, lineterminator="\n")
            w.writerow(["slice", "id", "gold", "predicted"])
            w.writerows(held)
    print(f"\npooled over {len(gold_all)} rows: macro-F1 {macro:.4f}, accuracy {acc:.4f}; worst slice {worst[0]} {worst[2]:.4f}")


if __name__ == "__main__":
    main(sys.argv[1:])
