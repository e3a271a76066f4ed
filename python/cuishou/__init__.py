"""cuishou: tell lawful debt-collection reminders from intimidation and doctored-image threats
in Chinese SMS and chat messages, with the same model and the same output as the `cuishou`
command line.

>>> import cuishou
>>> r = cuishou.classify(["再不还钱就把你P成遗照发到你家族群"])[0]
>>> r["label"], "image" in r["tags"]
('doctored_image_threat', True)

`classify` takes Python strings; `classify_arrow` takes a pyarrow string array and reads the
texts in place (the Arrow C data interface). Both release the GIL while they classify, on all
cores by default (or RAYON_NUM_THREADS, or `model(threads=N)`). `cuishou.spark` runs the same
on a Spark DataFrame.
"""

from __future__ import annotations

import threading
from typing import Any, Iterable, Optional

from ._cuishou import DEFAULT_MAX_CHARS, Model, __version__, reject_reason

__all__ = [
    "DEFAULT_MAX_CHARS",
    "FIELDS",
    "Model",
    "classify",
    "classify_arrow",
    "model",
    "reject_reason",
    "__version__",
]

#: The fields every classified text gets, in the order the command line writes them.
FIELDS = ("label", "confidence", "tags", "evidence")

_models: dict = {}
_models_lock = threading.Lock()


def model(model_path: Optional[str] = None, threads: Optional[int] = None) -> Model:
    """The model at `model_path` (default: the model built into the package), loaded once per
    process and cached; `threads` gives it a pool of its own of that size."""
    key = (None if model_path is None else str(model_path), threads)
    with _models_lock:
        m = _models.get(key)
        if m is None:
            m = Model(key[0], threads)
            _models[key] = m
        return m


def classify(
    texts: Iterable[Optional[str]],
    model_path: Optional[str] = None,
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
    return model(model_path).classify(texts, max_chars=max_chars, errors=errors)


def classify_arrow(array, model_path: Optional[str] = None, *, max_chars: int = DEFAULT_MAX_CHARS):
    """Classify a pyarrow string array (string, large_string or string_view; a ChunkedArray is
    classified chunk by chunk) without copying the texts into Python.

    Returns a pyarrow StructArray (a ChunkedArray for a ChunkedArray) of the same length with
    the fields label, confidence, tags, evidence and reject_reason; nulls and texts the command
    line would reject get null fields and a reject_reason instead of an exception.
    """
    m = model(model_path)
    chunks = getattr(array, "chunks", None)
    if chunks is not None and not hasattr(array, "__arrow_c_array__"):
        import pyarrow as pa

        out = [m.classify_arrow(c, max_chars=max_chars) for c in chunks]
        if not out:
            empty = m.classify_arrow(pa.array([], pa.string()), max_chars=max_chars)
            return pa.chunked_array([], type=empty.type)
        return pa.chunked_array(out)
    return m.classify_arrow(array, max_chars=max_chars)
