"""Type stubs of the compiled module `cuishou._cuishou` (python/src/lib.rs)."""

import os
import pathlib
from collections.abc import Iterable
from typing import Any, Optional, Union

__version__: str
#: Longest text classified by default, in characters (the command line's --max-chars default).
DEFAULT_MAX_CHARS: int
#: The label names in the order of the model's outputs.
CLASSES: tuple[str, str, str, str]
#: The fields `classify` gives every classified text, in order.
FIELDS: tuple[str, str, str, str]
#: The field that says why a text was not classified.
REJECT_REASON_FIELD: str
#: The fields of `classify_arrow`'s result with their Spark SQL types ("string" or "double").
OUTPUT_COLUMNS: tuple[tuple[str, str], ...]
#: The reason of each kind of reject: null, not_a_string, not_unicode, nul, and too_long, a
#: `str.format` template with the fields `chars` and `max_chars`.
REJECT_REASONS: dict[str, str]

_Path = Union[str, os.PathLike[str]]

class Model:
    def __init__(
        self, model_path: Optional[_Path] = None, threads: Optional[int] = None, *, _from: Optional[Model] = None
    ) -> None: ...
    @property
    def model_path(self) -> Optional[pathlib.Path]: ...
    @property
    def threads(self) -> Optional[int]: ...
    @property
    def classes_(self) -> tuple[str, ...]: ...
    def classify(
        self,
        texts: Iterable[Optional[str]],
        *,
        max_chars: int = ...,
        errors: str = "raise",
    ) -> list[dict[str, Any]]: ...
    def classify_arrow(self, array: Any, *, max_chars: int = ...) -> Any: ...
    def predict_records(
        self, texts: Iterable[Optional[str]], *, max_chars: int = ...
    ) -> list[tuple[str, float, list[str], list[tuple[str, int, int]], bool]]: ...
    def probabilities(self, texts: Iterable[Optional[str]], *, max_chars: int = ...) -> list[list[float]]: ...
    def evaluate_json(self, paths: list[str]) -> str: ...

def reject_reason(text: str, max_chars: int = ...) -> Optional[str]: ...
def train(
    paths: list[str],
    output: Optional[str] = None,
    *,
    epochs: int = ...,
    learning_rate: float = ...,
    l2: float = ...,
    tag_weight: float = ...,
    seed: int = ...,
    temperature: Optional[float] = None,
    threads: Optional[int] = None,
) -> Model: ...
