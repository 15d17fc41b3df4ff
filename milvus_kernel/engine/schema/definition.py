"""CREATE TABLE's column list and options → a pymilvus `CollectionSchema`; DESCRIBE's table.

SQL meaning: scalar columns are nullable unless NOT NULL; primary key and partition key columns
never are, vector columns only when written `NULL`. `GENERATED ALWAYS AS BM25(src)` adds a BM25
function from `src` (whose analyzer is switched on) to the sparse column. An
`ARRAY<STRUCT<...>>(n)` column becomes a pymilvus struct field schema (`DataType.ARRAY` of
`DataType.STRUCT`); TIMESTAMPTZ and GEOMETRY defaults are checked and sent as ISO and WKT text.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from milvus_kernel.engine.embeddings.binding import Binding, bindings
from milvus_kernel.engine.embeddings.providers import split
from milvus_kernel.engine.schema.fields import CollectionInfo
from milvus_kernel.engine.schema.generated import embedding_function, generated_by
from milvus_kernel.engine.schema.timestamps import BadText, typed
from milvus_kernel.errors import ExecutionError
from milvus_kernel.language.statements import ColumnDef, CreateTable
from milvus_kernel.results import Column, Table

DEFAULT_VARCHAR_LENGTH = 65535
DEFAULT_ARRAY_CAPACITY = 4096
DEFAULT_STRUCT_CAPACITY = 100

# WITH options of the full form: option name → create_collection keyword.
TABLE_OPTIONS = {
    "dynamic_field": "enable_dynamic_field",
    "enable_dynamic_field": "enable_dynamic_field",
    "consistency_level": "consistency_level",
    "description": "description",
    "shards": "num_shards",
    "num_shards": "num_shards",
    "partitions": "num_partitions",
    "num_partitions": "num_partitions",
}
# Extra WITH options of the quick form (no columns): option name → create_collection keyword.
QUICK_OPTIONS = {
    **TABLE_OPTIONS,
    "dimension": "dimension",
    "metric_type": "metric_type",
    "primary_field": "primary_field_name",
    "primary_field_name": "primary_field_name",
    "vector_field": "vector_field_name",
    "vector_field_name": "vector_field_name",
    "id_type": "id_type",
    "auto_id": "auto_id",
}
IGNORED_OPTIONS = {
    "index_file_size": "index_file_size no longer applies in Milvus 2.x; ignored",
}


@dataclass
class CreatePlan:
    """What create_collection gets: keyword arguments, and notes for the user."""

    kwargs: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def _options(statement: CreateTable, valid: dict[str, str], plan: CreatePlan) -> None:
    for name, value in statement.options.items():
        key = name.lower()
        if key in IGNORED_OPTIONS:
            plan.notes.append(IGNORED_OPTIONS[key])
            continue
        target = valid.get(key)
        if target is None:
            if key in QUICK_OPTIONS:
                raise ExecutionError(
                    f"option '{name}' only applies to the quick form CREATE TABLE {statement.name} "
                    "WITH (dimension = n), without a column list"
                )
            names = ", ".join(sorted({k for k in valid if k not in ("enable_dynamic_field",)}))
            raise ExecutionError(f"unknown option '{name}' for CREATE TABLE; options: {names}")
        if target in ("num_shards", "num_partitions", "dimension") and (
            isinstance(value, bool) or not isinstance(value, int) or value <= 0
        ):
            raise ExecutionError(f"option '{name}' must be a positive whole number")
        if target == "id_type" and str(value).lower() not in ("int", "string"):
            raise ExecutionError("option 'id_type' must be 'int' or 'string'")
        plan.kwargs[target] = value


def quick_plan(statement: CreateTable) -> CreatePlan:
    """The quick form: an id INT64 primary key and a FLOAT_VECTOR(dimension) field."""
    plan = CreatePlan()
    _options(statement, QUICK_OPTIONS, plan)
    if "dimension" not in plan.kwargs:
        raise ExecutionError(
            f"CREATE TABLE {statement.name} needs a column list, or WITH (dimension = n) for the "
            "quick form (an id INT64 primary key and a vector FLOAT_VECTOR(n))"
        )
    if "metric_type" in plan.kwargs:
        plan.kwargs["metric_type"] = str(plan.kwargs["metric_type"]).upper()
    return plan


def full_plan(statement: CreateTable) -> CreatePlan:
    """The full form: a schema built from the column list."""
    from pymilvus import Function, FunctionType, MilvusClient

    plan = CreatePlan()
    _options(statement, TABLE_OPTIONS, plan)
    _check_columns(statement)
    bm25_sources = {c.bm25_source for c in statement.columns if c.bm25_source}
    schema = MilvusClient.create_schema(
        enable_dynamic_field=bool(plan.kwargs.pop("enable_dynamic_field", False)),
        description=str(plan.kwargs.pop("description", "") or ""),
    )
    for column in statement.columns:
        element = column.type.element
        if element is not None and element.name == "STRUCT":
            schema.add_field(column.name, _data_type("ARRAY", column.name), **struct_field(column))
            continue
        schema.add_field(
            column.name,
            _data_type(column.type.name, column.name),
            **_field_kwargs(column, column.name in bm25_sources),
        )
    for column in statement.columns:
        if column.bm25_source:
            schema.add_function(
                Function(
                    name=f"{column.name}_bm25",
                    function_type=FunctionType.BM25,
                    input_field_names=[column.bm25_source],
                    output_field_names=[column.name],
                )
            )
        if column.minhash:  # GENERATED ALWAYS AS MINHASH(source) WITH (num_hashes = 16, ...)
            source, params = column.minhash
            schema.add_function(
                Function(
                    name=f"{column.name}_minhash",
                    function_type=FunctionType.MINHASH,
                    input_field_names=[source],
                    output_field_names=[column.name],
                    params=dict(params),
                )
            )
        if column.embedding:  # GENERATED ALWAYS AS EMBEDDING(body) WITH (provider = ...)
            schema.add_function(embedding_function(column))
    embedded = [Binding(c.name, *c.embed) for c in statement.columns if c.embed]
    for binding in embedded:
        source = next((c for c in statement.columns if c.name == binding.source), None)
        if source is None or source.type.name.upper() != "VARCHAR":
            raise ExecutionError(
                f"column {binding.field}: EMBED source '{binding.source}' must be a VARCHAR column"
            )
        split(binding.model)  # an unknown provider is refused before anything is created
    if embedded:
        properties = dict(plan.kwargs.get("properties") or {})
        properties.update(binding.entry for binding in embedded)
        plan.kwargs["properties"] = properties
    plan.kwargs["schema"] = schema
    return plan


def _data_type(name: str, column: str) -> Any:
    from pymilvus import DataType

    try:
        return DataType[name.upper()]
    except KeyError:
        valid = ", ".join(t.name for t in DataType if t.name not in ("NONE", "UNKNOWN"))
        raise ExecutionError(f"column {column}: unknown type {name}; types: {valid}") from None


def column_field(column: ColumnDef) -> tuple[Any, dict[str, Any]]:
    """The DataType and the `add_field` keywords of one column (ALTER TABLE ADD COLUMN)."""
    return _data_type(column.type.name, column.name), _field_kwargs(column, False)


def struct_field(column: ColumnDef) -> dict[str, Any]:
    """`ARRAY<STRUCT<name VARCHAR(20), emb FLOAT_VECTOR(4)>>(8)`: pymilvus's struct schema."""
    from pymilvus import MilvusClient

    assert column.type.element is not None
    struct = MilvusClient.create_struct_field_schema()
    for name, member in column.type.element.members:
        kwargs: dict[str, Any] = {}
        if member.name == "VARCHAR":
            kwargs["max_length"] = member.length or DEFAULT_VARCHAR_LENGTH
        if member.dim:
            kwargs["dim"] = member.dim
        struct.add_field(name, _data_type(member.name, f"{column.name}[{name}]"), **kwargs)
    kwargs = {
        "element_type": _data_type("STRUCT", column.name),
        "struct_schema": struct,
        "max_capacity": column.type.capacity or DEFAULT_STRUCT_CAPACITY,
    }
    if column.null:
        kwargs["nullable"] = True
    if column.description:
        kwargs["description"] = column.description
    return kwargs


def _check_columns(statement: CreateTable) -> None:
    names = [c.name for c in statement.columns]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise ExecutionError(f"duplicate column {', '.join(duplicates)} in CREATE TABLE")
    primaries = [c.name for c in statement.columns if c.primary_key]
    if len(primaries) != 1 and statement.external_source is None:  # an external one has none
        found = ", ".join(primaries) if primaries else "none"
        raise ExecutionError(
            f"CREATE TABLE {statement.name} needs exactly one PRIMARY KEY column (found {found})"
        )
    by_name = {c.name: c for c in statement.columns}
    for column in statement.columns:
        if column.bm25_source is None:
            continue
        source = by_name.get(column.bm25_source)
        if column.type.name.upper() != "SPARSE_FLOAT_VECTOR":
            raise ExecutionError(f"column {column.name}: BM25 needs type SPARSE_FLOAT_VECTOR")
        if source is None or source.type.name.upper() != "VARCHAR":
            raise ExecutionError(
                f"column {column.name}: BM25 source '{column.bm25_source}' must be a VARCHAR column"
            )


def _field_kwargs(column: ColumnDef, bm25_source: bool) -> dict[str, Any]:
    kind = column.type.name.upper()
    kwargs: dict[str, Any] = {}
    if column.primary_key:
        kwargs["is_primary"] = True
        if kind not in ("INT64", "VARCHAR"):
            raise ExecutionError(
                f"column {column.name}: a primary key must be INT64 or VARCHAR, not {kind}"
            )
        kwargs["auto_id"] = column.auto_id
    elif column.auto_id:
        raise ExecutionError(f"column {column.name}: AUTO_ID only applies to the primary key")
    if kind == "VARCHAR":
        kwargs["max_length"] = column.type.length or DEFAULT_VARCHAR_LENGTH
    if column.type.is_vector and kind != "SPARSE_FLOAT_VECTOR":
        if not column.type.dim:
            raise ExecutionError(f"column {column.name}: {kind} needs a dimension: {kind}(128)")
        kwargs["dim"] = column.type.dim
    if kind == "ARRAY":
        element = column.type.element
        if element is None:
            raise ExecutionError(f"column {column.name}: ARRAY needs an element type, ARRAY<INT64>")
        kwargs["element_type"] = _data_type(element.name, column.name)
        kwargs["max_capacity"] = column.type.capacity or DEFAULT_ARRAY_CAPACITY
        if element.name.upper() == "VARCHAR":
            kwargs["max_length"] = element.length or DEFAULT_VARCHAR_LENGTH
    # an external table's columns, like vectors, are nullable only when written NULL
    as_written = column.type.is_vector or column.external is not None
    never_null = column.primary_key or column.partition_key or as_written
    if (not never_null and not column.not_null) or (as_written and column.null):
        kwargs["nullable"] = True
    if column.has_default:
        if column.default is None and (column.not_null or never_null):
            raise ExecutionError(f"column {column.name}: DEFAULT NULL on a column that is NOT NULL")
        if column.default is not None:
            kwargs["default_value"] = _default_for(kind, column)
    if column.partition_key:
        kwargs["is_partition_key"] = True
    if column.analyzer or column.match or bm25_source:
        kwargs["enable_analyzer"] = True
        if column.analyzer_params:
            kwargs["analyzer_params"] = dict(column.analyzer_params)
        if column.multi_analyzer_params:
            kwargs["multi_analyzer_params"] = dict(column.multi_analyzer_params)
    if column.match:
        kwargs["enable_match"] = True
    if column.description:
        kwargs["description"] = column.description
    if column.external is not None:
        kwargs["external_field"] = column.external
    return kwargs


def _default_for(kind: str, column: ColumnDef) -> Any:
    value = column.default
    if kind in ("FLOAT", "DOUBLE") and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if kind in ("TIMESTAMPTZ", "GEOMETRY"):
        try:
            return typed(kind, value, f"column {column.name}: DEFAULT")
        except BadText as error:
            raise ExecutionError(str(error)) from None
    checks = {"BOOL": bool, "VARCHAR": str, "FLOAT": float, "DOUBLE": float}
    expected = checks.get(kind, int if kind.startswith("INT") and "VECTOR" not in kind else None)
    if expected is not None and (
        not isinstance(value, expected) or (expected is int and isinstance(value, bool))
    ):
        raise ExecutionError(f"column {column.name}: DEFAULT {value!r} is not a {kind} value")
    return value


def describe_table(info: CollectionInfo) -> Table:
    """DESCRIBE t: one row per field."""
    columns = (
        Column("name", "str"),
        Column("type", "str"),
        Column("primary_key", "bool"),
        Column("auto_id", "bool"),
        Column("nullable", "bool"),
        Column("default", "any"),
        Column("partition_key", "bool"),
        Column("extra", "str"),
        Column("description", "str"),
    )
    rows = []
    bound = bindings(info.properties)
    for f in info.fields:
        extra = []
        if f.analyzer:
            extra.append("ANALYZER")
        if f.match:
            extra.append("MATCH")
        source = generated_by(info, f.name)
        if source:
            extra.append(source)
        binding = bound.get(f.name)
        if binding is not None:
            extra.append(f"EMBED({binding.source}) USING '{binding.model}'")
        if f.external:
            extra.append(f"EXTERNAL '{f.external}'")
        rows.append(
            (
                f.name,
                f.type_text,
                f.is_primary,
                f.auto_id,
                f.nullable,
                f.default if f.has_default else None,
                f.partition_key,
                " ".join(extra),
                f.description,
            )
        )
    notes = [f"dynamic field {'on' if info.dynamic else 'off'}"]
    if info.consistency_level:
        notes.append(f"consistency {info.consistency_level}")
    if info.num_shards:
        notes.append(f"shards {info.num_shards}")
    if info.description:
        notes.append(f"description: {info.description}")
    if info.external_source:
        notes.append(f"external source '{info.external_source}' {info.external_spec}".rstrip())
    return Table(columns=columns, rows=rows, title=info.name, note="; ".join(notes))
