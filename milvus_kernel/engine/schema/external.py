"""CREATE EXTERNAL TABLE (Milvus 3.0 external collections): a schema whose fields read columns of
the files at `external_source` (a path under the server's bucket), in the format its
`external_spec` JSON names. CREATE TABLE's own options (consistency_level, description, shards,
...) go to create_collection; every other WITH option is a key of the spec
(`WITH (format = 'parquet')` → `'{"format": "parquet"}'`), or `spec = '{...}'` gives it whole, as
REFRESH EXTERNAL TABLE takes it.

Milvus Lite 3.2.2 and servers before 3.0 have no external collections: Lite refuses a schema
without a primary key and, given one with a key, makes a plain empty collection that forgot the
source, so both are refused in one line naming the server before anything is sent.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from milvus_kernel.engine.catalog import Catalog
from milvus_kernel.engine.connection.capabilities import require_version
from milvus_kernel.engine.schema.definition import TABLE_OPTIONS, CreatePlan, full_plan
from milvus_kernel.errors import ExecutionError
from milvus_kernel.language.statements import CreateTable

EXTERNAL_VERSION = (3, 0)
SPEC_OPTION = "spec"


def _table_option(key: str) -> bool:
    return key.lower() in TABLE_OPTIONS or key.lower() == SPEC_OPTION


def require_external(catalog: Catalog) -> None:
    """Stop CREATE EXTERNAL TABLE on Lite and on servers before 3.0 (never under EXPLAIN)."""
    require_version(catalog, "CREATE EXTERNAL TABLE", EXTERNAL_VERSION, "external collections")


def external_plan(statement: CreateTable) -> CreatePlan:
    """create_collection's keywords: the schema with its source, spec and field mappings."""
    table = {k: v for k, v in statement.options.items() if k.lower() in TABLE_OPTIONS}
    spec = {k: v for k, v in statement.options.items() if k.lower() not in TABLE_OPTIONS}
    if any(TABLE_OPTIONS[k.lower()] == "enable_dynamic_field" and v for k, v in table.items()):
        raise ExecutionError(
            f"external table {statement.name} has no dynamic field: its columns are the files'"
        )
    plan = full_plan(replace(statement, options=table))
    schema = plan.kwargs["schema"]
    schema.external_source = statement.external_source or ""
    text = spec_text(spec)
    if text:
        schema.external_spec = text
    return plan


def spec_text(options: Mapping[str, Any]) -> str:
    """The external_spec JSON of the WITH options that are not CREATE TABLE's own."""
    whole = [v for k, v in options.items() if k.lower() == SPEC_OPTION]
    if not whole:
        return json.dumps(dict(options)) if options else ""
    if len(options) > 1:
        raise ExecutionError(
            "spec = '{...}' is the whole external spec: give it alone, or its keys as options "
            "(format = 'parquet', ...)"
        )
    text = str(whole[0])
    try:
        parsed = json.loads(text)
    except ValueError:
        parsed = None
    if not isinstance(parsed, dict):
        raise ExecutionError('spec must be a JSON object such as \'{"format": "parquet"}\'')
    return text


def spec_options(spec: str) -> dict[str, Any]:
    """The WITH options that give `spec` back: its keys, or `spec = '...'` when they would not
    read back as the same JSON (not an object, or a key CREATE TABLE takes for itself)."""
    try:
        parsed = json.loads(spec) if spec else None
    except ValueError:
        parsed = None
    plain = isinstance(parsed, dict) and parsed and json.dumps(parsed) == spec
    if plain and not any(_table_option(str(k)) for k in parsed):
        return parsed
    return {SPEC_OPTION: spec} if spec else {}
