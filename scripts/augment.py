#!/usr/bin/env python3
"""Make evasion variants of the hand-written rows, deterministically from a seed.

For every written row in data/labelled/{train,dev}/written_*.csv, --per-row variants are made,
each by one rule (a different rule each time where possible), and written to
data/labelled/{train,dev}/augmented.csv beside their source (a variant stays on its source's side
of the split). The id is SOURCE_ID~RULE, the source column `augmented:RULE`; label, tags and kind
are the source's. A variant identical to its source is dropped.

Rules:
  spaced       separators (space * . - _ | emoji) between the characters of a keyword or a stretch
  variant      a keyword replaced by one of its evasion spellings from data/variants.tsv
  pinyin       a keyword replaced by a latin spelling (pinyin or initials) from data/variants.tsv
  fullwidth    latin letters and digits turned full-width, some punctuation too
  traditional  the whole text in traditional characters (zhconv's zh-hant)
  emoji        emoji added around and inside the text

Needs the `zhconv` package (pip install zhconv==1.4.3). Usage:
  python3 scripts/augment.py [--seed 7] [--per-row 1]
"""
import argparse
import csv
import glob
import os
import random
import sys

try:
    import zhconv
except ImportError:
    sys.exit("augment.py needs zhconv: pip install zhconv==1.4.3")

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "..", "data")
HEADER = ["id", "text", "label", "tags", "kind", "source"]
RULES = ["spaced", "variant", "pinyin", "fullwidth", "traditional", "emoji"]
SEPARATORS = [" ", " ", "*", ".", "-", "_", "|", "·", "/", "😊", "🙂", "💀", "~"]
EMOJI = ["😊", "🙂", "😡", "💀", "🔪", "🖼️", "🕯️", "📸", "👀", "😂", "🤣", "❤️", "🙏", "⚠️", "😤", "💰"]


def load_variants():
    """canonical -> ([chinese variants], [latin variants]) from data/variants.tsv (no context rules)."""
    table = {}
    with open(os.path.join(DATA, "variants.tsv"), encoding="utf-8") as fh:
        next(fh)
        for line in fh:
            parts = line.rstrip("\n").split("\t")
            if len(parts) < 2 or (len(parts) > 2 and parts[2].strip()):
                continue
            variant, canonical = parts[0].strip(), parts[1].strip()
            if not variant or not canonical:
                continue
            zh, latin = table.setdefault(canonical, ([], []))
            (latin if variant.isascii() else zh).append(variant)
    return table


def keywords(text, variants):
    """Canonical forms and their variants that occur in `text` (case-insensitive for latin)."""
    low = text.lower()
    return sorted((c for c in variants if c.lower() in low), key=lambda c: (-len(c), c))


def replace_once(text, old, new):
    i = text.lower().find(old.lower())
    return text if i < 0 else text[:i] + new + text[i + len(old):]


def spaced(text, rng, variants):
    kws = [k for k in keywords(text, variants) if len(k) >= 2]
    if kws:
        k = rng.choice(kws)
        sep = rng.choice(SEPARATORS)
        i = text.lower().find(k.lower())
        word = text[i:i + len(k)]
        return text[:i] + sep.join(word) + text[i + len(k):]
    hans = [i for i, c in enumerate(text) if "\u4e00" <= c <= "\u9fff"]
    if len(hans) < 3:
        return text
    start = rng.choice(hans[:-2])
    end = min(len(text), start + rng.randint(3, 5))
    sep = rng.choice(SEPARATORS)
    return text[:start] + sep.join(text[start:end]) + text[end:]


def variant(text, rng, variants):
    kws = [k for k in keywords(text, variants) if variants[k][0]]
    if not kws:
        return text
    k = rng.choice(kws)
    return replace_once(text, k, rng.choice(variants[k][0]))


def pinyin(text, rng, variants):
    kws = [k for k in keywords(text, variants) if variants[k][1]]
    if not kws:
        return text
    k = rng.choice(kws)
    new = rng.choice(variants[k][1])
    if rng.random() < 0.3:
        new = new.upper()
    return replace_once(text, k, new)


def fullwidth(text, rng, variants):
    out = []
    for c in text:
        if c.isascii() and c.isalnum() and rng.random() < 0.9:
            out.append(chr(ord(c) + 0xFEE0))
        elif c == " ":
            out.append("\u3000" if rng.random() < 0.5 else c)
        else:
            out.append(c)
    return "".join(out)


def traditional(text, rng, variants):
    return zhconv.convert(text, "zh-hant")


def emoji(text, rng, variants):
    chars = list(text)
    for _ in range(rng.randint(1, 3)):
        chars.insert(rng.randint(0, len(chars)), rng.choice(EMOJI))
    return "".join(chars)


APPLY = {"spaced": spaced, "variant": variant, "pinyin": pinyin, "fullwidth": fullwidth,
         "traditional": traditional, "emoji": emoji}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--per-row", type=int, default=1)
    args = ap.parse_args()
    variants = load_variants()
    for side in ("train", "dev"):
        rows = []
        for path in sorted(glob.glob(os.path.join(DATA, "labelled", side, "written_*.csv"))):
            with open(path, newline="", encoding="utf-8") as fh:
                rows.extend(csv.DictReader(fh))
        rows.sort(key=lambda r: r["id"])
        out = []
        for r in rows:
            rng = random.Random(f"{args.seed}:{r['id']}")
            rules = RULES[:]
            rng.shuffle(rules)
            made = set()
            for rule in rules:
                if len(made) == args.per_row:
                    break
                text = APPLY[rule](r["text"], rng, variants)
                if text == r["text"] or text in made:
                    continue
                made.add(text)
                out.append({"id": f"{r['id']}~{rule}", "text": text, "label": r["label"], "tags": r["tags"],
                            "kind": r["kind"], "source": f"augmented:{rule}"})
        with open(os.path.join(DATA, "labelled", side, "augmented.csv"), "w", newline="", encoding="utf-8") as fh:
            w = csv.DictWriter(fh, fieldnames=HEADER, lineterminator="\n")
            w.writeheader()
            w.writerows(out)
        print(f"{side}: {len(out)} augmented rows from {len(rows)} written rows")


if __name__ == "__main__":
    main()
