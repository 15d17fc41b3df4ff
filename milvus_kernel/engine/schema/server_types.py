"""Vector types only a Milvus server has: BINARY_VECTOR, FLOAT16_VECTOR, BFLOAT16_VECTOR.

Also what Milvus Lite 3.2.2 would make silently different, refused on Lite before anything is
created: `ARRAY<STRUCT<...>>` columns (Lite drops them at create) and nullable vectors (Lite
reports them nullable, then refuses every NULL).

Literals: a BINARY_VECTOR(dim) value is a list of `dim` bits, `[1, 0, 1, ...]` (packed 8 to a
byte, first bit the most significant, as NumPy's `packbits`), or a hex string of dim/8 bytes,
`'0x1e14'`. FLOAT16 and BFLOAT16 values are lists of numbers, sent as half-precision bytes:
IEEE float16 through NumPy, bfloat16 as the upper half of each float32 (rounded to nearest even),
so no bfloat16 NumPy type is needed. Values read back (bytes) become lists of bits or numbers again.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from milvus_kernel.language.statements import ColumnDef


class BadVectorText(ValueError):
    """A vector literal that does not fit its field; the message says why."""


def binary_from_hex(text: str, dim: int | None) -> bytes:
    """`'0x1e14'` (or `'1e14'`) as the bytes of a BINARY_VECTOR(dim)."""
    digits = text[2:] if text[:2].lower() == "0x" else text
    try:
        value = bytes.fromhex(digits)
    except ValueError:
        raise BadVectorText(
            "a BINARY_VECTOR is a list of bits [1, 0, ...] or a hex string '0x...'"
        ) from None
    if dim is not None and len(value) * 8 != dim:
        raise BadVectorText(f"hex string has {len(value) * 8} bits, the field has {dim}")
    return value


def bfloat16_bytes(numbers: Sequence[float]) -> bytes:
    """Numbers as little-endian bfloat16: the top 16 bits of float32, rounded to nearest even."""
    import numpy as np

    bits = np.asarray(numbers, dtype=np.float32).view(np.uint32).astype(np.uint64)
    rounded = (bits + 0x7FFF + ((bits >> 16) & 1)) >> 16
    return rounded.astype("<u2").tobytes()


def bfloat16_values(data: bytes) -> list[float]:
    import numpy as np

    halves = np.frombuffer(data, dtype="<u2").astype(np.uint32) << 16
    return [float(x) for x in halves.view(np.float32)]


def decode(type_name: str, value: Any) -> Any:
    """A vector read back from Milvus (bytes, or a one-item list of bytes) as plain values."""
    if isinstance(value, list) and len(value) == 1 and isinstance(value[0], bytes):
        value = value[0]
    if not isinstance(value, (bytes, bytearray)):
        return value
    import numpy as np

    if type_name == "BINARY_VECTOR":
        return [int(b) for b in np.unpackbits(np.frombuffer(value, dtype=np.uint8))]
    if type_name == "FLOAT16_VECTOR":
        return [float(x) for x in np.frombuffer(value, dtype="<f2")]
    if type_name == "BFLOAT16_VECTOR":
        return bfloat16_values(bytes(value))
    return value


SERVER_ONLY = ("BINARY_VECTOR", "FLOAT16_VECTOR", "BFLOAT16_VECTOR", "INT8_VECTOR")


def server_only_columns(type_names: Sequence[str]) -> list[str]:
    """The types among `type_names` that Milvus Lite has no columns of."""
    return [name for name in dict.fromkeys(t.upper() for t in type_names) if name in SERVER_ONLY]


def lite_refusals(columns: Sequence[ColumnDef]) -> list[str]:
    """What CREATE TABLE asks for that Milvus Lite has not (each "<what> is not supported")."""
    found = [f"the {kind} type" for kind in server_only_columns([c.type.name for c in columns])]
    for column in columns:
        element = column.type.element
        if column.type.name == "ARRAY" and element is not None and element.name == "STRUCT":
            found.append(f"ARRAY<STRUCT<...>> ({column.name}; Lite would drop the column)")
        if column.multi_analyzer_params:
            found.append(f"MULTI ANALYZER ({column.name}; Lite would drop it)")
        if column.type.is_vector and column.null:
            found.append(f"a nullable vector ({column.name} {column.type.name} NULL)")
    return found
