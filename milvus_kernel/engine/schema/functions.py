"""A collection's server functions: `GENERATED ALWAYS AS EMBEDDING(body) WITH (provider = ...)`
(a pymilvus TEXTEMBEDDING `Function`: the server embeds the text at INSERT and at SEARCH ... TEXT)
and ALTER TABLE t ADD FUNCTION f EMBEDDING|BM25|MINHASH(source) TO output WITH (...)
(`add_collection_function`), ALTER FUNCTION f SET (...) (`alter_collection_function`, the params
merged into the function as the server describes it), DROP FUNCTION f
(`drop_collection_function`).

Milvus Lite 3.2.2 would call the provider over the network at CREATE TABLE (and has no
*_collection_function RPCs); Milvus before 2.6 has no functions at all (2.3 drops them silently):
both are refused in one line naming the server before anything is created. Milvus 3.0 and later
drop those RPCs: there DROP FUNCTION is `drop_function_field` (its output column goes too), and
ADD FUNCTION is refused with the ADD COLUMN ... GENERATED ALWAYS AS form that replaces it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from milvus_kernel.engine.catalog import Catalog
from milvus_kernel.engine.connection.capabilities import (
    is_lite,
    older_than,
    server_call,
    server_name,
)
from milvus_kernel.engine.context import using_catalog
from milvus_kernel.engine.schema.alter import shown
from milvus_kernel.engine.schema.generated import function
from milvus_kernel.errors import ExecutionError, NotSupported
from milvus_kernel.language.statements import AddFunction, AlterFunction, DropFunction
from milvus_kernel.results import Message, Result

FIRST_WITH_FUNCTIONS = (2, 6)
FIRST_WITHOUT_COLLECTION_FUNCTIONS = (3, 0)


def require_functions(catalog: Catalog, what: str, embedding: bool = True) -> None:
    """Refuse in one line a server that cannot run `what` (on EXPLAIN: print the code)."""
    if catalog.explaining:
        return
    if is_lite(catalog):
        if embedding:
            raise NotSupported(
                f"{what} is not supported by Milvus Lite (it would call the embedding "
                "provider over the network)"
            )
        return  # Lite answers the *_collection_function RPCs itself: "not implemented"
    if older_than(catalog, FIRST_WITH_FUNCTIONS):
        raise NotSupported(f"{what} is not supported by {server_name(catalog)}")


def add_function(catalog: Catalog, statement: AddFunction) -> Result:
    table = statement.table
    info = catalog.require(table)
    for name in (statement.source, statement.output):
        info.require_field(name)
    if any(f.get("name") == statement.name for f in info.functions):
        raise ExecutionError(f"collection '{table}' already has a function {statement.name}")
    what = f"ALTER TABLE ... ADD FUNCTION {statement.kind}"
    require_functions(catalog, what, embedding=statement.kind == "EMBEDDING")
    if function_fields_only(catalog):  # Milvus 3.0+: a function comes with its column
        generated = (
            f"{statement.output} ... GENERATED ALWAYS AS {statement.kind}({statement.source})"
        )
        raise NotSupported(
            f"{what} is not supported by {server_name(catalog)}: since 3.0 a function comes "
            f"with its column (ALTER TABLE {table} DROP COLUMN {statement.output}, then ALTER "
            f"TABLE {table} ADD COLUMN {generated})"
        )
    made = function(
        statement.name, statement.kind, statement.source, statement.output, statement.params
    )
    server_call(catalog, what, "add_collection_function", table, made, table=table)
    catalog.forget(table)
    return Message(
        f"added function {statement.name} {statement.kind}({statement.source}) "
        f"TO {statement.output} to {table}"
    )


def _described(catalog: Catalog, table: str, name: str) -> Mapping[str, Any]:
    info = catalog.require(table)
    for found in info.functions:
        if found.get("name") == name:
            return found
    names = ", ".join(str(f.get("name")) for f in info.functions) or "none"
    raise ExecutionError(f"collection '{table}' has no function '{name}'; functions: {names}")


def alter_function(catalog: Catalog, statement: AlterFunction) -> Result:
    from pymilvus import Function

    table, name = statement.table, statement.name
    if not statement.params:
        raise ExecutionError("ALTER FUNCTION ... SET needs at least one parameter")
    described = _described(catalog, table, name)
    params = {**dict(described.get("params") or {}), **statement.params}
    made = Function(
        name=name,
        function_type=described["type"],
        input_field_names=list(described.get("input_field_names") or []),
        output_field_names=list(described.get("output_field_names") or []),
        params=params,
    )
    what = "ALTER TABLE ... ALTER FUNCTION"
    require_functions(catalog, what, embedding=False)
    server_call(catalog, what, "alter_collection_function", table, name, made, table=table)
    catalog.forget(table)
    return Message(f"set {shown(statement.params)} on function {name} of {table}")


def drop_function(catalog: Catalog, statement: DropFunction) -> Result:
    table, name = statement.table, statement.name
    described = _described(catalog, table, name)
    what = "ALTER TABLE ... DROP FUNCTION"
    require_functions(catalog, what, embedding=False)
    if function_fields_only(catalog):  # Milvus 3.0+: the function goes with its output column
        server_call(catalog, what, "drop_function_field", table, name, table=table)
        catalog.forget(table)
        outputs = ", ".join(described.get("output_field_names") or [])
        return Message(f"dropped function {name} of {table} and its column {outputs}")
    server_call(catalog, what, "drop_collection_function", table, name, table=table)
    catalog.forget(table)
    return Message(f"dropped function {name} of {table}")


def function_fields_only(catalog: Catalog) -> bool:
    """True for Milvus 3.0 and later, which has no add/drop_collection_function (pymilvus: "use
    add_function_field / drop_function_field"); Lite and older servers keep the 2.6 calls."""
    return not is_lite(catalog) and not older_than(catalog, FIRST_WITHOUT_COLLECTION_FUNCTIONS)


HANDLERS = using_catalog(
    {AddFunction: add_function, AlterFunction: alter_function, DropFunction: drop_function}
)
