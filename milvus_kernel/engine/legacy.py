"""The legacy dialect (the old milvus_kernel's), given its Milvus 2.x meaning in the engine; users
read about it in docs/migrating-from-milvus_kernel.md.

The parser turns the old forms into ordinary statements with a few marks, resolved here against
the collection's schema:

- `insert 2,3,5 from t [by id=0]` (`Insert.legacy_form`): its row is `(vector,)` or `(key, vector)`
  for the collection's primary key and its only vector field. Without `by id=` the key must be
  AUTO_ID; with it, it must not be.
- `select t by id=1,2` / `delete t by id=1,2` (`Select.keys`, `Delete.keys`): get or delete by
  primary key, as `WHERE <key> IN (...)`.
- `create index t where index_type=...` (`CreateIndex.field` ""): the vector field's index is
  *replaced* when there is one (a quick-created collection always has one): release, drop,
  create, load again; when the new build fails, the old index is put back and loaded again.
  It keeps the table's metric: the replaced index's, or, after an old `drop index t`, the one
  that drop stored in the collection's properties (`METRIC_PROPERTY`), so a kernel restart
  between the two loses nothing.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from milvus_kernel.engine.catalog import Catalog
from milvus_kernel.engine.schema.fields import CollectionInfo
from milvus_kernel.errors import ExecutionError
from milvus_kernel.language.filters import render_value
from milvus_kernel.language.statements import Delete, Filter, Insert, Select


def _only_vector(info: CollectionInfo) -> str:
    vectors = [f for f in info.vector_fields if not f.generated]
    if len(vectors) != 1:
        names = ", ".join(f.name for f in vectors) or "none"
        raise ExecutionError(
            f"the old `insert ... from {info.name}` needs a collection with one vector field; "
            f"{info.name} has {names}: use INSERT INTO {info.name} (...) VALUES (...)"
        )
    return vectors[0].name


def expand_insert(info: CollectionInfo, statement: Insert) -> Insert:
    """The old `insert v from t [by id=k]` as `INSERT INTO t (key, vector) VALUES (k, v)`."""
    if not statement.legacy_form:
        return statement
    vector = _only_vector(info)
    key = info.primary
    columns: tuple[str, ...]
    for row in statement.rows:
        if len(row) == 1 and not key.auto_id:
            raise ExecutionError(
                f"the primary key {key.name} of {info.name} is not AUTO_ID: "
                f"add `by id=N` to give the new row its {key.name}"
            )
        if len(row) == 2 and key.auto_id:
            raise ExecutionError(
                f"the primary key {key.name} of {info.name} is AUTO_ID (Milvus makes the ids): "
                "leave out `by id=`"
            )
    columns = (vector,) if key.auto_id else (key.name, vector)
    return dataclasses.replace(statement, columns=columns, legacy_form=False)


def key_filter(info: CollectionInfo, keys: tuple[Any, ...]) -> Filter:
    """`<primary key> in [keys]`, marked as a get by key."""
    key = info.primary
    expected = str if key.type == "VARCHAR" else int
    for value in keys:
        if not isinstance(value, expected) or isinstance(value, bool):
            kind = "strings" if expected is str else "whole numbers"
            raise ExecutionError(
                f"the primary key {key.name} of {info.name} is {key.type_text}: "
                f"`by id=` needs {kind}, got {value!r}"
            )
    expression = f"{key.name} in {render_value(list(keys))}"
    return Filter(expression, (key.name,), tuple(keys), key.name)


def keyed_select(info: CollectionInfo, statement: Select) -> Select:
    """The old `select t by id=1,2,3` as `SELECT * FROM t WHERE <key> IN (1, 2, 3)`."""
    if statement.keys is None:
        return statement
    return dataclasses.replace(statement, where=key_filter(info, statement.keys), keys=None)


def keyed_delete(info: CollectionInfo, statement: Delete) -> Delete:
    """The old `delete t by id=1,2` as `DELETE FROM t WHERE <key> IN (1, 2)`."""
    if statement.keys is None:
        return statement
    return dataclasses.replace(statement, where=key_filter(info, statement.keys), keys=None)


@dataclasses.dataclass(frozen=True)
class Replaced:
    """The index an old-style `create index` replaced."""

    described: str  # "AUTOINDEX, L2"
    metric: str | None
    was_loaded: bool
    #: describe_index of the replaced index, to build it again if the new one fails.
    old: dict[str, Any] = dataclasses.field(default_factory=dict)

    @property
    def note(self) -> str:
        return f"; replaced its index ({self.described})" + (
            ", loaded again" if self.was_loaded else ""
        )


def drop_for_replace(catalog: Catalog, table: str, name: str) -> Replaced:
    """Release `table` if loaded and drop its index `name`, to create another in its place."""
    old = dict(catalog.call("describe_index", table, name, table=table) or {})
    described = ", ".join(str(old[k]) for k in ("index_type", "metric_type") if old.get(k))
    was_loaded = catalog.is_loaded(table)
    if was_loaded:
        catalog.call("release_collection", table, table=table, action="releasing")
        catalog.mark_released(table)
    catalog.call("drop_index", table, name, table=table, action=f"dropping index {name} of")
    catalog.forget(table)
    metric = old.get("metric_type")
    return Replaced(described or "?", str(metric) if metric else None, was_loaded, old)


def reload(catalog: Catalog, table: str) -> None:
    """Load `table` again after its index was replaced."""
    catalog.call("load_collection", table, table=table, action="loading")
    catalog.forget(table)


def settle(catalog: Catalog, table: str, was_loaded: bool) -> None:
    """Leave `table` loaded or released as it was before its index was replaced (Milvus Lite
    loads a collection by itself once it has no index)."""
    if was_loaded:
        reload(catalog, table)
    elif catalog.is_loaded(table):
        catalog.call("release_collection", table, table=table, action="releasing")
        catalog.forget(table)


def restore(catalog: Catalog, table: str, field: str, replaced: Replaced) -> str:
    """Build the replaced index again (and load, if it was loaded) after a failed replacement;
    the note to add to the error."""
    old = replaced.old
    index_params = catalog.client.prepare_index_params()
    kwargs: dict[str, Any] = {"index_type": old.get("index_type") or "AUTOINDEX"}
    if old.get("metric_type"):
        kwargs["metric_type"] = old["metric_type"]
    if old.get("index_name"):
        kwargs["index_name"] = old["index_name"]
    if old.get("params"):
        kwargs["params"] = {"params": dict(old["params"])}
    index_params.add_index(field, **kwargs)
    try:
        catalog.call("create_index", table, index_params, table=table, action="restoring index of")
        settle(catalog, table, replaced.was_loaded)
    except ExecutionError as error:
        return f"; putting its old index ({replaced.described}) back failed too: {error.message}"
    catalog.forget(table)
    return f"; its old index ({replaced.described}) is back" + (
        ", loaded" if replaced.was_loaded else ""
    )


#: Collection property prefix under which the old `drop index t` keeps a field's metric.
METRIC_PROPERTY = "milvus_kernel.metric_type."


def remember_metric(catalog: Catalog, table: str, field: str, metric: str) -> None:
    """Keep `metric` with the collection (it outlives the kernel) before its index is dropped."""
    properties = {METRIC_PROPERTY + field: metric.upper()}
    catalog.call("alter_collection_properties", table, properties, table=table)


def remembered_metric(catalog: Catalog, table: str, field: str) -> str | None:
    """The metric an old `drop index t` kept for `table.field`, if any."""
    described = catalog.call("describe_collection", table, table=table) or {}
    value = dict(described.get("properties") or {}).get(METRIC_PROPERTY + field)
    return str(value).upper() if value else None
