"""Snapshots and external collections (Milvus 2.6): CREATE / DROP SNAPSHOT s ON t,
SHOW SNAPSHOTS [ON t], DESCRIBE SNAPSHOT s ON t, RESTORE SNAPSHOT s ON t TO t2 (a server job,
followed until it ends), SHOW RESTORE JOBS [ON t], REFRESH EXTERNAL TABLE t [FROM 'source']
[WITH (spec = '...')] (followed until it ends), SHOW REFRESH JOBS [ON t].

Milvus Lite and servers before 2.6 have none of these: each says so in one line; EXPLAIN shows the
code for any server. A job still running after JOB_WAIT seconds (or the session timeout) is
reported with its id and state, and goes on on the server.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from milvus_kernel.engine.admin.server_calls import (
    feature_call,
    fields_of,
    object_rows,
    objects_table,
    words,
)
from milvus_kernel.engine.catalog import Catalog
from milvus_kernel.engine.context import using_catalog
from milvus_kernel.engine.progress import Reporter
from milvus_kernel.errors import ExecutionError
from milvus_kernel.language.statements import (
    CreateSnapshot,
    DescribeSnapshot,
    DropSnapshot,
    PinSnapshot,
    RefreshExternalTable,
    RestoreSnapshot,
    ShowRefreshJobs,
    ShowRestoreJobs,
    ShowSnapshots,
    UnpinSnapshot,
)
from milvus_kernel.results import Message, Result

JOB_WAIT = 60.0
_DONE = ("completed", "finished", "success", "succeeded")
_FAILED = ("failed", "error")


def _database(catalog: Catalog) -> str:
    return catalog.connection.target.database or ""


def create_snapshot(catalog: Catalog, statement: CreateSnapshot) -> Result:
    table = statement.table
    catalog.require(table)
    kwargs: dict[str, Any] = {"description": statement.comment} if statement.comment else {}
    feature_call(
        catalog,
        words(statement),
        "create_snapshot",
        statement.name,
        table,
        table=table,
        action="snapshotting",
        db_name=_database(catalog),
        **kwargs,
    )
    return Message(f"created snapshot {statement.name} of {table}")


def drop_snapshot(catalog: Catalog, statement: DropSnapshot) -> Result:
    feature_call(
        catalog,
        words(statement),
        "drop_snapshot",
        statement.name,
        statement.table,
        db_name=_database(catalog),
        action=f"dropping snapshot {statement.name}",
    )
    return Message(f"dropped snapshot {statement.name} of {statement.table}")


def show_snapshots(catalog: Catalog, statement: ShowSnapshots) -> Result:
    table = statement.table or ""
    if table:
        catalog.require(table)
    names = (
        feature_call(catalog, words(statement), "list_snapshots", table, db_name=_database(catalog))
        or []
    )
    records = [{"snapshot": str(n)} for n in sorted(names)]
    return objects_table(records, f"snapshots of {table}" if table else "snapshots", "no snapshot")


def describe_snapshot(catalog: Catalog, statement: DescribeSnapshot) -> Result:
    info = feature_call(
        catalog,
        words(statement),
        "describe_snapshot",
        statement.name,
        statement.table,
        db_name=_database(catalog),
    )
    if info is None:  # EXPLAIN on a server without snapshots
        return Message(f"snapshot {statement.name}")
    return object_rows(info, f"snapshot {statement.name}")


def follow_job(catalog: Catalog, what: str, job: Any, state_of: Callable[[], Any]) -> str:
    """Wait for a server job; its last state ("" under EXPLAIN)."""
    if catalog.explaining or job is None:
        return ""
    wait = min(catalog.settings.timeout or JOB_WAIT, JOB_WAIT)
    deadline = time.monotonic() + wait
    reporter = Reporter(what, total=100, unit="%").start()  # the job's own progress, 0-100
    while True:
        info = fields_of(state_of())
        state = str(info.get("state", "")).lower()
        progress = info.get("progress")
        if isinstance(progress, int) and not isinstance(progress, bool):
            reporter.update(min(max(progress, 0), 100))
        if any(word in state for word in _FAILED):
            reporter.finish()
            raise ExecutionError(f"{what} (job {job}) failed: {info.get('reason') or state}")
        if any(word in state for word in _DONE) or time.monotonic() >= deadline:
            reporter.finish()
            return state
        time.sleep(0.5)  # the kernel's interrupt stops the wait here; the job goes on


def restore_snapshot(catalog: Catalog, statement: RestoreSnapshot) -> Result:
    new = statement.new_table
    if catalog.exists(new):
        raise ExecutionError(f"collection '{new}' already exists")
    database = _database(catalog)
    job = feature_call(
        catalog,
        words(statement),
        "restore_snapshot",
        statement.name,
        statement.table,
        new,
        source_db_name=database,
        target_db_name=database,
        action="restoring a snapshot",
    )
    state = follow_job(
        catalog,
        f"restoring snapshot {statement.name}",
        job,
        lambda: catalog.call("get_restore_snapshot_state", job),
    )
    catalog.forget(new)
    if state and not any(word in state for word in _DONE):
        return Message(f"restoring snapshot {statement.name} into {new}: job {job}, still {state}")
    return Message(f"restored snapshot {statement.name} of {statement.table} into {new}")


def show_restore_jobs(catalog: Catalog, statement: ShowRestoreJobs) -> Result:
    table = statement.table or ""
    found = feature_call(
        catalog, words(statement), "list_restore_snapshot_jobs", table, db_name=_database(catalog)
    )
    return objects_table(list(found or ()), "snapshot restore jobs", "no restore job")


def refresh_external_table(catalog: Catalog, statement: RefreshExternalTable) -> Result:
    table = statement.table
    catalog.require(table)
    unknown = sorted(set(statement.options) - {"spec"})
    if unknown:
        raise ExecutionError(f"unknown REFRESH option '{unknown[0]}'; options: spec")
    spec = statement.options.get("spec", "")
    kwargs = {"external_source": statement.source} if statement.source else {}
    if spec:
        kwargs["external_spec"] = str(spec)
    what = words(statement)
    job = feature_call(
        catalog,
        what,
        "refresh_external_collection",
        table,
        table=table,
        action="refreshing",
        **kwargs,
    )
    state = follow_job(
        catalog,
        f"refreshing {table}",
        job,
        lambda: catalog.call("get_refresh_external_collection_progress", job, table=table),
    )
    catalog.forget(table)
    if state and not any(word in state for word in _DONE):
        return Message(f"refreshing external collection {table}: job {job}, still {state}")
    return Message(f"refreshed external collection {table}")


def show_refresh_jobs(catalog: Catalog, statement: ShowRefreshJobs) -> Result:
    what = words(statement)
    table = statement.table or ""
    found = feature_call(catalog, what, "list_refresh_external_collection_jobs", table)
    return objects_table(list(found or ()), "external refresh jobs", "no refresh job")


def pin_snapshot(catalog: Catalog, statement: PinSnapshot) -> Result:
    kwargs = {"ttl_seconds": statement.seconds} if statement.seconds else {}
    pin = feature_call(
        catalog,
        words(statement),
        "pin_snapshot_data",
        statement.name,
        statement.table,
        db_name=_database(catalog),
        action=f"pinning snapshot {statement.name}",
        **kwargs,
    )
    held = f" for {statement.seconds} s" if statement.seconds else ""
    return Message(f"pinned snapshot {statement.name}{held}: pin {pin} (UNPIN SNAPSHOT {pin})")


def unpin_snapshot(catalog: Catalog, statement: UnpinSnapshot) -> Result:
    feature_call(catalog, words(statement), "unpin_snapshot_data", statement.pin_id)
    return Message(f"released pin {statement.pin_id}")


HANDLERS = using_catalog(
    {
        PinSnapshot: pin_snapshot,
        UnpinSnapshot: unpin_snapshot,
        CreateSnapshot: create_snapshot,
        DropSnapshot: drop_snapshot,
        ShowSnapshots: show_snapshots,
        DescribeSnapshot: describe_snapshot,
        RestoreSnapshot: restore_snapshot,
        ShowRestoreJobs: show_restore_jobs,
        RefreshExternalTable: refresh_external_table,
        ShowRefreshJobs: show_refresh_jobs,
    }
)
