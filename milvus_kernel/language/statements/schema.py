"""Schema statements: collections, partitions and indexes (CREATE, DROP, SHOW, DESCRIBE, LOAD)."""

from __future__ import annotations

from dataclasses import dataclass, field

from milvus_kernel.language.statements.base import MISSING, Statement, Value


@dataclass(frozen=True)
class FieldType:
    """A column type: `name` is a Milvus DataType name (INT64, VARCHAR, FLOAT_VECTOR, ...)."""

    name: str
    length: int | None = None  # VARCHAR(n)
    dim: int | None = None  # FLOAT_VECTOR(dim)
    element: FieldType | None = None  # ARRAY<element>
    capacity: int | None = None  # ARRAY<...>(capacity)
    members: tuple[tuple[str, FieldType], ...] = ()  # STRUCT<name type, ...>

    @property
    def is_vector(self) -> bool:
        return self.name.endswith("VECTOR")


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
    #: MULTI ANALYZER BY f (...): {"by_field": f, "analyzers": {...}[, "alias": {...}]}
    multi_analyzer_params: dict[str, Value] | None = None
    match: bool = False
    bm25_source: str | None = None  # GENERATED ALWAYS AS BM25(source)
    minhash: tuple[str, dict[str, Value]] | None = None  # AS MINHASH(source) WITH (params)
    embedding: tuple[str, dict[str, Value]] | None = None  # AS EMBEDDING(source) WITH (params)
    description: str | None = None
    embed: tuple[str, str] | None = None  # EMBED(source) USING 'provider:model'
    null: bool = False  # NULL written out: the only way a vector column is nullable
    external: str | None = None  # EXTERNAL 'column': the column of the external files it maps

    @property
    def has_default(self) -> bool:
        return self.default is not MISSING


@dataclass(frozen=True)
class CreateTable(Statement):
    """CREATE TABLE name (columns) [WITH (...)], or the quick form WITH (dimension = n);
    CREATE EXTERNAL TABLE name (columns) FROM 'source' WITH (...) when `external_source` is set."""

    name: str
    columns: tuple[ColumnDef, ...] = ()
    options: dict[str, Value] = field(default_factory=dict)
    if_not_exists: bool = False
    external_source: str | None = None


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


@dataclass(frozen=True)
class AddColumn(Statement):
    """ALTER TABLE t ADD COLUMN name TYPE NULL [DEFAULT v] (Milvus adds nullable fields only);
    a column GENERATED ALWAYS AS BM25|MINHASH(source) comes with its index, `INDEX USING ...`."""

    table: str
    column: ColumnDef
    index_type: str | None = None
    index_params: dict[str, Value] = field(default_factory=dict)


@dataclass(frozen=True)
class DropColumn(Statement):
    """ALTER TABLE t DROP COLUMN f (a function's output: the function goes with it)."""

    table: str
    column: str


@dataclass(frozen=True)
class AlterColumn(Statement):
    """ALTER TABLE t ALTER COLUMN f SET (max_length = 64, mmap.enabled = true, ...)."""

    table: str
    field: str
    params: dict[str, Value] = field(default_factory=dict)


@dataclass(frozen=True)
class AddFunction(Statement):
    """ALTER TABLE t ADD FUNCTION f EMBEDDING|BM25|MINHASH(source) TO output WITH (...)."""

    table: str
    name: str
    kind: str  # EMBEDDING, BM25 or MINHASH
    source: str
    output: str
    params: dict[str, Value] = field(default_factory=dict)


@dataclass(frozen=True)
class AlterFunction(Statement):
    """ALTER TABLE t ALTER FUNCTION f SET (model_name = '...', ...): its params, merged."""

    table: str
    name: str
    params: dict[str, Value] = field(default_factory=dict)


@dataclass(frozen=True)
class DropFunction(Statement):
    """ALTER TABLE t DROP FUNCTION f."""

    table: str
    name: str


@dataclass(frozen=True)
class DropTableProperties(Statement):
    """ALTER TABLE t DROP PROPERTIES ('collection.ttl.seconds', ...)."""

    name: str
    keys: tuple[str, ...]


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


@dataclass(frozen=True)
class AlterIndexSet(Statement):
    """ALTER INDEX i ON t SET (mmap.enabled = true, ...)."""

    name: str
    table: str
    properties: dict[str, Value] = field(default_factory=dict)


@dataclass(frozen=True)
class DropIndexProperties(Statement):
    """ALTER INDEX i ON t DROP PROPERTIES ('mmap.enabled', ...)."""

    name: str
    table: str
    keys: tuple[str, ...]
