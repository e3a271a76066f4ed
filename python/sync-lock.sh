#!/usr/bin/env bash
# Re-seeds python/Cargo.lock from the main crate's Cargo.lock, keeping the binding's own pins
# (pyo3, arrow): the wheel then builds the main crate with exactly the command line's versions.
# Run it after the main crate's dependencies change (tests/test_lockfiles.py says when).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
python3 - "$here/../Cargo.lock" "$here/Cargo.lock" <<'PY'
import sys

main_lock, py_lock = sys.argv[1:]


def blocks(text):
    head, *packages = text.split("\n[[package]]\n")
    return head, ["[[package]]\n" + p.strip("\n") + "\n" for p in packages]


head, main = blocks(open(main_lock, encoding="utf-8").read())
_, py = blocks(open(py_lock, encoding="utf-8").read())
key = lambda block: tuple(block.split("\n")[1:3])  # name and version lines
seen = {key(b) for b in main}
merged = head.rstrip("\n") + "\n\n" + "\n".join(main + [b for b in py if key(b) not in seen])
open(py_lock, "w", encoding="utf-8").write(merged)
PY
# Resolving drops what the binding does not use and adds nothing the two locks did not have.
cd "$here" && cargo metadata --format-version 1 >/dev/null
echo "python/Cargo.lock re-seeded from Cargo.lock"
