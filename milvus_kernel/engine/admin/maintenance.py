"""Collection maintenance: ALTER TABLE RENAME / SET, TRUNCATE, SHOW STATS, SHOW LOAD STATE,
FLUSH, COMPACT, and partition-level LOAD / RELEASE PARTITION.

TRUNCATE uses Milvus's TruncateCollection; a server without it (the 2.3 standalone) gets every
row deleted instead (schema, indexes, partitions and aliases stay), and the message says so.
COMPACT waits (within the session timeout, at most COMPACT_WAIT seconds) for the compaction to
finish. Milvus Lite has no partition-level load or release: those say so in one line.
"""

from __future__ import annotations

import time
from typing import Any

from milvus_kernel.engine.catalog import Catalog
from milvus_kernel.engine.connection.capabilities import require_full_milvus, unimplemented
from milvus_kernel.engine.context import using_catalog
from milvus_kernel.errors import ExecutionError
from milvus_kernel.language.statements import (
    AlterTableSet,
    Compact,
    Flush,
    LoadPartitions,
    ReleasePartitions,
    RenameTable,
    ShowLoadState,
    ShowStats,
    TruncateTable,
)
from milvus_kernel.results import Column, Message, Result, Table

COMPACT_WAIT = 60.0


def rename_table(catalog: Catalog, statement: RenameTable) -> Result:
    old, new = statement.name, statement.new_name
    catalog.require(old)
    if catalog.exists(new):
        raise ExecutionError(f"collection '{new}' already exists")
    catalog.call("rename_collection", old, new, table=old, action="renaming")
    catalog.forget(old)
    catalog.forget(new)
    return Message(f"renamed collection {old} to {new}")


def alter_table_set(catalog: Catalog, statement: AlterTableSet) -> Result:
    name = statement.name
    catalog.require(name)
    if not statement.properties:
        raise ExecutionError("ALTER TABLE ... SET needs at least one property")
    properties = {key: _property_value(value) for key, value in statement.properties.items()}
    catalog.call("alter_collection_properties", name, properties, table=name, action="altering")
    catalog.forget(name)
    shown = ", ".join(f"{key} = {value}" for key, value in properties.items())
    return Message(f"set {shown} on {name}")


def _property_value(value: Any) -> Any:
    if isinstance(value, bool):
        return str(value).lower()
    return value


def truncate_table(catalog: Catalog, statement: TruncateTable) -> Result:
    name = statement.name
    info = catalog.require(name)
    try:
        catalog.call("truncate_collection", name, table=name, action="truncating")
    except ExecutionError as error:
        if not unimplemented(error):
            raise
    else:
        catalog.forget(name)
        return Message(f"truncated collection {name}")
    # No TruncateCollection on this server: delete every row instead.
    key = info.primary
    if key.type == "INT64":
        everything = f"{key.name} >= 0 || {key.name} < 0"
    else:
        everything = f'{key.name} >= ""'
    catalog.ensure_loaded(name)
    found = catalog.fetch(
        "query",
        name,
        filter=everything,
        output_fields=["count(*)"],
        table=name,
        consistency_level="Strong",
    )
    count = int(found[0]["count(*)"]) if found else 0
    catalog.call("delete", name, filter=everything, table=name, action="truncating")
    catalog.call("flush", name, table=name)
    return Message(
        f"truncated collection {name}: deleted {count} row{'s' if count != 1 else ''} "
        "(this server has no TRUNCATE; schema, indexes and partitions are kept)"
    )


def show_stats(catalog: Catalog, statement: ShowStats) -> Result:
    name = statement.name
    info = catalog.require(name)
    stats = dict(catalog.call("get_collection_stats", name, table=name) or {})
    partitions = list(catalog.call("list_partitions", name, table=name))
    indexes = list(catalog.call("list_indexes", name, table=name))
    rows: list[tuple[str, Any]] = [("rows", int(stats.pop("row_count", 0)))]
    rows += [(str(key), value) for key, value in stats.items()]
    rows += [
        ("fields", len(info.fields)),
        ("partitions", len(partitions)),
        ("indexes", ", ".join(indexes) if indexes else "none"),
        ("load state", catalog.load_state(name)),
    ]
    return Table(
        columns=(Column("statistic", "str"), Column("value", "any")),
        rows=rows,
        title=name,
        note="rows: as Milvus counts them (deleted rows may count until compaction)",
    )


def show_load_state(catalog: Catalog, statement: ShowLoadState) -> Result:
    name = statement.name
    catalog.require(name)
    rows = [("(collection)", catalog.load_state(name))]
    for partition in catalog.call("list_partitions", name, table=name):
        state = catalog.call("get_load_state", name, partition_name=partition, table=name)
        value = state.get("state")
        rows.append((str(partition), str(getattr(value, "name", value))))
    return Table(
        columns=(Column("partition", "str"), Column("state", "str")), rows=rows, title=name
    )


def flush(catalog: Catalog, statement: Flush) -> Result:
    for name in statement.tables:
        catalog.require(name)
    for name in statement.tables:
        catalog.call("flush", name, table=name, action="flushing")
    return Message(f"flushed {', '.join(statement.tables)}")


def compact(catalog: Catalog, statement: Compact) -> Result:
    name = statement.name
    catalog.require(name)
    job = catalog.call("compact", name, table=name, action="compacting")
    if not job:  # Milvus Lite compacts at once and has no job to follow
        return Message(f"compacted {name}")
    wait = min(catalog.settings.timeout or COMPACT_WAIT, COMPACT_WAIT)
    deadline = time.monotonic() + wait
    state = ""
    while time.monotonic() < deadline:
        state = str(catalog.call("get_compaction_state", job, table=name))
        if state.lower() == "completed":
            return Message(f"compacted {name} (compaction {job})")
        time.sleep(0.2)
    return Message(
        f"compaction {job} of {name} started; still {state or 'running'} after {wait:g} s"
    )


def _partitions(catalog: Catalog, table: str, names: tuple[str, ...], what: str) -> list[str]:
    require_full_milvus(catalog, what)
    catalog.require(table)
    existing = set(catalog.call("list_partitions", table, table=table))
    missing = [n for n in names if n not in existing]
    if missing:
        raise ExecutionError(
            f"partition '{missing[0]}' does not exist on collection '{table}'; "
            f"partitions: {', '.join(sorted(existing))}"
        )
    return list(names)


def load_partitions(catalog: Catalog, statement: LoadPartitions) -> Result:
    table = statement.table
    names = _partitions(catalog, table, statement.names, "partition-level LOAD")
    catalog.call("load_partitions", table, names, table=table, action="loading partitions of")
    catalog.forget(table)
    return Message(f"loaded partition{'s' if len(names) > 1 else ''} {', '.join(names)} of {table}")


def release_partitions(catalog: Catalog, statement: ReleasePartitions) -> Result:
    table = statement.table
    names = _partitions(catalog, table, statement.names, "partition-level RELEASE")
    catalog.call("release_partitions", table, names, table=table, action="releasing partitions of")
    catalog.mark_released(table)
    plural = "s" if len(names) > 1 else ""
    return Message(f"released partition{plural} {', '.join(names)} of {table}")


HANDLERS = using_catalog(
    {
        RenameTable: rename_table,
        AlterTableSet: alter_table_set,
        TruncateTable: truncate_table,
        ShowStats: show_stats,
        ShowLoadState: show_load_state,
        Flush: flush,
        Compact: compact,
        LoadPartitions: load_partitions,
        ReleasePartitions: release_partitions,
    }
)
