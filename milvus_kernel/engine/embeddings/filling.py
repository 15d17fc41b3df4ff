"""Computing the vectors of EMBED fields on INSERT, for the rows that do not carry one.

`fill_values` adds the bound field to an `INSERT ... VALUES` that names the text but not the
vector; `fill_chunk` does the same to a chunk of a file or a Python object, in the import's
batches (so the import's progress covers it). A row whose text is NULL gets no vector, and its
field's check then says why. The model encodes `EMBED_BATCH` texts at a time: more texts than
that report their progress ("embedding body with ...", in texts) and can be interrupted between
two encodes; an import's read-ahead thread stops there too when the import stops.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from milvus_kernel.engine.data.read_ahead import stopping
from milvus_kernel.engine.embeddings.binding import Binding, bindings
from milvus_kernel.engine.embeddings.providers import embed
from milvus_kernel.engine.progress import Reporter
from milvus_kernel.engine.schema.fields import CollectionInfo
from milvus_kernel.errors import Interrupted
from milvus_kernel.language.statements import Insert

#: Texts per call of the model's encode: the step of progress and of an interrupt.
EMBED_BATCH = 256


def plain_texts(column: Any) -> list[Any]:
    if hasattr(column, "to_pylist"):
        return column.to_pylist()
    if hasattr(column, "tolist"):
        return column.tolist()
    return list(column)


def encode(binding: Binding, dim: int | None, texts: list[str]) -> list[list[float]]:
    """The model's vectors of `texts`, `EMBED_BATCH` at a time, with progress when there is
    more than one batch. An interrupt between batches (or an import that stopped) raises
    `Interrupted` naming how far the embedding got: the caller says what was written."""
    if len(texts) <= EMBED_BATCH:
        return embed(binding.model, texts, dim).tolist()
    label = f"embedding {binding.source} with {binding.model}"
    reporter = Reporter(label, total=len(texts), unit="texts").start()
    vectors: list[list[float]] = []
    try:
        for start in range(0, len(texts), EMBED_BATCH):
            if stopping():
                raise KeyboardInterrupt
            vectors += embed(binding.model, texts[start : start + EMBED_BATCH], dim).tolist()
            reporter.update(len(vectors))
    except KeyboardInterrupt:
        raise Interrupted(
            f"interrupted while embedding {binding.source} into {binding.field} "
            f"({len(vectors)} of {len(texts)} texts)"
        ) from None
    finally:
        reporter.finish(len(vectors))
    return vectors


def vectors_for(binding: Binding, dim: int | None, texts: list[Any]) -> list[Any]:
    """One vector (a list) per text; None where the text is None or not a string."""
    wanted = [i for i, text in enumerate(texts) if isinstance(text, str)]
    out: list[Any] = [None] * len(texts)
    if wanted:
        matrix = encode(binding, dim, [texts[i] for i in wanted])
        for i, vector in zip(wanted, matrix, strict=True):
            out[i] = vector
    return out


def filled(info: CollectionInfo, statement: Insert) -> list[Binding]:
    """The EMBED bindings whose vectors `fill_values` computes for `statement`: those whose
    text the column list names, and not their vector field."""
    if statement.columns is None:
        return []
    return [
        binding
        for binding in bindings(info.properties).values()
        if info.field(binding.field) is not None
        and binding.field not in statement.columns
        and binding.source in statement.columns
    ]


def fill_values(info: CollectionInfo, statement: Insert) -> Insert:
    """`statement` with the vectors of its EMBED fields, when it names the text and not them."""
    fills = filled(info, statement)
    if not fills or statement.columns is None:
        return statement
    columns = list(statement.columns)
    rows = [list(row) for row in statement.rows]
    for binding in fills:
        at = columns.index(binding.source)
        try:
            vectors = vectors_for(binding, info.field(binding.field).dim, [r[at] for r in rows])
        except Interrupted as stop:
            raise Interrupted(f"{stop.message}; nothing was written") from None
        columns.append(binding.field)
        for row, vector in zip(rows, vectors, strict=True):
            row.append(vector)
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
