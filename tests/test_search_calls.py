"""SEARCH asks Milvus only what it needs: one `search` call for one query vector, the index's
metric remembered between searches and forgotten when the index changes (results still right)."""

from __future__ import annotations

import numpy as np
from client_calls import record_calls

from milvus_kernel.frontends.runner import run_cell

DIM = 4


def _calls(session) -> list[str]:
    """Record the names of these MilvusClient methods the session calls from now on."""
    return record_calls(
        session, ("search", "list_indexes", "describe_index", "get_collection_stats")
    )


def _table(session, name: str, data: np.ndarray, metric: str) -> None:
    rows = ", ".join(f"({i}, {[float(x) for x in v]})" for i, v in enumerate(data))
    cell = (
        f"CREATE TABLE {name} (id INT64 PRIMARY KEY, vector VECTOR({DIM}));"
        f"CREATE INDEX vi ON {name} (vector) USING FLAT WITH (metric_type = '{metric}');"
        f"INSERT INTO {name} VALUES {rows}"
    )
    list(run_cell(session, cell))


def _hits(session, name: str, query: list[float]) -> list[int]:
    (table,) = run_cell(session, f"SEARCH {name} FOR {query} LIMIT 3")
    return [row[1] for row in table.rows]


def test_one_query_vector_is_one_search_call(session, unique_name):
    data = np.random.default_rng(1).normal(size=(50, DIM)).astype(np.float32)
    _table(session, unique_name, data, "L2")
    query = [float(x) for x in data[7]]
    _hits(session, unique_name, query)  # the first search learns the index's metric
    seen = _calls(session)
    for _ in range(3):
        assert _hits(session, unique_name, query)[0] == 7
    assert seen == ["search"] * 3


def test_a_new_index_metric_is_used_after_the_index_changes(session, unique_name):
    data = np.random.default_rng(2).normal(size=(50, DIM)).astype(np.float32)
    _table(session, unique_name, data, "L2")
    query = [float(x) for x in np.random.default_rng(3).normal(size=DIM)]
    l2 = np.argsort(((data - np.array(query)) ** 2).sum(axis=1), kind="stable")[:3]
    assert _hits(session, unique_name, query) == l2.tolist()
    list(run_cell(session, f"RELEASE {unique_name}; DROP INDEX vector ON {unique_name}"))
    cell = f"CREATE INDEX vi ON {unique_name} (vector) USING FLAT WITH (metric_type = 'IP')"
    list(run_cell(session, cell))
    ip = np.argsort(-(data @ np.array(query, dtype=np.float32)), kind="stable")[:3]
    assert _hits(session, unique_name, query) == ip.tolist()
