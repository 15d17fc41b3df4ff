"""EXPLAIN prints pymilvus code that runs: executed here, it gives what the statement gives.

The printed script is run with `exec` in this process (Milvus Lite serves the same .db to a second
client); its `result` / `found` / `rows` are compared with the statement's own result. EXPLAIN
itself changes no data, and never prints a secret.
"""

from __future__ import annotations

import re

import numpy as np
import pytest

from milvus_kernel.engine.connection.targets import Target
from milvus_kernel.engine.tools.explain import client_line
from milvus_kernel.errors import ExecutionError
from milvus_kernel.frontends.runner import run_cell
from milvus_kernel.results import Message

DIM = 4


def run(session, code: str):
    return list(run_cell(session, code))[-1]


def explain(session, statement: str) -> str:
    result = run(session, f"EXPLAIN {statement}")
    assert isinstance(result, Message)
    assert (
        result.text.startswith("from pymilvus import MilvusClient")
        or "import" in (result.text.splitlines()[0])
    )
    return result.text


def execute(code: str) -> dict:
    """Run a printed script (Lite: its uri is the real path, nothing masked to put back)."""
    namespace: dict = {}
    exec(compile(code, "<explain>", "exec"), namespace)
    return namespace


def ids(hits) -> list:
    return [hit["id"] for hit in hits]


@pytest.fixture
def docs(session, unique_name):
    rng = np.random.default_rng(5)
    run(
        session,
        f"CREATE TABLE {unique_name} (id INT64 PRIMARY KEY, label VARCHAR(8), "
        f"body VARCHAR(200) ANALYZER, vector FLOAT_VECTOR({DIM}), "
        f"body_bm25 SPARSE_FLOAT_VECTOR GENERATED ALWAYS AS BM25(body));"
        f"CREATE INDEX ON {unique_name} (vector) USING FLAT WITH (metric_type = 'L2');"
        f"CREATE INDEX ON {unique_name} (body_bm25)",
    )
    words = ["hnsw", "index", "pasta", "vector", "search", "tuning"]
    rows = [
        {
            "id": i,
            "label": f"l{i % 3}",
            "body": " ".join(rng.choice(words, size=4)),
            "vector": rng.normal(size=DIM).tolist(),
        }
        for i in range(60)
    ]
    session.catalog().client.insert(unique_name, rows)
    return unique_name


def test_search_code_gives_the_same_hits(session, docs):
    statement = (
        f"SEARCH {docs} FOR [0.1, 0.2, 0.3, 0.4] WHERE label <> 'l1' RETURN label LIMIT 5 "
        "WITH (metric_type = 'L2')"
    )
    code = explain(session, statement)
    assert "client.search(" in code and 'label != "l1"' in code.replace("'", '"')
    table = run(session, statement)
    hits = execute(code)["result"][0]
    assert [row[1] for row in table.rows] == ids(hits)
    assert [row[2] for row in table.rows] == pytest.approx([h["distance"] for h in hits])
    assert [row[3] for row in table.rows] == [h["entity"]["label"] for h in hits]


def test_find_similar_code_fetches_the_vectors(session, docs):
    statement = f"SEARCH {docs} FOR IDS (4, 9) LIMIT 3"
    code = explain(session, statement)
    assert re.search(r"found = client\.get\(", code) and "vectors[4], vectors[9]" in code
    table = run(session, statement)
    results = execute(code)["result"]
    assert [row[2] for row in table.rows] == ids(results[0]) + ids(results[1])


def test_vector_file_code_loads_the_file(session, docs, lite_dir):
    np.save(lite_dir / "explain_q.npy", np.eye(DIM, dtype=np.float32)[:2])
    statement = f"SEARCH {docs} FOR VECTORS FROM 'explain_q.npy' LIMIT 2"
    code = explain(session, statement)
    assert "import numpy as np" in code and "np.load(" in code
    table = run(session, statement)
    results = execute(code)["result"]
    assert [row[2] for row in table.rows] == ids(results[0]) + ids(results[1])


def test_text_and_hybrid_code(session, docs):
    text = f"SEARCH {docs} TEXT 'hnsw tuning' LIMIT 4"
    table = run(session, text)
    assert [row[1] for row in table.rows] == ids(execute(explain(session, text))["result"][0])
    hybrid = (
        f"SEARCH {docs} USING vector FOR [0.1, 0.2, 0.3, 0.4] LIMIT 10, "
        f"USING body_bm25 TEXT 'pasta' WHERE id < 40 LIMIT 10 RERANK WEIGHTED(0.4, 0.6) "
        "RETURN label LIMIT 5"
    )
    code = explain(session, hybrid)
    assert "AnnSearchRequest(" in code and "WeightedRanker(0.4, 0.6)" in code
    hits = execute(code)["result"][0]
    table = run(session, hybrid)
    assert [row[1] for row in table.rows] == ids(hits)
    assert [row[2] for row in table.rows] == pytest.approx([h["distance"] for h in hits])


def test_select_code(session, docs):
    limited = f"SELECT id, label FROM {docs} WHERE id >= 50 LIMIT 4"
    table = run(session, limited)
    rows = execute(explain(session, limited))["result"]
    assert [tuple(r.values()) for r in rows] == [tuple(r) for r in table.rows]
    everything = f"SELECT id FROM {docs} WHERE label = 'l2'"
    code = explain(session, everything)
    assert "query_iterator(" in code and "count(*)" in code
    table = run(session, everything)
    namespace = execute(code)
    assert sorted(r["id"] for r in namespace["rows"]) == sorted(r[0] for r in table.all_rows())
    count = execute(explain(session, f"SELECT COUNT(*) FROM {docs}"))["result"]
    assert count[0]["count(*)"] == 60


def test_long_vectors_go_into_a_variable(session, unique_name):
    dim = 96
    run(session, f"CREATE TABLE {unique_name} WITH (dimension = {dim}, metric_type = 'IP')")
    vectors = np.random.default_rng(1).normal(size=(20, dim))
    session.catalog().client.insert(
        unique_name, [{"id": i, "vector": v.tolist()} for i, v in enumerate(vectors)]
    )
    query = "[" + ", ".join(repr(float(x)) for x in vectors[7]) + "]"
    statement = f"SEARCH {unique_name} FOR {query} LIMIT 3"
    code = explain(session, statement)
    assert re.search(r"^data = \[\[", code, re.MULTILINE) and "data=data" in code
    assert max(len(line) for line in code.splitlines()) <= 100
    hits = execute(code)["result"][0]
    assert [row[1] for row in run(session, statement).rows] == ids(hits)


def test_schema_and_index_code_build_the_same_things(session, unique_name):
    columns = (
        "(id INT64 PRIMARY KEY AUTO_ID, label VARCHAR(20) NOT NULL DEFAULT 'x', n INT32, "
        "tags ARRAY<VARCHAR(8)>(4), body VARCHAR(300) ANALYZER MATCH, v FLOAT_VECTOR(8), "
        "bm SPARSE_FLOAT_VECTOR GENERATED ALWAYS AS BM25(body)) WITH (dynamic_field = true)"
    )
    copy = unique_name + "_code"
    code = explain(session, f"CREATE TABLE {copy} {columns}")
    assert not session.catalog().exists(copy), "EXPLAIN must not create anything"
    execute(code)
    run(session, f"CREATE TABLE {unique_name} {columns}")
    mine, theirs = run(session, f"DESCRIBE {unique_name}"), run(session, f"DESCRIBE {copy}")
    assert mine.rows == theirs.rows and mine.note == theirs.note
    index = f"CREATE INDEX ON {copy} (v) USING IVF_FLAT WITH (metric_type = 'IP', nlist = 32)"
    execute(explain(session, index))
    described = session.catalog().client.describe_index(copy, "v")
    assert (described["index_type"], described["metric_type"]) == ("IVF_FLAT", "IP")
    assert str(described["params"]["nlist"] if "params" in described else described["nlist"]) == (
        "32"
    )


def test_writes_are_explained_not_done(session, docs):
    count = f"SELECT COUNT(*) FROM {docs}"
    insert = f"INSERT INTO {docs} (id, label, body, vector) VALUES (100, 'new', 'x', [1, 2, 3, 4])"
    code = explain(session, insert)
    assert run(session, count).rows == [(60,)]
    execute(code)
    assert run(session, count).rows == [(61,)]
    delete = f"DELETE FROM {docs} WHERE id >= 50"
    code = explain(session, delete)
    assert "client.delete(" in code and run(session, count).rows == [(61,)]
    execute(code)
    assert run(session, count).rows == [(50,)]
    code = explain(session, f"DROP TABLE {docs}")
    assert "drop_collection" in code and session.catalog().exists(docs)


def test_statements_without_milvus_calls_and_errors(session):
    assert "makes no MilvusClient call" in run(session, "EXPLAIN SET display_limit = 3").text
    assert session.settings.display_limit == 10
    assert "makes no MilvusClient call" in run(session, "EXPLAIN HELP SEARCH").text
    with pytest.raises(ExecutionError, match="collection 'nowhere' does not exist"):
        run(session, "EXPLAIN SEARCH nowhere FOR [1.0]")


def test_credentials_are_masked():
    line = client_line(
        Target(uri="http://alice:pw-in-uri@host:19530", token="root:T0k3n-secret", database="d")
    )
    assert "T0k3n-secret" not in line and "pw-in-uri" not in line
    assert line == "client = MilvusClient(uri='http://alice:***@host:19530', token=\"***\", " + (
        "db_name='d')"
    )
    line = client_line(Target(uri="http://host:19530", user="bob", password="Pa55-word"))
    assert "Pa55-word" not in line and 'password="***"' in line and "user='bob'" in line
