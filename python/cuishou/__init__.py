"""cuishou: tell lawful debt-collection reminders from intimidation and doctored-image threats
in Chinese SMS and chat messages, with the same model and the same output as the `cuishou`
command line.

>>> import cuishou
>>> r = cuishou.classify(["再不还钱就把你P成遗照发到你家族群"])[0]
>>> r["label"], "image" in r["tags"]
('doctored_image_threat', True)

`classify` takes Python strings; `classify_arrow` takes a pyarrow string array and reads the
texts in place (the Arrow C data interface). Both release the GIL while they classify, on all
cores by default (or RAYON_NUM_THREADS, or `load_model(threads=N)`).

The scikit-learn face: `load_model()` (or `Model(path)`) gives a model with `classes_`,
`predict(texts)` (a list of `Prediction` records) and `predict_proba(texts)` (an (n, 4) array
in `classes_` order); `train(paths)` and `evaluate(paths)` train and score models on labelled
CSV files. `cuishou.pandas` classifies a Series or a DataFrame column, `cuishou.spark` a Spark
DataFrame.
"""

from __future__ import annotations

import json
import os
import threading
import warnings
from typing import TYPE_CHECKING, Any, Iterable, NamedTuple, Optional, Sequence, Union

from . import _cuishou
from ._cuishou import CLASSES, DEFAULT_MAX_CHARS, FIELDS, __version__, reject_reason

if TYPE_CHECKING:
    import numpy
    import numpy.typing

__all__ = [
    "CLASSES",
    "DEFAULT_MAX_CHARS",
    "FIELDS",
    "Model",
    "Prediction",
    "classify",
    "classify_arrow",
    "evaluate",
    "load_model",
    "model",
    "reject_reason",
    "train",
    "__version__",
]

#: A path to a model file, as str or os.PathLike.
PathLike = Union[str, "os.PathLike[str]"]


class Prediction(NamedTuple):
    """What the model says about one text."""

    #: lawful_reminder, intimidation, doctored_image_threat or other; for a model trained on
    #: labels of its own, one of its `classes_`.
    label: str
    #: The probability of `label`, rounded to four decimals as the command line writes it.
    confidence: float
    #: The harms named (for the unlawful labels), in the fixed tag order.
    tags: list[str]
    #: The spans that drove the label: (span text, start, end), offsets in characters, end
    #: exclusive, so that ``text[start:end] == span``.
    evidence: list[tuple[str, int, int]]
    #: True when the message should be read by a person (a model trained or set with a minimum
    #: confidence); always False for the default model.
    review: bool


class Model(_cuishou.Model):
    """Model(model_path=None, threads=None): a loaded model, uncached (`load_model` caches).

    Loads the model file at `model_path` (from `cuishou train` or `cuishou.train`), or the
    default model built into the package. `threads` sizes a pool of the model's own; by default
    the process-wide pool is used (all cores, or RAYON_NUM_THREADS).

    Besides `classify` and `classify_arrow` (the command line's fields), it has the
    scikit-learn names: `classes_`, `predict` and `predict_proba`.
    """

    def predict(self, texts: Iterable[Optional[str]], *, max_chars: int = DEFAULT_MAX_CHARS) -> list[Prediction]:
        """One `Prediction` per text, in order. A text that cannot be classified (None, not a
        str, a NUL byte, more than `max_chars` characters) raises ValueError naming its
        position, before anything is classified."""
        return [Prediction._make(r) for r in self.predict_records(texts, max_chars=max_chars)]

    def predict_proba(
        self, texts: Iterable[Optional[str]], *, max_chars: int = DEFAULT_MAX_CHARS
    ) -> Union[numpy.typing.NDArray[numpy.float64], list[list[float]]]:
        """The label probabilities of each text, an (n, k) array with columns in `classes_`
        order, k being the model's number of labels (4 for the built-in ones; a model trained on
        labels of one's own has its own) (a list of lists when numpy is not installed), rounded to four decimals as
        `cuishou classify --probabilities` writes them. Bad texts raise as in `predict`."""
        rows = self.probabilities(texts, max_chars=max_chars)
        try:
            import numpy as np
        except ImportError:
            return rows
        return np.array(rows, dtype=np.float64).reshape(len(rows), len(self.classes_))

    def evaluate(self, paths: Union[PathLike, Sequence[PathLike]]) -> dict[str, Any]:
        """This model's scores on labelled CSV files: see `cuishou.evaluate`."""
        result: dict[str, Any] = json.loads(self.evaluate_json(_paths(paths)))
        return result


_models: dict[tuple[Optional[str], Optional[int]], Model] = {}
_models_lock = threading.Lock()


def load_model(model_path: Optional[PathLike] = None, threads: Optional[int] = None) -> Model:
    """The model at `model_path` (default: the model built into the package), loaded once per
    process and cached; `threads` gives it a pool of its own of that size."""
    key = (None if model_path is None else os.fspath(model_path), threads)
    with _models_lock:
        m = _models.get(key)
        if m is None:
            m = Model(key[0], threads)
            _models[key] = m
        return m


def model(model_path: Optional[PathLike] = None, threads: Optional[int] = None) -> Model:
    """Deprecated alias of `load_model` (it differed from the class `Model` only in case)."""
    warnings.warn("cuishou.model() is deprecated: use cuishou.load_model()", DeprecationWarning, stacklevel=2)
    return load_model(model_path, threads)


def _paths(paths: Union[PathLike, Sequence[PathLike]]) -> list[str]:
    if isinstance(paths, (str, os.PathLike)):
        return [os.fspath(paths)]
    return [os.fspath(p) for p in paths]


def train(
    paths: Union[PathLike, Sequence[PathLike]],
    output: Optional[PathLike] = None,
    *,
    epochs: Optional[int] = None,
    learning_rate: Optional[float] = None,
    l2: Optional[float] = None,
    tag_weight: Optional[float] = None,
    seed: Optional[int] = None,
    temperature: Optional[float] = None,
    threads: Optional[int] = None,
) -> Model:
    """Train a model on labelled CSV files (columns `text` and `label`, optionally `tags` and
    `id`), as `cuishou train FILES -o OUTPUT` does with the same flags: default features, the
    bundled dictionary and lexicon, calibration `temperature`. A hyper-parameter left None
    takes the library's default, the shipped model's setting (`cuishou train --help`). The model is written to `output` when given (the file `Model(output)` and
    `cuishou classify --model` load) and returned. Bad files or rows raise ValueError.
    """
    given = {"epochs": epochs, "learning_rate": learning_rate, "l2": l2, "tag_weight": tag_weight,
             "seed": seed, "temperature": temperature}
    hyper: dict[str, Any] = {k: v for k, v in given.items() if v is not None}
    trained = _cuishou.train(_paths(paths), None if output is None else os.fspath(output), threads=threads, **hyper)
    return Model(_from=trained)  # the same classifier, as the public class


def evaluate(paths: Union[PathLike, Sequence[PathLike]], model: Union[Model, PathLike, None] = None) -> dict[str, Any]:
    """Score a model (a `Model`, a model file, or by default the bundled model) on labelled CSV
    files, as `cuishou eval --json` does: a dict with accuracy, macro_f1, per_label (label ->
    precision, recall, f1, support), confusion (gold label -> predicted label -> rows) and
    rows."""
    m = model if isinstance(model, _cuishou.Model) else load_model(model)
    result: dict[str, Any] = json.loads(m.evaluate_json(_paths(paths)))
    return result


def classify(
    texts: Iterable[Optional[str]],
    model_path: Optional[PathLike] = None,
    *,
    errors: str = "raise",
    max_chars: int = DEFAULT_MAX_CHARS,
) -> list[dict[str, Any]]:
    """Classify texts: one dict per text, in order, with the keys label, confidence, tags and
    evidence, equal to the fields `cuishou classify` writes: confidence rounded to 4 decimals,
    tags joined with `;`, evidence as `SPAN@START-END;...` with character offsets.

    A value the command line would reject (None, not a str, a NUL byte, more than `max_chars`
    characters) raises ValueError with errors="raise"; with errors="reject" it gets a dict with
    None for the four fields and a `reject_reason`.
    """
    return load_model(model_path).classify(texts, max_chars=max_chars, errors=errors)


def classify_arrow(array: Any, model_path: Optional[PathLike] = None, *, max_chars: int = DEFAULT_MAX_CHARS) -> Any:
    """Classify a pyarrow string array (string, large_string or string_view; a ChunkedArray is
    classified chunk by chunk) without copying the texts into Python.

    Returns a pyarrow StructArray (a ChunkedArray for a ChunkedArray) of the same length with
    the fields label, confidence, tags, evidence and reject_reason; nulls and texts the command
    line would reject get null fields and a reject_reason instead of an exception.
    """
    m = load_model(model_path)
    chunks = getattr(array, "chunks", None)
    if chunks is not None and not hasattr(array, "__arrow_c_array__"):
        import pyarrow as pa

        out = [m.classify_arrow(c, max_chars=max_chars) for c in chunks]
        if not out:
            empty = m.classify_arrow(pa.array([], pa.string()), max_chars=max_chars)
            return pa.chunked_array([], type=empty.type)
        return pa.chunked_array(out)
    return m.classify_arrow(array, max_chars=max_chars)
