"""RERANK CHAIN (...) on Milvus Lite: the kernel's hits equal pymilvus's own
`search(function_chains=FunctionChain(...))` on the same data (ids, scores to 1e-4) and a numpy
computation of the chain (decay, weighted combine, rounding, sort with tie-break, limit); EXPLAIN
prints the FunctionChain built op by op and code that runs to the same hits; names are checked
against the schema with the step's position; what Lite or an older server cannot run fails in
one line naming it."""

from __future__ import annotations

import numpy as np
import pytest
from admin_helpers import fails, one, server_session
from explained_code import checked_calls
from kernel_harness import collect, execute, plain_texts, running_kernel
from pymilvus import FunctionChain, FunctionChainStage, MilvusClient, MilvusException
from pymilvus.function_chain import col, fn

from milvus_kernel.engine.lookups import completion_words
from milvus_kernel.engine.search.rankers import decay_factor
from milvus_kernel.errors import KernelError
from milvus_kernel.language.completion import completion_context
from milvus_kernel.language.parser import parse_cell
from milvus_kernel.language.rules.chain import CHAIN_FUNCTIONS
from milvus_kernel.results import Message, Table

DIM = 4
N = 80
NOW = 1_700_000_000
CHAIN = (
    "RERANK CHAIN (freshness = DECAY(at, function = 'exp', origin = 1700000000, scale = 86400, "
    "offset = 0, decay = 0.5), score = COMBINE(score, freshness, popularity, mode = 'weighted', "
    "weights = (0.7, 0.2, 0.1)), score = ROUND(score, 4), ORDER BY score DESC, id, LIMIT 5)"
)


@pytest.fixture(scope="module")
def data(session):
    rng = np.random.default_rng(7)
    v = rng.random((N, DIM)).astype(np.float32)
    at = NOW - rng.integers(0, 86400 * 5, N)
    popularity = np.round(rng.random(N), 3)
    name = "chain_news"
    one(
        session,
        f"CREATE TABLE {name} (id INT64 PRIMARY KEY, at INT64, popularity DOUBLE, "
        f"title VARCHAR(32), v FLOAT_VECTOR({DIM}));"
        f"CREATE INDEX ON {name} (v) USING FLAT WITH (metric_type = 'IP')",
    )
    rows = [
        {"id": i, "at": int(at[i]), "popularity": float(popularity[i]), "title": f"news {i}"}
        | {"v": v[i].tolist()}
        for i in range(N)
    ]
    session.catalog().client.insert(name, rows)
    one(session, f"LOAD {name}")
    query = np.array([float(f"{x:.6f}") for x in rng.random(DIM)], dtype=np.float32)
    return name, v, at, popularity, query


def vector(q: np.ndarray) -> str:
    return "[" + ", ".join(f"{x:.6f}" for x in q) + "]"


def hits(table: Table) -> list[tuple[int, float]]:
    names = [c.name for c in table.columns]
    return [(row[names.index("id")], row[names.index("score")]) for row in table.rows]


def same(kernel: list[tuple[int, float]], other: list[tuple[int, float]]) -> None:
    assert [k for k, _ in kernel] == [k for k, _ in other]
    assert np.allclose([s for _, s in kernel], [s for _, s in other], atol=1e-4)


def raw_chain() -> FunctionChain:
    """The chain of pymilvus's examples/function_chain.py, written by hand."""
    combined = (col("$score"), col("freshness"), col("popularity"))
    return (
        FunctionChain(FunctionChainStage.L2_RERANK, name="fresh_popular_rerank")
        .map("freshness", fn.decay(col("at"), function="exp", origin=NOW, scale=86400))
        .map("$score", fn.num_combine(*combined, mode="weighted", weights=[0.7, 0.2, 0.1]))
        .map("$score", fn.round_decimal(col("$score"), decimal=4))
        .sort(col("$score"), desc=True, tie_break_col=col("$id"))
        .limit(5)
    )


def numpy_chain(v, at, popularity, q, candidates: int) -> list[tuple[int, float]]:
    similarity = v @ q
    top = np.argsort(-similarity, kind="stable")[:candidates]
    scored = []
    for i in top:
        freshness = decay_factor("exp", float(at[i]), NOW, 86400, 0, 0.5)
        score = 0.7 * float(similarity[i]) + 0.2 * freshness + 0.1 * float(popularity[i])
        scored.append((int(i), round(score, 4)))
    scored.sort(key=lambda pair: (-pair[1], pair[0]))
    return scored[:5]


def test_the_chain_equals_pymilvus_and_numpy(session, data):
    name, v, at, popularity, q = data
    result = one(session, f"SEARCH {name} FOR {vector(q)} LIMIT 20 {CHAIN} RETURN title")
    assert [c.name for c in result.columns] == ["rank", "id", "score", "title"]
    assert [row[0] for row in result.rows] == [1, 2, 3, 4, 5]
    kernel = hits(result)
    client = session.catalog().client
    raw = client.search(
        name, [q.tolist()], anns_field="v", limit=20, output_fields=["title"],
        function_chains=raw_chain(),
    )[0]  # fmt: skip
    same(kernel, [(h["id"], h["distance"]) for h in raw])
    same(kernel, numpy_chain(v, at, popularity, q, 20))
    assert [row[3] for row in result.rows] == [f"news {i}" for i, _ in kernel]


def test_explain_builds_the_chain_op_by_op_and_its_code_runs(session, data):
    name, *_, q = data
    statement = f"SEARCH {name} FOR {vector(q)} LIMIT 20 {CHAIN}"
    code = one(session, "EXPLAIN " + statement).text
    assert "from pymilvus.function_chain import col, fn" in code
    assert "FunctionChain(FunctionChainStage.L2_RERANK, name='rerank_chain')" in code
    assert ".map('freshness', fn.decay(\n        col('at'),\n        function='exp'," in code
    assert ".sort(col('$score'), desc=True, tie_break_col=col('$id'))" in code
    assert "function_chains=chain" in code
    assert [method for method, _, _ in checked_calls(code)][-1] == "search"
    namespace: dict = {}
    exec(compile(code, "<explain>", "exec"), namespace)
    same(hits(one(session, statement)), [(h["id"], h["distance"]) for h in namespace["result"][0]])


def test_ascending_order_offset_and_sum(session, data):
    """ORDER BY without DESC is ascending, as in SQL; LIMIT ... OFFSET skips (ranks count it)."""
    name, v, at, _, q = data
    statement = (
        f"SEARCH {name} FOR {vector(q)} LIMIT 10 RERANK CHAIN (score = COMBINE(score, at, "
        "mode = 'sum'), ORDER BY score, LIMIT 3 OFFSET 2)"
    )
    result = one(session, statement)
    assert [row[0] for row in result.rows] == [3, 4, 5]
    similarity = v @ q
    top = np.argsort(-similarity, kind="stable")[:10]
    expected = sorted(((int(i), float(similarity[i]) + float(at[i])) for i in top),
                      key=lambda pair: pair[1])[2:5]  # fmt: skip
    assert [k for k, _ in hits(result)] == [k for k, _ in expected]
    assert np.allclose([s for _, s in hits(result)], [s for _, s in expected], rtol=1e-6)


@pytest.mark.parametrize(
    ("chain", "message"),
    [
        ("f = DECAY(atx, function = 'exp', origin = 0, scale = 1)",
         "step 1 (line 1, column 68): 'atx' is neither an earlier step nor a field"),
        ("score = COMBINE(score, title)", "title is VARCHAR(32); it needs a numeric field"),
        ("at = ROUND(score, 2)", "at is a field of 'chain_news'"),
        ("id = ROUND(score, 2)", "the key id cannot be rewritten"),
        ("score = ROUND(score, 9)", "round_decimal decimal must be an integer in [0, 6]"),
        ("score = COMBINE(score, at, mode = 'weighted')", "requires weights"),
        ("score = DECAY(at, function = 'exp', origin = 0, scale = 1, speed = 2)",
         "DECAY does not take"),
        ("score = XGBOOST(at, popularity, model_resource = 'ranker')",
         "XGBOOST(...) is not supported by Milvus Lite"),
        ("score = MODEL(title, queries = ('x'), provider = 'tei')",
         "provider 'tei' is not supported by Milvus Lite"),
    ],
)  # fmt: skip
def test_bad_steps_fail_in_one_line(session, data, chain, message):
    name, *_ = data
    error = fails(session, f"SEARCH {name} FOR [1, 0, 0, 0] LIMIT 5 RERANK CHAIN ({chain})")
    assert message in error and "\n" not in error.strip()


@pytest.mark.parametrize(
    ("cell", "message"),
    [
        ("SEARCH t FOR [1] RERANK CHAIN (score = CUBE(score))", "unknown chain function CUBE"),
        ("SEARCH t FOR [1] RERANK CHAIN (id, LIMIT 2)", "'id' is not a step"),
        ("SEARCH t FOR [1] RERANK CHAIN (ORDER BY score, id DESC)", "tie-break key is sorted"),
        ("SEARCH t USING a FOR [1], USING b FOR [1] RERANK CHAIN (LIMIT 2)",
         "RERANK CHAIN reranks one search"),
    ],
)  # fmt: skip
def test_parse_errors_have_a_position(cell, message):
    """Errors the statement shows by itself are syntax errors, with a line, column and caret."""
    with pytest.raises(KernelError) as raised:
        parse_cell(cell)
    assert message in raised.value.render() and "column" in raised.value.render()


def test_xgboost_explain_is_valid_pymilvus(session, data):
    """XGBOOST needs a model file resource on a Milvus 3.0 server: EXPLAIN prints an L0 chain
    whose calls bind to pymilvus's signatures (run here: building it checks fn.xgboost)."""
    name, *_ = data
    statement = (
        f"SEARCH {name} FOR [1, 0, 0, 0] LIMIT 50 RERANK CHAIN (score = XGBOOST(at, popularity, "
        "model_resource = 'ranker', output = 'raw'))"
    )
    result = one(session, "EXPLAIN " + statement)
    assert isinstance(result, Message)
    code = result.text
    assert "FunctionChainStage.L0_RERANK" in code
    assert "fn.xgboost(col('at'), col('popularity'), model_resource='ranker', output='raw')" in code
    method, _, kwargs = checked_calls(code)[-1]
    assert method == "search" and isinstance(kwargs["function_chains"], FunctionChain)


def test_an_older_server_is_refused_naming_it(milvus_server, tmp_path):
    """Milvus 2.3.5 knows no function_chains: pymilvus's own call there comes back unreranked
    (silently wrong), so the kernel refuses in one line naming the server."""
    with server_session(milvus_server, tmp_path) as session:
        one(
            session,
            "CREATE TABLE chain_old (id INT64 PRIMARY KEY, at INT64, v FLOAT_VECTOR(2));"
            "CREATE INDEX ON chain_old (v) USING FLAT WITH (metric_type = 'IP');"
            "INSERT INTO chain_old VALUES (1, 5, [1, 0]), (2, 500, [0.5, 0]); LOAD chain_old",
        )
        client = MilvusClient(milvus_server.uri, token=milvus_server.token or "")
        chain = (
            FunctionChain(FunctionChainStage.L2_RERANK)
            .map("$score", fn.num_combine(col("$score"), col("at"), mode="sum"))
            .sort(col("$score"), desc=True)
        )
        raw = client.search(
            "chain_old", [[1.0, 0.0]], anns_field="v", limit=2, function_chains=chain,
            consistency_level="Strong",
        )[0]  # fmt: skip
        assert [h["id"] for h in raw] == [1, 2]  # 2 would come first (0.5 + 500 > 1 + 5)
        error = fails(
            session,
            "SEARCH chain_old FOR [1, 0] LIMIT 2 RERANK CHAIN (score = COMBINE(score, at), "
            "ORDER BY score DESC)",
        )
        assert "RERANK CHAIN is not supported by Milvus v2.3.5" in error and "(3.0+" in error
        assert "\n" not in error.strip()
        code = one(session, "EXPLAIN SEARCH chain_old FOR [1, 0] RERANK CHAIN (LIMIT 1)").text
        assert "function_chains=chain" in code
        one(session, "DROP TABLE chain_old")


@pytest.mark.parametrize(
    ("code", "words"),
    [
        ("SEARCH t FOR [1] RERANK CH", [("CHAIN", "ranker")]),
        ("SEARCH t FOR [1] RERANK CHAIN (f = DECAY(at, scale = 2), score = CO",
         [("COMBINE", "chain function")]),
        ("SEARCH t FOR [1] RERANK CHAIN (score = ", None),
    ],
)  # fmt: skip
def test_tab_offers_chain_and_its_functions(code, words):
    context = completion_context(code, len(code))
    assert context.vocabulary is not None
    found = completion_words(context.vocabulary, context.prefix)
    assert found == (words or [(f, "chain function") for f in CHAIN_FUNCTIONS])


def test_tab_offers_no_ranker_inside_a_chain():
    code = "SEARCH t FOR [1] RERANK CHAIN (f = DECAY(at, scale = 2), "
    assert completion_context(code, len(code)).vocabulary is None


def test_help_shows_the_chain(session):
    text = one(session, "HELP RERANK CHAIN").text
    assert "FunctionChain" in text and "ORDER BY a [ASC | DESC] [, tie_break_key]" in text
    assert one(session, "HELP XGBOOST").text == text


def test_each_query_vector_is_reranked_on_its_own(session, data):
    name, v, at, popularity, q = data
    other = np.array([float(f"{x:.6f}") for x in q[::-1]], dtype=np.float32)
    statement = f"SEARCH {name} FOR [{vector(q)}, {vector(other)}] LIMIT 20 {CHAIN}"
    result = one(session, statement)
    names = [c.name for c in result.columns]
    assert names[:3] == ["query", "rank", "id"]
    for number, query in ((1, q), (2, other)):
        mine = [(r[2], r[3]) for r in result.rows if r[0] == number]
        same(mine, numpy_chain(v, at, popularity, query, 20))


def test_lite_itself_refuses_an_xgboost_chain(session, data):
    """Why the kernel refuses XGBOOST on Lite before sending: Lite runs L2-stage chains only."""
    name, *_ = data
    chain = FunctionChain(FunctionChainStage.L0_RERANK).map(
        "$score", fn.xgboost(col("at"), model_resource="ranker")
    )
    with pytest.raises(MilvusException, match="L0Rerank is not supported"):
        session.catalog().client.search(
            name, [[1.0, 0.0, 0.0, 0.0]], anns_field="v", limit=3, function_chains=chain
        )


def test_a_chain_past_the_search_window_is_refused(session, data):
    name, *_ = data
    error = fails(session, f"SEARCH {name} FOR [1, 0, 0, 0] LIMIT 20000 RERANK CHAIN (LIMIT 5)")
    assert "RERANK CHAIN reranks at most 16384 hits" in error


def test_through_a_real_kernel(tmp_path):
    """A user's cell in the Jupyter kernel: the chain's hits equal numpy's, and Tab inside the
    chain offers its functions (complete_request)."""
    rng = np.random.default_rng(3)
    v = np.round(rng.random((12, 2)), 3)
    at = rng.integers(0, 100, 12)
    values = ", ".join(f"({i}, {at[i]}, [{v[i][0]}, {v[i][1]}])" for i in range(12))
    cell = (
        "CREATE TABLE k (id INT64 PRIMARY KEY, at INT64, v FLOAT_VECTOR(2));"
        "CREATE INDEX ON k (v) USING FLAT WITH (metric_type = 'IP');"
        f"INSERT INTO k VALUES {values};"
        "SEARCH k FOR [0.6, 0.4] LIMIT 8 RERANK CHAIN (f = DECAY(at, function = 'gauss', "
        "origin = 50, scale = 25), score = COMBINE(score, f, mode = 'multiply'), "
        "ORDER BY score DESC, LIMIT 4)"
    )
    similarity = v @ np.array([0.6, 0.4])
    top = np.argsort(-similarity, kind="stable")[:8]
    scored = [(int(i), similarity[i] * decay_factor("gauss", at[i], 50, 25, 0, 0.5)) for i in top]
    expected = sorted(scored, key=lambda pair: -pair[1])[:4]
    with running_kernel(tmp_path) as (_km, kc):
        reply, outputs = execute(kc, cell)
        assert reply["status"] == "ok", outputs
        table = plain_texts(outputs)[-1].splitlines()
        rows = [line.split("|") for line in table[3:-1]]
        assert [int(r[1]) for r in rows] == [i for i, _ in expected]
        assert np.allclose([float(r[2]) for r in rows], [s for _, s in expected], atol=1e-4)
        code = "SEARCH k FOR [0.6, 0.4] RERANK CHAIN (f = DE"
        completed, _ = collect(kc, kc.complete(code, len(code)))
        assert "DECAY" in completed["matches"]
