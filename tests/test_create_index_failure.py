"""A CREATE INDEX that fails leaves the collection as it was: loaded, with its old index.

The old dialect's `create index t where ...` replaces the vector field's index: release, drop,
create, load. When Milvus refuses the new index (metric HAMMING on a float vector, on Milvus Lite
and on the 2.3.5 standalone server), the old index is built again and the collection loaded again
(or left released, if it was). Ground truth:
`get_load_state` and `describe_index` from pymilvus, and a search against a NumPy brute force.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from admin_helpers import one, run
from kernel_harness import execute, plain_texts, running_kernel
from test_search_metric import lite_truth

from milvus_kernel.engine.session import Session
from milvus_kernel.errors import ExecutionError

VECTORS = np.random.default_rng(3).normal(size=(40, 4)).round(3)


@pytest.fixture
def old(session: Session, unique_name: str) -> str:
    lines = [f"create table {unique_name} where dimension=4 and metric_type='L2'"]
    lines += [
        f"insert {','.join(map(str, v))} from {unique_name} by id={i}"
        for i, v in enumerate(VECTORS)
    ]
    run(session, "\n".join(lines))
    return unique_name


def state(session: Session, table: str) -> str:
    return session.catalog().client.get_load_state(table)["state"].name


def test_a_failed_replacement_puts_the_old_index_back_loaded(session: Session, old: str):
    client = session.catalog().client
    assert state(session, old) == "Loaded"
    with pytest.raises(ExecutionError) as caught:
        run(session, f"create index {old} where index_type='HNSW' and metric_type='HAMMING'")
    message = caught.value.message
    assert "metric_type must be one of COSINE/L2/IP/BM25/NONE, got 'HAMMING'" in message, message
    assert message.endswith("; its old index (AUTOINDEX, L2) is back, loaded"), message
    assert state(session, old) == "Loaded"
    described = client.describe_index(old, "vector")
    assert (described["index_type"], described["metric_type"]) == ("AUTOINDEX", "L2")
    query = VECTORS[7] + 0.02
    hits = one(session, f"SEARCH {old} FOR {query.tolist()} LIMIT 5")
    distances = ((VECTORS - query) ** 2).sum(axis=1)
    assert [r[1] for r in hits.rows] == np.argsort(distances, kind="stable")[:5].tolist()


def test_a_failed_replacement_of_a_released_collection_stays_released(session: Session, old: str):
    run(session, f"RELEASE {old}")
    assert state(session, old) == "NotLoad"
    with pytest.raises(ExecutionError) as caught:
        run(session, f"create index {old} where index_type='HNSW' and metric_type='HAMMING'")
    assert caught.value.message.endswith("; its old index (AUTOINDEX, L2) is back")
    assert state(session, old) == "NotLoad"
    described = session.catalog().client.describe_index(old, "vector")
    assert (described["index_type"], described["metric_type"]) == ("AUTOINDEX", "L2")


def test_through_a_real_kernel(tmp_path: Path):
    """The same failure in a notebook: the error says the old index is back, SHOW LOAD STATE
    (get_load_state) says Loaded, and pymilvus finds the old index after the kernel stops."""
    rows = "\n".join(
        f"insert {','.join(map(str, v))} from k by id={i}" for i, v in enumerate(VECTORS)
    )
    with running_kernel(tmp_path) as (_, kc):
        reply, _ = execute(kc, f"create table k where dimension=4 and metric_type='L2'\n{rows}")
        assert reply["status"] == "ok", reply
        reply, outputs = execute(
            kc, "create index k where index_type='HNSW' and metric_type='HAMMING'"
        )
        assert reply["status"] == "error"
        shown = "\n".join(
            "\n".join(o["content"]["traceback"]) for o in outputs if o["msg_type"] == "error"
        )
        assert "got 'HAMMING'" in shown and "its old index (AUTOINDEX, L2) is back, loaded" in shown
        reply, outputs = execute(kc, "SHOW LOAD STATE OF k")
        assert reply["status"] == "ok", reply
        assert "Loaded" in plain_texts(outputs)[-1]
    described = lite_truth(tmp_path / "milvus_kernel.db", 'client.describe_index("k", "vector")')
    assert (described["index_type"], described["metric_type"]) == ("AUTOINDEX", "L2")


def test_on_a_milvus_server(milvus_server: Any, tmp_path: Path):
    """The same on Milvus 2.3.5 standalone, which must release a collection to drop its index."""
    from pymilvus import MilvusClient

    session = Session(workdir=tmp_path, environ={})
    table = "cif_server"
    try:
        run(session, f"CONNECT '{milvus_server.uri}'; SET consistency_level = 'Strong'")
        run(session, f"DROP TABLE IF EXISTS {table}")
        lines = [f"create table {table} where dimension=4 and metric_type='L2'"]
        lines += [
            f"insert {','.join(map(str, v))} from {table} by id={i}" for i, v in enumerate(VECTORS)
        ]
        run(session, "\n".join(lines))
        client = MilvusClient(milvus_server.uri, timeout=30)
        before = client.describe_index(table, "vector")
        assert client.get_load_state(table)["state"].name == "Loaded"
        with pytest.raises(ExecutionError) as caught:
            run(session, f"create index {table} where index_type='HNSW' and metric_type='HAMMING'")
        assert caught.value.message.endswith(
            f"; its old index ({before['index_type']}, L2) is back, loaded"
        ), caught.value.message
        assert client.get_load_state(table)["state"].name == "Loaded"
        after = client.describe_index(table, "vector")
        assert (after["index_type"], after["metric_type"]) == (before["index_type"], "L2")
        query = VECTORS[7] + 0.02
        hits = one(session, f"SEARCH {table} FOR {query.tolist()} LIMIT 5")
        distances = ((VECTORS - query) ** 2).sum(axis=1)
        assert [r[1] for r in hits.rows] == np.argsort(distances, kind="stable")[:5].tolist()
        client.drop_collection(table)
        client.close()
    finally:
        session.close()
