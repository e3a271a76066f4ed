"""`cuishou.classify` and `cuishou.classify_arrow` against the command line, row for row."""

from __future__ import annotations

import json
import subprocess
import sys
import threading

import pyarrow as pa
import pytest

import cuishou
from conftest import REPO, dev_texts, read_csv, run_cli_jsonl

FIELDS = ["label", "confidence", "tags", "evidence"]


def test_examples_equal_the_command_lines_jsonl_row_for_row(cli_bin):
    path = REPO / "data/examples/messages.csv"
    rows = read_csv(path)
    p = subprocess.run([cli_bin, "classify", str(path), "--output-format", "jsonl", "--quiet"],
                       check=True, stdout=subprocess.PIPE)
    cli = [json.loads(line) for line in p.stdout.decode("utf-8").splitlines()]
    assert len(cli) == len(rows) > 0
    got = cuishou.classify([r["text"] for r in rows])
    assert len(got) == len(rows)
    for i, (row, c, g) in enumerate(zip(rows, cli, got)):
        assert c["text"] == row["text"], f"row {i}: the CLI read another text"
        assert list(g) == FIELDS
        assert g == {k: c[k] for k in FIELDS}, f"row {i}"


def test_dev_rows_equal_the_command_line_row_for_row(cli_bin):
    texts = dev_texts()[::8]
    assert len(texts) >= 300
    cli = run_cli_jsonl(cli_bin, texts)
    assert cli.status == 0 and not cli.rejects
    got = cuishou.classify(texts)
    assert [o["n"] for o in cli.out] == list(range(len(texts)))
    assert got == [{k: o[k] for k in FIELDS} for o in cli.out]
    assert {g["label"] for g in got} == {"lawful_reminder", "intimidation", "doctored_image_threat", "other"}


def test_a_model_file_gives_the_same_as_the_bundled_model(cli_bin):
    texts = dev_texts()[::40]
    model = str(REPO / "models/default.model")
    assert cuishou.classify(texts, model_path=model) == cuishou.classify(texts)
    cli = run_cli_jsonl(cli_bin, texts, ["--model", model])
    assert cuishou.classify(texts, model) == [{k: o[k] for k in FIELDS} for o in cli.out]
    with pytest.raises(ValueError, match="loading model"):
        cuishou.classify(["还钱"], model_path=str(REPO / "data/lexicon.tsv"))


def test_bad_texts_raise_or_come_back_rejected_like_the_command_line(cli_bin):
    texts = ["还钱", None, "a\0b", "催" * 20_001, 5, ""]
    with pytest.raises(ValueError, match="text 1: text is null"):
        cuishou.classify(texts)
    with pytest.raises(TypeError):
        cuishou.classify("一条短信")
    got = cuishou.classify(texts, errors="reject")
    assert [g["label"] is None for g in got] == [False, True, True, True, True, False]
    assert got[2]["reject_reason"] == "NUL byte in the text"
    assert got[3]["reject_reason"] == "text longer than --max-chars (20001 > 20000 characters)"
    assert got[4]["reject_reason"] == "text is not a string"
    assert "reject_reason" not in got[0]
    cli = run_cli_jsonl(cli_bin, texts)
    assert cli.status == 3
    assert [int(r["line"]) - 1 for r in cli.rejects] == [1, 2, 3, 4]
    assert cli.rejects[1]["reason"] == got[2]["reject_reason"]
    assert cli.rejects[2]["reason"] == got[3]["reject_reason"]
    assert [{k: o[k] for k in FIELDS} for o in cli.out] == [got[0], got[5]]
    assert cuishou.classify(["催" * 30], max_chars=10, errors="reject")[0]["reject_reason"].startswith("text longer")
    assert cuishou.reject_reason("还钱") is None
    assert cuishou.classify([]) == []


def test_classify_arrow_equals_classify():
    texts = dev_texts()[::10]
    expected = cuishou.classify(texts)
    for array in [pa.array(texts, pa.string()), pa.array(texts, pa.large_string()),
                  pa.array(["x"] * 7 + texts, pa.string()).slice(7)]:
        out = cuishou.classify_arrow(array)
        assert isinstance(out, pa.StructArray) and len(out) == len(texts)
        assert [f.name for f in out.type] == FIELDS + ["reject_reason"]
        rows = out.to_pylist()
        assert [{k: r[k] for k in FIELDS} for r in rows] == expected
        assert all(r["reject_reason"] is None for r in rows)
    if hasattr(pa, "string_view"):
        out = cuishou.classify_arrow(pa.array(texts[:50], pa.string_view()))
        assert [{k: r[k] for k in FIELDS} for r in out.to_pylist()] == expected[:50]
    chunked = pa.chunked_array([texts[:100], texts[100:]], pa.string())
    out = cuishou.classify_arrow(chunked)
    assert isinstance(out, pa.ChunkedArray) and out.num_chunks == 2
    assert [{k: r[k] for k in FIELDS} for r in out.to_pylist()] == expected


def test_classify_arrow_rejects_nulls_and_bad_texts_without_raising():
    out = cuishou.classify_arrow(pa.array(["还钱", None, "a\0b", "催" * 20_001]))
    rows = out.to_pylist()
    assert rows[0]["label"] is not None and rows[0]["reject_reason"] is None
    assert [r["reject_reason"] for r in rows[1:]] == [
        "text is null", "NUL byte in the text", "text longer than --max-chars (20001 > 20000 characters)"]
    assert all(r[k] is None for r in rows[1:] for k in FIELDS)
    assert cuishou.classify_arrow(pa.nulls(3)).to_pylist()[2]["reject_reason"] == "text is null"
    assert len(cuishou.classify_arrow(pa.array([], pa.string()))) == 0
    with pytest.raises(TypeError, match="string"):
        cuishou.classify_arrow(pa.array([1, 2]))


def _gil_released_during(call) -> bool:
    """Runs `call` in a thread while this thread waits for it to start. The switch interval is
    set so high that the interpreter never takes the GIL away from a running thread: this
    thread can get it back while `call` is still running only if `call` released it."""
    started, finished = threading.Event(), threading.Event()

    def work():
        started.set()
        call()
        finished.set()

    old = sys.getswitchinterval()
    sys.setswitchinterval(1000.0)
    try:
        t = threading.Thread(target=work)
        t.start()
        started.wait()
        ran_during_call = not finished.is_set()
        t.join()
    finally:
        sys.setswitchinterval(old)
    return ran_during_call


def test_classify_releases_the_gil():
    texts = dev_texts() * 2
    arrow = pa.array(texts)
    cuishou.classify(["热身"])  # load the model first
    # Control: pure-Python work holds the GIL, and the method sees it.
    assert not _gil_released_during(lambda: sum(i * i for i in range(3_000_000)))
    assert _gil_released_during(lambda: cuishou.classify(texts))
    assert _gil_released_during(lambda: cuishou.classify_arrow(arrow))


def test_threads_classify_concurrently_and_agree():
    texts = dev_texts()[::5]
    expected = cuishou.classify(texts)
    results = [None] * 4

    def work(i):
        results[i] = cuishou.load_model(threads=1).classify(texts)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(r == expected for r in results)


def test_the_doc_example_runs():
    r = cuishou.classify(["再不还钱就把你P成遗照发到你家族群"])[0]
    assert r["label"] == "doctored_image_threat" and "image" in r["tags"].split(";")
    assert isinstance(r["confidence"], float) and 0 < r["confidence"] <= 1


def test_csv_evidence_offsets_point_into_the_text():
    for text, r in zip(dev_texts()[:200], cuishou.classify(dev_texts()[:200])):
        if not r["evidence"]:
            continue
        for part in r["evidence"].split(";"):
            span, _, offsets = part.rpartition("@")
            start, end = map(int, offsets.split("-"))
            assert text[start:end] == span
