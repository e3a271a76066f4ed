#!/usr/bin/env python3
"""Times cuishou, the jieba-rs floor and the Python baselines on the same inputs and prints one
table. Called by run.sh, which builds and installs everything first; see README.md beside this.

Every timed command is a whole process, run under /usr/bin/time -v (for its peak resident set
size) and timed from outside (wall clock, process start to exit). Each is run --runs times,
round-robin across tools, and the median is reported.
"""
import argparse
import csv
import datetime
import glob
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time

BASELINES = [
    ("sklearn", "jieba + scikit-learn TF-IDF + LogisticRegression"),
    ("ft-jieba", "jieba + fastText"),
    ("ft-rjieba", "rjieba + fastText"),
]


def log(msg):
    print(f"[{datetime.datetime.now():%H:%M:%S}] {msg}", file=sys.stderr, flush=True)


def cpu_busy():
    """(busy, total) jiffies of all CPUs, from /proc/stat."""
    with open("/proc/stat") as fh:
        v = [int(x) for x in fh.readline().split()[1:]]
    idle = v[3] + v[4]
    return sum(v) - idle, sum(v)


def wait_quiet(max_wait, threshold=0.15):
    """Waits (at most max_wait seconds) until other processes use under `threshold` of the
    machine's CPUs over one second, so that timings are not taken beside a compiler."""
    start = time.perf_counter()
    warned = False
    while True:
        b0, t0 = cpu_busy()
        time.sleep(1.0)
        b1, t1 = cpu_busy()
        busy = (b1 - b0) / max(1, t1 - t0)
        if busy < threshold or time.perf_counter() - start > max_wait:
            return busy
        if not warned:
            log(f"  waiting for a quiet machine ({busy:.0%} of the CPUs busy)")
            warned = True


def timed(cmd, env=None):
    """Runs `cmd` under /usr/bin/time -v. Returns (wall seconds, peak RSS in MB, stdout, stderr,
    other processes' CPU use during the run in cores)."""
    hz = os.sysconf("SC_CLK_TCK")
    with tempfile.NamedTemporaryFile("r", suffix=".time") as tf:
        full = ["/usr/bin/time", "-v", "-o", tf.name] + cmd
        b0, _ = cpu_busy()
        t0 = time.perf_counter()
        p = subprocess.run(full, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        wall = time.perf_counter() - t0
        b1, _ = cpu_busy()
        report = tf.read()
    if p.returncode != 0:
        sys.stderr.write(p.stderr[-3000:])
        raise SystemExit(f"command failed ({p.returncode}): {' '.join(cmd)}")
    m = re.search(r"Maximum resident set size \(kbytes\): (\d+)", report)
    rss = int(m.group(1)) / 1024 if m else float("nan")
    own = sum(float(x) for x in re.findall(r"(?:User|System) time \(seconds\): ([\d.]+)", report))
    foreign = max(0.0, (b1 - b0) / hz - own) / max(wall, 1e-9)
    return wall, rss, p.stdout, p.stderr, foreign


def count_rows(path):
    with open(path, newline="", encoding="utf-8") as fh:
        return sum(1 for _ in csv.reader(fh)) - 1


class Bench:
    def __init__(self, args):
        self.a = args
        self.root = os.path.abspath(args.root)
        self.out = os.path.abspath(args.out)
        self.models = os.path.join(self.out, "models")
        os.makedirs(self.models, exist_ok=True)
        self.train_files = sorted(glob.glob(os.path.join(self.root, "data/labelled/train/*.csv")))
        self.dev_files = sorted(glob.glob(os.path.join(self.root, "data/labelled/dev/*.csv")))
        self.corpus = os.path.join(self.out, "corpus.csv")
        self.train100k = os.path.join(self.out, "train100k.csv")
        self.runs = {}  # key -> list of (wall, rss)
        self.foreign = {}  # key -> other processes' CPU use (cores) during each run
        self.f1 = {}

    def py(self, *args):
        return [self.a.python, os.path.join(self.root, "benches/compare/baselines.py"), *args]

    def env(self, threads=None):
        env = dict(os.environ)
        # The baselines are single-process Python; keep BLAS from spreading over the cores so
        # that every peer is compared with cuishou at one thread.
        for k in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
            env[k] = "1"
        if threads:
            env["SEGMENT_FLOOR_THREADS"] = str(threads)
        return env

    def record(self, key, cmd, env=None):
        wait_quiet(self.a.max_wait)
        wall, rss, out, err, foreign = timed(cmd, env=env)
        self.runs.setdefault(key, []).append((wall, rss))
        self.foreign.setdefault(key, []).append(foreign)
        log(f"{key}: {wall:.2f}s, {rss:.0f} MB" + (f" (other processes used {foreign:.2f} cores meanwhile)"
                                                   if foreign > 0.05 else ""))
        return out, err

    def median(self, key):
        runs = self.runs[key]
        return statistics.median(w for w, _ in runs), max(r for _, r in runs)

    # -- training ------------------------------------------------------------------------------
    def train_cmds(self, files, tag):
        cmds = {"cuishou": [self.a.cuishou, "train", *files, "-o",
                            os.path.join(self.models, f"cuishou.{tag}.model"), "--threads", "1"]}
        for name, _ in BASELINES:
            cmds[name] = self.py("train", name, os.path.join(self.models, f"{name}.{tag}.model"), *files)
        return cmds

    def train(self, files, tag):
        cmds = self.train_cmds(files, tag)
        for r in range(self.a.runs):
            for name, cmd in cmds.items():
                self.record(f"train.{tag}.{name}", cmd, env=self.env())
        self.f1[f"train.{tag}.cuishou"] = self.cuishou_f1(os.path.join(self.models, f"cuishou.{tag}.model"))
        for name, _ in BASELINES:
            out = timed(self.py("eval", name, os.path.join(self.models, f"{name}.{tag}.model"),
                                *self.dev_files), env=self.env())[2]
            self.f1[f"train.{tag}.{name}"] = json.loads(out.strip().splitlines()[-1])["macro_f1"]
        log(f"dev macro-F1 after training on {tag}: "
            + ", ".join(f"{k.split('.')[-1]} {v:.4f}" for k, v in self.f1.items() if f".{tag}." in k))

    def cuishou_f1(self, model=None):
        cmd = [self.a.cuishou, "eval", *self.dev_files, "--json"]
        if model:
            cmd += ["--model", model]
        out = timed(cmd)[2]
        return json.loads(out)["macro_f1"]

    # -- classification ------------------------------------------------------------------------
    def classify(self):
        outs = os.path.join(self.out, "classified")
        os.makedirs(outs, exist_ok=True)
        cmds = {}
        for t in (1, 2):
            cmds[f"cuishou.t{t}"] = ([self.a.cuishou, "classify", self.corpus, "-o",
                                      os.path.join(outs, f"cuishou.t{t}.csv"), "--threads", str(t),
                                      "--model", os.path.join(self.models, "cuishou.std.model"),
                                      "--quiet"], self.env())
            cmds[f"floor.t{t}"] = ([self.a.floor], dict(self.env(t), SEGMENT_FLOOR_CSV=self.corpus))
        for name, _ in BASELINES:
            cmds[name] = (self.py("classify", name, os.path.join(self.models, f"{name}.std.model"),
                                  self.corpus, os.path.join(outs, f"{name}.csv")), self.env())
        for r in range(self.a.runs):
            for key, (cmd, env) in cmds.items():
                out, err = self.record(f"classify.{key}", cmd, env=env)
                if r == 0 and (err.strip() and key.startswith(("sklearn", "ft-", "floor"))):
                    log("  " + err.strip().splitlines()[-1])
        # Every tool must have classified every message.
        n = self.messages
        for key in cmds:
            if key.startswith("floor"):
                continue
            got = count_rows(os.path.join(outs, f"{key}.csv"))
            if got != n:
                raise SystemExit(f"{key} wrote {got} rows for {n} messages")

    # -- report --------------------------------------------------------------------------------
    def table(self):
        n = self.messages
        rows = []

        def row(task, tool, key, count, ratio, f1):
            s, mb = self.median(key)
            rows.append([task, tool, f"{s:.2f}", f"{count / s:,.0f}", f"{mb:.0f}", ratio,
                         "—" if f1 is None else f"{f1:.4f}"])
            return s

        c_f1 = self.f1["train.std.cuishou"]
        task = f"classify {n:,} msgs"
        s1, _ = self.median("classify.cuishou.t1")
        s2, _ = self.median("classify.cuishou.t2")
        row(task, "cuishou classify, 1 thread", "classify.cuishou.t1", n, "—", c_f1)
        row(task, "cuishou classify, 2 threads", "classify.cuishou.t2", n, f"{s1 / s2:.2f} (2t vs 1t)", c_f1)
        for t, sc in ((1, s1), (2, s2)):
            sf, _ = self.median(f"classify.floor.t{t}")
            row(task, f"jieba-rs segmentation only (floor), {t} thread{'s' * (t > 1)}",
                f"classify.floor.t{t}", n, f"{sf / sc:.2f}", None)
        for name, desc in BASELINES:
            sp, _ = self.median(f"classify.{name}")
            row(task, desc, f"classify.{name}", n, f"{sp / s1:.1f} (2t: {sp / s2:.1f})",
                self.f1[f"train.std.{name}"])
        for tag, count, label in (("std", self.train_rows, "train"), ("100k", self.big_rows, "train")):
            task = f"{label} {count:,} rows"
            sc, _ = self.median(f"train.{tag}.cuishou")
            row(task, "cuishou train (1 thread)", f"train.{tag}.cuishou", count, "—",
                self.f1[f"train.{tag}.cuishou"])
            for name, desc in BASELINES:
                sp, _ = self.median(f"train.{tag}.{name}")
                row(task, desc, f"train.{tag}.{name}", count, f"{sp / sc:.1f}",
                    self.f1[f"train.{tag}.{name}"])
        head = ["task", "tool", "median s", "messages/s", "peak MB", "ratio cuishou/peer",
                "dev macro-F1"]
        lines = ["| " + " | ".join(head) + " |", "|" + "|".join("---" for _ in head) + "|"]
        lines += ["| " + " | ".join(r) + " |" for r in rows]
        return "\n".join(lines)

    def targets(self):
        s1, _ = self.median("classify.cuishou.t1")
        s2, _ = self.median("classify.cuishou.t2")
        f1 = self.f1["train.std.cuishou"]
        sk, _ = self.median("classify.sklearn")
        rf, _ = self.median("classify.ft-rjieba")
        f1t, _ = self.median("classify.floor.t1")
        f2t, _ = self.median("classify.floor.t2")
        tc, _ = self.median("train.100k.cuishou")
        ts, _ = self.median("train.100k.sklearn")

        def mark(ok):
            return "holds" if ok else "DOES NOT HOLD"

        out = [
            (f"classify ≥ 50× jieba+scikit-learn at ≥ its dev macro-F1: {sk / s1:.1f}× at 1 thread "
             f"({sk / s2:.1f}× at 2), F1 {f1:.4f} vs {self.f1['train.std.sklearn']:.4f}",
             sk / s1 >= 50 and f1 >= self.f1["train.std.sklearn"]),
            (f"classify ≥ 5× rjieba+fastText at ≥ its dev macro-F1: {rf / s1:.1f}× at 1 thread "
             f"({rf / s2:.1f}× at 2), F1 {f1:.4f} vs {self.f1['train.std.ft-rjieba']:.4f}",
             rf / s1 >= 5 and f1 >= self.f1["train.std.ft-rjieba"]),
            (f"classify ≥ 0.7× the jieba-rs floor: {f1t / s1:.2f}× at 1 thread, {f2t / s2:.2f}× at 2",
             f1t / s1 >= 0.7 and f2t / s2 >= 0.7),
            (f"2 threads ≥ 1.7× 1 thread: {s1 / s2:.2f}×", s1 / s2 >= 1.7),
            (f"training on {self.big_rows:,} rows faster than scikit-learn: {tc:.1f}s vs {ts:.1f}s",
             tc < ts),
        ]
        return "\n".join(f"- {mark(ok)}: {text}" for text, ok in out)

    def machine(self):
        cpu = "unknown"
        try:
            with open("/proc/cpuinfo") as fh:
                for line in fh:
                    if line.startswith("model name"):
                        cpu = line.split(":", 1)[1].strip()
                        break
        except OSError:
            pass
        mem = ""
        try:
            with open("/proc/meminfo") as fh:
                mem = f", {int(fh.readline().split()[1]) / 1024 / 1024:.0f} GiB RAM"
        except (OSError, ValueError, IndexError):
            pass
        return (f"{os.cpu_count()} CPUs ({cpu}){mem}, {platform.system()} {platform.release()}, "
                f"Python {platform.python_version()}")

    def run(self):
        self.messages = count_rows(self.corpus)
        with open(self.a.corpus_stats) as fh:
            corpus_stats = fh.read().strip()
        log(f"corpus: {self.messages} messages; {self.a.runs} runs of each command")
        self.f1["bundled"] = self.cuishou_f1()
        log(f"cuishou bundled model dev macro-F1 {self.f1['bundled']:.4f}")
        self.train_rows = sum(count_rows(f) for f in self.train_files)
        self.big_rows = count_rows(self.train100k)
        self.train(self.train_files, "std")
        self.classify()
        self.train([self.train100k], "100k")
        table = self.table()
        targets = self.targets()
        notes = (
            f"Machine: {self.machine()}. {datetime.date.today()}; medians of {self.a.runs} runs, "
            "each a whole process timed from outside (start-up, model and dictionary loading "
            "included); peak MB is the largest maximum resident set size of the runs "
            "(/usr/bin/time -v).\n"
            f"Corpus: {corpus_stats}\n"
            "Ratio: how many times faster cuishou is than the row's tool, from the medians — "
            "for classification cuishou at 1 thread against the single-threaded Python peers "
            "(at 2 threads in brackets), cuishou at N threads against the floor at N threads "
            "(the issue's ≥ 0.7 target); for training, the peer's seconds over cuishou's.\n"
            "Dev macro-F1: on data/labelled/dev/*.csv. Every model, cuishou's too, is trained "
            "in this run on the same rows (data/labelled/train/*.csv, then the 100k set), and "
            "the classify rows use the models trained on data/labelled/train/*.csv "
            f"(the bundled cuishou model scores {self.f1['bundled']:.4f}).")
        noise = [f for fs in self.foreign.values() for f in fs]
        notes += (f"\nNoise: other processes on the machine used {statistics.mean(noise):.2f} cores on "
                  f"average (at most {max(noise):.2f}) during the timed runs.")
        text = f"{table}\n\n{notes}\n\nTargets of issue 6:\n{targets}\n"
        print(text)
        with open(os.path.join(self.out, "last.md"), "w", encoding="utf-8") as fh:
            fh.write(text)
        with open(os.path.join(self.out, "runs.json"), "w", encoding="utf-8") as fh:
            json.dump({"runs": self.runs, "other_cores": self.foreign, "f1": self.f1}, fh, indent=1)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--root", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--cuishou", required=True)
    ap.add_argument("--floor", required=True)
    ap.add_argument("--python", required=True)
    ap.add_argument("--corpus-stats", required=True)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--max-wait", type=float, default=300,
                    help="seconds to wait, before each timed run, for other processes to go quiet")
    Bench(ap.parse_args()).run()


if __name__ == "__main__":
    main()
