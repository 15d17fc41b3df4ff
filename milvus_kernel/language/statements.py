"""The statements of the language as frozen dataclasses.

The parser produces them and the engine runs them.

Values inside statements are plain Python: int, float, str, bool, None, list (a dense vector or an
array), dict (a sparse vector `{index: value}` or a JSON object). Filters arrive already translated
to a safe Milvus expression (see `filters.py`). Nothing here knows about pymilvus.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

Value = Any
"""A literal: int, float, str, bool, None, list or dict."""


@dataclass(frozen=True)
class Statement:
    """Base of every statement; `text` is its source, for error reports and EXPLAIN."""

    text: str = field(default="", kw_only=True, compare=False, repr=False)


@dataclass(frozen=True)
class Filter:
    """A translated WHERE clause: a Milvus filter `expression` and the `fields` it reads."""

    expression: str
    fields: tuple[str, ...] = ()
    #: primary-key values when the whole filter is `<field> IN (...)` or `<field> = v` (a get).
    keys: tuple[Value, ...] | None = None
    key_field: str | None = None


# --- connection and session -------------------------------------------------------------------


@dataclass(frozen=True)
class Connect(Statement):
    """CONNECT 'uri' | CONNECT name, with optional credentials, database and alias."""

    target: str
    is_name: bool = False  # CONNECT prod (a named entry) rather than CONNECT 'uri'
    user: str | None = None
    password: str | None = field(default=None, repr=False)
    token: str | None = field(default=None, repr=False)
    database: str | None = None
    alias: str | None = None


@dataclass(frozen=True)
class Disconnect(Statement):
    """DISCONNECT."""


@dataclass(frozen=True)
class ShowConnection(Statement):
    """SHOW CONNECTION."""


@dataclass(frozen=True)
class SetOption(Statement):
    """SET name = value."""

    name: str
    value: Value


@dataclass(frozen=True)
class ShowSettings(Statement):
    """SHOW SETTINGS."""


# --- collections ------------------------------------------------------------------------------


@dataclass(frozen=True)
class FieldType:
    """A column type: `name` is a Milvus DataType name (INT64, VARCHAR, FLOAT_VECTOR, ...)."""

    name: str
    length: int | None = None  # VARCHAR(n)
    dim: int | None = None  # FLOAT_VECTOR(dim)
    element: FieldType | None = None  # ARRAY<element>
    capacity: int | None = None  # ARRAY<...>(capacity)

    @property
    def is_vector(self) -> bool:
        return self.name.endswith("VECTOR")


MISSING = object()
"""Marks an absent DEFAULT (None means DEFAULT NULL)."""


@dataclass(frozen=True)
class ColumnDef:
    """One column of CREATE TABLE."""

    name: str
    type: FieldType
    primary_key: bool = False
    auto_id: bool = False
    not_null: bool = False
    default: Value = MISSING
    partition_key: bool = False
    analyzer: bool = False
    analyzer_params: dict[str, Value] | None = None
    match: bool = False
    bm25_source: str | None = None  # GENERATED ALWAYS AS BM25(source)
    description: str | None = None

    @property
    def has_default(self) -> bool:
        return self.default is not MISSING


@dataclass(frozen=True)
class CreateTable(Statement):
    """CREATE TABLE name (columns) [WITH (...)], or the quick form WITH (dimension = n)."""

    name: str
    columns: tuple[ColumnDef, ...] = ()
    options: dict[str, Value] = field(default_factory=dict)
    if_not_exists: bool = False


@dataclass(frozen=True)
class DropTable(Statement):
    name: str
    if_exists: bool = False


@dataclass(frozen=True)
class ShowTables(Statement):
    pass


@dataclass(frozen=True)
class DescribeTable(Statement):
    name: str


@dataclass(frozen=True)
class LoadTable(Statement):
    name: str


@dataclass(frozen=True)
class ReleaseTable(Statement):
    name: str


# --- partitions -------------------------------------------------------------------------------


@dataclass(frozen=True)
class CreatePartition(Statement):
    name: str
    table: str
    if_not_exists: bool = False


@dataclass(frozen=True)
class DropPartition(Statement):
    name: str
    table: str
    if_exists: bool = False


@dataclass(frozen=True)
class ShowPartitions(Statement):
    table: str


# --- indexes ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class CreateIndex(Statement):
    """CREATE INDEX [name] ON table (field) [USING type] [WITH (metric_type = ..., param = ...)]."""

    table: str
    field: str
    name: str | None = None
    index_type: str | None = None
    params: dict[str, Value] = field(default_factory=dict)


@dataclass(frozen=True)
class DropIndex(Statement):
    name: str
    table: str


@dataclass(frozen=True)
class ShowIndexes(Statement):
    table: str


@dataclass(frozen=True)
class DescribeIndex(Statement):
    name: str
    table: str


# --- writes -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Insert(Statement):
    """INSERT | UPSERT INTO table [PARTITION p] [(columns)] VALUES (...), (...)."""

    table: str
    rows: tuple[tuple[Value, ...], ...]
    columns: tuple[str, ...] | None = None
    partition: str | None = None
    upsert: bool = False


@dataclass(frozen=True)
class Delete(Statement):
    """DELETE FROM table [PARTITION p] WHERE filter."""

    table: str
    where: Filter
    partition: str | None = None


# --- reads ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Select(Statement):
    """SELECT columns | COUNT(*) FROM table [PARTITION ...] [WHERE ...] [LIMIT n [OFFSET m]]."""

    table: str
    columns: tuple[str, ...] = ("*",)
    partitions: tuple[str, ...] = ()
    where: Filter | None = None
    limit: int | None = None
    offset: int = 0
    count: bool = False


@dataclass(frozen=True)
class Search(Statement):
    """A vector search: SEARCH ... FOR vectors, or SELECT ... ORDER BY field <-> vector LIMIT k.

    `projection` is set by the SQL form: the exact columns to show, which may include `distance`.
    `metric` is set by the SQL form's operator (L2, COSINE, IP) and by WITH (metric_type = ...).
    """

    table: str
    vectors: tuple[Value, ...]
    anns_field: str | None = None
    partitions: tuple[str, ...] = ()
    where: Filter | None = None
    output_fields: tuple[str, ...] = ()
    limit: int = 10
    offset: int = 0
    params: dict[str, Value] = field(default_factory=dict)
    metric: str | None = None
    projection: tuple[str, ...] | None = None
