"""Calls of server features that Milvus Lite, or a server older than the feature, lacks.

`feature_call(catalog, what, method, ...)` refuses on Milvus Lite before anything is sent, and
turns a server's "no such method" into one line naming it ("SHOW SNAPSHOTS is not supported by
Milvus v2.3.5"). Under EXPLAIN (`Catalog.explaining`) nothing is refused: the code is shown for
any server, and a metadata call the server cannot answer answers None. `object_rows` turns
pymilvus's info objects (dataclasses, objects with properties, dicts) into the (property, value)
rows of a table.
"""

from __future__ import annotations

import dataclasses
import re
from typing import Any

from milvus_kernel.engine.catalog import Catalog
from milvus_kernel.engine.connection.capabilities import refuse_on_lite, server_call
from milvus_kernel.results import Column, Table


def words(statement: object) -> str:
    """A statement's kind in words: CreatePrivilegeGroup → "CREATE PRIVILEGE GROUP"."""
    return " ".join(re.findall(r"[A-Z][a-z]*", type(statement).__name__)).upper()


def feature_call(catalog: Catalog, what: str, method: str, *args: Any, **kwargs: Any) -> Any:
    """`catalog.call(method, ...)` for the server feature `what`; one line on a server without."""
    refuse_on_lite(catalog, what)
    return server_call(catalog, what, method, *args, **kwargs)


def plain(value: Any) -> Any:
    """A value fit for a table cell: enums by name, protobuf messages and lists as text."""
    name = getattr(value, "name", None)
    if isinstance(name, str) and type(value).__module__ != "builtins" and hasattr(value, "value"):
        return name
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    if isinstance(value, (list, tuple)):
        return ", ".join(str(plain(v)) for v in value)
    if hasattr(value, "ListFields"):  # a protobuf message (a resource group's config)
        return " ".join(str(value).split())
    return str(value)


def fields_of(item: Any) -> dict[str, Any]:
    """The public fields of a pymilvus info object, a dataclass or a dict."""
    if isinstance(item, dict):
        return dict(item)
    if dataclasses.is_dataclass(item) and not isinstance(item, type):
        return {f.name: getattr(item, f.name) for f in dataclasses.fields(item)}
    names = [n for n, v in vars(type(item)).items() if isinstance(v, property)]
    if not names:  # an object with plain attributes (a compaction plan)
        return {k: v for k, v in vars(item).items() if not k.startswith("_")}
    return {n: getattr(item, n) for n in names}


def object_rows(item: Any, title: str) -> Table:
    """One object as a (property, value) table."""
    rows = [(key, plain(value)) for key, value in fields_of(item).items()]
    return Table(
        columns=(Column("property", "str"), Column("value", "any")), rows=rows, title=title
    )


def objects_table(items: list[Any], title: str, empty_note: str = "") -> Table:
    """Several objects as a table, one row each, one column per field of the first."""
    records = [fields_of(item) for item in items]
    names = list(records[0]) if records else ["name"]
    rows = [tuple(plain(record.get(n)) for n in names) for record in records]
    note = empty_note if not rows and empty_note else None
    return Table(columns=tuple(Column(n, "any") for n in names), rows=rows, title=title, note=note)
