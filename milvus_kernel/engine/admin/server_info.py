"""What the server holds and does: SHOW SERVER VERSION, SHOW [LOADED] SEGMENTS OF t,
SHOW COMPACTION id, SHOW COMPACTIONS OF t, FLUSH ALL, file resources (CREATE / DROP FILE
RESOURCE, SHOW FILE RESOURCES: files of the server's storage that analyzers name), and SHOW
REPLICATION (the cross-cluster replication configuration).

Milvus Lite answers the version and compaction states (its compactions finish at once); it has
no segments to list, no compaction tasks and no FLUSH ALL, and says so in one line. A server
older than a call (list_compaction_tasks is 2.6) says so too, naming its version.
"""

from __future__ import annotations

from milvus_kernel.engine.admin.server_calls import (
    feature_call,
    fields_of,
    object_rows,
    objects_table,
    plain,
    words,
)
from milvus_kernel.engine.catalog import Catalog
from milvus_kernel.engine.connection.capabilities import is_lite, require_version
from milvus_kernel.engine.context import using_catalog
from milvus_kernel.errors import ExecutionError
from milvus_kernel.language.statements import (
    CreateFileResource,
    DropFileResource,
    FlushAll,
    OptimizeTable,
    ShowCompaction,
    ShowCompactions,
    ShowFileResources,
    ShowReplication,
    ShowReplicationInfo,
    ShowSegments,
    ShowServerVersion,
)
from milvus_kernel.results import Column, Message, Result, Table

_SEGMENT_COLUMNS = ("segment_id", "partition_id", "num_rows", "state", "level", "is_sorted")
_LOADED_COLUMNS = ("index_name", "node_ids", "mem_size")


def _pairs(rows: list[tuple[str, object]], title: str) -> Table:
    return Table(
        columns=(Column("property", "str"), Column("value", "any")), rows=rows, title=title
    )


def show_server_version(catalog: Catalog, statement: ShowServerVersion) -> Result:
    version = str(catalog.call("get_server_version"))
    rows: list[tuple[str, object]] = [("version", version)]
    try:
        detail = catalog.call("get_server_version", detail=True)
    except ExecutionError:  # an older server has only the version string
        detail = None
    if isinstance(detail, dict):
        rows += [(str(k), plain(v)) for k, v in detail.items() if k != "version" and v != ""]
    rows.append(("server type", str(catalog.client.get_server_type())))  # local: no RPC
    rows.append(("Milvus Lite", "yes" if is_lite(catalog) else "no"))
    return _pairs(rows, "server")


def show_segments(catalog: Catalog, statement: ShowSegments) -> Result:
    table = statement.table
    catalog.require(table)
    if statement.loaded:
        what, method = "SHOW LOADED SEGMENTS", "list_loaded_segments"
        names = _SEGMENT_COLUMNS[:3] + _LOADED_COLUMNS
    else:
        what, method = "SHOW SEGMENTS", "list_persistent_segments"
        names = _SEGMENT_COLUMNS
    found = feature_call(catalog, what, method, table, table=table) or []
    rows = []
    for segment in found:
        record = fields_of(segment)
        record["state"] = getattr(segment, "state_name", record.get("state"))
        record["level"] = getattr(segment, "level_name", record.get("level"))
        rows.append(tuple(plain(record.get(n)) for n in names))
    rows.sort(key=lambda row: row[0])
    kind = "loaded segments" if statement.loaded else "segments"
    return Table(
        columns=tuple(Column(n, "any") for n in names),
        rows=rows,
        title=f"{kind} of {table}",
        note=None if rows or catalog.explaining else "no sealed segment yet: FLUSH writes one",
    )


def show_compaction(catalog: Catalog, statement: ShowCompaction) -> Result:
    job = statement.job_id
    state = catalog.call("get_compaction_state", job)  # Lite answers it too
    rows: list[tuple[str, object]] = [("compaction", job), ("state", plain(state))]
    if not is_lite(catalog):
        plans = feature_call(catalog, "SHOW COMPACTION", "get_compaction_plans", job)
        for number, plan in enumerate(getattr(plans, "plans", None) or (), start=1):
            sources = ", ".join(str(s) for s in getattr(plan, "sources", ()))
            rows.append((f"plan {number}", f"{sources} → {getattr(plan, 'target', '')}"))
    return _pairs(rows, f"compaction {job}")


def show_compactions(catalog: Catalog, statement: ShowCompactions) -> Result:
    table = statement.table
    catalog.require(table)
    found = feature_call(catalog, "SHOW COMPACTIONS", "list_compaction_tasks", table, table=table)
    plans = list(getattr(found, "plans", None) or ())
    return objects_table(plans, f"compactions of {table}", "no compaction task")


def flush_all(catalog: Catalog, statement: FlushAll) -> Result:
    feature_call(catalog, "FLUSH ALL", "flush_all", action="flushing every collection")
    return Message("flushed every collection of the database")


def create_file_resource(catalog: Catalog, statement: CreateFileResource) -> Result:
    feature_call(
        catalog,
        words(statement),
        "add_file_resource",
        statement.name,
        statement.path,
        action=f"adding file resource {statement.name}",
    )
    return Message(f"created file resource {statement.name} ({statement.path})")


def drop_file_resource(catalog: Catalog, statement: DropFileResource) -> Result:
    feature_call(
        catalog,
        words(statement),
        "remove_file_resource",
        statement.name,
        action=f"removing file resource {statement.name}",
    )
    return Message(f"dropped file resource {statement.name}")


def show_file_resources(catalog: Catalog, statement: ShowFileResources) -> Result:
    found = feature_call(catalog, words(statement), "list_file_resources") or []
    records = sorted(({"name": r.name, "path": r.path} for r in found), key=lambda r: r["name"])
    return objects_table(records, "file resources", "no file resource")


def show_replication(catalog: Catalog, statement: ShowReplication) -> Result:
    found = feature_call(catalog, words(statement), "get_replicate_configuration")
    if found is None:  # EXPLAIN on a server without replication
        return Message("replication")
    return _pairs([("configuration", plain(found))], "replication")


def show_replication_info(catalog: Catalog, statement: ShowReplicationInfo) -> Result:
    found = feature_call(
        catalog, "SHOW REPLICATION OF", "get_replicate_info", statement.cluster, statement.channel
    )
    records = found if isinstance(found, dict) else {}
    rows = [(str(key), plain(value)) for key, value in records.items()]
    return _pairs(rows, f"replication of {statement.cluster} ({statement.channel})")


def optimize_table(catalog: Catalog, statement: OptimizeTable) -> Result:
    table = statement.table
    catalog.require(table)
    unknown = sorted(set(statement.options) - {"target_size"})
    if unknown:
        raise ExecutionError(f"unknown OPTIMIZE option '{unknown[0]}'; options: target_size")
    kwargs = {"target_size": str(statement.options["target_size"])} if statement.options else {}
    why = "an older server compacts without the target size, silently"
    require_version(catalog, words(statement), (2, 6), why)
    found = feature_call(
        catalog, words(statement), "optimize", table, table=table, action="optimizing", **kwargs
    )
    catalog.forget(table)
    if found is None:
        return Message(f"optimized {table}")
    return object_rows(found, f"optimized {table}")


HANDLERS = using_catalog(
    {
        ShowReplicationInfo: show_replication_info,
        OptimizeTable: optimize_table,
        CreateFileResource: create_file_resource,
        DropFileResource: drop_file_resource,
        ShowFileResources: show_file_resources,
        ShowReplication: show_replication,
        ShowServerVersion: show_server_version,
        ShowSegments: show_segments,
        ShowCompaction: show_compaction,
        ShowCompactions: show_compactions,
        FlushAll: flush_all,
    }
)
