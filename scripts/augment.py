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

and, besides, for a seeded quarter of the rows:
  published    the text as public SMS datasets publish it: words separated by spaces (jieba),
               punctuation and emoji removed, numbers, links, phone numbers, masked names and
               places replaced by DIGIT, URL, PHONE, NAME and PLACE

Needs zhconv and jieba (pip install zhconv==1.4.3 jieba==0.42.1). Usage:
  python3 scripts/augment.py [--seed 7] [--per-row 1]
"""
import argparse
import csv
import glob
import os
import random
import sys

try:
    import jieba
    import zhconv
except ImportError:
    sys.exit("augment.py needs zhconv and jieba: pip install zhconv==1.4.3 jieba==0.42.1")

import re
import unicodedata

jieba.setLogLevel(60)

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


PUBLISHED_SHARE = 0.25
URL_RE = re.compile(r"(?:https?://|www\.)[A-Za-z0-9./?=&_%#-]+|[A-Za-z0-9-]+\.(?:cn|com|net|top|cc)(?:/[A-Za-z0-9./?=&_%#-]*)?")
PHONE_RE = re.compile(r"(?:\+?86[ -]?)?1[3-9]\d[ -]?\d{4}[ -]?\d{4}|\d{3,4}-\d{7,8}|[48]00-?\d{3}-?\d{4}|95\d{3}")
NAME_RE = re.compile(r"[王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤][*＊某xX]{1,2}|[王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹][先女][生士]")
PLACE_RE = re.compile(r"[\u4e00-\u9fff]{2,3}(?:省|市|区|县|镇|村|街道|小区)")
DIGIT_RE = re.compile(r"[0-9０-９][0-9０-９,.，]*")


def published(text):
    t = URL_RE.sub(" URL ", text)
    t = PHONE_RE.sub(" PHONE ", t)
    t = NAME_RE.sub(" NAME ", t)
    t = PLACE_RE.sub(" PLACE ", t)
    t = DIGIT_RE.sub(" DIGIT ", t)
    words = []
    for w in jieba.lcut(t):
        w = "".join(c for c in w if not unicodedata.category(c).startswith(("P", "S", "Z", "C")))
        if w:
            words.append(w)
    return " ".join(words)


APPLY = {"spaced": spaced, "variant": variant, "pinyin": pinyin, "fullwidth": fullwidth,
         "traditional": traditional, "emoji": emoji}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--per-row", type=int, default=1)
    args = ap.parse_args()
    variants = load_variants()
    # A variant may not repeat any text of the corpus (tests/corpus.rs refuses repeats).
    taken = set()
    for path in glob.glob(os.path.join(DATA, "labelled", "*", "written_*.csv")):
        with open(path, newline="", encoding="utf-8") as fh:
            taken.update(r["text"] for r in csv.DictReader(fh))
    made_by_side = {}
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
                if text == r["text"] or text in made or text in taken:
                    continue
                made.add(text)
                taken.add(text)
                out.append({"id": f"{r['id']}~{rule}", "text": text, "label": r["label"], "tags": r["tags"],
                            "kind": r["kind"], "source": f"augmented:{rule}"})
            if rng.random() < PUBLISHED_SHARE:
                text = published(r["text"])
                if text and text != r["text"] and text not in made and text not in taken:
                    taken.add(text)
                    out.append({"id": f"{r['id']}~published", "text": text, "label": r["label"], "tags": r["tags"],
                                "kind": r["kind"], "source": "augmented:published"})
        made_by_side[side] = (rows, out)
    drop_published_near_twins(made_by_side)
    for side, (rows, out) in made_by_side.items():
        with open(os.path.join(DATA, "labelled", side, "augmented.csv"), "w", newline="", encoding="utf-8") as fh:
            w = csv.DictWriter(fh, fieldnames=HEADER, lineterminator="\n")
            w.writeheader()
            w.writerows(out)
        print(f"{side}: {len(out)} augmented rows from {len(rows)} written rows")


def grams(text):
    """Character 4-grams of the text in lower case without white space (as tests/corpus.rs)."""
    t = "".join(text.lower().split())
    return {t} if len(t) < 4 else {t[i:i + 4] for i in range(len(t) - 3)}


def drop_published_near_twins(by_side):
    """Removes published variants that came out near a row on the other side of the split
    (4-gram Jaccard above 0.5, the split's own bar): stripping punctuation and masking numbers
    can make two notices of one template alike. Candidates come from grams shared by fewer than
    300 rows; the exact check is tests/corpus.rs."""
    import collections
    sets = {side: [grams(r["text"]) for r in rows + out] for side, (rows, out) in by_side.items()}
    postings = {side: collections.defaultdict(list) for side in by_side}
    for side, gs in sets.items():
        for k, g in enumerate(gs):
            for x in g:
                postings[side][x].append(k)
    for side, (rows, out) in by_side.items():
        other = "dev" if side == "train" else "train"
        keep = []
        for k, r in enumerate(out):
            if r["source"] != "augmented:published":
                keep.append(r)
                continue
            mine = sets[side][len(rows) + k]
            shared = collections.Counter()
            for x in mine:
                ps = postings[other].get(x, ())
                if len(ps) < 300:
                    shared.update(ps)
            near = any(len(mine & sets[other][j]) / len(mine | sets[other][j]) > 0.5 for j in shared)
            if not near:
                keep.append(r)
        out[:] = keep


if __name__ == "__main__":
    main()
