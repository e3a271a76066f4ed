"""tests/typing_example.py, which ci.sh checks with mypy --strict, also runs."""

from __future__ import annotations

import runpy
import warnings

import cuishou
from conftest import PYTHON_DIR
from test_api import TINY, write_labelled

FIELDS = ["label", "confidence", "tags", "evidence"]


def test_the_typing_example_runs(tmp_path):
    ns = runpy.run_path(str(PYTHON_DIR / "tests/typing_example.py"))
    texts = ["再不还钱就把你P成遗照发到你家族群", "今晚一起吃饭吗"]
    assert ns["labels_of"](texts) == ns["best_by_proba"](texts)
    data = write_labelled(tmp_path / "tiny.csv", TINY)
    assert 0 <= ns["scores"]([data]) <= 1
    assert isinstance(ns["retrain"]([data], str(tmp_path / "m.model")), cuishou.Model)
    assert list(ns["frame"](texts).columns) == FIELDS
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert ns["fields"](["还钱", None])[1]["reject_reason"] == "text is null"
