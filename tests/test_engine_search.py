"""SEARCH on a real Milvus Lite: hits checked against a numpy brute force on FLAT indexes."""

from __future__ import annotations

import numpy as np
import pytest

from milvus_kernel.engine.search import vector as search_module
from milvus_kernel.errors import ExecutionError
from milvus_kernel.language.statements import (
    ColumnDef,
    CreateIndex,
    CreateTable,
    FieldType,
    Filter,
    Insert,
    Search,
)
from milvus_kernel.results import Table

DIM = 8
N = 300


def make_table(session, name: str, metric: str, data: np.ndarray) -> None:
    columns = (
        ColumnDef("id", FieldType("INT64"), primary_key=True),
        ColumnDef("label", FieldType("VARCHAR", length=16)),
        ColumnDef("vector", FieldType("FLOAT_VECTOR", dim=DIM)),
    )
    session.execute(CreateTable(name, columns=columns))
    session.execute(CreateIndex(name, "vector", index_type="FLAT", params={"metric_type": metric}))
    rows = tuple(
        (i, "even" if i % 2 == 0 else "odd", [float(x) for x in data[i]]) for i in range(N)
    )
    session.execute(Insert(name, rows=rows))


def brute_force(data: np.ndarray, query: np.ndarray, metric: str, k: int):
    if metric == "L2":
        scores = ((data - query) ** 2).sum(axis=1)
        order = np.argsort(scores, kind="stable")
    elif metric == "IP":
        scores = data @ query
        order = np.argsort(-scores, kind="stable")
    else:
        scores = (data @ query) / (np.linalg.norm(data, axis=1) * np.linalg.norm(query))
        order = np.argsort(-scores, kind="stable")
    return order[:k], scores[order[:k]]


@pytest.fixture(scope="module")
def data() -> np.ndarray:
    return np.random.default_rng(7).normal(size=(N, DIM)).astype(np.float32)


@pytest.mark.parametrize("metric", ["L2", "COSINE", "IP"])
def test_flat_search_matches_brute_force(session, unique_name, data, metric):
    make_table(session, unique_name, metric, data)
    queries = np.random.default_rng(11).normal(size=(3, DIM)).astype(np.float32)
    result = session.execute(
        Search(unique_name, vectors=tuple(q.tolist() for q in queries), limit=5)
    )
    assert isinstance(result, Table)
    assert [c.name for c in result.columns] == ["query", "rank", "id", "distance"]
    assert [c.kind for c in result.columns] == ["int", "int", "int", "float"]
    for qi, query in enumerate(queries, start=1):
        hits = [row for row in result.rows if row[0] == qi]
        ids, scores = brute_force(data, query, metric, 5)
        assert [row[1] for row in hits] == [1, 2, 3, 4, 5]
        assert [row[2] for row in hits] == ids.tolist()
        np.testing.assert_allclose([row[3] for row in hits], scores, rtol=1e-4, atol=1e-4)


def test_single_query_has_no_query_column_and_returns_fields(session, unique_name, data):
    make_table(session, unique_name, "L2", data)
    result = session.execute(
        Search(
            unique_name,
            vectors=(data[5].tolist(),),
            limit=3,
            output_fields=("label", "vector"),
            where=Filter("label == 'odd'", ("label",)),
        )
    )
    assert [c.name for c in result.columns] == ["rank", "id", "distance", "label", "vector"]
    assert result.columns[-1].kind == "vector"
    assert result.rows[0][1] == 5
    assert all(row[3] == "odd" for row in result.rows)
    assert result.rows[0][4] == pytest.approx(data[5].tolist())


def test_offset_and_projection(session, unique_name, data):
    make_table(session, unique_name, "L2", data)
    query = data[0].tolist()
    ids, _ = brute_force(data, data[0], "L2", 6)
    result = session.execute(
        Search(
            unique_name,
            vectors=(query,),
            limit=3,
            offset=2,
            metric="L2",
            projection=("label", "distance", "id"),
        )
    )
    assert [c.name for c in result.columns] == ["label", "distance", "id"]
    assert [row[2] for row in result.rows] == ids[2:5].tolist()


def test_metric_mismatch_names_both(session, unique_name, data):
    make_table(session, unique_name, "L2", data)
    with pytest.raises(ExecutionError) as info:
        session.execute(Search(unique_name, vectors=(data[0].tolist(),), metric="COSINE"))
    assert "COSINE" in info.value.message and "L2" in info.value.message
    with pytest.raises(ExecutionError, match="COSINE"):
        session.execute(
            Search(unique_name, vectors=(data[0].tolist(),), params={"metric_type": "cosine"})
        )


def test_search_errors(session, unique_name, data):
    make_table(session, unique_name, "L2", data)
    with pytest.raises(ExecutionError, match="vector has 3 dims, field vector expects 8"):
        session.execute(Search(unique_name, vectors=([1.0, 2.0, 3.0],)))
    with pytest.raises(ExecutionError, match="no field 'nope'"):
        session.execute(Search(unique_name, vectors=(data[0].tolist(),), anns_field="nope"))
    with pytest.raises(ExecutionError, match="no field 'nope'"):
        session.execute(Search(unique_name, vectors=(data[0].tolist(),), output_fields=("nope",)))
    with pytest.raises(ExecutionError, match="not a vector"):
        session.execute(Search(unique_name, vectors=(data[0].tolist(),), anns_field="label"))
    with pytest.raises(ExecutionError, match="collection 'missing' does not exist"):
        session.execute(Search("missing", vectors=([1.0],)))


def test_many_queries_are_batched(session, unique_name, data, monkeypatch):
    make_table(session, unique_name, "IP", data)
    monkeypatch.setattr(search_module, "MAX_NQ", 4)
    queries = data[:10]
    result = session.execute(
        Search(unique_name, vectors=tuple(q.tolist() for q in queries), limit=2)
    )
    assert sorted({row[0] for row in result.rows}) == list(range(1, 11))
    for qi, query in enumerate(queries, start=1):
        ids, _ = brute_force(data, query, "IP", 2)
        assert [row[2] for row in result.rows if row[0] == qi] == ids.tolist()


def test_several_vector_fields_need_using(session, unique_name):
    columns = (
        ColumnDef("id", FieldType("INT64"), primary_key=True),
        ColumnDef("a", FieldType("FLOAT_VECTOR", dim=2)),
        ColumnDef("s", FieldType("SPARSE_FLOAT_VECTOR")),
    )
    session.execute(CreateTable(unique_name, columns=columns))
    session.execute(CreateIndex(unique_name, "a", index_type="FLAT", params={"metric_type": "L2"}))
    session.execute(CreateIndex(unique_name, "s"))
    session.execute(
        Insert(
            unique_name,
            rows=(
                (1, [0.0, 1.0], {1: 0.5, 9: 1.0}),
                (2, [1.0, 0.0], {2: 1.0}),
                (3, [1, 1], {9: 0.1}),
            ),
        )
    )
    with pytest.raises(ExecutionError, match=r"several vector fields \(a, s\)"):
        session.execute(Search(unique_name, vectors=([1.0, 0.0],)))
    dense = session.execute(Search(unique_name, vectors=([1.0, 0.0],), anns_field="a", limit=1))
    assert dense.rows[0][1] == 2
    sparse = session.execute(Search(unique_name, vectors=({9: 1.0},), anns_field="s", limit=2))
    assert [row[1] for row in sparse.rows] == [1, 3]
    assert sparse.rows[0][2] == pytest.approx(1.0)


def test_bm25_text_search(session, unique_name):
    columns = (
        ColumnDef("id", FieldType("INT64"), primary_key=True, auto_id=True),
        ColumnDef("body", FieldType("VARCHAR", length=200), analyzer=True),
        ColumnDef("bm", FieldType("SPARSE_FLOAT_VECTOR"), bm25_source="body"),
    )
    session.execute(CreateTable(unique_name, columns=columns))
    session.execute(CreateIndex(unique_name, "bm"))
    texts = ("tuning hnsw graphs", "cooking pasta at home", "hnsw index parameters ef")
    session.execute(Insert(unique_name, rows=tuple((t,) for t in texts)))
    result = session.execute(
        Search(unique_name, vectors=("hnsw",), output_fields=("body",), limit=2)
    )
    assert [c.name for c in result.columns] == ["rank", "id", "score", "body"]
    assert {row[3] for row in result.rows} == {texts[0], texts[2]}
    with pytest.raises(ExecutionError, match="TEXT"):
        session.execute(Search(unique_name, vectors=([0.1, 0.2],)))
