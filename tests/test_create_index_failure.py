"""A CREATE INDEX that fails leaves the collection as it was: loaded, with its old index.

The old dialect's `create index t where ...` replaces the vector field's index: release, drop,
create, load. When Milvus refuses the new index (here Milvus Lite: metric HAMMING on a float
vector), the old index is built again and the collection loaded again. Ground truth:
`get_load_state` and `describe_index` from pymilvus, and a search against a NumPy brute force.
"""

from __future__ import annotations

import numpy as np
import pytest
from admin_helpers import one, run

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
