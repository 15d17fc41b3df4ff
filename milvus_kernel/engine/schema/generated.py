"""The pymilvus `Function` of a generated column or of ALTER TABLE ... ADD FUNCTION: EMBEDDING
(FunctionType.TEXTEMBEDDING: the server embeds the text with its provider), BM25, MINHASH."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from milvus_kernel.engine.schema.fields import FUNCTION_KINDS, CollectionInfo
from milvus_kernel.language.statements import ColumnDef


def function(name: str, kind: str, source: str, output: str, params: Mapping[str, Any]) -> Any:
    """The pymilvus `Function` of one statement kind (EMBEDDING, BM25, MINHASH)."""
    from pymilvus import Function, FunctionType

    kwargs: dict[str, Any] = {"params": dict(params)} if params else {}
    return Function(
        name=name,
        function_type=FunctionType[FUNCTION_KINDS[kind][1]],
        input_field_names=[source],
        output_field_names=[output],
        **kwargs,
    )


def embedding_function(column: ColumnDef) -> Any:
    """`vector FLOAT_VECTOR(n) GENERATED ALWAYS AS EMBEDDING(body) WITH (...)`'s function."""
    assert column.embedding is not None
    source, params = column.embedding
    return function(f"{column.name}_embedding", "EMBEDDING", source, column.name, params)


def generated_by(info: CollectionInfo, field: str) -> str | None:
    """`BM25(body)`, `EMBEDDING(body)` or `MINHASH(body)`: the function that fills `field`."""
    found = info.filled_by(field)
    if found is None:
        return None
    return f"{info.function_kind(field)}({', '.join(found.get('input_field_names') or [])})"
