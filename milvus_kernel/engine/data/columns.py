"""Checking and converting a chunk of a data file column by column, fast where it matters.

The rules are those of `values.convert`, the one validator of every write. The common columns —
float vectors, integers, floats, booleans and strings from Parquet or CSV, vectors from JSON Lines
or `.npy` — are checked for a whole chunk at once with NumPy and pyarrow (dims, finiteness, ranges,
string lengths); only the rows such a check flags, and the columns no fast check covers, go
through `convert` value by value, which also gives each bad row its reason. The result is the
good rows as dicts for `MilvusClient.insert` and the bad ones with their reasons.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from milvus_kernel.engine.data.field_values import BadValue, convert
from milvus_kernel.engine.data.file_readers import Chunk
from milvus_kernel.engine.schema.fields import FieldInfo

#: Fields whose text in a CSV cell (or a string elsewhere) is JSON to decode first.
_DECODED = ("ARRAY", "SPARSE_FLOAT_VECTOR")
_TRUE = {"true", "t", "yes", "y", "1"}
_FALSE = {"false", "f", "no", "n", "0"}


@dataclass
class Converted:
    """A chunk's good rows (in order, with their indexes in the chunk) and its bad rows."""

    rows: list[dict[str, Any]]
    indexes: list[int]
    bad: dict[int, str] = field(default_factory=dict)


def convert_chunk(
    chunk: Chunk, targets: Mapping[str, FieldInfo | None], problems: Mapping[str, str]
) -> Converted:
    """Convert the columns of `chunk` for `targets` (field name -> field, or None for a dynamic
    key). A value present in a column of `problems` (column -> why it may not be written) makes
    its row bad."""
    bad: dict[int, str] = {i: reason for i, (reason, _) in chunk.broken.items()}
    names: list[str] = []
    columns: list[list[Any]] = []
    dynamic: list[tuple[str, list[Any]]] = []
    for name, column in chunk.columns.items():
        if name in problems:
            for i, value in enumerate(_python(column)):
                if value is not None and i not in bad:
                    bad[i] = problems[name]
            continue
        target = targets.get(name)
        if target is None:
            dynamic.append((name, _python(column)))
            continue
        values, failures = convert_column(target, column, chunk.size, chunk.text)
        for i, reason in failures.items():
            bad.setdefault(i, reason)
        names.append(name)
        columns.append(values)
    keep = [i for i in range(chunk.size) if i not in bad] if bad else range(chunk.size)
    if not columns:
        rows: list[dict[str, Any]] = [{} for _ in keep]
    elif bad:
        rows = [
            dict(zip(names, row, strict=True)) for row in _pick(zip(*columns, strict=True), bad)
        ]
    else:
        rows = [dict(zip(names, row, strict=True)) for row in zip(*columns, strict=True)]
    for name, values in dynamic:
        for row, i in zip(rows, keep, strict=True):
            if values[i] is not None:
                row[name] = values[i]
    return Converted(rows=rows, indexes=list(keep), bad=bad)


def _pick(rows: Any, bad: Mapping[int, str]) -> Any:
    return (row for i, row in enumerate(rows) if i not in bad)


def convert_column(
    target: FieldInfo, column: Any, size: int, text: bool = False
) -> tuple[list[Any], dict[int, str]]:
    """(converted values, {index: reason} of the bad ones) for one column of `size` values."""
    fast = _fast(target, column, text)
    if fast is not None:
        values, suspects = fast
    else:
        values, suspects = list(_python(column)), range(size)
    if not len(suspects):
        return values, {}
    bad: dict[int, str] = {}
    for i in suspects:
        value = values[i] if fast is None else original(column, i)
        try:
            values[i] = convert(target, decode(target, value, text))
        except BadValue as error:
            bad[i] = str(error)
    return values, bad


def decode(target: FieldInfo, value: Any, text: bool) -> Any:
    """A string as the value it stands for in a field of this type (CSV cells are all text)."""
    if not isinstance(value, str):
        return value
    kind = target.type
    if kind.endswith("VECTOR") or kind in _DECODED:
        try:
            return json.loads(value)
        except ValueError:
            return value
    if not text:
        return value
    stripped = value.strip()
    try:
        if kind.startswith("INT"):
            number = float(stripped) if any(c in stripped for c in ".eE") else int(stripped)
            return int(number) if isinstance(number, float) and number.is_integer() else number
        if kind in ("FLOAT", "DOUBLE"):
            return float(stripped)
    except ValueError:
        return value
    if kind == "BOOL":
        lowered = stripped.lower()
        return True if lowered in _TRUE else False if lowered in _FALSE else value
    return value


def original(column: Any, index: int) -> Any:
    """The value at `index` of a column as plain Python (for the rejected-rows file)."""
    if hasattr(column, "to_pylist"):
        return column[index].as_py()
    if hasattr(column, "tolist"):
        return column[index].tolist()
    return column[index]


def _python(column: Any) -> list[Any]:
    if hasattr(column, "to_pylist"):
        return list(column.to_pylist())
    if hasattr(column, "tolist"):
        return list(column.tolist())
    return list(column)


# --- fast checks: (values, indexes to check one by one) or None when they do not apply -----------


def _fast(target: FieldInfo, column: Any, text: bool) -> tuple[list[Any], Any] | None:
    kind = target.type
    try:
        if kind == "FLOAT_VECTOR":
            return _dense(target, column, text)
        if not hasattr(column, "type") or column.null_count:
            return None  # Python lists and columns with NULLs take the careful path
        if kind.startswith("INT"):
            return _integers(kind, _typed(column, "int64", text))
        if kind in ("FLOAT", "DOUBLE"):
            return _floats(_typed(column, "float64", text))
        if kind == "BOOL":
            typed = _typed(column, "bool", text)
            return (typed.to_pylist(), ()) if typed is not None else None
        if kind in ("VARCHAR", "STRING"):
            return _strings(target, column)
    except Exception:  # a fast check that cannot decide leaves it to `convert`
        return None
    return None


def _typed(column: Any, type_name: str, text: bool) -> Any:
    """An arrow column as `type_name`: text is parsed (all or nothing), numbers must fit."""
    import pyarrow as pa
    import pyarrow.compute as pc

    arrow_type = getattr(pa, type_name)()
    if text:
        return pc.cast(column, arrow_type)
    if type_name == "int64" and pa.types.is_integer(column.type):
        return column
    if type_name == "float64" and (
        pa.types.is_floating(column.type) or pa.types.is_integer(column.type)
    ):
        return column
    if type_name == "bool" and pa.types.is_boolean(column.type):
        return column
    return None


def _integers(kind: str, column: Any) -> tuple[list[Any], Any] | None:
    import numpy as np

    if column is None:
        return None
    data = column.to_numpy(zero_copy_only=False)
    if data.dtype.kind not in "iu":
        return None
    info = np.iinfo(getattr(np, kind.lower()))
    if len(data) and (int(data.min()) < info.min or int(data.max()) > info.max):
        outside = np.flatnonzero((data < info.min) | (data > info.max))
        return data.tolist(), outside.tolist()
    return data.tolist(), ()


def _floats(column: Any) -> tuple[list[Any], Any] | None:
    import numpy as np

    if column is None:
        return None
    data = column.to_numpy(zero_copy_only=False).astype(np.float64, copy=False)
    return data.tolist(), np.flatnonzero(~np.isfinite(data)).tolist()


def _strings(target: FieldInfo, column: Any) -> tuple[list[Any], Any] | None:
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    if not (pa.types.is_string(column.type) or pa.types.is_large_string(column.type)):
        return None
    values = column.to_pylist()
    if target.max_length is None:
        return values, ()
    lengths = pc.binary_length(column).to_numpy(zero_copy_only=False)
    return values, np.flatnonzero(lengths > target.max_length).tolist()


def _dense(target: FieldInfo, column: Any, text: bool) -> tuple[list[Any], Any] | None:
    """Float vectors: one matrix for the chunk; the rows with non-finite numbers are suspects."""
    import numpy as np

    matrix = _matrix(column, text, target.dim)
    if matrix is None:
        return None
    finite = np.isfinite(matrix).all(axis=1)
    return matrix.tolist(), np.flatnonzero(~finite).tolist()


def _matrix(column: Any, text: bool, dim: int | None) -> Any:
    import numpy as np

    if dim is None:
        return None
    if isinstance(column, np.ndarray):
        ok = column.ndim == 2 and column.shape[1] == dim and column.dtype.kind in "fiu"
        return column if ok else None
    if isinstance(column, list):
        try:
            matrix = np.array(column, dtype=np.float64)
        except (TypeError, ValueError):
            return None
        return matrix if matrix.ndim == 2 and matrix.shape[1] == dim else None
    import pyarrow as pa
    import pyarrow.compute as pc

    if column.null_count:
        return None
    if text:
        inner = pc.replace_substring_regex(column, r"^\s*\[\s*|\s*\]\s*$", "")
        column = pc.cast(pc.split_pattern_regex(inner, r"\s*,\s*"), pa.list_(pa.float64()))
    if pa.types.is_fixed_size_list(column.type):
        if column.type.list_size != dim:
            return None
    elif pa.types.is_list(column.type) or pa.types.is_large_list(column.type):
        lengths = pc.list_value_length(column).to_numpy(zero_copy_only=False)
        if len(lengths) and (lengths != dim).any():
            return None
    else:
        return None
    values = column.flatten()
    if values.null_count or not (
        pa.types.is_floating(values.type) or pa.types.is_integer(values.type)
    ):
        return None
    return values.to_numpy(zero_copy_only=False).reshape(len(column), dim)
