"""Computing the vectors of EMBED fields on INSERT, for the rows that do not carry one.

`fill_values` adds the bound field to an `INSERT ... VALUES` that names the text but not the
vector; `fill_chunk` does the same to a chunk of a file or a Python object, in the import's
batches (so the import's progress covers it). A row whose text is NULL gets no vector, and its
field's check then says why.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from milvus_kernel.engine.embeddings.binding import Binding, bindings
from milvus_kernel.engine.embeddings.providers import embed
from milvus_kernel.engine.schema.fields import CollectionInfo
from milvus_kernel.language.statements import Insert


def plain_texts(column: Any) -> list[Any]:
    if hasattr(column, "to_pylist"):
        return column.to_pylist()
    if hasattr(column, "tolist"):
        return column.tolist()
    return list(column)


def vectors_for(binding: Binding, dim: int | None, texts: list[Any]) -> list[Any]:
    """One vector (a list) per text; None where the text is None or not a string."""
    wanted = [i for i, text in enumerate(texts) if isinstance(text, str)]
    out: list[Any] = [None] * len(texts)
    if wanted:
        matrix = embed(binding.model, [texts[i] for i in wanted], dim)
        for i, vector in zip(wanted, matrix.tolist(), strict=True):
            out[i] = vector
    return out


def fill_values(info: CollectionInfo, statement: Insert) -> Insert:
    """`statement` with the vectors of its EMBED fields, when it names the text and not them."""
    if statement.columns is None:
        return statement
    columns = list(statement.columns)
    rows = [list(row) for row in statement.rows]
    for binding in bindings(info.properties).values():
        field = info.field(binding.field)
        if field is None or binding.field in columns or binding.source not in columns:
            continue
        at = columns.index(binding.source)
        vectors = vectors_for(binding, field.dim, [row[at] for row in rows])
        columns.append(binding.field)
        for row, vector in zip(rows, vectors, strict=True):
            row.append(vector)
    if len(columns) == len(statement.columns):
        return statement
    return replace(statement, columns=tuple(columns), rows=tuple(tuple(r) for r in rows))


def fill_chunk(chunk: Any, fills: list[tuple[Binding, int | None]]) -> Any:
    """`chunk` (a `file_readers.Chunk`) with the vectors of `fills` computed from their texts:
    for every row when the chunk has no such column, else for the rows whose vector is NULL."""
    for binding, dim in fills:
        if binding.source not in chunk.columns:
            continue
        texts = plain_texts(chunk.columns[binding.source])
        given = chunk.columns.get(binding.field)
        if given is None:
            chunk.columns[binding.field] = vectors_for(binding, dim, texts)
            continue
        if isinstance(given, list) and any(v is None for v in given):
            missing = [t if v is None else None for t, v in zip(texts, given, strict=True)]
            computed = vectors_for(binding, dim, missing)
            chunk.columns[binding.field] = [
                c if v is None else v for c, v in zip(computed, given, strict=True)
            ]
    return chunk
