#!/usr/bin/env python3
"""The Python baselines of benches/compare/run.sh, each a whole process as a user would run it.

Models:
  sklearn     jieba (HMM on) + scikit-learn TfidfVectorizer (word 1-2 grams, sublinear tf)
              + LogisticRegression (lbfgs, multinomial, C=10, max_iter=1000)
  ft-jieba    jieba (HMM on) + fastText supervised (dim 50, word 1-2 grams, 25 epochs, lr 0.5,
              one thread so that it is reproducible)
  ft-rjieba   rjieba (jieba-rs bound to Python, HMM on) + the same fastText

Commands:
  baselines.py train    MODEL MODEL_FILE TRAIN.csv...   fit on text,label rows
  baselines.py eval     MODEL MODEL_FILE DEV.csv...     print {"macro_f1": .., "accuracy": ..}
  baselines.py classify MODEL MODEL_FILE IN.csv OUT.csv  read, segment, vectorize, predict, write
                                                         (every input column, then label and
                                                         confidence)
Each command prints the split of its time to stderr.
"""
import csv
import json
import pickle
import sys
import time

LABELS = ["lawful_reminder", "intimidation", "doctored_image_threat", "other"]
CHUNK = 10_000


def log(msg):
    print(f"baselines: {msg}", file=sys.stderr, flush=True)


def segmenter(model):
    if model == "ft-rjieba":
        import rjieba

        def cut(text):
            return rjieba.cut(text, True)

        return cut
    import jieba

    jieba.setLogLevel(60)
    jieba.initialize()

    def cut(text):
        return jieba.lcut(text, HMM=True)

    return cut


def jieba_tokens(text):
    """The sklearn tokenizer: module level so the fitted vectorizer pickles."""
    import jieba

    return [w for w in jieba.lcut(text, HMM=True) if w.strip()]


def read_labelled(paths):
    texts, labels = [], []
    for path in paths:
        with open(path, newline="", encoding="utf-8") as fh:
            for row in csv.DictReader(fh):
                texts.append(row["text"])
                labels.append(row["label"])
    return texts, labels


def ft_line(cut, text):
    return " ".join(w for w in cut(text.replace("\n", " ")) if w.strip())


def train(model, model_file, paths):
    t0 = time.perf_counter()
    texts, labels = read_labelled(paths)
    t1 = time.perf_counter()
    if model == "sklearn":
        import jieba
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression

        jieba.setLogLevel(60)
        jieba.initialize()
        vec = TfidfVectorizer(tokenizer=jieba_tokens, token_pattern=None, lowercase=True,
                              ngram_range=(1, 2), sublinear_tf=True)
        x = vec.fit_transform(texts)
        t2 = time.perf_counter()
        clf = LogisticRegression(C=10.0, max_iter=1000)
        clf.fit(x, labels)
        with open(model_file, "wb") as fh:
            pickle.dump((vec, clf), fh)
    else:
        import fasttext

        cut = segmenter(model)
        train_file = model_file + ".train.txt"
        with open(train_file, "w", encoding="utf-8") as fh:
            for text, label in zip(texts, labels):
                fh.write(f"__label__{label} {ft_line(cut, text)}\n")
        t2 = time.perf_counter()
        ft = fasttext.train_supervised(input=train_file, dim=50, wordNgrams=2, epoch=25, lr=0.5,
                                       minCount=1, loss="softmax", thread=1, verbose=0)
        ft.save_model(model_file)
    t3 = time.perf_counter()
    log(f"train {model}: {len(texts)} rows, read {t1 - t0:.2f}s, segment+vectorize {t2 - t1:.2f}s, "
        f"fit+save {t3 - t2:.2f}s")


class Predictor:
    def __init__(self, model, model_file):
        self.model = model
        if model == "sklearn":
            import jieba

            jieba.setLogLevel(60)
            jieba.initialize()
            with open(model_file, "rb") as fh:
                self.vec, self.clf = pickle.load(fh)
        else:
            import fasttext

            self.cut = segmenter(model)
            self.ft = fasttext.load_model(model_file)

    def predict(self, texts):
        """Labels and confidences, and the seconds spent segmenting (fastText only)."""
        if self.model == "sklearn":
            proba = self.clf.predict_proba(self.vec.transform(texts))
            best = proba.argmax(axis=1)
            return [self.clf.classes_[i] for i in best], proba.max(axis=1).tolist(), 0.0
        t0 = time.perf_counter()
        lines = [ft_line(self.cut, t) for t in texts]
        seg = time.perf_counter() - t0
        labels, probs = self.ft.predict(lines, k=1)
        return ([ls[0][len("__label__"):] if ls else "other" for ls in labels],
                [float(p[0]) if len(p) else 0.0 for p in probs], seg)


def evaluate(model, model_file, paths):
    from sklearn.metrics import accuracy_score, f1_score

    texts, gold = read_labelled(paths)
    predicted, _, _ = Predictor(model, model_file).predict(texts)
    print(json.dumps({
        "macro_f1": f1_score(gold, predicted, labels=LABELS, average="macro"),
        "accuracy": accuracy_score(gold, predicted),
        "rows": len(gold),
    }))


def classify(model, model_file, inp, out):
    t0 = time.perf_counter()
    predictor = Predictor(model, model_file)
    t_load = time.perf_counter() - t0
    t_read = t_pred = t_seg = t_write = 0.0
    n = 0
    with open(inp, newline="", encoding="utf-8") as fin, \
            open(out, "w", newline="", encoding="utf-8") as fout:
        reader = csv.reader(fin)
        header = next(reader)
        col = header.index("text")
        writer = csv.writer(fout)
        writer.writerow(header + ["label", "confidence"])
        while True:
            a = time.perf_counter()
            rows = [r for _, r in zip(range(CHUNK), reader)]
            b = time.perf_counter()
            t_read += b - a
            if not rows:
                break
            labels, confs, seg = predictor.predict([r[col] for r in rows])
            c = time.perf_counter()
            t_pred += c - b
            t_seg += seg
            writer.writerows(r + [lab, f"{p:.4f}"] for r, lab, p in zip(rows, labels, confs))
            t_write += time.perf_counter() - c
            n += len(rows)
    log(f"classify {model}: {n} messages, load {t_load:.2f}s, read {t_read:.2f}s, "
        f"predict {t_pred:.2f}s (of which segment {t_seg:.2f}s), write {t_write:.2f}s")


def main():
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    cmd, model, model_file, rest = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
    if model not in ("sklearn", "ft-jieba", "ft-rjieba"):
        sys.exit(f"unknown model {model!r}")
    if cmd == "train":
        train(model, model_file, rest)
    elif cmd == "eval":
        evaluate(model, model_file, rest)
    elif cmd == "classify":
        classify(model, model_file, rest[0], rest[1])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
