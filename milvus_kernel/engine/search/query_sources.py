"""What a SEARCH searches with: the field, and the query vectors or texts from their source.

A query comes from literals (`FOR [...]`, `FOR [[...], [...]]`), from stored entities (`FOR ID 17`,
`FOR IDS (17, 18)`: their vectors, fetched with `get`; for a BM25 field, their text), from a NumPy
file (`VECTOR FROM 'q.npy'` takes row 0, `VECTORS FROM` every row, relative to the session's
working directory), or from a text (`TEXT '...'`, BM25 full-text search). Every vector is checked
against the field. The query data is a `Sourced` list: besides the values it carries the Python
expression that produced them (for EXPLAIN), when that is more than the literal values.
`FOR EMBEDDINGS ([...], [...]), EMBEDDINGS (...)` searches a vector inside an ARRAY<STRUCT<...>>
with one pymilvus `EmbeddingList` per query (its vectors against the elements' vectors).
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

from milvus_kernel.engine.catalog import Catalog
from milvus_kernel.engine.data.field_values import BadValue, convert
from milvus_kernel.engine.embeddings.binding import bindings
from milvus_kernel.engine.embeddings.providers import embed, split
from milvus_kernel.engine.schema.fields import CollectionInfo, FieldInfo
from milvus_kernel.errors import ExecutionError
from milvus_kernel.language.filters import key_expression, packs_safely
from milvus_kernel.language.statements import Search

#: The variable EXPLAIN assigns the result of `client.get` to (see explain.py).
FOUND = "found"


class Sourced(list):
    """A list of query data that knows the code producing it: `prelude` lines, then `code`."""

    def __init__(
        self, items: list[Any], code: str | None = None, prelude: tuple[str, ...] = ()
    ) -> None:
        super().__init__(items)
        self.code = code
        self.prelude = prelude

    def __getitem__(self, index: Any) -> Any:
        item = super().__getitem__(index)
        if isinstance(index, slice) and self.code is not None:
            if index.start in (0, None) and (index.stop is None or index.stop >= len(self)):
                return Sourced(item, self.code, self.prelude)
            start, stop = index.start or 0, min(index.stop or len(self), len(self))
            return Sourced(item, f"{self.code}[{start}:{stop}]", self.prelude)
        return item


def text_fields(info: CollectionInfo) -> list[FieldInfo]:
    """The BM25 output fields of a collection (searched with TEXT '...')."""
    return [f for f in info.vector_fields if info.bm25_source(f.name) is not None]


def anns_field(info: CollectionInfo, name: str | None, text: bool = False) -> FieldInfo:
    """The field to search: the named one, else the only BM25 field (`text`) or the only other
    vector field."""
    if name is not None:
        field = info.require_field(name)
        if not field.is_vector:
            raise ExecutionError(f"field {name} of {info.name} is {field.type_text}, not a vector")
        return field
    if text:
        found = text_fields(info)
        if len(found) == 1:
            return found[0]
        if not found:
            raise ExecutionError(
                f"collection '{info.name}' has no BM25 field for a TEXT search: add one, "
                "e.g. body_bm25 SPARSE_FLOAT_VECTOR GENERATED ALWAYS AS BM25(body)"
            )
        names = ", ".join(f.name for f in found)
        raise ExecutionError(
            f"collection '{info.name}' has several BM25 fields ({names}): say which with USING"
        )
    # A vector cannot search a BM25 field (it takes text): those never make the choice ambiguous.
    vectors = [f for f in info.vector_fields if info.bm25_source(f.name) is None]
    if not vectors:
        texts = ", ".join(f.name for f in text_fields(info))
        hint = f" (BM25 field {texts} is searched with TEXT '...')" if texts else ""
        raise ExecutionError(f"collection '{info.name}' has no vector field to search{hint}")
    if len(vectors) > 1:
        names = ", ".join(f.name for f in vectors)
        raise ExecutionError(
            f"collection '{info.name}' has several vector fields ({names}): say which with USING"
        )
    return vectors[0]


def search_field(info: CollectionInfo, statement: Search) -> FieldInfo:
    texts = bool(statement.vectors) and all(isinstance(v, str) for v in statement.vectors)
    text = (statement.query_text is not None or texts) and statement.embedded_by is None
    bound = bindings(info.properties)
    if text and statement.anns_field is None and len(bound) == 1 and not text_fields(info):
        return anns_field(info, next(iter(bound)))  # TEXT '...' on the one EMBED field
    return anns_field(info, statement.anns_field, text=text)


def embedding_model(info: CollectionInfo, field: FieldInfo, statement: Search) -> str | None:
    """The model that turns the words of a TEXT search of `field` into its vector, if any."""
    if statement.embedded_by is not None:
        if info.bm25_source(field.name) is not None:
            kind = info.function_kind(field.name)
            raise ExecutionError(f"field {field.name} holds {kind}: it takes the words themselves")
        return statement.embedded_by
    binding = bindings(info.properties).get(field.name)
    return binding.model if binding is not None else None


def embedded(model: str, field: FieldInfo, texts: list[str]) -> Sourced:
    """The query texts as vectors of `model`, with the code that computes them (for EXPLAIN)."""
    vectors = embed(model, texts, field.dim).tolist()
    provider, name = split(model)
    if provider == "sentence-transformers":
        prelude = (
            "from sentence_transformers import SentenceTransformer",
            f"model = SentenceTransformer({name!r})",
        )
        return Sourced(vectors, f"model.encode({texts!r}).tolist()", prelude)
    prelude = (
        "import openai  # the key from OPENAI_API_KEY",
        f"answer = openai.OpenAI().embeddings.create(model={name!r}, input={texts!r})",
    )
    return Sourced(vectors, "[item.embedding for item in answer.data]", prelude)


def query_data(
    info: CollectionInfo, field: FieldInfo, vectors: list[Any] | tuple[Any, ...]
) -> list:
    """The query vectors (or texts, for a BM25 field), checked against the field."""
    if not vectors:
        raise ExecutionError("SEARCH needs at least one query vector")
    source = info.bm25_source(field.name)
    target = replace(field, nullable=False, has_default=False, is_primary=False)
    data = []
    for number, vector in enumerate(vectors, start=1):
        if source is not None:
            if not isinstance(vector, str):
                raise ExecutionError(
                    f"field {field.name} holds {info.function_kind(field.name)} of {source}: "
                    "search it with TEXT '...', not a vector"
                )
            data.append(vector)
            continue
        if isinstance(vector, str):
            raise ExecutionError(
                f"field {field.name} is {field.type_text}: search it with a vector, not a text"
            )
        try:
            data.append(convert(target, vector))
        except BadValue as error:
            where = f"query vector {number}: " if len(vectors) > 1 else ""
            raise ExecutionError(where + str(error)) from None
    return data


def resolve(
    catalog: Catalog, info: CollectionInfo, field: FieldInfo, statement: Search, workdir: Path
) -> list:
    """The query data of `statement`, from whichever source it names (files: in `workdir`)."""
    model = embedding_model(info, field, statement)
    if model is not None:
        texts = [statement.query_text] if statement.query_text is not None else statement.vectors
        if all(isinstance(text, str) for text in texts):
            return embedded(model, field, list(texts))
    if statement.query_text is not None:
        return query_data(info, field, (statement.query_text,))
    if statement.ids is not None:
        return by_ids(catalog, info, field, statement.ids)
    if statement.vector_file is not None:
        rows, code = from_file(workdir, statement.vector_file, statement.all_file_rows)
        return Sourced(query_data(info, field, rows), code)
    if statement.embedding_lists:
        return embedding_lists(info, field, statement.vectors)
    return query_data(info, field, statement.vectors)


EMBEDDING_LIST_IMPORT = "from pymilvus.client.embedding_list import EmbeddingList"


def embedding_lists(info: CollectionInfo, field: FieldInfo, queries: tuple[Any, ...]) -> Sourced:
    """FOR EMBEDDINGS ([...], ...), ...: one pymilvus `EmbeddingList` per query, each vector
    checked against `field` (a vector inside an ARRAY<STRUCT<...>>), and the code that builds
    them as pymilvus's struct_example.py does."""
    from pymilvus.client.embedding_list import EmbeddingList

    if "[" not in field.name:
        raise ExecutionError(
            f"EMBEDDINGS (...) searches a vector inside an ARRAY<STRUCT<...>> column, and "
            f"{info.name}.{field.name} is not one: USING items[emb]"
        )
    lists, code = [], []
    for query in queries:
        vectors = query_data(info, field, query)
        lists.append(EmbeddingList(vectors))
        code.append(f"EmbeddingList({vectors!r})")
    return Sourced(lists, "[" + ", ".join(code) + "]", (EMBEDDING_LIST_IMPORT,))


def get_by_keys(
    catalog: Catalog, info: CollectionInfo, keys: list[Any], **options: Any
) -> list[dict[str, Any]]:
    """The entities with these primary keys: `get` when pymilvus can write the keys into its
    filter unchanged (it escapes nothing), else a query on the keys as the kernel quotes them."""
    if packs_safely(keys, info.primary.type == "VARCHAR"):
        return catalog.fetch("get", info.name, ids=keys, table=info.name, **options)
    expression = key_expression(info.primary.name, keys)
    return catalog.fetch("query", info.name, filter=expression, table=info.name, **options)


def by_ids(catalog: Catalog, info: CollectionInfo, field: FieldInfo, ids: tuple[Any, ...]) -> list:
    """The stored vectors (for a BM25 field: texts) of the entities `ids`, in that order."""
    if not ids:
        raise ExecutionError("FOR IDS needs at least one id")
    pk = info.primary.name
    stored = info.bm25_source(field.name) or field.name
    found = get_by_keys(catalog, info, list(ids), output_fields=[stored])
    by_key = {row.get(pk): row.get(stored) for row in found}
    missing = [key for key in ids if key not in by_key]
    if missing:
        shown = ", ".join(repr(k) for k in missing)
        noun = "ids" if len(missing) > 1 else "id"
        raise ExecutionError(f"collection '{info.name}' has no entity with {noun} {shown}")
    values = [by_key[key] for key in ids]
    if any(v is None for v in values):
        empty = ", ".join(repr(k) for k, v in zip(ids, values, strict=True) if v is None)
        raise ExecutionError(f"entity {empty} of {info.name} has no {stored} to search with")
    prelude = (f"vectors = {{e[{pk!r}]: e[{stored!r}] for e in {FOUND}}}",)
    code = "[" + ", ".join(f"vectors[{key!r}]" for key in ids) + "]"
    return Sourced(query_data(info, field, [_plain(v) for v in values]), code, prelude)


def _plain(value: Any) -> Any:
    tolist = getattr(value, "tolist", None)
    if tolist is not None:
        return tolist()
    if isinstance(value, dict):
        return {int(k): float(v) for k, v in value.items()}
    if isinstance(value, list) and len(value) == 1 and isinstance(value[0], bytes):
        return value[0]  # a binary vector comes back as [bytes]
    return value


def from_file(workdir: Path, name: str, all_rows: bool) -> tuple[list[Any], str]:
    """The query vectors of a .npy file (row 0, or every row) and the code that loads them."""
    try:
        import numpy as np
    except ImportError:  # pragma: no cover - numpy comes with pymilvus's pandas
        raise ExecutionError("VECTOR FROM needs numpy: pip install numpy") from None
    path = Path(name).expanduser()
    if not path.is_absolute():
        path = workdir / path
    if not path.is_file():
        raise ExecutionError(f"vector file {name} not found (looked for {path})")
    try:
        array = np.load(path, allow_pickle=False)
    except (OSError, ValueError) as error:
        raise ExecutionError(f"cannot read {name} as a NumPy .npy file: {error}") from None
    if array.dtype.kind not in "fiu" or array.ndim not in (1, 2) or array.size == 0:
        raise ExecutionError(
            f"{name} holds an array of shape {array.shape} and type {array.dtype}: expected "
            "numbers, one vector (dim,) or one per row (n, dim)"
        )
    load = f"np.load({str(path)!r})"
    if array.ndim == 1:
        return [array.tolist()], f"[{load}.tolist()]"
    if not all_rows:
        return [array[0].tolist()], f"[{load}[0].tolist()]"
    return array.tolist(), f"{load}.tolist()"
