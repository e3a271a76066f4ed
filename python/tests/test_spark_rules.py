"""cuishou.spark restates none of the library's input rules or output fields: they come from the
compiled module, and the pipe path's record check (which runs where the package may be missing)
gives the library's reasons. No Spark session needed."""

from __future__ import annotations

import pytest

import cuishou
import cuishou.spark
from cuishou import _cuishou
from conftest import PYTHON_DIR


def test_spark_takes_its_rules_from_the_compiled_module():
    assert cuishou.spark.DEFAULT_MAX_CHARS == _cuishou.DEFAULT_MAX_CHARS == 20_000
    assert cuishou.spark.OUTPUT_COLUMNS == _cuishou.OUTPUT_COLUMNS
    assert [n for n, _ in _cuishou.OUTPUT_COLUMNS] == list(_cuishou.FIELDS) + ["reject_reason"]
    import pyarrow as pa

    arrow = cuishou.classify_arrow(pa.array(["还钱"]))
    kinds = {pa.string(): "string", pa.float64(): "double"}
    assert [(f.name, kinds[f.type]) for f in arrow.type] == list(_cuishou.OUTPUT_COLUMNS)
    assert cuishou.spark._rejected(2, "x").type == arrow.type
    # No rule restated in spark.py's code (its docstrings may describe them): no reject reason,
    # no character limit, no output field name in a literal.
    import ast

    tree = ast.parse((PYTHON_DIR / "cuishou/spark.py").read_text(encoding="utf-8"))
    docstrings = {id(n.body[0].value) for n in ast.walk(tree)
                  if isinstance(n, (ast.Module, ast.FunctionDef)) and n.body and isinstance(n.body[0], ast.Expr)}
    literals = [n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and id(n) not in docstrings]
    assert 20_000 not in literals
    words = ["null", "NUL", "longer", "string", "Unicode"] + [n for n, _ in _cuishou.OUTPUT_COLUMNS]
    for lit in literals:
        if isinstance(lit, str):
            allowed = {"string", "double", "is_string_view", *_cuishou.REJECT_REASONS}  # types, keys
            assert lit in allowed or not any(w in lit for w in words), lit


@pytest.mark.parametrize("max_chars", [3, 20_000])
def test_the_pipe_paths_check_equals_the_librarys(max_chars):
    import json

    to_line = cuishou.spark._to_json_line(0, max_chars)
    texts = ["还钱", "", "a\0b", "催" * 4, "𠀀𠀀𠀀", "𠀀𠀀𠀀𠀀", "e\u0301" * 2, "\ud800", None, 5, "催" * 20_001]
    for text in texts:
        obj = json.loads(to_line((text,)))
        expected = cuishou.classify([text], max_chars=max_chars, errors="reject")[0].get("reject_reason")
        assert obj.get("reject") == expected, repr(text)[:40]
        if isinstance(text, str) and expected is None:
            assert obj["text"] == text
