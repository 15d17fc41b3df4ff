"""How one cell value is shown: a short text and the typed value for the data resource.

Every renderer (plain, HTML, data resource) starts from the same `Shown` value, so the three
always agree. Vectors, sparse vectors, long arrays, bytes and long strings are abbreviated here;
NULL is `None` in the data and "NULL" in the text. Nothing here escapes HTML: that happens once,
in the HTML renderer.
"""

from __future__ import annotations

import json
import math
import struct
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from itertools import islice
from typing import Any

#: Vectors and arrays with at most this many components are shown whole.
FULL_ITEMS = 6
#: Longer ones show this many leading components, then "… N dims".
HEAD_ITEMS = 2
#: Significant digits of a vector component and of a scalar float.
VECTOR_DIGITS = 4
FLOAT_DIGITS = 7
#: Strings (and compact JSON) longer than this are cut, ending with "…".
MAX_TEXT = 200
#: Bytes longer than this many are shown as a hex head and their length.
FULL_BYTES = 8
#: Integers beyond this lose precision as JSON numbers in JavaScript; they travel as text.
SAFE_INTEGER = 2**53 - 1

ELLIPSIS = "…"

#: The Table Schema type of each column kind, when its values are what the kind promises.
KIND_TYPES: dict[str, str] = {
    "int": "integer",
    "float": "number",
    "str": "string",
    "bool": "boolean",
    "json": "object",
    "array": "array",
    "vector": "string",
    "sparse": "string",
    "bytes": "string",
    "any": "any",
}


@dataclass(frozen=True)
class Shown:
    """One cell as displayed.

    `text` is the plain text (never escaped); `data` the JSON-able value for the data resource
    with Table Schema type `type`. `textual` means `data` would not carry what `text` shows (an
    abbreviated array, an integer too large for JavaScript): its column then carries text.
    """

    text: str
    data: Any
    type: str
    textual: bool = False

    @property
    def is_null(self) -> bool:
        return self.data is None and self.text == "NULL"


NULL = Shown("NULL", None, "any")


def show(value: Any, kind: str = "any") -> Shown:
    """The shown form of `value` from a column of the given kind (see `results.Kind`)."""
    if value is None:
        return NULL
    try:
        if kind == "vector":
            return _vector(value)
        if kind == "sparse" and isinstance(value, Mapping):
            return _sparse(value)
        if kind == "json":
            return _json(value)
        return _by_type(value)
    except Exception:  # a value no formatter expected: show something rather than fail
        return _string(_safe_str(value))


def _by_type(value: Any) -> Shown:
    value = _unwrap_scalar(value)
    if value is None:
        return NULL
    if isinstance(value, bool):
        return Shown("true" if value else "false", value, "boolean")
    if isinstance(value, int):
        return _integer(value)
    if isinstance(value, float):
        return _float(value)
    if isinstance(value, str):
        return _string(value)
    if isinstance(value, (bytes, bytearray, memoryview)):
        return _bytes(bytes(value))
    if isinstance(value, Mapping):
        if value and all(isinstance(k, int) for k in value):
            return _sparse(value)
        return _json(value)
    if _is_sequence(value):
        return _array(value)
    return _string(_safe_str(value))


def _unwrap_scalar(value: Any) -> Any:
    """numpy scalars (and the like) to Python ones, without importing numpy."""
    if not isinstance(value, (bool, int, float, str, bytes)) and hasattr(value, "item"):
        shape = getattr(value, "shape", None)
        if shape == ():
            return value.item()
    return value


def _is_sequence(value: Any) -> bool:
    if isinstance(value, (str, bytes, bytearray, Mapping)):
        return False
    return hasattr(value, "__len__") and hasattr(value, "__iter__")


def _integer(value: int) -> Shown:
    text = str(value)
    if abs(value) > SAFE_INTEGER:
        return Shown(text, text, "string", textual=True)
    return Shown(text, value, "integer")


def _float(value: float, digits: int = FLOAT_DIGITS) -> Shown:
    if math.isnan(value):
        return Shown("NaN", "NaN", "number")
    if math.isinf(value):
        text = "inf" if value > 0 else "-inf"
        return Shown(text, "INF" if value > 0 else "-INF", "number")
    text = format_float(value, digits)
    return Shown(text, float(text), "number")


def format_float(value: float, digits: int = VECTOR_DIGITS) -> str:
    """A float in `g` style with at most `digits` significant digits, still looking like a float:
    0.1235, 1e-05, 768.0. A value that is exactly a float32 (Milvus FLOAT fields, distances) is
    written as the shortest text that reads back as that float32: 0.01, not 0.009999999776."""
    value = float(value)
    text = format(value, f".{digits}g")
    if _as_float32(value) == value:
        for shorter in range(1, digits):
            candidate = format(value, f".{shorter}g")
            if _as_float32(float(candidate)) == value:
                text = candidate
                break
    if text.lstrip("-").isdigit():
        text += ".0"
    return text


def _as_float32(value: float) -> float:
    """`value` rounded to the nearest float32 (inf when out of range)."""
    try:
        return struct.unpack("f", struct.pack("f", value))[0]
    except OverflowError:
        return math.inf


def _string(value: str) -> Shown:
    text = cut(value)
    return Shown(text, text, "string")


def cut(text: str, limit: int = MAX_TEXT) -> str:
    """`text` with at most `limit` characters, ending with "…" when it was longer."""
    return text if len(text) <= limit else text[: limit - 1] + ELLIPSIS


def _safe_str(value: Any) -> str:
    try:
        return str(value)
    except Exception:
        return f"<{type(value).__name__}>"


def _component(value: Any) -> str:
    """One component of a vector or array: a compact number, or a JSON scalar."""
    value = _unwrap_scalar(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return format_float(value, VECTOR_DIGITS)
    if value is None:
        return "null"
    if isinstance(value, str):
        return json.dumps(cut(value, 40), ensure_ascii=False)
    return cut(_safe_str(value), 40)


def _abbreviated(items: Iterable[Any], count: int, unit: str, opening: str, closing: str) -> str:
    if count <= FULL_ITEMS:
        return opening + ", ".join(_component(v) for v in items) + closing
    head = ", ".join(_component(v) for v in islice(items, HEAD_ITEMS))
    return f"{opening}{head}, {ELLIPSIS} {count:,} {unit}{closing}"


def _vector(value: Any) -> Shown:
    # float16 / bfloat16 / binary vectors arrive as bytes, sometimes wrapped in a one-item list
    if isinstance(value, (list, tuple)) and len(value) == 1 and isinstance(value[0], bytes):
        value = value[0]
    if isinstance(value, (bytes, bytearray, memoryview)):
        return _bytes(bytes(value))
    if isinstance(value, Mapping):
        return _sparse(value)
    if not _is_sequence(value):
        return _by_type(value)
    text = _abbreviated(value, len(value), "dims", "[", "]")
    return Shown(text, text, "string", textual=True)


def _sparse(value: Mapping[Any, Any]) -> Shown:
    try:
        keys = sorted(value)
    except TypeError:
        keys = list(value)
    count = len(keys)
    shown = keys if count <= FULL_ITEMS else keys[:HEAD_ITEMS]
    parts = [f"{_component(k)}: {_component(value[k])}" for k in shown]
    if count > FULL_ITEMS:
        parts.append(f"{ELLIPSIS} {count:,} entries")
    text = "{" + ", ".join(parts) + "}"
    return Shown(text, text, "string", textual=True)


def _bytes(value: bytes) -> Shown:
    if len(value) <= FULL_BYTES:
        text = "0x" + value.hex()
    else:
        text = f"0x{value[:FULL_BYTES].hex()}{ELLIPSIS} {len(value):,} bytes"
    return Shown(text, text, "string", textual=True)


def _array(value: Any) -> Shown:
    count = len(value)
    text = _abbreviated(value, count, "items", "[", "]")
    if count > FULL_ITEMS or len(text) > MAX_TEXT:
        return Shown(cut(text), cut(text), "string", textual=True)
    data = _plain_json(list(value))
    if data is _UNFIT:
        return Shown(text, text, "string", textual=True)
    return Shown(text, data, "array")


def _json(value: Any) -> Shown:
    """A JSON field's value: compact one-line JSON; the object itself in the data resource."""
    if isinstance(value, (bytes, bytearray)):  # raw JSON text, as some clients hand it over
        try:
            value = json.loads(value)
        except ValueError:
            return _bytes(bytes(value))
    text = json.dumps(value, ensure_ascii=False, default=_safe_str)
    data = _plain_json(value)
    if len(text) > MAX_TEXT or data is _UNFIT:
        return Shown(cut(text), cut(text), "string", textual=True)
    return Shown(text, data, _json_type(data))


_UNFIT = object()


def _plain_json(value: Any) -> Any:
    """`value` as plain JSON data (lists, dicts, str, finite numbers), or `_UNFIT`."""
    try:
        return json.loads(json.dumps(value, default=_safe_str, allow_nan=False))
    except (ValueError, TypeError):
        return _UNFIT


def _json_type(data: Any) -> str:
    if isinstance(data, dict):
        return "object"
    if isinstance(data, list):
        return "array"
    if isinstance(data, bool):
        return "boolean"
    if isinstance(data, int):
        return "integer" if abs(data) <= SAFE_INTEGER else "number"
    if isinstance(data, float):
        return "number"
    if isinstance(data, str):
        return "string"
    return "any"


def column_type(kind: str, cells: Iterable[Shown]) -> tuple[str, bool]:
    """The Table Schema type of a column, and whether its data must be carried as text.

    The type is what the shown values have in common (integer with number makes number);
    if any value had to be shown as text (an abbreviated vector), the whole column is text.
    With no values to go by, the kind decides.
    """
    types: set[str] = set()
    for cell in cells:
        if cell.textual:
            return "string", True
        if not cell.is_null:
            types.add(cell.type)
    if not types:
        return KIND_TYPES.get(kind, "any"), False
    if len(types) == 1:
        return types.pop(), False
    if types == {"integer", "number"}:
        return "number", False
    return "any", False
