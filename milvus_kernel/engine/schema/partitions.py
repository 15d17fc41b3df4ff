"""Partition statements: CREATE PARTITION / DROP PARTITION / SHOW PARTITIONS."""

from __future__ import annotations

from milvus_kernel.engine.catalog import Catalog
from milvus_kernel.engine.context import using_catalog
from milvus_kernel.errors import ExecutionError
from milvus_kernel.language.statements import CreatePartition, DropPartition, ShowPartitions
from milvus_kernel.results import Column, Message, Result, Table


def _has(catalog: Catalog, table: str, name: str) -> bool:
    return bool(catalog.call("has_partition", table, name, table=table))


def create_partition(catalog: Catalog, statement: CreatePartition) -> Result:
    table, name = statement.table, statement.name
    catalog.require(table)
    if _has(catalog, table, name):
        if statement.if_not_exists:
            return Message(f"partition {name} already exists on {table}; nothing done")
        raise ExecutionError(f"partition '{name}' already exists on collection '{table}'")
    action = f"creating partition {name} on"
    catalog.call("create_partition", table, name, table=table, action=action)
    return Message(f"created partition {name} on {table}")


def drop_partition(catalog: Catalog, statement: DropPartition) -> Result:
    table, name = statement.table, statement.name
    catalog.require(table)
    if not _has(catalog, table, name):
        if statement.if_exists:
            return Message(f"partition {name} does not exist on {table}; nothing done")
        raise ExecutionError(f"partition '{name}' does not exist on collection '{table}'")
    action = f"dropping partition {name} of"
    try:
        catalog.call("drop_partition", table, name, table=table, action=action)
    except ExecutionError as error:
        if "release" not in error.message.lower() and "loaded" not in error.message.lower():
            raise
        # Milvus drops only released partitions: release it, then drop.
        catalog.call("release_partitions", table, [name], table=table, action=action)
        catalog.call("drop_partition", table, name, table=table, action=action)
    return Message(f"dropped partition {name} of {table}")


def show_partitions(catalog: Catalog, statement: ShowPartitions) -> Result:
    table = statement.table
    catalog.require(table)
    names = catalog.call("list_partitions", table, table=table)
    rows = []
    for name in names:
        try:
            stats = catalog.call("get_partition_stats", table, name, table=table)
            count: int | None = int(stats.get("row_count", 0))
        except Exception:  # stats are an extra: never fail the listing for them
            count = None
        rows.append((name, count))
    return Table(columns=(Column("name", "str"), Column("rows", "int")), rows=rows, title=table)


HANDLERS = using_catalog(
    {
        CreatePartition: create_partition,
        DropPartition: drop_partition,
        ShowPartitions: show_partitions,
    }
)
