"""Classify a Spark DataFrame with cuishou, the same model and the same output as the command line.

Two ways, both returning the input columns plus ``label``, ``confidence``, ``tags``,
``evidence`` and ``reject_reason``, one output row per input row, in partition order:

``classify_dataframe(df, text_col="text")``
    Uses ``DataFrame.mapInArrow`` with the ``cuishou`` wheel installed on the executors (``pip
    install`` it in the executors' Python, or ship it with ``--py-files``/an archived venv).
    Each Arrow batch's text column goes to the classifier in place (no per-row Python), on
    ``spark.task.cpus`` threads per task.

``classify_dataframe_pipe(df, binary_path, text_col="text")``
    The fallback that needs no wheel on the executors: the streaming command
    ``cuishou classify --format jsonl --output-format jsonl -`` behind ``RDD.pipe``, run with
    ``checkCode=True`` (without it a command that dies mid-partition loses the rest of that
    partition's rows without any error), by an absolute path, the binary being shipped to every
    executor with ``SparkContext.addFile``. Only the Python standard library and pyspark run on
    the executors. By hand, without this package at all::

        sc.addFile("/opt/cuishou/bin/cuishou")          # the release binary, same OS/arch
        exe = SparkFiles.get("cuishou")                  # absolute path (local mode, see below)
        cmd = exe + " classify --format jsonl --output-format jsonl --quiet --threads 1 -"
        out = (df.select("text").rdd
                 .map(lambda r: json.dumps({"text": r[0]}, ensure_ascii=False))
                 .pipe(cmd, checkCode=True)
                 .map(json.loads))

    Filter out rows the command would reject (null or non-string text, a NUL byte, more than
    20,000 characters) before piping: the command reports them on its standard error and
    exits with status 3, which ``checkCode=True`` turns into a task failure.
    ``classify_dataframe_pipe`` does that filtering for you and gives such rows back as
    rejected rows.

A bad record never fails the job: a null or non-string text, a text with a NUL byte or one
longer than ``max_chars`` characters comes back as a row whose ``label``, ``confidence``,
``tags`` and ``evidence`` are null and whose ``reject_reason`` says why. Rows that were
classified have a null ``reject_reason``.

Where the binary lives on executors: ``SparkFiles.get(name)`` on the driver gives the path
that executors use in local mode and on clusters whose executors share the driver's file
layout. On YARN, standalone or Kubernetes executors fetch ``addFile`` files into their own
working directory: pass ``executor_binary`` then, the absolute path where the binary is on
every node (for example baked into the executor image), and ``ship=False`` to skip
``addFile``.
"""

from __future__ import annotations

import os
import shlex
from typing import TYPE_CHECKING, Any, Callable, Iterable, Iterator, Optional

if TYPE_CHECKING:
    from pyspark.sql import DataFrame
    from pyspark.sql.types import StructType

from ._cuishou import DEFAULT_MAX_CHARS, FIELDS, OUTPUT_COLUMNS, REJECT_REASONS

# The input rules and the output fields are the Rust library's, read from the compiled module:
# OUTPUT_COLUMNS, the columns both functions add, in order, with their Spark SQL types (the
# library's output fields, then reject_reason); DEFAULT_MAX_CHARS, the longest text classified
# (the command line's --max-chars default); REJECT_REASONS, the reason of each kind of reject.

__all__ = ["DEFAULT_MAX_CHARS", "OUTPUT_COLUMNS", "classify_dataframe", "classify_dataframe_pipe", "pipe_command"]


def _output_schema(df: DataFrame, text_col: str) -> StructType:
    from pyspark.sql.types import DoubleType, StringType, StructField, StructType

    if text_col not in df.columns:
        raise ValueError(f"no column named {text_col!r}; the columns are: {', '.join(df.columns)}")
    clash = [name for name, _ in OUTPUT_COLUMNS if name in df.columns]
    if clash:
        raise ValueError(f"the DataFrame already has the column(s) {', '.join(clash)}: rename or drop them first")
    types = {"string": StringType(), "double": DoubleType()}
    return StructType(list(df.schema.fields) + [StructField(n, types[t], True) for n, t in OUTPUT_COLUMNS])


def classify_dataframe(df: DataFrame, text_col: str = "text", model_path: Optional[str] = None, *,
                       max_chars: int = DEFAULT_MAX_CHARS) -> DataFrame:
    """Classify ``df[text_col]`` with ``mapInArrow`` and the wheel on the executors.

    Returns the input columns plus label, confidence, tags, evidence and reject_reason, one row
    per input row. ``model_path`` is a model file from ``cuishou train`` readable on every
    executor, or the name of a file shipped with ``SparkContext.addFile`` (default: the model
    built into the wheel). Each task classifies on ``spark.task.cpus`` threads.
    """
    schema = _output_schema(df, text_col)
    index = df.columns.index(text_col)
    names = [f.name for f in schema.fields]
    # Spark expects large_string columns back when it sends them.
    conf = df.sparkSession.conf.get("spark.sql.execution.arrow.useLargeVarTypes", "false")
    large = str(conf).lower() == "true"

    def classify_batches(batches: Iterable[Any]) -> Iterator[Any]:
        import pyarrow as pa
        from pyspark import SparkFiles, TaskContext

        import cuishou

        path = model_path
        if path is not None and not os.path.exists(path):
            path = SparkFiles.get(os.path.basename(path))
        ctx = TaskContext.get()
        threads = max(1, int(ctx.cpus())) if ctx is not None else 1
        model = cuishou.load_model(path, threads=threads)
        for batch in batches:
            result = _classify_column(model, batch.column(index), max_chars)
            columns = list(batch.columns)
            for name, kind in OUTPUT_COLUMNS:
                column = result.field(name)
                columns.append(column.cast(pa.large_string()) if large and kind == "string" else column)
            yield pa.RecordBatch.from_arrays(columns, names=names)

    return df.mapInArrow(classify_batches, schema)


def _classify_column(model: Any, column: Any, max_chars: int) -> Any:
    """classify_arrow, but a batch never raises: a column that is not text is all rejected, and
    should the classifier fail on a batch, each of its rows is retried alone."""
    import pyarrow as pa

    t = column.type
    if not (pa.types.is_string(t) or pa.types.is_large_string(t) or pa.types.is_null(t)
            or getattr(pa.types, "is_string_view", lambda _: False)(t)):
        return _rejected(len(column), REJECT_REASONS["not_a_string"])
    try:
        return model.classify_arrow(column, max_chars=max_chars)
    except Exception:  # noqa: BLE001 - one bad record must not fail a national job
        parts = []
        for i in range(len(column)):
            try:
                parts.append(model.classify_arrow(column.slice(i, 1), max_chars=max_chars))
            except Exception as e:  # noqa: BLE001
                parts.append(_rejected(1, f"classifier error: {type(e).__name__}: {e}"))
        return pa.concat_arrays(parts) if parts else _rejected(0, "")


def _rejected(n: int, reason: str) -> Any:
    import pyarrow as pa

    types = {"string": pa.string(), "double": pa.float64()}
    *fields, (reject_field, _) = OUTPUT_COLUMNS
    return pa.StructArray.from_arrays(
        [pa.nulls(n, types[kind]) for _, kind in fields] + [pa.array([reason] * n, pa.string())],
        names=[name for name, _ in fields] + [reject_field],
    )


def pipe_command(executable: str, model_path: Optional[str] = None, *, threads: int = 1,
                 max_chars: int = DEFAULT_MAX_CHARS) -> str:
    """The streaming command line that ``classify_dataframe_pipe`` hands to ``RDD.pipe``."""
    args = [executable, "classify", "--format", "jsonl", "--encoding", "utf-8", "--output-format", "jsonl",
            "--quiet", "--threads", str(threads), "--max-chars", str(max_chars)]
    if model_path is not None:
        args += ["--model", model_path]
    return shlex.join(args + ["-"])


def classify_dataframe_pipe(df: DataFrame, binary_path: str, text_col: str = "text", model_path: Optional[str] = None, *,
                            max_chars: int = DEFAULT_MAX_CHARS, executor_binary: Optional[str] = None,
                            ship: bool = True) -> DataFrame:
    """Classify ``df[text_col]`` by piping it through the ``cuishou`` binary: no wheel needed on
    the executors, only the binary (shipped here with ``SparkContext.addFile``).

    Each partition runs ``cuishou classify --format jsonl --output-format jsonl --quiet
    --threads N -`` (N = ``spark.task.cpus``) through ``RDD.pipe(..., checkCode=True)``, so a
    command that fails fails its task instead of silently dropping rows. Rows the command would
    reject are not sent to it: they come back with a null label and a ``reject_reason``. Every
    row's other columns travel through the command inside its JSON line (the command echoes
    the input object), so the input is read once. Returns the same columns as
    ``classify_dataframe``.

    ``binary_path`` is the binary on the driver. ``executor_binary`` is the absolute path the
    executors run (default: ``SparkFiles.get`` of the shipped file, right in local mode; see the
    module docstring for clusters). ``model_path`` must be readable on the executors.
    """
    from pyspark import SparkFiles

    schema = _output_schema(df, text_col)
    spark = df.sparkSession
    sc = spark.sparkContext
    if ship:
        sc.addFile(os.path.abspath(binary_path))
    exe = executor_binary or SparkFiles.get(os.path.basename(binary_path))
    if not os.path.isabs(exe):
        raise ValueError(f"the executors need an absolute path to the binary, got {exe!r}")
    threads = int(sc.getConf().get("spark.task.cpus", "1"))
    command = pipe_command(exe, model_path, threads=threads, max_chars=max_chars)
    index = df.columns.index(text_col)
    lines = df.rdd.map(_to_json_line(index, max_chars))
    rows = lines.pipe(command, checkCode=True).map(_from_json_line())
    return spark.createDataFrame(rows, schema, verifySchema=False)


# The executor side of the pipe path. These factories return closures that cloudpickle ships by
# value and that use the standard library only, so executors need neither this package nor its
# compiled module.

def _to_json_line(index: int, max_chars: int) -> Callable[[Any], str]:
    # The executors may not have this package: the reasons travel in the closure, read here on
    # the driver from the compiled module. The checks are the library's `reject_reason` (a NUL
    # byte; more than max_chars characters), plus what only Python values can be (None, not a
    # str, a lone surrogate), in the same order; tests/test_api.py holds them equal to it.
    reasons = dict(REJECT_REASONS)

    def to_line(row: Any) -> str:
        import base64
        import json
        import pickle

        text = row[index]
        if text is None:
            reason = reasons["null"]
        elif not isinstance(text, str):
            reason = reasons["not_a_string"]
        elif "\0" in text:
            reason = reasons["nul"]
        elif len(text) > max_chars:
            reason = reasons["too_long"].format(chars=len(text), max_chars=max_chars)
        else:
            try:
                text.encode("utf-8")
                reason = None
            except UnicodeEncodeError:
                reason = reasons["not_unicode"]
        packed = base64.b64encode(pickle.dumps(tuple(row), protocol=pickle.HIGHEST_PROTOCOL)).decode("ascii")
        # The command classifies "text" and echoes "row" (and "reject") back untouched.
        obj = {"text": "" if reason is not None else text, "row": packed}
        if reason is not None:
            obj["reject"] = reason
        return json.dumps(obj, ensure_ascii=False)

    return to_line


def _from_json_line() -> Callable[[str], tuple[Any, ...]]:
    fields = tuple(FIELDS)  # what the command writes for each classified text, in order

    def from_line(line: str) -> tuple[Any, ...]:
        import base64
        import json
        import pickle

        obj = json.loads(line)
        row: tuple[Any, ...] = pickle.loads(base64.b64decode(obj["row"]))
        reason = obj.get("reject")
        if reason is not None:
            return row + (None,) * len(fields) + (reason,)
        return row + tuple(obj[f] for f in fields) + (None,)

    return from_line
