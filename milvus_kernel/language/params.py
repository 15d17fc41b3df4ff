"""`:name` parameters: Python values bound into a statement by the IPython magic.

A bound value never passes through the statement's text, so it needs no quoting and cannot
change the statement's structure. numpy arrays and scalars become plain lists and numbers, and
subclasses of str, int and float become the plain value they hold (by the base type, never by
an overridden `__str__` or `__repr__`). A string no Milvus string can hold (a lone surrogate)
is refused here, at the `:name` that bound it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from lark import Token

from milvus_kernel.language.clauses import SemanticError
from milvus_kernel.language.filters import SURROGATE_HINT, lone_surrogate, surrogate_problem

_EXACT = (str, int, float, bool, type(None))
_NUMERIC_KINDS = "biufc"  # numpy dtype kinds that hold no strings


def plain(value: Any) -> Any:
    """A bound value as the plain Python the statements hold (lists, dicts, numbers, str)."""
    if type(value) in _EXACT:
        return value
    if isinstance(value, str):
        return str.__str__(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return int.__int__(value)
    if isinstance(value, float):
        return float.__float__(value)
    if hasattr(value, "tolist") and callable(value.tolist):  # numpy arrays and scalars
        return value.tolist()
    if isinstance(value, tuple):
        return [plain(item) for item in value]
    if isinstance(value, list):
        if value and type(value[0]) in (float, int) and type(value) is list:
            return value  # a plain vector: no copy
        return [plain(item) for item in list.__iter__(value)]
    if isinstance(value, Mapping):
        return {plain(k): plain(v) for k, v in value.items()}
    return value


def lookup(params: Mapping[str, Any] | None, token: Token) -> Any:
    """The value bound to `:name`, or a SemanticError at the token."""
    name = str(token)[1:]
    if params is None or name not in params:
        where = "" if params is not None else " (only the %milvus magic binds Python values)"
        raise SemanticError(f"no value is bound to :{name}{where}", token)
    bound = params[name]
    value = plain(bound)
    if getattr(getattr(bound, "dtype", None), "kind", "O") not in _NUMERIC_KINDS:
        check_text(value, token)
    return value


def lookup_object(params: Mapping[str, Any] | None, token: Token) -> Any:
    """The object bound to `:name` for `FROM :name`, as it is (a DataFrame, an Arrow table, a
    list of dicts or a dict of columns): the import reads it in chunks, never copies it whole."""
    name = str(token)[1:]
    if params is None or name not in params:
        where = "" if params is not None else " (only the %milvus magic binds Python values)"
        raise SemanticError(f"no value is bound to :{name}{where}", token)
    value = params[name]
    if not _rows_like(value):
        raise SemanticError(
            f"{token} holds {type(value).__name__}: INSERT ... FROM {token} takes a pandas "
            "DataFrame, a pyarrow Table or RecordBatch, a list of dicts or a dict of columns",
            token,
        )
    return value


def _rows_like(value: Any) -> bool:
    if isinstance(value, Mapping):
        return True
    if isinstance(value, list):
        return all(isinstance(item, Mapping) for item in value[:1])
    kind = type(value).__name__
    return kind in ("DataFrame", "Table", "RecordBatch") and hasattr(value, "columns")


def check_text(value: Any, token: Token) -> None:
    """A SemanticError at `token` if a string in `value` holds a lone surrogate."""
    found = _first_surrogate(value)
    if found is not None:
        problem = surrogate_problem(found, where=f" in {token}")
        raise SemanticError(problem or "", token, hint=SURROGATE_HINT)


def _first_surrogate(value: Any) -> str | None:
    """The first string in `value` (strings, lists, dict keys and values) with a lone
    surrogate."""
    if isinstance(value, str):
        return None if lone_surrogate(value) is None else value
    if isinstance(value, (list, tuple)):
        for item in value:
            if type(item) is not float and type(item) is not int:
                found = _first_surrogate(item)
                if found is not None:
                    return found
    elif isinstance(value, dict):
        for key, item in value.items():
            found = _first_surrogate(key) or _first_surrogate(item)
            if found is not None:
                return found
    return None


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
