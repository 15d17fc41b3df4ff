"""SHOW CREATE TABLE: the statements that recreate a collection, written from what Milvus reports.

The text is a CREATE TABLE (every field with its type, key, AUTO_ID, NOT NULL, DEFAULT, PARTITION
KEY, ANALYZER (params), MATCH, BM25 and COMMENT; the collection's options), then ALTER TABLE ...
SET for its properties (TTL, ...), a CREATE INDEX per index with its build parameters, and a
CREATE PARTITION per partition other than `_default` (none for a partition-key collection, whose
partitions Milvus makes itself). Run under another name, it gives the same schema and indexes.

The language's rule is that scalar columns are nullable unless NOT NULL, so a column Milvus
reports as not nullable is written NOT NULL (a server without nullable fields, such as the 2.3
standalone, shows NOT NULL everywhere, which recreates the same schema there).
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from typing import Any

from milvus_kernel.engine.catalog import Catalog
from milvus_kernel.engine.context import using_catalog
from milvus_kernel.engine.embeddings.binding import bindings, is_binding
from milvus_kernel.engine.schema.external import spec_options
from milvus_kernel.engine.schema.fields import CollectionInfo, FieldInfo, collection_info
from milvus_kernel.errors import ExecutionError
from milvus_kernel.language.filters import is_identifier
from milvus_kernel.language.statements import ShowCreateTable
from milvus_kernel.results import Message, Result

_DEFAULT_PARTITION = "_default"
# describe_index keys that are state, not definition
_INDEX_STATE = {
    "total_rows",
    "indexed_rows",
    "pending_index_rows",
    "state",
    "index_state_fail_reason",
}


def name(text: str) -> str:
    """An identifier, in backticks when it is not a plain one."""
    if is_identifier(text):
        return text
    if "`" in text or "\n" in text:
        raise ExecutionError(f"the name {text!r} cannot be written in Milvus SQL")
    return f"`{text}`"


def literal(value: Any) -> str:
    """A value as Milvus SQL literal text."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ExecutionError(f"{value} cannot be written as a literal")
        return repr(value)
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(literal(v) for v in value) + "]"
    if isinstance(value, Mapping):
        pairs = (f"{json.dumps(str(k))}: {literal(v)}" for k, v in value.items())
        return "{" + ", ".join(pairs) + "}"
    return literal(str(value))


def options(values: Mapping[str, Any]) -> str:
    keys = (".".join(name(part) for part in str(key).split(".")) for key in values)
    return (
        "("
        + ", ".join(f"{k} = {literal(v)}" for k, v in zip(keys, values.values(), strict=True))
        + ")"
    )


def _param(value: Any) -> Any:
    """Index and analyzer parameters come back as text: numbers and JSON become values again."""
    if not isinstance(value, str):
        return value
    try:
        parsed = json.loads(value)
    except ValueError:
        return value
    return parsed if isinstance(parsed, (int, float, list, dict)) else value


def multi_analyzer(multi: Mapping[str, Any]) -> str:
    """`MULTI ANALYZER BY f (en = (...), default = (...))`: multi_analyzer_params as text."""
    entries = {**multi["analyzers"], **({"alias": multi["alias"]} if multi.get("alias") else {})}
    inner = ", ".join(f"{name(key)} = {options(value)}" for key, value in entries.items())
    return f"MULTI ANALYZER BY {name(str(multi['by_field']))} ({inner})"


def generated(info: CollectionInfo, field: str, source: str) -> str:
    """GENERATED ALWAYS AS BM25(source), MINHASH or EMBEDDING(source) WITH (...) of an output."""
    kind = info.function_kind(field) or "BM25"
    params = (info.filled_by(field) or {}).get("params") or {}
    if kind == "BM25" or (kind == "MINHASH" and not params):
        return f"GENERATED ALWAYS AS {kind}({name(source)})"
    return f"GENERATED ALWAYS AS {kind}({name(source)}) WITH {options(params)}"


def column(field: FieldInfo, info: CollectionInfo, raw: Mapping[str, Any]) -> str:
    parts = [name(field.name), field.type_text]
    if field.is_primary:
        parts.append("PRIMARY KEY")
        if field.auto_id:
            parts.append("AUTO_ID")
    as_written = field.is_vector or field.is_struct or bool(info.external_source)
    never_null = field.is_primary or field.partition_key or as_written
    if not never_null and not field.nullable:
        parts.append("NOT NULL")
    if as_written and field.nullable:
        parts.append("NULL")  # a nullable vector, struct array or external column: written so
    if field.has_default:
        parts.append(f"DEFAULT {literal(field.default)}")
    if field.partition_key:
        parts.append("PARTITION KEY")
    params = raw.get("params") or {}
    multi = _param(params.get("multi_analyzer_params"))
    if field.analyzer and isinstance(multi, dict) and multi.get("analyzers"):
        parts.append(multi_analyzer(multi))
    elif field.analyzer:
        analyzer = _param(params.get("analyzer_params"))
        parts.append("ANALYZER" + (f" {options(analyzer)}" if analyzer else ""))
    if field.match:
        parts.append("MATCH")
    source = info.bm25_source(field.name)
    if source:
        parts.append(generated(info, field.name, source))
    binding = bindings(info.properties).get(field.name)
    if binding is not None:
        parts.append(f"EMBED({name(binding.source)}) USING {literal(binding.model)}")
    if field.description:
        parts.append(f"COMMENT {literal(field.description)}")
    if field.external:
        parts.append(f"EXTERNAL {literal(field.external)}")
    return " ".join(parts)


def create_table_text(table: str, info: CollectionInfo, raw: Mapping[str, Any]) -> str:
    raw_fields = {f["name"]: f for f in raw.get("fields", [])}
    columns = ",\n".join(
        "  " + column(field, info, raw_fields.get(field.name, {})) for field in info.fields
    )
    external = bool(info.external_source)
    with_options: dict[str, Any] = {} if external else {"dynamic_field": info.dynamic}
    if info.consistency_level:
        with_options["consistency_level"] = info.consistency_level
    if info.description:
        with_options["description"] = info.description
    if info.num_shards:
        with_options["shards"] = info.num_shards
    if raw.get("key_partitions"):
        with_options["partitions"] = raw["key_partitions"]
    if external:  # CREATE EXTERNAL TABLE t (...) FROM 'source' WITH (format = ..., ...)
        with_options = {**spec_options(info.external_spec), **with_options}
        head, source = "CREATE EXTERNAL TABLE", f" FROM {literal(info.external_source)}"
    else:
        head, source = "CREATE TABLE", ""
    with_text = f" WITH {options(with_options)}" if with_options else ""
    return f"{head} {name(table)} (\n{columns}\n){source}{with_text};"


def index_text(table: str, described: Mapping[str, Any]) -> str:
    field = str(described.get("field_name", ""))
    params: dict[str, Any] = {}
    metric = described.get("metric_type")
    if metric and str(metric).upper() != "NONE":
        params["metric_type"] = str(metric)
    nested = described.get("params")
    flat = {
        k: v
        for k, v in described.items()
        if k not in _INDEX_STATE
        and k not in ("field_name", "index_name", "index_type", "metric_type", "params")
    }
    for key, value in {**flat, **(dict(nested) if isinstance(nested, Mapping) else {})}.items():
        params[str(key)] = _param(value)
    text = f"CREATE INDEX {name(str(described.get('index_name') or field))} ON {name(table)}"
    text += f" ({name(field)}) USING {described.get('index_type')}"
    return text + (f" WITH {options(params)}" if params else "") + ";"


def statements(catalog: Catalog, table: str) -> list[str]:
    """The statements that recreate `table` (schema, properties, indexes, partitions)."""
    catalog.require(table)
    raw = dict(catalog.call("describe_collection", table, table=table))
    info = collection_info(table, raw)
    if any(f.partition_key for f in info.fields):
        # the partitions Milvus made for the key; Lite also keeps `_default` and counts it
        names = catalog.call("list_partitions", table, table=table)
        raw["key_partitions"] = sum(1 for p in names if p != _DEFAULT_PARTITION)
    texts = [create_table_text(table, info, raw)]
    properties = {
        k: _param(v) for k, v in (raw.get("properties") or {}).items() if not is_binding(k)
    }
    if properties:
        texts.append(f"ALTER TABLE {name(table)} SET {options(properties)};")
    for index in catalog.call("list_indexes", table, table=table):
        described = dict(catalog.call("describe_index", table, index, table=table) or {})
        texts.append(index_text(table, described))
    if not any(f.partition_key for f in info.fields):
        for partition in catalog.call("list_partitions", table, table=table):
            if partition != _DEFAULT_PARTITION:
                texts.append(f"CREATE PARTITION {name(str(partition))} ON {name(table)};")
    return texts


def show_create_table(catalog: Catalog, statement: ShowCreateTable) -> Result:
    return Message("\n".join(statements(catalog, statement.name)))


HANDLERS = using_catalog({ShowCreateTable: show_create_table})
