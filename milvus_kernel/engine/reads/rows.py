"""Turning the entities pymilvus returns into plain row tuples for `Table`.

Values become plain Python (numpy arrays → lists, numpy scalars → int/float) so that no pymilvus or
numpy type leaks out of the engine.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from milvus_kernel.engine.schema.fields import CollectionInfo
from milvus_kernel.engine.schema.server_types import decode
from milvus_kernel.results import Column

DYNAMIC_KEY = "$meta"
#: pymilvus's key for the index of the matched element in an element-level read (a filter with
#: ELEMENT_FILTER, a search of a vector inside an ARRAY<STRUCT>): one row per matched element.
OFFSET = "offset"
_BYTE_VECTORS = {"BINARY_VECTOR", "FLOAT16_VECTOR", "BFLOAT16_VECTOR"}


def plain(value: Any) -> Any:
    """`value` as plain Python data."""
    if value is None or isinstance(value, (str, int, float, bool, bytes)):
        return value
    tolist = getattr(value, "tolist", None)
    if tolist is not None:  # numpy arrays and scalars
        return tolist()
    if isinstance(value, Mapping):
        return {plain(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)) or hasattr(value, "__iter__"):
        return [plain(v) for v in value]
    return value


def column_for(info: CollectionInfo, name: str) -> Column:
    field = info.field(name)
    if field is None:
        return Column(name, "int" if name == OFFSET else "any")
    return field.column


def with_offsets(names: list[str], pk: str) -> list[str]:
    """`names` with the element `OFFSET` column after the primary key (first without it)."""
    if OFFSET in names:
        return names
    at = names.index(pk) + 1 if pk in names else 0
    return [*names[:at], OFFSET, *names[at:]]


def star_fields(info: CollectionInfo) -> list[str]:
    """The fields `*` stands for: every field except BM25 outputs (hash indexes, not data; a
    server-embedded vector is data)."""
    return [f.name for f in info.fields if not (f.generated and f.type == "SPARSE_FLOAT_VECTOR")]


def extra_keys(entities: Iterable[Mapping[str, Any]], known: Sequence[str]) -> list[str]:
    """Dynamic-field keys found in `entities`, in first-seen order."""
    seen = set(known)
    found: list[str] = []
    for entity in entities:
        for key in entity:
            if key not in seen and key != DYNAMIC_KEY:
                seen.add(key)
                found.append(key)
    return found


def to_row(
    entity: Mapping[str, Any], names: Sequence[str], info: CollectionInfo | None = None
) -> tuple[Any, ...]:
    """The values of `names`; with `info`, byte vectors (binary, float16) as bits or numbers."""
    row = tuple(plain(entity.get(name)) for name in names)
    if info is None or not any(f.type in _BYTE_VECTORS for f in info.fields):
        return row
    types = [getattr(info.field(name), "type", "") for name in names]
    return tuple(decode(t, v) if t in _BYTE_VECTORS else v for t, v in zip(types, row, strict=True))
