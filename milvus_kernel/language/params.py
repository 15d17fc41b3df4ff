"""`:name` parameters: Python values bound into a statement by the IPython magic.

A bound value never passes through the statement's text, so it needs no quoting and cannot
change the statement's structure. numpy arrays and scalars become plain lists and numbers.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from lark import Token

from milvus_kernel.language.clauses import SemanticError


def plain(value: Any) -> Any:
    """A bound value as the plain Python the statements hold (lists, dicts, numbers, str)."""
    if hasattr(value, "tolist") and callable(value.tolist):  # numpy arrays and scalars
        return value.tolist()
    if isinstance(value, tuple):
        return [plain(item) for item in value]
    if isinstance(value, list):
        return [plain(item) for item in value] if value and hasattr(value[0], "tolist") else value
    if isinstance(value, Mapping):
        return {plain(k): plain(v) for k, v in value.items()}
    return value


def lookup(params: Mapping[str, Any] | None, token: Token) -> Any:
    """The value bound to `:name`, or a SemanticError at the token."""
    name = str(token)[1:]
    if params is None or name not in params:
        where = "" if params is not None else " (only the %milvus magic binds Python values)"
        raise SemanticError(f"no value is bound to :{name}{where}", token)
    return plain(params[name])


def as_vectors(value: Any, token: Token) -> tuple[Any, ...]:
    """A bound query: one vector (list of numbers, or sparse dict) or several (list of them)."""
    if isinstance(value, dict):
        return (value,)
    if isinstance(value, list) and value:
        if all(isinstance(item, (list, dict)) for item in value):
            return tuple(value)
        if all(isinstance(item, (int, float)) and not isinstance(item, bool) for item in value):
            return (value,)
    raise SemanticError(f"{token} must hold a vector or a list of vectors", token)
