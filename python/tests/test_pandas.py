"""cuishou.pandas: a Series or a DataFrame column in, a DataFrame with the same index out."""

from __future__ import annotations

import subprocess

import numpy as np
import pandas as pd
import pytest

import cuishou
import cuishou.pandas
from conftest import dev_texts

FIELDS = ["label", "confidence", "tags", "evidence"]


def test_pandas_series_and_frame_keep_the_index():
    texts = dev_texts()[:30]
    index = pd.Index([f"m{i}" for i in range(len(texts))], name="id")
    expected = cuishou.classify(texts)
    out = cuishou.pandas.classify(pd.Series(texts, index=index))
    assert list(out.columns) == FIELDS and out.index.equals(index)
    assert out.to_dict("records") == expected
    assert out["confidence"].dtype == np.float64
    frame = pd.DataFrame({"body": texts, "n": range(len(texts))}, index=index)
    assert cuishou.pandas.classify(frame, text_column="body").equals(out)
    joined = frame.join(out)
    assert list(joined.columns) == ["body", "n"] + FIELDS
    assert len(cuishou.pandas.classify(pd.Series([], dtype=object))) == 0
    with pytest.raises(ValueError, match="no column named 'text'"):
        cuishou.pandas.classify(frame)


def test_pandas_missing_and_bad_values():
    s = pd.Series(["还钱", None, float("nan"), "a\0b", pd.NA], index=[10, 11, 12, 13, 14], dtype=object)
    with pytest.raises(ValueError, match=r"index 11 \(position 1\): text is null"):
        cuishou.pandas.classify(s)
    out = cuishou.pandas.classify(s, errors="reject")
    assert list(out.columns) == FIELDS + ["reject_reason"]
    assert out["reject_reason"].tolist() == [None, "text is null", "text is null", "NUL byte in the text", "text is null"]
    assert out.loc[10, "label"] is not None and out.loc[11, "label"] is None
    assert out["confidence"].isna().tolist() == [False, True, True, True, True]
    assert cuishou.pandas.classify(pd.Series(["还钱"], dtype="string")).loc[0, "label"]


def test_pandas_is_imported_lazily():
    code = "import sys, cuishou, cuishou.pandas; print('pandas' in sys.modules)"
    import sys

    out = subprocess.run([sys.executable, "-c", code], check=True, stdout=subprocess.PIPE, text=True).stdout
    assert out.strip() == "False"
