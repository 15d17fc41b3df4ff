"""RERANK DECAY / BOOST / MODEL on Milvus Lite: the kernel's hits equal pymilvus's own calls with
the same `Function` (ids, scores to 1e-4) and a numpy computation of the formula; a hybrid
search's chain (RRF, then DECAY / BOOST in the kernel) equals RRF's fused scores rescored in numpy;
EXPLAIN prints code that pymilvus runs to the same hits; what cannot run fails in one line."""

from __future__ import annotations

import math

import numpy as np
import pytest
from admin_helpers import fails, one
from pymilvus import AnnSearchRequest, Function, FunctionType, RRFRanker

from milvus_kernel.engine.lookups import completion_words
from milvus_kernel.engine.search.rankers import decay_factor
from milvus_kernel.language.completion import completion_context
from milvus_kernel.results import Message, Table

DIM = 4
N = 60


@pytest.fixture(scope="module")
def data(session):
    rng = np.random.default_rng(11)
    v = rng.random((N, DIM)).astype(np.float32)
    w = rng.random((N, DIM)).astype(np.float32)
    at = rng.integers(0, 100, N)
    name = "rerank_docs"
    one(
        session,
        f"CREATE TABLE {name} (id INT64 PRIMARY KEY, at INT64, label VARCHAR(8), "
        f"v FLOAT_VECTOR({DIM}), w FLOAT_VECTOR({DIM}));"
        f"CREATE INDEX ON {name} (v) USING FLAT WITH (metric_type = 'IP');"
        f"CREATE INDEX ON {name} (w) USING FLAT WITH (metric_type = 'L2')",
    )
    rows = [
        {"id": i, "at": int(at[i]), "label": "red" if i % 3 == 0 else "blue"}
        | {"v": v[i].tolist(), "w": w[i].tolist()}
        for i in range(N)
    ]
    session.catalog().client.insert(name, rows)
    one(session, f"LOAD {name}")
    query = rng.random(DIM).astype(np.float32)
    return name, v, w, at, query


def hits(table: Table) -> list[tuple[int, float]]:
    names = [c.name for c in table.columns]
    key, score = names.index("id"), names.index(table.columns[2].name)
    return [(row[key], row[score]) for row in table.rows]


def same(kernel: list[tuple[int, float]], raw: list[tuple[int, float]]) -> None:
    assert [k for k, _ in kernel] == [k for k, _ in raw]
    assert np.allclose([s for _, s in kernel], [s for _, s in raw], atol=1e-4)


def vector(q: np.ndarray) -> str:
    return "[" + ", ".join(f"{x:.8f}" for x in q) + "]"


@pytest.mark.parametrize("kind", ["gauss", "exp", "linear"])
def test_decay_equals_pymilvus_and_the_formula(session, data, kind):
    name, v, _, at, q = data
    q = np.array([float(f"{x:.8f}") for x in q], dtype=np.float32)
    args = {"origin": 50, "scale": 20, "offset": 5, "decay": 0.5}
    statement = (
        f"SEARCH {name} USING v FOR {vector(q)} RERANK DECAY(field = 'at', function = '{kind}', "
        "origin = 50, scale = 20, offset = 5, decay = 0.5) LIMIT 8"
    )
    kernel = hits(one(session, statement))
    ranker = Function(
        name="d",
        function_type=FunctionType.RERANK,
        input_field_names=["at"],
        params={"reranker": "decay", "function": kind, **args},
    )
    client = session.catalog().client
    raw = client.search(name, [q.tolist()], anns_field="v", limit=8, ranker=ranker)[0]
    same(kernel, [(h["id"], h["distance"]) for h in raw])
    scores = v @ q * np.array([decay_factor(kind, float(a), **args) for a in at])
    best = np.argsort(-scores, kind="stable")[:8]
    same(kernel, [(int(i), float(scores[i])) for i in best])


def test_decay_factor_is_milvus_formula():
    assert decay_factor("gauss", 30, 0, 30, 0, 0.5) == pytest.approx(0.5)
    assert decay_factor("exp", 10, 0, 10, 0, 0.25) == pytest.approx(0.25)
    assert decay_factor("linear", 15, 0, 10, 5, 0.5) == pytest.approx(0.5)
    assert decay_factor("linear", 100, 0, 10, 0, 0.5) == 0.0
    assert decay_factor("gauss", 3, 0, 10, 5, 0.5) == 1.0
    assert decay_factor("gauss", 20, 0, 10, 0, 0.5) == pytest.approx(math.exp(4 * math.log(0.5)))


def test_boost_equals_pymilvus_and_numpy(session, data):
    name, v, _, _, q = data
    q = np.array([float(f"{x:.8f}") for x in q], dtype=np.float32)
    statement = (
        f"SEARCH {name} USING v FOR {vector(q)} RERANK BOOST(WHERE label = 'red', weight = 3.0) "
        "RETURN label LIMIT 10"
    )
    kernel = hits(one(session, statement))
    ranker = Function(
        name="b",
        function_type=FunctionType.RERANK,
        input_field_names=[],
        params={"reranker": "boost", "filter": '(label == "red")', "weight": 3.0},
    )
    raw = session.catalog().client.search(
        name, [q.tolist()], anns_field="v", limit=10, ranker=ranker
    )
    same(kernel, [(h["id"], h["distance"]) for h in raw[0]])
    scores = (v @ q) * np.where(np.arange(N) % 3 == 0, 3.0, 1.0)
    best = np.argsort(-scores, kind="stable")[:10]
    same(kernel, [(int(i), float(scores[i])) for i in best])


def test_a_chain_on_one_search_is_a_function_score(session, data):
    name, *_, q = data
    q = np.array([float(f"{x:.8f}") for x in q], dtype=np.float32)
    statement = (
        f"SEARCH {name} USING v FOR {vector(q)} RERANK DECAY(field = 'at', function = 'exp', "
        "origin = 0, scale = 50), BOOST(WHERE label = 'red', weight = 2.0) LIMIT 6"
    )
    kernel = hits(one(session, statement))
    code = one(session, "EXPLAIN " + statement).text
    assert "FunctionScore([ranker, ranker_2])" in code
    namespace: dict = {}
    exec(compile(code, "<explain>", "exec"), namespace)
    same(kernel, [(h["id"], h["distance"]) for h in namespace["result"][0]])


def test_hybrid_decay_ranker_equals_pymilvus(session, data):
    name, _, _, _, q = data
    q = np.array([float(f"{x:.8f}") for x in q], dtype=np.float32)
    statement = (
        f"SEARCH {name} USING v FOR {vector(q)} LIMIT 20, USING w FOR {vector(q)} LIMIT 20 "
        "RERANK DECAY(field = 'at', function = 'gauss', origin = 10, scale = 30) LIMIT 7"
    )
    kernel = hits(one(session, statement))
    ranker = Function(
        name="d",
        function_type=FunctionType.RERANK,
        input_field_names=["at"],
        params={"reranker": "decay", "function": "gauss", "origin": 10, "scale": 30},
    )
    reqs = [
        AnnSearchRequest([q.tolist()], "v", {"metric_type": "IP"}, 20),
        AnnSearchRequest([q.tolist()], "w", {"metric_type": "L2"}, 20),
    ]
    raw = session.catalog().client.hybrid_search(name, reqs, ranker=ranker, limit=7)[0]
    same(kernel, [(h["id"], h["distance"]) for h in raw])


def test_hybrid_chain_rescores_rrf_in_the_kernel(session, data):
    name, _, _, at, q = data
    q = np.array([float(f"{x:.8f}") for x in q], dtype=np.float32)
    legs = f"SEARCH {name} USING v FOR {vector(q)} LIMIT 15, USING w FOR {vector(q)} LIMIT 15"
    statement = (
        f"{legs} RERANK RRF(60), DECAY(field = 'at', function = 'linear', origin = 0, "
        "scale = 100, decay = 0.2), BOOST(WHERE label = 'red', weight = 1.5) LIMIT 5 OFFSET 2"
    )
    result = one(session, statement)
    assert "fused by RRF, then DECAY, then BOOST" in result.metric
    reqs = [
        AnnSearchRequest([q.tolist()], "v", {"metric_type": "IP"}, 15),
        AnnSearchRequest([q.tolist()], "w", {"metric_type": "L2"}, 15),
    ]
    fused = session.catalog().client.hybrid_search(name, reqs, ranker=RRFRanker(60), limit=30)[0]
    expected = []
    for hit in fused:
        i = hit["id"]
        factor = max(0.0, 1 - 0.8 * at[i] / 100) * (1.5 if i % 3 == 0 else 1.0)
        expected.append((i, hit["distance"] * factor))
    expected.sort(key=lambda pair: -pair[1])
    same(hits(result), expected[2:7])


def test_explain_prints_function_code_that_runs(session, data):
    name, _, _, _, q = data
    statement = (
        f"SEARCH {name} USING v FOR {vector(q)} RERANK DECAY(field = 'at', function = 'gauss', "
        "origin = 0, scale = 10) LIMIT 3"
    )
    code = one(session, "EXPLAIN " + statement).text
    assert "ranker = Function(" in code and "FunctionType.RERANK" in code
    assert "ranker=ranker" in code
    namespace: dict = {}
    exec(compile(code, "<explain>", "exec"), namespace)
    same(hits(one(session, statement)), [(h["id"], h["distance"]) for h in namespace["result"][0]])


@pytest.mark.parametrize(
    ("ranker", "message"),
    [
        ("DECAY(function = 'gauss', origin = 0, scale = 1)", "DECAY needs field ="),
        ("DECAY(field = 'label', function = 'gauss', origin = 0, scale = 1)", "numeric field"),
        ("DECAY(field = 'at', function = 'cubic', origin = 0, scale = 1)", "'gauss', 'exp'"),
        ("DECAY(field = 'at', function = 'exp', origin = 0, scale = 0)", "scale must be above 0"),
        ("DECAY(field = 'at', function = 'exp', origin = 0, scale = 1, decay = 1)", "decay must"),
        ("BOOST(WHERE label = 'red')", "BOOST needs weight"),
        (
            "MODEL(field = 'label', provider = 'tei', queries = ('x'))",
            "not supported by Milvus Lite",
        ),
    ],
)
def test_bad_rankers_fail_in_one_line(session, data, ranker, message):
    name, *_ = data
    error = fails(session, f"SEARCH {name} USING v FOR [1, 0, 0, 0] RERANK {ranker} LIMIT 3")
    assert message in error and "\n" not in error.strip()


def test_a_fusing_ranker_after_the_first_is_refused(session, data):
    name, *_ = data
    legs = f"SEARCH {name} USING v FOR [1, 0, 0, 0], USING w FOR [1, 0, 0, 0]"
    error = fails(session, f"{legs} RERANK DECAY(field = 'at', function = 'exp', origin = 0, "
                  "scale = 5), RRF(60) LIMIT 3")  # fmt: skip
    assert "can only be the first ranker" in error


def test_model_explain_is_valid_pymilvus(session, data):
    """MODEL needs a reranking service: EXPLAIN prints its Function, whose keywords pymilvus
    takes (built here); running it on Lite (no 'tei') is refused in one line above."""
    name, *_ = data
    statement = (
        f"SEARCH {name} USING v FOR [1, 0, 0, 0] RERANK MODEL(field = 'label', provider = 'tei', "
        "endpoint = 'http://127.0.0.1:9', queries = ('red things')) LIMIT 3"
    )
    result = one(session, "EXPLAIN " + statement)
    assert isinstance(result, Message)
    assert "'provider': 'tei'" in result.text and "'queries': ['red things']" in result.text


def test_boost_on_a_distance_is_refused_on_lite(session, data):
    """Lite 3.2.2 multiplies an L2 distance by BOOST's weight twice (pymilvus's own call shows
    it): the kernel refuses rather than pass a wrong ranking on."""
    name, _, w, _, q = data
    client = session.catalog().client
    ranker = Function(
        name="b",
        function_type=FunctionType.RERANK,
        input_field_names=[],
        params={"reranker": "boost", "weight": 0.5},
    )
    raw = client.search(name, [q.tolist()], anns_field="w", limit=1, ranker=ranker)[0][0]
    distance = float(((w[raw["id"]] - q) ** 2).sum())
    assert raw["distance"] == pytest.approx(distance * 0.25, rel=1e-4)  # the weight, squared
    error = fails(session, f"SEARCH {name} USING w FOR {vector(q)} RERANK BOOST(weight = 0.5)")
    assert "RERANK BOOST on an L2 search is not supported by Milvus Lite" in error


def test_boost_cannot_fuse_hybrid_legs(session, data):
    """Lite fuses such a search by RRF without saying so: the kernel asks for a fusing ranker."""
    name, *_ = data
    legs = f"SEARCH {name} USING v FOR [1, 0, 0, 0], USING w FOR [1, 0, 0, 0]"
    error = fails(session, f"{legs} RERANK BOOST(weight = 2) LIMIT 3")
    assert "BOOST does not fuse the legs of a hybrid search" in error


@pytest.mark.parametrize(
    "code",
    ["SEARCH t FOR [1] RERANK ", "SEARCH t USING a FOR [1], USING b FOR [1] RERANK RRF(60), "],
)
def test_tab_after_rerank_offers_the_rankers(code):
    context = completion_context(code + "DE", len(code) + 2)
    assert context.vocabulary is not None and context.vocabulary.kind == "ranker"
    assert completion_words(context.vocabulary, context.prefix) == [("DECAY", "ranker")]
