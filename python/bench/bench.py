"""Rows per second of the four ways to run cuishou on the same rows (from make_rows.py):

    cli      cuishou classify --format jsonl --output-format jsonl - < OUT.jsonl > /dev/null
    wheel    cuishou.classify(texts) on the texts of OUT.parquet, in batches
    arrow    cuishou.spark.classify_dataframe (mapInArrow) in local[2], written to the noop sink
    pipe     cuishou.spark.classify_dataframe_pipe (RDD.pipe) in local[2], written to the noop sink

    python python/bench/bench.py --rows /tmp/cuishou-bench --bin target/release/cuishou cli wheel arrow pipe

Timings are wall clock and include reading the input (and, for Spark, planning the job, but
not starting the session); the model is loaded once per process or Python worker.
"""

import argparse
import os
import subprocess
import sys
import time

import pyarrow.parquet as pq


def tree_cpu_seconds():
    """CPU time of this process and all its descendants (the command line, the Spark JVM, its
    Python workers and the commands they pipe through), waited-for children included: on a
    busy machine this says what a path costs even when wall clock is shared."""
    parents = {}
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                with open(f"/proc/{d}/stat") as f:
                    fields = f.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            parents.setdefault(int(fields[1]), []).append((int(d), fields))
    ticks = os.sysconf("SC_CLK_TCK")
    with open(f"/proc/{os.getpid()}/stat") as f:
        own = f.read().rsplit(")", 1)[1].split()
    total, todo = sum(int(x) for x in own[11:15]), [os.getpid()]
    while todo:
        for pid, fields in parents.get(todo.pop(), []):
            total += sum(int(x) for x in fields[11:15])
            todo.append(pid)
    return total / ticks


def timed(name, n, f):
    c0, t0 = tree_cpu_seconds(), time.perf_counter()
    f()
    secs, cpu = time.perf_counter() - t0, tree_cpu_seconds() - c0
    print(f"{name:6} {n:>9} rows {secs:8.1f} s wall {n / secs:>9.0f} rows/s   "
          f"{cpu:8.1f} s CPU {n / cpu:>9.0f} rows per CPU-second   load {os.getloadavg()[0]:.1f}", flush=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", default="/tmp/cuishou-bench", help="the OUT prefix of make_rows.py")
    ap.add_argument("--bin", required=True, help="the cuishou binary")
    ap.add_argument("--limit", type=int, default=None, help="use only the first N rows")
    ap.add_argument("--batch", type=int, default=100_000, help="texts per cuishou.classify call")
    ap.add_argument("--partitions", type=int, default=8, help="Spark partitions of the input")
    ap.add_argument("paths", nargs="+", choices=["cli", "wheel", "arrow", "pipe"])
    args = ap.parse_args()
    jsonl, parquet = args.rows + ".jsonl", args.rows + ".parquet"
    table = pq.read_table(parquet)
    if args.limit:
        table = table.slice(0, args.limit)
    n = table.num_rows
    binary = os.path.abspath(args.bin)

    if "cli" in args.paths:
        def cli():
            head = ["head", "-n", str(n), jsonl]
            with subprocess.Popen(head, stdout=subprocess.PIPE) as src:
                subprocess.run([binary, "classify", "--format", "jsonl", "--output-format", "jsonl", "--quiet", "-"],
                               stdin=src.stdout, stdout=subprocess.DEVNULL, check=True)
        timed("cli", n, cli)

    if "wheel" in args.paths:
        import cuishou

        cuishou.classify(["热身"])  # load the model outside the timing
        texts = table.column("text").to_pylist()

        def wheel():
            for i in range(0, n, args.batch):
                cuishou.classify(texts[i:i + args.batch])
        timed("wheel", n, wheel)

    if "arrow" in args.paths or "pipe" in args.paths:
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
        os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
        from pyspark.sql import SparkSession

        from cuishou.spark import classify_dataframe, classify_dataframe_pipe

        spark = (SparkSession.builder.master("local[2]").appName("cuishou-bench")
                 .config("spark.driver.host", "127.0.0.1").config("spark.driver.bindAddress", "127.0.0.1")
                 .config("spark.ui.enabled", "false").config("spark.ui.showConsoleProgress", "false")
                 .config("spark.driver.memory", "4g").getOrCreate())
        spark.sparkContext.setLogLevel("ERROR")
        df = spark.read.parquet(parquet)
        if args.limit:
            df = df.limit(n)
        df = df.repartition(args.partitions).cache()
        assert df.count() == n  # read and cache the input outside the timing
        if "arrow" in args.paths:
            timed("arrow", n, lambda: classify_dataframe(df).write.format("noop").mode("overwrite").save())
        if "pipe" in args.paths:
            timed("pipe", n, lambda: classify_dataframe_pipe(df, binary).write.format("noop").mode("overwrite").save())
        spark.stop()


if __name__ == "__main__":
    main()
