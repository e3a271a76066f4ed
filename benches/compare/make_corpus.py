#!/usr/bin/env python3
"""Seeded inputs for benches/compare/run.sh, from the labelled data in data/labelled/.

  corpus.csv      --messages messages (default 200,000) with columns id,text: each composed
                  from the sentences of random hand-written rows (data/labelled/{train,dev}/
                  written_*.csv) and cut to a length drawn log-normally around a median of 50
                  characters, clamped to 10..300. The same recipe as benches/stages.rs's sample.
  train100k.csv   --train-rows rows (default 100,000) with columns id,text,label,tags: rows of
                  data/labelled/train/*.csv (written and augmented) drawn with replacement, most
                  of them lightly perturbed (an emoji or punctuation inserted, a character doubled
                  or dropped, digits changed, a polite suffix added), labels and tags kept. The id
                  keeps the source row's group (the part before `~`).

Only the standard library; the same seed gives the same files.
Usage: make_corpus.py --out DIR [--messages N] [--train-rows N] [--seed S]
"""
import argparse
import csv
import glob
import math
import os
import random
import re
import statistics

HERE = os.path.dirname(os.path.abspath(__file__))
LABELLED = os.path.normpath(os.path.join(HERE, "..", "..", "data", "labelled"))

MEDIAN_CHARS = 50.0
SIGMA = 0.6
MIN_CHARS, MAX_CHARS = 10, 300
SENTENCE = re.compile(r"[^。！？!?\n；]*[。！？!?\n；]?")
EMOJI = ["😊", "🙂", "😡", "🙏", "👀", "💰", "⚠️", "😂"]
PUNCT = ["，", "。", "！", " ", "~", "…"]
SUFFIX = ["，谢谢", "。", "！！", " 收到请回复", "【退订回T】", "~"]


def read_rows(paths):
    rows = []
    for path in sorted(paths):
        with open(path, newline="", encoding="utf-8") as fh:
            rows.extend(csv.DictReader(fh))
    return rows


def sentences(text):
    return [s for s in SENTENCE.findall(text) if s.strip()]


def target_length(rng):
    z = rng.gauss(0.0, 1.0)
    return min(MAX_CHARS, max(MIN_CHARS, int(round(math.exp(math.log(MEDIAN_CHARS) + SIGMA * z)))))


def compose(rng, split):
    want = target_length(rng)
    msg, n = [], 0
    while n < want:
        parts = split[rng.randrange(len(split))]
        for s in parts[rng.randrange(len(parts)):]:
            msg.append(s)
            n += len(s)
            if n >= want:
                break
    return "".join(msg)[:want].strip()


def perturb(rng, text):
    r = rng.random()
    chars = list(text)
    if r < 0.25 or len(chars) < 4:
        return text
    i = rng.randrange(len(chars))
    if r < 0.40:
        chars.insert(i, rng.choice(EMOJI))
    elif r < 0.55:
        chars.insert(i, rng.choice(PUNCT))
    elif r < 0.65:
        chars.insert(i, chars[i])
    elif r < 0.75:
        if not chars[i].isspace():
            del chars[i]
    elif r < 0.88:
        chars = [str(rng.randrange(10)) if c.isdigit() and rng.random() < 0.5 else c for c in chars]
    else:
        chars.append(rng.choice(SUFFIX))
    out = "".join(chars)
    return out if out.strip() else text


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--messages", type=int, default=200_000)
    ap.add_argument("--train-rows", type=int, default=100_000)
    ap.add_argument("--seed", type=int, default=6)
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)

    written = read_rows(glob.glob(os.path.join(LABELLED, "train", "written_*.csv"))
                        + glob.glob(os.path.join(LABELLED, "dev", "written_*.csv")))
    split = [p for p in (sentences(r["text"]) for r in written) if p]
    rng = random.Random(f"corpus:{args.seed}")
    lengths = []
    path = os.path.join(args.out, "corpus.csv")
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["id", "text"])
        i = 0
        while i < args.messages:
            m = compose(rng, split)
            if len(m) < MIN_CHARS:
                continue
            lengths.append(len(m))
            w.writerow([f"c{i:06d}", m])
            i += 1
    lengths.sort()
    print(f"{path}: {len(lengths)} messages, characters min {lengths[0]} "
          f"median {statistics.median(lengths):.0f} mean {statistics.fmean(lengths):.1f} "
          f"p90 {lengths[int(0.9 * len(lengths))]} max {lengths[-1]}, "
          f"{os.path.getsize(path) / 1e6:.1f} MB")

    train = read_rows(glob.glob(os.path.join(LABELLED, "train", "*.csv")))
    train.sort(key=lambda r: r["id"])
    rng = random.Random(f"train100k:{args.seed}")
    path = os.path.join(args.out, "train100k.csv")
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["id", "text", "label", "tags"])
        for i in range(args.train_rows):
            r = train[rng.randrange(len(train))]
            w.writerow([f"{r['id'].split('~')[0]}~b{i:06d}", perturb(rng, r["text"]), r["label"],
                        r.get("tags", "")])
    print(f"{path}: {args.train_rows} rows drawn from {len(train)} training rows")


if __name__ == "__main__":
    main()
