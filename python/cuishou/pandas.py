"""Classify a pandas Series, or a DataFrame's text column: ``cuishou.pandas.classify``.

>>> import pandas as pd, cuishou.pandas
>>> s = pd.Series(["再不还钱就把你P成遗照发到你家族群"], index=["m1"])
>>> cuishou.pandas.classify(s).loc["m1", "label"]
'doctored_image_threat'

pandas is imported when this function is called, not when ``cuishou`` is: ``pip install
cuishou[pandas]`` (or any pandas) to use it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Optional, Union

from . import load_model
from ._cuishou import DEFAULT_MAX_CHARS, FIELDS, REJECT_REASON_FIELD

if TYPE_CHECKING:
    import os

    import pandas as pd

__all__ = ["classify"]


def classify(
    data: Union[pd.Series[Any], pd.DataFrame],
    text_column: str = "text",
    model_path: Optional[Union[str, os.PathLike[str]]] = None,
    *,
    errors: str = "raise",
    max_chars: int = DEFAULT_MAX_CHARS,
) -> pd.DataFrame:
    """Classify a Series of texts, or ``data[text_column]`` of a DataFrame.

    Returns a DataFrame with the input's index and the columns label, confidence, tags and
    evidence, the fields `cuishou classify` writes (tags joined with ``;``, evidence as
    ``SPAN@START-END;...``); join it back with ``df.join(result)``.

    A missing value (None, NaN, pd.NA), a value that is not a str, a NUL byte or more than
    `max_chars` characters raises ValueError naming the row's index label with errors="raise";
    with errors="reject" such rows get missing fields and a ``reject_reason`` column says why
    (None for classified rows).
    """
    import pandas as pd

    if errors not in ("raise", "reject"):
        raise ValueError(f'errors must be "raise" or "reject", got {errors!r}')
    if isinstance(data, pd.DataFrame):
        if text_column not in data.columns:
            raise ValueError(f"no column named {text_column!r}; the columns are: {', '.join(map(str, data.columns))}")
        series = data[text_column]
    elif isinstance(data, pd.Series):
        series = data
    else:
        raise TypeError(f"classify takes a pandas Series or DataFrame, got {type(data).__name__}")
    # Missing values in any of pandas' spellings are null texts.
    texts = [None if v is None or v is pd.NA or (isinstance(v, float) and v != v) else v
             for v in series.tolist()]
    rows = load_model(model_path).classify(texts, max_chars=max_chars, errors="reject")
    if errors == "raise":
        for i, r in enumerate(rows):
            if REJECT_REASON_FIELD in r:
                label = series.index[i:i + 1].tolist()[0]  # a Python value, not a numpy scalar
                raise ValueError(f"text at index {label!r} (position {i}): {r[REJECT_REASON_FIELD]}")
    columns = list(FIELDS) + ([REJECT_REASON_FIELD] if errors == "reject" else [])
    out = pd.DataFrame({c: pd.Series([r.get(c) for r in rows], index=series.index, dtype=object) for c in columns})
    out["confidence"] = out["confidence"].astype("float64")
    return out
