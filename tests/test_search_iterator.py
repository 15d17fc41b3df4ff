"""SEARCH past 16,384 hits: read by `search_iterator` on Milvus Lite (FLAT, L2), equal to a numpy
brute force (the same ids, distances to 1e-4), with OFFSET, progress and EXPLAIN's code."""

from __future__ import annotations

import inspect
import re

import numpy as np
import pytest
from admin_helpers import fails, one
from pymilvus import MilvusClient

from milvus_kernel.results import Table

DIM = 4
N = 17_000


@pytest.fixture(scope="module")
def data(session):
    rng = np.random.default_rng(3)
    vectors = rng.random((N, DIM)).astype(np.float32)
    name = "deep_docs"
    one(
        session,
        f"CREATE TABLE {name} (id INT64 PRIMARY KEY, tag INT64, v FLOAT_VECTOR({DIM}));"
        f"CREATE INDEX ON {name} (v) USING FLAT WITH (metric_type = 'L2')",
    )
    client = session.catalog().client
    for start in range(0, N, 5000):
        client.insert(
            name,
            [
                {"id": i, "tag": i % 7, "v": vectors[i].tolist()}
                for i in range(start, min(N, start + 5000))
            ],
        )
    one(session, f"LOAD {name}")
    query = np.array([0.5] * DIM, dtype=np.float32)
    return name, vectors, query


def check(table: Table, vectors: np.ndarray, query: np.ndarray, offset: int, limit: int) -> None:
    distances = ((vectors - query) ** 2).sum(axis=1)
    order = np.argsort(distances, kind="stable")[offset : offset + limit]
    names = [c.name for c in table.columns]
    ids = [row[names.index("id")] for row in table.rows]
    got = np.array([row[names.index("distance")] for row in table.rows])
    assert len(ids) == limit and len(set(ids)) == limit
    assert set(ids) == set(order.tolist())  # ties of float32 rounding may swap neighbours
    assert np.allclose(got, distances[ids], atol=1e-4)
    assert np.all(np.diff(got) >= -1e-5)  # best first
    assert [row[names.index("rank")] for row in table.rows][:2] == [offset + 1, offset + 2]


def test_search_past_16384_equals_brute_force(session, data):
    name, vectors, query = data
    seen = []
    session.progress = seen.append
    try:
        table = one(session, f"SEARCH {name} FOR [{', '.join(['0.5'] * DIM)}] LIMIT 16500")
    finally:
        session.progress = None
    check(table, vectors, query, 0, 16500)
    assert seen[-1].finished and seen[-1].done == 16500 and seen[-1].unit == "hits"


def test_offset_past_the_window(session, data):
    name, vectors, query = data
    statement = f"SEARCH {name} FOR [{', '.join(['0.5'] * DIM)}] LIMIT 100 OFFSET 16380"
    check(one(session, statement), vectors, query, 16380, 100)


def test_more_than_the_collection_returns_every_row(session, data):
    name, _, _ = data
    table = one(
        session, f"SEARCH {name} FOR [{', '.join(['0.5'] * DIM)}] WHERE tag == 3 LIMIT 16385"
    )
    assert len(table.rows) == len([i for i in range(N) if i % 7 == 3])


def test_explain_prints_a_search_iterator(session, data):
    name, _, _ = data
    code = one(session, f"EXPLAIN SEARCH {name} FOR [{', '.join(['0.5'] * DIM)}] LIMIT 20000").text
    assert "client.search_iterator(" in code and "limit=20000" in code
    accepted = inspect.signature(MilvusClient.search_iterator).parameters
    for keyword in ("batch_size", "limit", "output_fields", "search_params", "anns_field", "data"):
        assert keyword in accepted and f"{keyword}=" in code


@pytest.mark.parametrize(
    ("tail", "message"),
    [
        ("GROUP BY tag LIMIT 20000", "GROUP BY returns at most 16384"),
        ("RERANK BOOST(WHERE tag == 1, weight = 2) LIMIT 20000", "RERANK returns at most 16384"),
    ],
)
def test_what_an_iterator_cannot_do_is_refused(session, data, tail, message):
    name, _, _ = data
    error = fails(session, f"SEARCH {name} FOR [{', '.join(['0.5'] * DIM)}] {tail}")
    assert message in error and "\n" not in error.strip()


def test_several_queries_are_refused(session, data):
    name, _, _ = data
    vector = f"[{', '.join(['0.5'] * DIM)}]"
    error = fails(session, f"SEARCH {name} FOR [{vector}, {vector}] LIMIT 20000")
    assert "takes one query vector, not 2" in error


def test_an_interrupt_closes_the_iterator_and_says_how_far(session, data):
    name, _, _ = data
    calls = []

    def interrupt_after_the_first_page(progress):
        calls.append(progress)
        if progress.done:
            raise KeyboardInterrupt

    session.progress = interrupt_after_the_first_page
    try:
        error = fails(session, f"SEARCH {name} FOR [{', '.join(['0.5'] * DIM)}] LIMIT 16500")
    finally:
        session.progress = None
    assert re.search(r"interrupted: \d+ of 16500 hits read$", error.strip()), error


def test_past_16384_on_the_standalone_server(milvus_server, tmp_path_factory):
    """The 2.3.5 server caps a search at 16,384 hits; the iterator reads past it, exactly."""
    from admin_helpers import server_session

    rng = np.random.default_rng(8)
    vectors = rng.random((N, DIM)).astype(np.float32)
    query = np.array([0.5] * DIM, dtype=np.float32)
    with server_session(milvus_server, tmp_path_factory.mktemp("deep")) as session:
        name = "deep_server"
        one(session, f"DROP TABLE IF EXISTS {name}")
        one(session, f"CREATE TABLE {name} (id INT64 PRIMARY KEY, v FLOAT_VECTOR({DIM}))")
        one(session, f"CREATE INDEX ON {name} (v) USING FLAT WITH (metric_type = 'L2')")
        client = session.catalog().client
        for start in range(0, N, 5000):
            stop = min(N, start + 5000)
            client.insert(name, [{"id": i, "v": vectors[i].tolist()} for i in range(start, stop)])
        client.flush(name)
        one(session, "SET consistency_level = 'Strong'")
        table = one(session, f"SEARCH {name} FOR [{', '.join(['0.5'] * DIM)}] LIMIT 16500")
        check(table, vectors, query, 0, 16500)
