#!/usr/bin/env bash
# Retrains models/default.model from all labelled data (train and dev) with train's defaults, which
# are the shipped model's settings (src/model/hyperparams.rs and FeatureConfig::default; the
# temperature is the one `--loso` fitted, see models/README.md).
# The same data and settings give the same bytes (tests/default_model.rs checks this).
# Usage: scripts/train-default.sh            (then rebuild: the default model is compiled in)
set -euo pipefail
cd "$(dirname "$0")/.."
# the glob sorts by bytes, as tests/default_model.rs does (locales order ds2.csv before ds.csv)
export LC_ALL=C
# shellcheck disable=SC2046
cargo run --release --quiet -- train data/labelled/*/*.csv -o models/default.model
