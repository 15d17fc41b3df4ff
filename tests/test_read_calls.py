"""A warm SELECT asks Milvus only for its page (and, without LIMIT, its count): the schema and the
load state are known per connection, forgotten after DDL, and asked again, once, when Milvus says
they are stale (the collection dropped or recreated by another client)."""

from __future__ import annotations

import numpy as np
import pytest
from client_calls import record_calls
from pymilvus import DataType, MilvusClient

from milvus_kernel.engine.session import Session
from milvus_kernel.errors import ExecutionError
from milvus_kernel.frontends.runner import run_cell

DIM = 4


def _calls(session) -> list[str]:
    """Record the names of the public MilvusClient methods the session calls from now on."""
    return record_calls(session)


def _fill(session, name: str, rows: int, seed: int) -> np.ndarray:
    data = np.random.default_rng(seed).normal(size=(rows, DIM)).astype(np.float32)
    values = ", ".join(f"({i}, {[float(x) for x in v]})" for i, v in enumerate(data))
    cell = (
        f"CREATE TABLE {name} (id INT64 PRIMARY KEY, vector VECTOR({DIM}));"
        f"CREATE INDEX vi ON {name} (vector) USING FLAT WITH (metric_type = 'L2');"
        f"INSERT INTO {name} VALUES {values}"
    )
    list(run_cell(session, cell))
    return data


def _ids(session, cell: str) -> list[int]:
    *_notices, table = run_cell(session, cell)  # a new session's first result: a notice first
    return [row[0] for row in table.rows]


def test_a_warm_first_page_is_the_page_and_its_count(session, unique_name):
    _fill(session, unique_name, 30, seed=1)
    _ids(session, f"SELECT id FROM {unique_name}")  # the first read learns schema and load state
    seen = _calls(session)
    (table,) = run_cell(session, f"SELECT id, vector FROM {unique_name}")
    assert table.total == 30 and len(table.rows) == session.settings.display_limit
    assert sorted(seen) == ["query", "query"]  # count(*) and the page
    seen.clear()
    assert sorted(_ids(session, f"SELECT id FROM {unique_name} WHERE id < 5 LIMIT 10")) == list(
        range(5)
    )
    assert seen == ["query"]


def test_explain_shows_the_two_calls_of_a_warm_read(session, unique_name):
    _fill(session, unique_name, 12, seed=2)
    _ids(session, f"SELECT id FROM {unique_name}")
    (message,) = run_cell(session, f"EXPLAIN SELECT id FROM {unique_name}")
    code = message.text
    assert "checked first" not in code
    assert code.count("client.query(") == 2 and 'output_fields=["count(*)"]' in code.replace(
        "'", '"'
    )


def test_a_collection_recreated_by_another_client_is_read_afresh(
    tmp_path, unique_name, lite_server
):
    session = Session(workdir=tmp_path, environ={"MILVUS_URI": lite_server})
    _fill(session, unique_name, 20, seed=3)
    assert len(_ids(session, f"SELECT id FROM {unique_name} LIMIT 100")) == 20
    other = MilvusClient(lite_server)
    try:
        other.drop_collection(unique_name)
        schema = other.create_schema()
        schema.add_field("key", DataType.VARCHAR, is_primary=True, max_length=8)
        schema.add_field("emb", DataType.FLOAT_VECTOR, dim=2)
        other.create_collection(unique_name, schema=schema)
        index = other.prepare_index_params()
        index.add_index("emb", index_type="FLAT", metric_type="L2")
        other.create_index(unique_name, index)
        other.insert(unique_name, [{"key": f"k{i}", "emb": [i, 0.5]} for i in range(3)])
        other.flush(unique_name)
        (table,) = run_cell(session, f"SELECT key FROM {unique_name} LIMIT 10")
        assert sorted(row[0] for row in table.rows) == ["k0", "k1", "k2"]
        other.drop_collection(unique_name)
        with pytest.raises(ExecutionError, match="does not exist"):
            list(run_cell(session, f"SELECT key FROM {unique_name} LIMIT 10"))
    finally:
        other.close()
        session.close()


def test_a_new_session_on_the_same_server_knows_nothing_yet(tmp_path, unique_name, lite_server):
    first = Session(workdir=tmp_path, environ={"MILVUS_URI": lite_server})
    second = Session(workdir=tmp_path, environ={"MILVUS_URI": lite_server})
    try:
        _fill(first, unique_name, 10, seed=4)
        _ids(first, f"SELECT id FROM {unique_name}")
        seen = _calls(second)
        assert len(_ids(second, f"SELECT id FROM {unique_name} LIMIT 100")) == 10
        assert "describe_collection" in seen  # its own schema, not the other session's
    finally:
        first.close()
        second.close()
