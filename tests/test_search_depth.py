"""Search in depth on a real Milvus Lite: full-text (BM25, TEXT_MATCH), hybrid search, GROUP BY,
range search, FOR ID / FOR IDS, VECTOR(S) FROM files, the search window and unbounded SELECT.

Every result is checked against raw pymilvus on the same collection or a NumPy brute force.
"""

from __future__ import annotations

import math
import re

import numpy as np
import pytest

from milvus_kernel.errors import ExecutionError, NotSupported
from milvus_kernel.frontends.runner import run_cell
from milvus_kernel.results import Message, Table

DIM = 6
N = 240
TEXTS = (
    "tuning hnsw graphs for recall",
    "cooking pasta at home",
    "hnsw index parameters ef and m",
    "ivf index nlist and nprobe",
    "pasta with tomato sauce",
    "choosing an index for vector search",
    "hnsw hnsw hnsw everywhere",
    "home made bread",
)


def run(session, code: str):
    """The result of the last statement of `code`."""
    return list(run_cell(session, code))[-1]


def client(session):
    return session.catalog().client


def vector_literal(vector) -> str:
    return "[" + ", ".join(repr(float(x)) for x in vector) + "]"


@pytest.fixture(scope="module")
def data() -> np.ndarray:
    return np.random.default_rng(3).normal(size=(N, DIM)).astype(np.float32)


def make_vectors(session, name: str, data: np.ndarray, metric: str = "L2") -> None:
    """id, label (one of 5), a FLAT-indexed vector, and a second vector field w (FLAT, IP)."""
    run(
        session,
        f"CREATE TABLE {name} (id INT64 PRIMARY KEY, label VARCHAR(8), "
        f"vector FLOAT_VECTOR({DIM}), w FLOAT_VECTOR({DIM}));"
        f"CREATE INDEX ON {name} (vector) USING FLAT WITH (metric_type = '{metric}');"
        f"CREATE INDEX ON {name} (w) USING FLAT WITH (metric_type = 'IP')",
    )
    rows = [
        {"id": i, "label": f"g{i % 5}", "vector": data[i].tolist(), "w": data[::-1][i].tolist()}
        for i in range(len(data))
    ]
    client(session).insert(name, rows)


def distances(data: np.ndarray, query: np.ndarray, metric: str) -> np.ndarray:
    """Smaller is closer for L2; for IP larger (returned as is)."""
    if metric == "L2":
        return ((data - query) ** 2).sum(axis=1)
    return data @ query


def ranking(data: np.ndarray, query: np.ndarray, metric: str) -> np.ndarray:
    scores = distances(data, query, metric)
    return np.argsort(scores if metric == "L2" else -scores, kind="stable")


# --- full-text search -------------------------------------------------------------------------


def make_texts(session, name: str) -> None:
    run(
        session,
        f"CREATE TABLE {name} (id INT64 PRIMARY KEY, body VARCHAR(200) ANALYZER MATCH, "
        f"vector FLOAT_VECTOR(2), body_bm25 SPARSE_FLOAT_VECTOR GENERATED ALWAYS AS BM25(body));"
        f"CREATE INDEX ON {name} (vector) USING FLAT WITH (metric_type = 'L2');"
        f"CREATE INDEX ON {name} (body_bm25)",
    )
    values = ", ".join(f"({i}, '{t}', [{i}.0, 1.0])" for i, t in enumerate(TEXTS))
    run(session, f"INSERT INTO {name} (id, body, vector) VALUES {values}")


def bm25(query: str, k1: float = 1.2, b: float = 0.75) -> dict[int, float]:
    """BM25 of every text for `query` (Lucene's idf), by a plain Python brute force.

    Milvus Lite's scores come within a few per cent of these (its document-length statistics
    differ slightly); the ranking is the same.
    """
    docs = [re.findall(r"\w+", t.lower()) for t in TEXTS]
    avgdl = sum(map(len, docs)) / len(docs)
    scores = {}
    for i, words in enumerate(docs):
        score = 0.0
        for term in re.findall(r"\w+", query.lower()):
            n = sum(term in d for d in docs)
            tf = words.count(term)
            idf = math.log(1 + (len(docs) - n + 0.5) / (n + 0.5))
            score += idf * tf * (k1 + 1) / (tf + k1 * (1 - b + b * len(words) / avgdl))
        if score > 0:
            scores[i] = score
    return scores


def test_bm25_schema_and_default_index(session, unique_name):
    make_texts(session, unique_name)
    described = run(session, f"DESCRIBE {unique_name}")
    extra = {row[0]: row[7] for row in described.rows}
    assert extra["body"] == "ANALYZER MATCH" and extra["body_bm25"] == "BM25(body)"
    index = client(session).describe_index(unique_name, "body_bm25")
    assert (index["index_type"], index["metric_type"]) == ("SPARSE_INVERTED_INDEX", "BM25")


@pytest.mark.parametrize("query", ["hnsw index", "pasta home", "vector search"])
def test_text_search_matches_pymilvus_and_brute_force(session, unique_name, query):
    make_texts(session, unique_name)
    result = run(session, f"SEARCH {unique_name} TEXT '{query}' RETURN body LIMIT 4")
    assert [c.name for c in result.columns] == ["rank", "id", "score", "body"]
    raw = client(session).search(
        unique_name, data=[query], anns_field="body_bm25", limit=4, output_fields=["body"]
    )[0]
    assert [row[1] for row in result.rows] == [hit["id"] for hit in raw]
    assert [row[2] for row in result.rows] == pytest.approx([abs(h["distance"]) for h in raw])
    expected = bm25(query)
    order = sorted(expected, key=lambda i: -expected[i])[:4]
    assert [row[1] for row in result.rows] == order
    assert [row[2] for row in result.rows] == pytest.approx([expected[i] for i in order], rel=0.1)
    scores = [row[2] for row in result.rows]
    assert scores == sorted(scores, reverse=True) and all(s > 0 for s in scores)
    named = run(session, f"SEARCH {unique_name} TEXT '{query}' USING body_bm25 LIMIT 4")
    assert [row[1] for row in named.rows] == order


def test_text_search_needs_a_bm25_field(session, unique_name, data):
    make_vectors(session, unique_name, data)
    with pytest.raises(ExecutionError, match="no BM25 field"):
        run(session, f"SEARCH {unique_name} TEXT 'x'")
    with pytest.raises(ExecutionError, match="search it with a vector, not a text"):
        run(session, f"SEARCH {unique_name} TEXT 'x' USING vector")


def test_text_match_filter_and_phrase_match_on_lite(session, unique_name):
    make_texts(session, unique_name)
    result = run(session, f"SELECT id FROM {unique_name} WHERE TEXT_MATCH(body, 'hnsw pasta')")
    words = [set(re.findall(r"\w+", t)) for t in TEXTS]
    expected = [i for i, w in enumerate(words) if w & {"hnsw", "pasta"}]
    assert sorted(row[0] for row in result.rows) == expected
    hits = run(
        session,
        f"SEARCH {unique_name} USING vector FOR [0.0, 1.0] WHERE TEXT_MATCH(body, 'index') LIMIT 8",
    )
    assert sorted(row[1] for row in hits.rows) == [i for i, w in enumerate(words) if "index" in w]
    with pytest.raises(NotSupported) as raised:
        run(session, f"SELECT id FROM {unique_name} WHERE PHRASE_MATCH(body, 'hnsw index', 0)")
    assert raised.value.message == "PHRASE_MATCH is not supported by Milvus Lite"


# --- hybrid search ----------------------------------------------------------------------------


def test_hybrid_rrf_matches_brute_force(session, unique_name, data):
    make_vectors(session, unique_name, data)
    q1, q2 = data[7] + 0.1, data[100] - 0.1
    k, legs = 60, 20
    result = run(
        session,
        f"SEARCH {unique_name} USING vector FOR {vector_literal(q1)} LIMIT {legs}, "
        f"USING w FOR {vector_literal(q2)} LIMIT {legs} RERANK RRF({k}) RETURN label LIMIT 10",
    )
    assert [c.name for c in result.columns] == ["rank", "id", "score", "label"]
    expected: dict[int, float] = {}
    for order in (ranking(data, q1, "L2")[:legs], ranking(data[::-1], q2, "IP")[:legs]):
        for rank, i in enumerate(order, start=1):
            expected[int(i)] = expected.get(int(i), 0.0) + 1.0 / (k + rank)
    top = sorted(expected.values(), reverse=True)[:10]
    assert [row[2] for row in result.rows] == pytest.approx(top, rel=1e-5)
    for _, pk, score, label in result.rows:
        assert score == pytest.approx(expected[pk], rel=1e-5) and label == f"g{pk % 5}"


def test_hybrid_weighted_with_filter_and_text_matches_pymilvus(session, unique_name):
    from pymilvus import AnnSearchRequest, WeightedRanker

    make_texts(session, unique_name)
    result = run(
        session,
        f"SEARCH {unique_name} USING vector FOR [2.0, 1.0] WHERE id > 0 LIMIT 5, "
        f"USING body_bm25 TEXT 'hnsw index' LIMIT 5 RERANK WEIGHTED(0.3, 0.7) RETURN body LIMIT 4",
    )
    raw = client(session).hybrid_search(
        unique_name,
        reqs=[
            AnnSearchRequest([[2.0, 1.0]], "vector", {"params": {}}, 5, expr="id > 0"),
            AnnSearchRequest(["hnsw index"], "body_bm25", {"params": {}}, 5),
        ],
        ranker=WeightedRanker(0.3, 0.7),
        limit=4,
        output_fields=["body"],
    )[0]
    assert [(row[1], row[3]) for row in result.rows] == [
        (h["id"], h["entity"]["body"]) for h in raw
    ]
    assert [row[2] for row in result.rows] == pytest.approx([h["distance"] for h in raw])


def test_hybrid_errors(session, unique_name, data):
    make_vectors(session, unique_name, data)
    legs = f"USING vector FOR {vector_literal(data[0])}, USING w FOR {vector_literal(data[1])}"
    with pytest.raises(ExecutionError, match=r"one weight per search: .* 2 searches and 3 weights"):
        run(session, f"SEARCH {unique_name} {legs} RERANK WEIGHTED(0.2, 0.3, 0.5)")
    with pytest.raises(ExecutionError, match="between 0 and 1"):
        run(session, f"SEARCH {unique_name} {legs} RERANK WEIGHTED(2, 0.3)")
    with pytest.raises(ExecutionError, match="partition 'nope' does not exist"):
        run(session, f"SEARCH {unique_name} {legs} RERANK RRF(10) IN PARTITION nope")


def test_hybrid_in_partition(session, unique_name, data):
    make_vectors(session, unique_name, data[:1])
    client(session).delete(unique_name, filter="id >= 0")
    run(session, f"CREATE PARTITION p ON {unique_name}")
    rows = [
        {"id": i, "label": "x", "vector": data[i].tolist(), "w": data[i].tolist()} for i in range(N)
    ]
    client(session).insert(unique_name, rows[:100], partition_name="p")
    client(session).insert(unique_name, rows[100:])
    legs = f"USING vector FOR {vector_literal(data[150])}, USING w FOR {vector_literal(data[150])}"
    result = run(session, f"SEARCH {unique_name} {legs} RERANK RRF(60) IN PARTITION p LIMIT 5")
    assert len(result.rows) == 5 and all(row[1] < 100 for row in result.rows)


# --- GROUP BY and range search ----------------------------------------------------------------


@pytest.mark.parametrize("size", [1, 3])
def test_group_by_matches_brute_force(session, unique_name, data, size):
    make_vectors(session, unique_name, data)
    query = data[11] + 0.05
    result = run(
        session,
        f"SEARCH {unique_name} USING vector FOR {vector_literal(query)} "
        f"GROUP BY label SIZE {size} LIMIT 3",
    )
    assert [c.name for c in result.columns] == ["rank", "id", "distance", "label"]
    groups: dict[str, list[int]] = {}
    for i in ranking(data, query, "L2"):
        members = groups.setdefault(f"g{i % 5}", [])
        if len(members) < size:
            members.append(int(i))
    best = sorted(groups, key=lambda g: ranking(data, query, "L2").tolist().index(groups[g][0]))
    found: dict[str, list[int]] = {}
    for _, pk, _, label in result.rows:
        found.setdefault(label, []).append(pk)
    assert found == {g: groups[g] for g in best[:3]}


def test_group_by_unknown_field(session, unique_name, data):
    make_vectors(session, unique_name, data)
    with pytest.raises(ExecutionError, match="no field 'nope' to GROUP BY"):
        run(
            session,
            f"SEARCH {unique_name} USING vector FOR {vector_literal(data[0])} GROUP BY nope",
        )


@pytest.mark.parametrize(("metric", "radius", "range_filter"), [("L2", 4.0, 1.0), ("IP", 1.0, 3.0)])
def test_range_search_matches_brute_force(session, unique_name, data, metric, radius, range_filter):
    make_vectors(session, unique_name, data, metric)
    query = data[5]
    result = run(
        session,
        f"SEARCH {unique_name} USING vector FOR {vector_literal(query)} LIMIT 200 "
        f"WITH (radius = {radius}, range_filter = {range_filter})",
    )
    scores = distances(data, query, metric)
    if metric == "L2":
        inside = np.flatnonzero((scores >= range_filter) & (scores < radius))
    else:
        inside = np.flatnonzero((scores > radius) & (scores <= range_filter))
    assert sorted(row[1] for row in result.rows) == sorted(inside.tolist())
    assert inside.size > 3, "the test data should put some hits in range"


@pytest.mark.parametrize(
    ("metric", "words"),
    [("L2", "range_filter must be below radius"), ("IP", "radius must be below range_filter")],
)
def test_range_search_direction_is_checked(session, unique_name, data, metric, words):
    make_vectors(session, unique_name, data, metric)
    with pytest.raises(ExecutionError, match=words):
        run(
            session,
            f"SEARCH {unique_name} USING vector FOR {vector_literal(data[0])} "
            "WITH (radius = 2.0, range_filter = 2.0)",
        )


# --- find similar and vector files ------------------------------------------------------------


def test_for_id_and_ids_search_with_stored_vectors(session, unique_name, data):
    make_vectors(session, unique_name, data)
    result = run(session, f"SEARCH {unique_name} USING vector FOR ID 17 LIMIT 4")
    assert [row[1] for row in result.rows] == ranking(data, data[17], "L2")[:4].tolist()
    assert result.rows[0][1] == 17 and result.rows[0][2] == pytest.approx(0.0, abs=1e-6)
    several = run(session, f"SEARCH {unique_name} USING w FOR IDS (30, 12) LIMIT 3")
    assert [c.name for c in several.columns][:3] == ["query", "rank", "id"]
    stored = data[::-1]
    for number, key in enumerate((30, 12), start=1):
        expected = ranking(stored, stored[key], "IP")[:3].tolist()
        assert [row[2] for row in several.rows if row[0] == number] == expected


def test_for_ids_names_the_missing_ones(session, unique_name, data):
    make_vectors(session, unique_name, data)
    with pytest.raises(ExecutionError, match="has no entity with ids 9999, 4242"):
        run(session, f"SEARCH {unique_name} USING vector FOR IDS (3, 9999, 4242)")
    with pytest.raises(ExecutionError, match=r"has no entity with id 9999$"):
        run(session, f"SEARCH {unique_name} USING vector FOR ID 9999")


def test_vectors_from_npy_files(session, unique_name, data, lite_dir):
    make_vectors(session, unique_name, data)
    queries = data[[3, 50, 90]] + 0.01
    np.save(lite_dir / "q3.npy", queries)
    one = run(session, f"SEARCH {unique_name} USING vector FOR VECTOR FROM 'q3.npy' LIMIT 3")
    assert one.columns[0].name == "rank"
    assert [row[1] for row in one.rows] == ranking(data, queries[0], "L2")[:3].tolist()
    every = run(session, f"SEARCH {unique_name} USING vector FOR VECTORS FROM 'q3.npy' LIMIT 2")
    for number, query in enumerate(queries, start=1):
        expected = ranking(data, query, "L2")[:2].tolist()
        assert [row[2] for row in every.rows if row[0] == number] == expected
    np.save(lite_dir / "flat.npy", queries[1])
    flat = run(session, f"SEARCH {unique_name} USING vector FOR VECTORS FROM 'flat.npy' LIMIT 1")
    assert flat.rows[0][1] == 50


def test_vector_file_errors(session, unique_name, data, lite_dir):
    make_vectors(session, unique_name, data)
    with pytest.raises(ExecutionError, match=r"vector file missing\.npy not found"):
        run(session, f"SEARCH {unique_name} USING vector FOR VECTOR FROM 'missing.npy'")
    np.save(lite_dir / "dim3.npy", np.zeros((2, 3), dtype=np.float32))
    with pytest.raises(ExecutionError, match=f"vector has 3 dims, field vector expects {DIM}"):
        run(session, f"SEARCH {unique_name} USING vector FOR VECTORS FROM 'dim3.npy'")
    np.save(lite_dir / "cube.npy", np.zeros((2, 2, DIM), dtype=np.float32))
    with pytest.raises(ExecutionError, match=r"shape \(2, 2, 6\)"):
        run(session, f"SEARCH {unique_name} USING vector FOR VECTORS FROM 'cube.npy'")
    (lite_dir / "text.npy").write_text("not numpy")
    with pytest.raises(ExecutionError, match=r"cannot read text\.npy as a NumPy \.npy file"):
        run(session, f"SEARCH {unique_name} USING vector FOR VECTOR FROM 'text.npy'")


# --- windows, big reads, settings -------------------------------------------------------------


def test_search_window_is_checked_before_milvus(session, unique_name, data):
    make_vectors(session, unique_name, data)
    # Past Milvus's 16,384-hit window one query vector is read by the search iterator (its
    # results: tests/test_search_iterator.py); the 240 rows here hold no hit past OFFSET 1000.
    past = run(session, f"SEARCH {unique_name} USING vector FOR ID 1 LIMIT 16000 OFFSET 1000")
    assert past.rows == []
    with pytest.raises(ExecutionError, match=r"past 16384 hits takes one query vector, not 2"):
        run(session, f"SEARCH {unique_name} USING vector FOR IDS (1, 2) LIMIT 16000 OFFSET 1000")
    ok = run(session, f"SEARCH {unique_name} USING vector FOR ID 1 LIMIT 16384")
    assert len(ok.rows) == N


def test_select_without_limit_streams_every_row(session, unique_name):
    total = 40_000
    run(session, f"CREATE TABLE {unique_name} WITH (dimension = 2)")
    for start in range(0, total, 10_000):
        rows = [{"id": i, "vector": [float(i), 1.0]} for i in range(start, start + 10_000)]
        client(session).insert(unique_name, rows)
    session.settings.display_limit = 7
    try:
        result = run(session, f"SELECT id FROM {unique_name}")
        filtered = run(session, f"SELECT id FROM {unique_name} WHERE id >= 30000")
    finally:
        session.settings.display_limit = 10
    assert isinstance(result, Table) and result.total == total
    assert len(result.rows) == 7
    streamed = result.all_rows()
    assert not isinstance(streamed, list)
    assert sorted(row[0] for row in streamed) == list(range(total))
    assert filtered.total == 10_000 and len(filtered.rows) == 7
    assert {row[0] for row in filtered.all_rows()} == set(range(30_000, total))


def test_settings_reach_the_calls(session, unique_name, data):
    make_vectors(session, unique_name, data)
    shown = run(session, "SET consistency_level = 'strong'; SHOW SETTINGS")
    assert ("consistency_level", "Strong") in [row[:2] for row in shown.rows]
    try:
        for statement in (
            f"SEARCH {unique_name} USING vector FOR ID 1 LIMIT 2",
            f"SELECT id FROM {unique_name} LIMIT 2",
            f"SEARCH {unique_name} USING vector FOR ID 1, USING w FOR ID 1 RERANK RRF(5) LIMIT 2",
        ):
            code = run(session, f"EXPLAIN {statement}")
            assert isinstance(code, Message)
            assert "consistency_level='Strong'" in code.text, code.text
            assert len(run(session, statement).rows) == 2
    finally:
        run(session, "SET consistency_level = NULL")
    assert (
        "consistency_level"
        not in run(session, f"EXPLAIN SEARCH {unique_name} USING w FOR ID 1").text
    )
