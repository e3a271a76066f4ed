"""cuishou.spark in local[2] over 10,000 rows: labels equal the command line's row for row and the
counts reconcile, through mapInArrow (the wheel) and through RDD.pipe (the binary)."""

from __future__ import annotations

from collections import Counter

import pytest

from conftest import make_rows, run_cli_jsonl

pytestmark = pytest.mark.spark

N_ROWS = 10_000


@pytest.fixture(scope="module")
def rows():
    return make_rows(N_ROWS)


@pytest.fixture(scope="module")
def cli(cli_bin, rows):
    """The command line's verdict on the same texts: labels by row id, and the rejected ids."""
    run = run_cli_jsonl(cli_bin, [t for _, t, _ in rows])
    assert run.status == 3, "the bad rows are rejected"
    rejected = {int(r["line"]) - 1 for r in run.rejects}
    assert rejected == {17, 4242, N_ROWS - 3}
    assert len(run.out) + len(run.rejects) == N_ROWS
    return {o["n"]: o for o in run.out}, rejected


@pytest.fixture(scope="module")
def df(spark, rows):
    from pyspark.sql.types import LongType, StringType, StructField, StructType

    schema = StructType([StructField("id", LongType()), StructField("text", StringType()),
                         StructField("source", StringType())])
    return spark.createDataFrame(rows, schema).repartition(6)


def check_against_cli(result, rows, cli):
    by_id, rejected = cli
    out = result.collect()
    # Counts reconcile: one row out per row in, classified + rejected = read.
    assert len(out) == N_ROWS
    assert result.columns == ["id", "text", "source", "label", "confidence", "tags", "evidence", "reject_reason"]
    got = {r["id"]: r for r in out}
    assert sorted(got) == list(range(N_ROWS))
    classified = [r for r in out if r["label"] is not None]
    assert len(classified) == len(by_id) and N_ROWS - len(classified) == len(rejected)
    assert {r["id"] for r in out if r["reject_reason"] is not None} == rejected
    # Row for row: the same label (and confidence, tags, evidence) as the command line.
    for i, (rid, text, source) in enumerate(rows):
        r = got[rid]
        assert r["text"] == text and r["source"] == source, f"row {rid}: input columns changed"
        if rid in rejected:
            assert r["label"] is None and r["confidence"] is None and r["reject_reason"]
            continue
        c = by_id[i]
        assert (r["label"], r["confidence"], r["tags"], r["evidence"]) == (
            c["label"], c["confidence"], c["tags"], c["evidence"]), f"row {rid}"
        assert r["reject_reason"] is None
    assert Counter(r["label"] for r in classified) == Counter(c["label"] for c in by_id.values())
    return got


def test_map_in_arrow_equals_the_command_line(df, rows, cli):
    from cuishou.spark import classify_dataframe

    got = check_against_cli(classify_dataframe(df, text_col="text"), rows, cli)
    assert got[4242]["reject_reason"] == "NUL byte in the text"
    assert got[17]["reject_reason"] == "text is null"


def test_pipe_equals_the_command_line(df, rows, cli, cli_bin):
    from cuishou.spark import classify_dataframe_pipe

    got = check_against_cli(classify_dataframe_pipe(df, cli_bin, text_col="text"), rows, cli)
    assert got[N_ROWS - 3]["reject_reason"] == "text longer than --max-chars (20001 > 20000 characters)"


def test_a_column_that_is_not_text_is_rejected_not_a_failure(spark):
    from cuishou.spark import classify_dataframe, classify_dataframe_pipe

    df = spark.createDataFrame([(1, 10), (2, 20)], "id long, text int")
    for out in [classify_dataframe(df).collect(), classify_dataframe_pipe(df, _binary()).collect()]:
        assert [r["reject_reason"] for r in out] == ["text is not a string"] * 2
        assert all(r["label"] is None for r in out)


def test_a_failing_command_fails_its_task_instead_of_dropping_rows(spark, cli_bin, tmp_path):
    """checkCode=True: the command exits 2 (here: a model file it cannot read) and the job
    fails; without it Spark would return an empty result as if all were well."""
    from cuishou.spark import classify_dataframe_pipe

    df = spark.createDataFrame([(1, "还钱")], "id long, text string")
    with pytest.raises(Exception, match="PIPE_FUNCTION_EXITED|exited with error code 2|error code"):
        classify_dataframe_pipe(df, cli_bin, model_path=str(tmp_path / "missing.model")).collect()


def test_empty_partitions_and_an_empty_frame(spark, cli_bin):
    from cuishou.spark import classify_dataframe, classify_dataframe_pipe

    df = spark.createDataFrame([(1, "还钱"), (2, "吃饭了吗")], "id long, text string").repartition(5)
    empty = df.where("id < 0")
    for run in [classify_dataframe, lambda d: classify_dataframe_pipe(d, cli_bin)]:
        assert sorted(r["id"] for r in run(df).collect()) == [1, 2]
        assert run(empty).count() == 0


def test_large_string_batches_come_back_as_spark_expects(spark):
    from cuishou.spark import classify_dataframe

    df = spark.createDataFrame([(1, "不还钱就爆你通讯录"), (2, None)], "id long, text string")
    expected = [(r["label"], r["reject_reason"]) for r in classify_dataframe(df).collect()]
    spark.conf.set("spark.sql.execution.arrow.useLargeVarTypes", "true")
    try:
        got = [(r["label"], r["reject_reason"]) for r in classify_dataframe(df).collect()]
    finally:
        spark.conf.unset("spark.sql.execution.arrow.useLargeVarTypes")
    assert got == expected == [("intimidation", None), (None, "text is null")]


def test_clashing_or_missing_columns_are_refused_up_front(spark):
    from cuishou.spark import classify_dataframe

    with pytest.raises(ValueError, match="no column named 'body'"):
        classify_dataframe(spark.createDataFrame([("x",)], "text string"), text_col="body")
    with pytest.raises(ValueError, match="label"):
        classify_dataframe(spark.createDataFrame([("x", "y")], "text string, label string"))


def test_the_pipe_path_runs_on_executors_without_the_wheel():
    """What the pipe path ships to the executors loads and runs where `cuishou` cannot be
    imported: it uses the standard library only."""
    import base64
    import subprocess
    import sys

    from pyspark import cloudpickle

    from cuishou import spark as cs

    blob = base64.b64encode(cloudpickle.dumps((cs._to_json_line(1, 20_000), cs._from_json_line()))).decode()
    script = f"""
import base64, sys
sys.modules["cuishou"] = None  # any import of the package fails
from pyspark import cloudpickle
to_line, from_line = cloudpickle.loads(base64.b64decode("{blob}"))
line = to_line((7, "您好，本期账单请按时还款", "x"))
echo = line[:-1] + ', "label": "lawful_reminder", "confidence": 0.9, "tags": "", "evidence": ""}}'
print(from_line(echo))
print(from_line(to_line((8, None, "y"))))
"""
    p = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert p.returncode == 0, p.stderr
    assert p.stdout.splitlines() == [
        "(7, '您好，本期账单请按时还款', 'x', 'lawful_reminder', 0.9, '', '', None)",
        "(8, None, 'y', None, None, None, None, 'text is null')",
    ]


def _binary():
    from conftest import find_binary

    return find_binary()
