"""Shared fixtures: the repository's data, the `cuishou` command-line binary to compare against,
and a local Spark session."""

from __future__ import annotations

import csv
import glob
import io
import json
import os
import random
import subprocess
import sys
from pathlib import Path

import pytest

PYTHON_DIR = Path(__file__).resolve().parents[1]
REPO = PYTHON_DIR.parent


def read_csv(path) -> list[dict]:
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def labelled_texts() -> list[str]:
    """Every text of data/labelled, in a fixed order."""
    texts = []
    for path in sorted(glob.glob(str(REPO / "data/labelled/**/*.csv"), recursive=True)):
        texts.extend(r["text"] for r in read_csv(path))
    return texts


def dev_texts() -> list[str]:
    texts = []
    for path in sorted(glob.glob(str(REPO / "data/labelled/dev/*.csv"))):
        texts.extend(r["text"] for r in read_csv(path))
    return texts


def make_rows(n: int, seed: int = 8) -> list[tuple]:
    """`n` rows (id, text, source) drawn with a fixed seed from the labelled texts, with a few
    records the command line rejects: a null, a NUL byte, an over-long text."""
    rng = random.Random(seed)
    pool = labelled_texts()
    rows = [(i, rng.choice(pool), "labelled") for i in range(n)]
    for i, bad in [(17, None), (4242, "还钱\0吧"), (n - 3, "催" * 20_001)]:
        if i < n:
            rows[i] = (i, bad, "bad")
    return rows


def find_binary() -> str:
    """$CUISHOU_BIN, or the release binary that `cargo build --release` leaves (built here if
    needed)."""
    env = os.environ.get("CUISHOU_BIN")
    if env:
        return env
    out = subprocess.run(
        ["cargo", "build", "--release", "--locked", "--bin", "cuishou", "--message-format=json"],
        cwd=REPO, check=True, stdout=subprocess.PIPE, text=True,
    ).stdout
    for line in out.splitlines():
        msg = json.loads(line)
        if msg.get("reason") == "compiler-artifact" and msg.get("executable") and msg["target"]["name"] == "cuishou":
            return msg["executable"]
    raise RuntimeError("cargo built no cuishou binary")


@pytest.fixture(scope="session")
def cli_bin() -> str:
    return find_binary()


class CliRun:
    """One streaming run: output objects (one per classified line), rejects (CSV rows of
    file,line,reason,raw) and the exit status."""

    def __init__(self, out: list[dict], rejects: list[dict], status: int):
        self.out, self.rejects, self.status = out, rejects, status


def run_cli_jsonl(binary: str, texts, extra_args=()) -> CliRun:
    """Feeds `{"text": ..., "n": i}` lines to `cuishou classify --format jsonl --output-format
    jsonl -` and reads what it writes. A None text goes in as JSON null."""
    payload = "".join(json.dumps({"text": t, "n": i}, ensure_ascii=False) + "\n" for i, t in enumerate(texts))
    p = subprocess.run(
        [binary, "classify", "--format", "jsonl", "--output-format", "jsonl", "--quiet", *extra_args, "-"],
        input=payload.encode("utf-8"), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )
    assert p.returncode in (0, 3), p.stderr.decode("utf-8", "replace")
    out = [json.loads(line) for line in p.stdout.decode("utf-8").splitlines()]
    err = p.stderr.decode("utf-8")
    rejects = list(csv.DictReader(io.StringIO(err))) if err.strip() else []
    return CliRun(out, rejects, p.returncode)


@pytest.fixture(scope="session")
def spark():
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")  # loopback only
    from pyspark.sql import SparkSession

    session = (
        SparkSession.builder.master("local[2]")
        .appName("cuishou-tests")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.driver.memory", "2g")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()
