"""Snapshots, external collections, file resources and replication (Milvus 2.6): Milvus Lite
and the 2.3.5 standalone say in one line that they lack them (naming the server), and EXPLAIN
prints pymilvus code that binds to MilvusClient's signatures, on either."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from admin_helpers import fails, run, server_session, text
from explained_code import calls, checked_first

from milvus_kernel.engine.session import Session

WRITES = {
    "CREATE SNAPSHOT nightly ON sn_docs COMMENT 'before'": (
        "create_snapshot",
        ("nightly", "sn_docs"),
        {"db_name": "", "description": "before"},
    ),
    "DROP SNAPSHOT nightly ON sn_docs": ("drop_snapshot", ("nightly", "sn_docs"), {"db_name": ""}),
    "RESTORE SNAPSHOT nightly ON sn_docs TO sn_copy": (
        "restore_snapshot",
        ("nightly", "sn_docs", "sn_copy"),
        {"source_db_name": "", "target_db_name": ""},
    ),
    "PIN SNAPSHOT nightly ON sn_docs FOR 60 SECONDS": (
        "pin_snapshot_data",
        ("nightly", "sn_docs"),
        {"db_name": "", "ttl_seconds": 60},
    ),
    "UNPIN SNAPSHOT 7": ("unpin_snapshot_data", (7,), {}),
    "REFRESH EXTERNAL TABLE sn_docs FROM 'ext/' WITH (spec = '{\"format\": \"parquet\"}')": (
        "refresh_external_collection",
        ("sn_docs",),
        {"external_source": "ext/", "external_spec": '{"format": "parquet"}'},
    ),
    "CREATE FILE RESOURCE jieba FROM 'dicts/jieba.txt'": (
        "add_file_resource",
        ("jieba", "dicts/jieba.txt"),
        {},
    ),
    "DROP FILE RESOURCE jieba": ("remove_file_resource", ("jieba",), {}),
    "OPTIMIZE TABLE sn_docs WITH (target_size = '1GB')": (
        "optimize",
        ("sn_docs",),
        {"target_size": "1GB"},
    ),
}
READS = {
    "SHOW SNAPSHOTS ON sn_docs": "list_snapshots",
    "DESCRIBE SNAPSHOT nightly ON sn_docs": "describe_snapshot",
    "SHOW RESTORE JOBS": "list_restore_snapshot_jobs",
    "SHOW REFRESH JOBS ON sn_docs": "list_refresh_external_collection_jobs",
    "SHOW FILE RESOURCES": "list_file_resources",
    "SHOW REPLICATION": "get_replicate_configuration",
    "SHOW REPLICATION OF 'by-dev' CHANNEL 'by-dev-dml_0'": "get_replicate_info",
}


@pytest.fixture(scope="module")
def lite(session: Session) -> Session:
    run(session, "DROP TABLE IF EXISTS sn_docs; CREATE TABLE sn_docs WITH (dimension = 2)")
    run(session, "USE default")
    return session


@pytest.mark.parametrize(("cell", "expected"), WRITES.items())
def test_lite_refuses_and_explains_the_writes(lite: Session, cell: str, expected: tuple):
    report = fails(lite, cell)
    assert report.count("\n") == 0 and "not supported by Milvus Lite" in report, report
    found = [(m, a, k) for _t, m, a, k in calls(text(lite, f"EXPLAIN {cell}"))]
    method, args, kwargs = expected
    if "db_name" in kwargs or "source_db_name" in kwargs:  # the connection's database
        kwargs = {k: (v or "default") if "db_name" in k else v for k, v in kwargs.items()}
    assert found == [(method, args, kwargs)]


@pytest.mark.parametrize(("cell", "method"), READS.items())
def test_lite_refuses_and_explains_the_reads(lite: Session, cell: str, method: str):
    report = fails(lite, cell)
    assert report.count("\n") == 0 and "not supported by Milvus Lite" in report, report
    assert method in checked_first(text(lite, f"EXPLAIN {cell}"))


def test_restore_needs_a_new_name(lite: Session):
    run(lite, "DROP TABLE IF EXISTS sn_other; CREATE TABLE sn_other WITH (dimension = 2)")
    assert "collection 'sn_other' already exists" in fails(
        lite, "RESTORE SNAPSHOT nightly ON sn_docs TO sn_other"
    )
    assert "unknown REFRESH option 'format'" in fails(
        lite, "REFRESH EXTERNAL TABLE sn_docs WITH (format = 'parquet')"
    )


@pytest.fixture(scope="module")
def server(milvus_server: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Session]:
    with server_session(milvus_server, tmp_path_factory.mktemp("snapshots")) as session:
        run(session, "DROP TABLE IF EXISTS sn_docs; CREATE TABLE sn_docs WITH (dimension = 2)")
        yield session


@pytest.mark.parametrize(
    "cell",
    [c for c in WRITES if not c.startswith("RESTORE")] + [c for c in READS if "DESCRIBE" not in c],
)
def test_a_2_3_server_says_it_lacks_them(server: Session, cell: str):
    version = str(server.catalog().client.get_server_version())
    report = fails(server, cell)
    assert report.count("\n") == 0, report
    assert f"is not supported by Milvus {version}" in report, report


def test_a_server_job_is_followed_with_progress_until_it_ends(lite: Session):
    """The wait of RESTORE SNAPSHOT and REFRESH EXTERNAL TABLE, on the states a 2.6 server
    reports (RestoreSnapshotJobInfo's state and progress)."""
    from milvus_kernel.engine.admin.snapshots import follow_job
    from milvus_kernel.engine.progress import reporting_to
    from milvus_kernel.errors import ExecutionError

    catalog = lite.catalog()
    states = iter(
        [{"state": "InProgress", "progress": 40}, {"state": "Completed", "progress": 100}]
    )
    seen: list[Any] = []
    with reporting_to(seen.append):
        assert follow_job(catalog, "restoring", 7, lambda: next(states)) == "completed"
    assert [p.done for p in seen][-1] == 100 and seen[-1].finished
    with pytest.raises(ExecutionError, match=r"restoring \(job 7\) failed: disk full"):
        follow_job(catalog, "restoring", 7, lambda: {"state": "Failed", "reason": "disk full"})
