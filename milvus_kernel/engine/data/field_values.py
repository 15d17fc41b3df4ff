"""Checking and converting statement values to what a field of a given type accepts.

`convert(field, value)` returns the value pymilvus should get, or raises `BadValue` with a reason
that names the expected type ("vector has 3 dims, field vector expects 4"). Writes check every row
this way before anything is sent, so a bad row never leaves a half-written statement.
"""

from __future__ import annotations

import json
import math
from typing import Any

from milvus_kernel.engine.schema.fields import FieldInfo
from milvus_kernel.engine.schema.server_types import BadVectorText, bfloat16_bytes, binary_from_hex
from milvus_kernel.engine.schema.timestamps import BadText, typed

_INT_RANGES = {
    "INT8": (-(2**7), 2**7 - 1),
    "INT16": (-(2**15), 2**15 - 1),
    "INT32": (-(2**31), 2**31 - 1),
    "INT64": (-(2**63), 2**63 - 1),
}


class BadValue(ValueError):
    """A value that does not fit its field; the message says why."""


def describe_value(value: Any) -> str:
    if isinstance(value, str):
        shown = value if len(value) <= 30 else value[:27] + "..."
        return f"the string {shown!r}"
    if isinstance(value, bool):
        return f"the boolean {str(value).upper()}"
    if isinstance(value, dict):
        return "an object {...}"
    if isinstance(value, (list, tuple)):
        return f"a list of {len(value)} values"
    return repr(value)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _int(value: Any, type_name: str, what: str) -> int:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if not isinstance(value, int) or isinstance(value, bool):
        raise BadValue(f"{what} expects {type_name}, got {describe_value(value)}")
    low, high = _INT_RANGES[type_name]
    if not low <= value <= high:
        raise BadValue(f"{what} expects {type_name}, {value} is out of range [{low}, {high}]")
    return value


def _float(value: Any, type_name: str, what: str) -> float:
    if not _is_number(value):
        raise BadValue(f"{what} expects {type_name}, got {describe_value(value)}")
    result = float(value)
    if math.isnan(result) or math.isinf(result):
        raise BadValue(f"{what} expects a finite {type_name}, got {value}")
    return result


def _varchar(value: Any, max_length: int | None, what: str) -> str:
    if not isinstance(value, str):
        raise BadValue(f"{what} expects VARCHAR, got {describe_value(value)}")
    size = len(value.encode("utf-8"))
    if max_length is not None and size > max_length:
        raise BadValue(f"{what} is VARCHAR({max_length}), got a string of {size} bytes")
    return value


def _scalar(type_name: str, value: Any, max_length: int | None, what: str) -> Any:
    if type_name in _INT_RANGES:
        return _int(value, type_name, what)
    if type_name in ("FLOAT", "DOUBLE"):
        return _float(value, type_name, what)
    if type_name == "BOOL":
        if not isinstance(value, bool):
            raise BadValue(f"{what} expects BOOL, got {describe_value(value)}")
        return value
    if type_name in ("VARCHAR", "STRING"):
        return _varchar(value, max_length, what)
    return value


def _json(value: Any, what: str) -> Any:
    if isinstance(value, str):
        try:
            json.loads(value)
        except ValueError:
            raise BadValue(
                f"{what} expects JSON (an object, a list, a number or JSON text), "
                f"got {describe_value(value)} which is not JSON"
            ) from None
        return value
    if isinstance(value, dict) and not all(isinstance(k, str) for k in value):
        raise BadValue(f"{what} (JSON) needs string keys")
    if isinstance(value, (dict, list, int, float, bool)):
        return value
    raise BadValue(f"{what} expects JSON, got {describe_value(value)}")


def _dense(field: FieldInfo, value: Any, what: str) -> Any:
    if field.type == "BINARY_VECTOR" and isinstance(value, str):  # '0x1e14'
        try:
            return binary_from_hex(value, field.dim)
        except BadVectorText as error:
            raise BadValue(f"{what}: {error}") from None
    if not isinstance(value, (list, tuple)):
        raise BadValue(f"{what} expects {field.type_text}, got {describe_value(value)}")
    if field.dim is not None and len(value) != field.dim:
        raise BadValue(f"vector has {len(value)} dims, field {field.name} expects {field.dim}")
    if field.type == "BINARY_VECTOR":
        return _binary(value, what)
    numbers = [_float(v, "numbers", f"{what} (a vector)") for v in value]
    if field.type == "FLOAT16_VECTOR":
        import numpy as np

        return np.asarray(numbers, dtype=np.float16)
    if field.type == "BFLOAT16_VECTOR":
        return bfloat16_bytes(numbers)
    if field.type == "INT8_VECTOR":
        import numpy as np

        return np.asarray(
            [_int(v, "INT8", f"{what} (an INT8 vector)") for v in value], dtype=np.int8
        )
    return numbers


def _binary(value: Any, what: str) -> bytes:
    bits = []
    for bit in value:
        if bit not in (0, 1) or (isinstance(bit, float) and not bit.is_integer()):
            raise BadValue(f"{what} (BINARY_VECTOR) expects bits 0 or 1, got {bit!r}")
        bits.append(int(bit))
    out = bytearray()
    for start in range(0, len(bits), 8):
        byte = 0
        for bit in bits[start : start + 8]:
            byte = (byte << 1) | bit
        out.append(byte)
    return bytes(out)


def _sparse(value: Any, what: str) -> dict[int, float]:
    if not isinstance(value, dict):
        got = describe_value(value)
        raise BadValue(f"{what} expects a sparse vector {{index: value}}, got {got}")
    result: dict[int, float] = {}
    for key, item in value.items():
        if isinstance(key, str) and key.isdigit():
            key = int(key)
        if not isinstance(key, int) or isinstance(key, bool) or key < 0:
            raise BadValue(f"{what}: sparse vector indexes must be whole numbers ≥ 0, got {key!r}")
        result[key] = _float(item, "numbers", f"{what} (a sparse vector)")
    return result


def convert(field: FieldInfo, value: Any) -> Any:
    """The value to send for `field`, or `BadValue`."""
    what = f"column {field.name}"
    if value is None:
        if field.is_primary:
            raise BadValue(f"primary key {field.name} cannot be NULL")
        if field.nullable or field.has_default:
            return None
        raise BadValue(f"{what} is NOT NULL and has no DEFAULT, got NULL")
    kind = field.type
    if field.is_vector and hasattr(value, "tolist") and not isinstance(value, (list, tuple)):
        value = value.tolist()  # numpy arrays (VECTOR FROM 'q.npy')
    if kind == "JSON":
        return _json(value, what)
    if kind == "ARRAY":
        if not isinstance(value, (list, tuple)):
            raise BadValue(f"{what} expects {field.type_text}, got {describe_value(value)}")
        if field.capacity is not None and len(value) > field.capacity:
            raise BadValue(f"{what} holds at most {field.capacity} items, got {len(value)}")
        element = field.element or ""
        return [_scalar(element, v, field.max_length, f"{what} (an item)") for v in value]
    if kind == "SPARSE_FLOAT_VECTOR":
        return _sparse(value, what)
    if field.is_vector:
        return _dense(field, value, what)
    if kind in ("TIMESTAMPTZ", "GEOMETRY"):
        try:
            return typed(kind, value, what, field.zone)
        except BadText as error:
            raise BadValue(str(error)) from None
    return _scalar(kind, value, field.max_length, what)


def estimate_size(row: dict[str, Any]) -> int:
    """A rough byte size of one row, to keep insert batches within a memory budget."""
    size = 16
    for value in row.values():
        if isinstance(value, (str, bytes)):
            size += len(value) + 8
        elif isinstance(value, (list, tuple, dict)):
            size += 8 * len(value) + 16
        elif hasattr(value, "nbytes"):
            size += int(value.nbytes)
        else:
            size += 8
    return size
