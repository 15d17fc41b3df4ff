"""Collection statements: CREATE / DROP / SHOW TABLES / DESCRIBE / LOAD / RELEASE."""

from __future__ import annotations

from milvus_kernel.engine.catalog import Catalog
from milvus_kernel.engine.connection.capabilities import require_full_milvus
from milvus_kernel.engine.context import using_catalog
from milvus_kernel.engine.schema.definition import describe_table, full_plan, quick_plan
from milvus_kernel.engine.schema.external import external_plan, require_external
from milvus_kernel.engine.schema.functions import require_functions
from milvus_kernel.engine.schema.server_types import lite_refusals
from milvus_kernel.errors import ExecutionError
from milvus_kernel.language.statements import (
    CreateTable,
    DescribeTable,
    DropTable,
    LoadTable,
    ReleaseTable,
    ShowTables,
)
from milvus_kernel.results import Column, Message, Result, Table

# SHOW TABLES adds row counts when there are at most this many collections.


def create_table(catalog: Catalog, statement: CreateTable) -> Result:
    name = statement.name
    external = statement.external_source is not None
    if external:
        plan = external_plan(statement)
        require_external(catalog)  # Lite and servers before 3.0: in one line, nothing sent
    else:
        plan = full_plan(statement) if statement.columns else quick_plan(statement)
    for what in [] if catalog.explaining else lite_refusals(statement.columns):
        require_full_milvus(catalog, what)  # Lite: in one line
    embedding = [c.name for c in statement.columns if c.embedding]
    if embedding:  # the server embeds: not Lite (no network), not Milvus before 2.6
        require_functions(catalog, f"GENERATED ALWAYS AS EMBEDDING ({', '.join(embedding)})")
    if catalog.exists(name):
        if statement.if_not_exists:
            return Message(f"collection {name} already exists; nothing done")
        raise ExecutionError(f"collection '{name}' already exists")
    catalog.call("create_collection", name, table=name, action="creating", **plan.kwargs)
    catalog.forget(name)
    text = f"created {'external ' if external else ''}collection {name}"
    if plan.notes:
        text += " (" + "; ".join(plan.notes) + ")"
    return Message(text)


def drop_table(catalog: Catalog, statement: DropTable) -> Result:
    name = statement.name
    if not catalog.exists(name):
        if statement.if_exists:
            return Message(f"collection {name} does not exist; nothing done")
        raise ExecutionError(f"collection '{name}' does not exist")
    catalog.call("drop_collection", name, table=name, action="dropping")
    catalog.forget(name)
    return Message(f"dropped collection {name}")


def show_tables(catalog: Catalog, statement: ShowTables) -> Result:
    """The collection names, one listing call however many there are (SHOW STATS counts rows)."""
    names = sorted(catalog.names(max_age=0))
    return Table(columns=(Column("name", "str"),), rows=[(n,) for n in names])


def describe(catalog: Catalog, statement: DescribeTable) -> Result:
    catalog.forget(statement.name)
    return describe_table(catalog.require(statement.name))


def load_table(catalog: Catalog, statement: LoadTable) -> Result:
    catalog.require(statement.name)
    catalog.call("load_collection", statement.name, table=statement.name, action="loading")
    catalog.forget(statement.name)
    catalog.ensure_loaded(statement.name)
    return Message(f"loaded collection {statement.name}")


def release_table(catalog: Catalog, statement: ReleaseTable) -> Result:
    catalog.require(statement.name)
    catalog.call("release_collection", statement.name, table=statement.name, action="releasing")
    catalog.mark_released(statement.name)
    return Message(f"released collection {statement.name}")


HANDLERS = using_catalog(
    {
        CreateTable: create_table,
        DropTable: drop_table,
        ShowTables: show_tables,
        DescribeTable: describe,
        LoadTable: load_table,
        ReleaseTable: release_table,
    }
)
