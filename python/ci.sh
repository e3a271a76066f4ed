#!/usr/bin/env bash
# The Python package's CI: a virtual environment, `maturin develop --release`, mypy --strict on
# the package and tests/typing_example.py, then pytest (the wheel against the command line, and
# the Spark tests in local[2]). Exits non-zero on failure.
#   bash python/ci.sh            (from the repository root, or from anywhere)
# CUISHOU_VENV picks the environment (default python/.venv, reused between runs);
# CARGO_TARGET_DIR is honoured. About 10 minutes on 2 cores from a clean checkout with a warm pip
# cache (compiling is most of it), 3 to 4 more the first time pyspark is downloaded.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(dirname "$here")"
venv="${CUISHOU_VENV:-$here/.venv}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$repo/target}"

if ! command -v java >/dev/null 2>&1; then
  echo "python/ci.sh: java (17 or 21) is required for the Spark tests" >&2
  exit 1
fi

echo "== python: virtual environment $venv"
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
fi
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$here/requirements-ci.txt"

# The command line the tests compare against. The dev profile is the one `cargo test` (run
# before this in .ci/run) has already built, and it writes the same output as a release build;
# CUISHOU_CLI_PROFILE=release builds that instead.
profile="${CUISHOU_CLI_PROFILE:-dev}"
echo "== python: cargo build --profile $profile --bin cuishou (the command line to compare with)"
(cd "$repo" && cargo build --profile "$profile" --locked --bin cuishou)
if [ "$profile" = dev ]; then
  export CUISHOU_BIN="$CARGO_TARGET_DIR/debug/cuishou"
else
  export CUISHOU_BIN="$CARGO_TARGET_DIR/$profile/cuishou"
fi

echo "== python: maturin develop --release"
(cd "$here" && VIRTUAL_ENV="$venv" PATH="$venv/bin:$PATH" maturin develop --release --locked --quiet)

cd "$here"
echo "== python: mypy --strict (the package, its stubs and a typed caller)"
"$venv/bin/python" -m mypy --strict cuishou tests/typing_example.py

echo "== python: pytest"
export PYSPARK_PYTHON="$venv/bin/python" PYSPARK_DRIVER_PYTHON="$venv/bin/python"
"$venv/bin/python" -m pytest -q -p no:cacheprovider tests
