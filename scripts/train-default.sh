#!/usr/bin/env bash
# Retrains models/default.model from the training split with the settings in models/default.args.
# The same data and settings give the same bytes (tests/default_model.rs checks this).
# Usage: scripts/train-default.sh            (then rebuild: the default model is compiled in)
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck disable=SC2046
cargo run --release --quiet -- train data/labelled/train/*.csv -o models/default.model $(cat models/default.args)
