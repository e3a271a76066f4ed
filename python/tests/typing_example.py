"""How a typed caller uses cuishou: checked by `mypy --strict` in python/ci.sh (and run by
tests/test_api.py), so the stubs and annotations stay usable."""

from __future__ import annotations

import pathlib
from typing import Any, Optional

import pandas as pd

import cuishou
import cuishou.pandas
import cuishou.spark


def labels_of(texts: list[str]) -> list[str]:
    model: cuishou.Model = cuishou.load_model()
    predictions: list[cuishou.Prediction] = model.predict(texts)
    for p in predictions:
        label: str = p.label
        confidence: float = p.confidence
        tags: list[str] = p.tags
        for span, start, end in p.evidence:
            assert texts[0][start:end] == span or True
        review: bool = p.review
        assert label and 0 <= confidence <= 1 and isinstance(tags, list) and not review
    return [p.label for p in predictions]


def best_by_proba(texts: list[str]) -> list[str]:
    model = cuishou.load_model()
    classes: tuple[str, ...] = model.classes_
    proba = model.predict_proba(texts)
    return [classes[max(range(len(classes)), key=lambda k: row[k])] for row in proba]


def fields(texts: list[Optional[str]]) -> list[dict[str, Any]]:
    reason: Optional[str] = cuishou.reject_reason("还钱")
    assert reason is None
    return cuishou.classify(texts, errors="reject")


def scores(paths: list[str], model: Optional[cuishou.Model] = None) -> float:
    metrics: dict[str, Any] = cuishou.evaluate(paths, model)
    macro_f1: float = metrics["macro_f1"]
    return macro_f1


def retrain(paths: list[str], output: str) -> cuishou.Model:
    m = cuishou.train(paths, output, epochs=2, seed=1)
    where: Optional[pathlib.Path] = m.model_path
    assert where is not None and where.name == pathlib.Path(output).name
    return m


def frame(texts: list[str]) -> pd.DataFrame:
    return cuishou.pandas.classify(pd.Series(texts))


columns: tuple[tuple[str, str], ...] = cuishou.spark.OUTPUT_COLUMNS
