"""Resource groups, replicas, segments, compactions and the server's version: on the Milvus 2.3.5
standalone each result equals the raw pymilvus calls on the same data; what 2.3 lacks (group
settings, list_compaction_tasks) says so naming the version. On Milvus Lite each statement it
lacks says so in one line, and EXPLAIN prints pymilvus code that binds to MilvusClient."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from admin_helpers import fails, rows, run, server_session, text
from explained_code import calls

from milvus_kernel.engine.session import Session

LITE_REFUSED = {
    "CREATE RESOURCE GROUP rg1 WITH (requests = 1, transfer_from = '__default_resource_group')": (
        "create_resource_group",
        ("rg1",),
        {
            "config": {
                "requests": {"node_num": 1},
                "transfer_from": [{"resource_group": "__default_resource_group"}],
            }
        },
    ),
    "ALTER RESOURCE GROUP rg1 SET (requests = 2, limits = 4)": (
        "update_resource_groups",
        ({"rg1": {"requests": {"node_num": 2}, "limits": {"node_num": 4}}},),
        {},
    ),
    "DROP RESOURCE GROUP rg1": ("drop_resource_group", ("rg1",), {}),
    "TRANSFER 2 REPLICAS OF rg_docs FROM __default_resource_group TO rg1": (
        "transfer_replica",
        ("__default_resource_group", "rg1", "rg_docs", 2),
        {},
    ),
    "LOAD rg_docs WITH (replicas = 2, resource_groups = ('rg1', 'rg2'))": (
        "load_collection",
        ("rg_docs",),
        {"replica_number": 2, "resource_groups": ["rg1", "rg2"]},
    ),
    "LOAD rg_docs WITH (refresh = true)": ("refresh_load", ("rg_docs",), {}),
    "FLUSH ALL": ("flush_all", (), {}),
}
LITE_SHOWN = ("SHOW RESOURCE GROUPS", "DESCRIBE RESOURCE GROUP rg1", "SHOW REPLICAS OF rg_docs")
LITE_SHOWN += ("SHOW SEGMENTS OF rg_docs", "SHOW LOADED SEGMENTS OF rg_docs")
LITE_SHOWN += ("SHOW COMPACTIONS OF rg_docs",)


@pytest.fixture(scope="module")
def lite(session: Session) -> Session:
    run(session, "DROP TABLE IF EXISTS rg_docs; CREATE TABLE rg_docs WITH (dimension = 2)")
    return session


@pytest.mark.parametrize(("cell", "expected"), LITE_REFUSED.items())
def test_lite_refuses_and_explains(lite: Session, cell: str, expected: tuple):
    report = fails(lite, cell)
    assert report.count("\n") == 0 and "not supported by Milvus Lite" in report, report
    assert [(m, a, k) for _t, m, a, k in calls(text(lite, f"EXPLAIN {cell}"))] == [expected]


@pytest.mark.parametrize("cell", LITE_SHOWN)
def test_lite_refuses_the_reads_it_lacks(lite: Session, cell: str):
    report = fails(lite, cell)
    words = cell.split(" rg")[0].split(" OF")[0]
    assert report.endswith(f"): {words} is not supported by Milvus Lite"), report
    assert report.count("\n") == 0
    assert "checked first" in text(lite, f"EXPLAIN {cell}")


def test_lite_loads_one_replica_and_answers_its_version_and_compactions(lite: Session):
    assert text(lite, "LOAD rg_docs WITH (replicas = 1)") == (
        "loaded collection rg_docs (replica_number = 1)"
    )
    client = lite.catalog().client
    assert rows(lite, "SHOW SERVER VERSION")[0] == ("version", client.get_server_version())
    assert ("Milvus Lite", "yes") in rows(lite, "SHOW SERVER VERSION")
    job = client.compact("rg_docs")
    assert rows(lite, f"SHOW COMPACTION {job}") == [
        ("compaction", job),
        ("state", client.get_compaction_state(job)),
    ]
    assert "unknown LOAD option 'copies'" in fails(lite, "LOAD rg_docs WITH (copies = 2)")
    assert "replicas is a number" in fails(lite, "LOAD rg_docs WITH (replicas = 0)")


@pytest.fixture(scope="module")
def server(milvus_server: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Session]:
    with server_session(milvus_server, tmp_path_factory.mktemp("rg")) as session:
        run(session, "DROP TABLE IF EXISTS rg_docs; CREATE TABLE rg_docs WITH (dimension = 2)")
        values = ", ".join(f"({i}, [{i % 7}, {i % 3}])" for i in range(500))
        run(session, f"INSERT INTO rg_docs VALUES {values}; FLUSH rg_docs")
        yield session


def test_resource_groups_on_a_server(server: Session):
    client = server.catalog().client
    version = str(client.get_server_version())
    assert text(server, "CREATE RESOURCE GROUP rg_a") == "created resource group rg_a"
    assert "already exists" in fails(server, "CREATE RESOURCE GROUP rg_a")
    expected = []
    for name in sorted(client.list_resource_groups()):
        info = client.describe_resource_group(name)
        expected.append((name, info.capacity, info.num_available_node))
    assert [r[:3] for r in rows(server, "SHOW RESOURCE GROUPS")] == expected
    assert "rg_a" in [r[0] for r in expected]
    described = dict(rows(server, "DESCRIBE RESOURCE GROUP rg_a"))
    info = client.describe_resource_group("rg_a")
    assert (described["name"], described["capacity"]) == ("rg_a", info.capacity)
    assert "resource group 'nope' does not exist" in fails(server, "DESCRIBE RESOURCE GROUP nope")
    # settings came with 2.4: a 2.3 server would drop them without a word
    for cell in (
        "CREATE RESOURCE GROUP rg_b WITH (requests = 1)",
        "ALTER RESOURCE GROUP rg_a SET (limits = 1)",
    ):
        report = fails(server, cell)
        assert report.count("\n") == 0 and f"not supported by Milvus {version}" in report, report
    assert "rg_b" not in client.list_resource_groups()
    assert "unknown resource group setting 'size'" in fails(
        server, "CREATE RESOURCE GROUP rg_b WITH (size = 1)"
    )
    assert text(server, "DROP RESOURCE GROUP rg_a") == "dropped resource group rg_a"
    assert "rg_a" not in client.list_resource_groups()


def test_replicas_segments_and_compactions_on_a_server(server: Session):
    client = server.catalog().client
    loaded = text(
        server, "LOAD rg_docs WITH (replicas = 1, resource_groups = ('__default_resource_group'))"
    )
    assert loaded.startswith("loaded collection rg_docs (replica_number = 1")
    replicas = client.describe_replica("rg_docs")
    assert rows(server, "SHOW REPLICAS OF rg_docs") == [
        (r.id, r.resource_group, ", ".join(str(n) for n in r.group_nodes), len(r.shards))
        for r in replicas
    ]
    segments = client.list_persistent_segments("rg_docs")
    shown = rows(server, "SHOW SEGMENTS OF rg_docs")
    assert sorted((s.segment_id, s.num_rows) for s in segments) == [(r[0], r[2]) for r in shown]
    assert sum(r[2] for r in shown) == 500
    in_memory = client.list_loaded_segments("rg_docs")
    shown = rows(server, "SHOW LOADED SEGMENTS OF rg_docs")
    assert sorted(s.segment_id for s in in_memory) == [r[0] for r in shown]
    # no query node of its own: Milvus's reason, in one line
    run(server, "CREATE RESOURCE GROUP rg_empty")
    report = fails(server, "TRANSFER REPLICA OF rg_docs FROM __default_resource_group TO rg_empty")
    assert report.count("\n") == 0, report
    run(server, "DROP RESOURCE GROUP rg_empty")
    version = str(client.get_server_version())
    assert rows(server, "SHOW SERVER VERSION")[0] == ("version", version)
    compacted = text(server, "COMPACT rg_docs")
    job = int(compacted.rsplit("compaction ", 1)[1].split(")")[0].split()[0])
    shown = dict(rows(server, f"SHOW COMPACTION {job}"))
    assert shown["state"] == client.get_compaction_state(job)
    plans = client.get_compaction_plans(job).plans
    assert len([k for k in shown if k.startswith("plan ")]) == len(plans)
    tasks = client.list_compaction_tasks("rg_docs").plans
    assert len(rows(server, "SHOW COMPACTIONS OF rg_docs")) == len(tasks)


def test_explains_code_does_what_the_statement_does(server: Session):
    """EXPLAIN's script, run as it is against the server, has the statement's effect."""
    client = server.catalog().client
    script = text(server, "EXPLAIN CREATE RESOURCE GROUP rg_code")
    assert "rg_code" not in client.list_resource_groups()
    exec(compile(script, "explained", "exec"), {})
    assert "rg_code" in client.list_resource_groups()
    assert ("rg_code", 0, 0) in [r[:3] for r in rows(server, "SHOW RESOURCE GROUPS")]
    exec(compile(text(server, "EXPLAIN DROP RESOURCE GROUP rg_code"), "explained", "exec"), {})
    assert "rg_code" not in client.list_resource_groups()
