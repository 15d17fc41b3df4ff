"""The base of every statement, the translated filter, and the value type they carry.

Values inside statements are plain Python: int, float, str, bool, None, list (a dense vector or an
array), dict (a sparse vector `{index: value}` or a JSON object). Filters arrive already translated
to a safe Milvus expression (see `filters.py`). Nothing here knows about pymilvus.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

Value = Any
"""A literal: int, float, str, bool, None, list or dict."""

MISSING = object()
"""Marks an absent DEFAULT (None means DEFAULT NULL)."""


@dataclass(frozen=True)
class Statement:
    """Base of every statement; `text` is its source (secrets masked), for error reports."""

    text: str = field(default="", kw_only=True, compare=False, repr=False)


@dataclass(frozen=True)
class Filter:
    """A translated WHERE clause: a Milvus filter `expression` and the `fields` it reads."""

    expression: str
    fields: tuple[str, ...] = ()
    #: primary-key values when the whole filter is `<field> IN (...)` or `<field> = v` (a get).
    keys: tuple[Value, ...] | None = None
    key_field: str | None = None
    #: the expression tree (`filters.Expr`) the text was rendered from, to render it again
    #: once the schema is known (TIMESTAMPTZ comparisons); None for filters made by the engine
    tree: Any = field(default=None, compare=False, repr=False)
