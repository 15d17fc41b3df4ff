"""EMBED fields: text becomes vectors inside the language, with a tiny local model (no download).

A sentence-transformers model built in a temporary folder (tests/tiny_model.py) is loaded by
path, through the same code a model name goes through. The vectors INSERT stores (VALUES, a
Parquet file, a DataFrame) equal the model's own `encode` of the texts; `SEARCH t TEXT '...'`,
`EMBEDDED BY` and `ORDER BY v <=> EMBED('...')` find the hits a numpy brute force finds over
those embeddings, through the real kernel; the binding survives a kernel restart.
"""

from __future__ import annotations

import json
import sys
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import numpy as np
import pytest
from kernel_harness import execute, running_kernel

pytest.importorskip("sentence_transformers")
pd = pytest.importorskip("pandas")
pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")

import tiny_model  # noqa: E402

from milvus_kernel.engine.session import Session  # noqa: E402
from milvus_kernel.frontends.magic import MilvusMagicError, run_magic  # noqa: E402

DATARESOURCE = "application/vnd.dataresource+json"
RNG = np.random.default_rng(4)
TEXTS = [" ".join(RNG.choice(tiny_model.WORDS, size=5)) for _ in range(60)]
QUERY = "a cat sleeping on the mat"
DOCS = Path(__file__).resolve().parents[1] / "docs"


@pytest.fixture(scope="module")
def model_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tiny_model.build(tmp_path_factory.mktemp("tiny-model"))


@pytest.fixture(scope="module")
def encode(model_path: Path):
    from sentence_transformers import SentenceTransformer

    model = SentenceTransformer(str(model_path), device="cpu")
    return lambda texts: model.encode(list(texts), convert_to_numpy=True).astype(np.float32)


def create(model_path: Path, table: str = "notes") -> str:
    return (
        f"CREATE TABLE {table} (id INT64 PRIMARY KEY, body VARCHAR(200), "
        f"vector FLOAT_VECTOR({tiny_model.DIM}) EMBED(body) USING "
        f"'sentence-transformers:{model_path}')"
    )


def magic(session: Session, code: str, **params):
    shown: list = []
    last = run_magic(session, code, params, shown.append)
    return last, [bundle["text/plain"] for bundle in shown]


def stored(session: Session, table: str) -> dict:
    client = session.catalog().client
    client.load_collection(table)
    rows = client.query(table, filter="id >= 0", output_fields=["id", "vector"], limit=1000)
    return {row["id"]: np.asarray(row["vector"], dtype=np.float32) for row in rows}


def test_insert_stores_the_models_own_vectors(tmp_path: Path, model_path: Path, encode):
    session = Session(workdir=tmp_path, environ={})
    try:
        magic(session, create(model_path))
        values = ", ".join(f"({i}, '{TEXTS[i]}')" for i in range(20))
        _, shown = magic(session, f"INSERT INTO notes (id, body) VALUES {values}")
        assert shown[-1].startswith("inserted 20 rows")
        pq.write_table(
            pa.table({"id": np.arange(20, 40), "body": TEXTS[20:40]}), tmp_path / "n.parquet"
        )
        magic(session, "INSERT INTO notes FROM 'n.parquet' WITH (batch_size = 7)")
        frame = pd.DataFrame({"id": np.arange(40, 60), "body": TEXTS[40:60]})
        magic(session, "INSERT INTO notes FROM :df", df=frame)
        vectors = stored(session, "notes")
        assert sorted(vectors) == list(range(60))
        expected = encode(TEXTS)
        for i in range(60):
            np.testing.assert_allclose(vectors[i], expected[i], rtol=1e-5, atol=1e-6)
        _, shown = magic(session, "SHOW CREATE TABLE notes")
        assert f"EMBED(body) USING 'sentence-transformers:{model_path}'" in shown[-1]
        described, _ = magic(session, "DESCRIBE notes")
        extra = dict(zip(described["name"], described["extra"], strict=True))
        assert extra["vector"] == f"EMBED(body) USING 'sentence-transformers:{model_path}'"
    finally:
        session.close()


def hits(outputs: list) -> list[int]:
    tables = [m["content"]["data"][DATARESOURCE] for m in outputs if DATARESOURCE in
              m["content"].get("data", {})]  # fmt: skip
    assert tables, outputs
    return [row["id"] for row in tables[-1]["data"]]


def brute_force(encode, k: int = 5) -> list[int]:
    matrix, query = encode(TEXTS), encode([QUERY])[0]
    cosine = matrix @ query / (np.linalg.norm(matrix, axis=1) * np.linalg.norm(query))
    return [int(i) for i in np.argsort(-cosine)[:k]]


def test_search_text_matches_brute_force_and_survives_a_restart(
    tmp_path: Path, model_path: Path, encode
):
    values = ", ".join(f"({i}, '{text}')" for i, text in enumerate(TEXTS))
    expected = brute_force(encode)
    setup = (
        f"{create(model_path)}; INSERT INTO notes (id, body) VALUES {values}; "
        "CREATE INDEX ON notes (vector) USING FLAT WITH (metric_type = 'COSINE'); LOAD notes"
    )
    with running_kernel(tmp_path) as (_, kc):
        reply, outputs = execute(kc, setup)
        assert reply["status"] == "ok", outputs
        reply, outputs = execute(kc, f"SEARCH notes TEXT '{QUERY}' LIMIT 5")
        assert reply["status"] == "ok", outputs
        assert hits(outputs) == expected
    with running_kernel(tmp_path) as (_, kc):  # a new kernel finds the binding
        for query in (
            f"SEARCH notes TEXT '{QUERY}' USING vector LIMIT 5",
            f"SELECT id, distance FROM notes ORDER BY vector <=> EMBED('{QUERY}') LIMIT 5",
            f"SEARCH notes TEXT '{QUERY}' USING vector EMBEDDED BY "
            f"'sentence-transformers:{model_path}' LIMIT 5",
        ):
            reply, outputs = execute(kc, query)
            assert reply["status"] == "ok", outputs
            assert hits(outputs) == expected, query
        reply, outputs = execute(kc, f"EXPLAIN SEARCH notes TEXT '{QUERY}' LIMIT 5")
        text = "".join(
            m["content"]["data"]["text/plain"] for m in outputs if "data" in m["content"]
        )
        assert "SentenceTransformer(" in text and "model.encode(" in text and ".search(" in text


def test_missing_model_says_where_it_looked(tmp_path: Path):
    session = Session(workdir=tmp_path, environ={})
    try:
        magic(session, "CREATE TABLE plain (id INT64 PRIMARY KEY, vector FLOAT_VECTOR(8))")
        with pytest.raises(MilvusMagicError, match=r"looked in"):
            magic(session, "SEARCH plain TEXT 'x' EMBEDDED BY 'sentence-transformers:no-such'")
        with pytest.raises(MilvusMagicError, match="provider one of sentence-transformers"):
            magic(session, "SEARCH plain TEXT 'x' EMBEDDED BY 'word2vec:x'")
    finally:
        session.close()


def test_the_shipped_tiny_model_is_the_one_tests_build(tmp_path: Path, encode):
    """docs/data/tiny-model (used by docs/semantic-search.ipynb) is tiny_model.build's output."""
    from sentence_transformers import SentenceTransformer

    shipped = SentenceTransformer(str(DOCS / "data" / "tiny-model"), device="cpu")
    np.testing.assert_allclose(shipped.encode(TEXTS), encode(TEXTS), rtol=1e-5, atol=1e-6)


def test_semantic_search_notebook_finds_the_brute_force_hits(tmp_path_factory):
    from kernel_harness import install_kernelspec, notebook_cell, run_docs_notebook
    from sentence_transformers import SentenceTransformer

    data_dir = install_kernelspec(tmp_path_factory.mktemp("prefix"))
    nb = run_docs_notebook("semantic-search.ipynb", data_dir, tmp_path_factory.mktemp("docs"))
    bodies = [
        "the cat sat on the mat", "a dog runs in the park", "the fish swims in the sea",
        "a bird flies in the sky", "the sun shines on the forest", "a red car on the road",
    ]  # fmt: skip
    model = SentenceTransformer(str(DOCS / "data" / "tiny-model"), device="cpu")
    matrix, query = model.encode(bodies), model.encode(["a cat sleeping on the mat"])[0]
    cosine = matrix @ query / (np.linalg.norm(matrix, axis=1) * np.linalg.norm(query))
    expected = [int(i) + 1 for i in np.argsort(-cosine)[:3]]
    for prefix in ("SEARCH notes TEXT", "SELECT id, body, distance"):
        outputs = [
            {"content": {"data": out.data}}
            for out in notebook_cell(nb, prefix).outputs
            if out.output_type == "execute_result"
        ]
        assert hits(outputs) == expected, prefix
    explained = "".join(
        out.data["text/plain"]
        for out in notebook_cell(nb, "EXPLAIN INSERT").outputs
        if out.output_type == "execute_result"
    )
    assert "model = SentenceTransformer('data/tiny-model')" in explained
    assert "model.encode([row['body'] for row in todo])" in explained
    assert "client.insert('notes', rows)" in explained


class FakeEmbeddings(BaseHTTPRequestHandler):
    """An OpenAI-compatible /embeddings endpoint on 127.0.0.1: a text's vector is the counts
    of its letters a, e, i, o, u, s, t, n (8 dims); a wrong key gets 401."""

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        if self.headers["Authorization"] != "Bearer sk-right":
            self.send_response(401)
            self.end_headers()
            self.wfile.write(self.headers["Authorization"].encode())
            return
        data = [{"index": i, "embedding": letters(t)} for i, t in enumerate(body["input"])]
        answer = json.dumps({"data": data[::-1]}).encode()  # any order: sorted by index
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, *args: object) -> None:
        pass


def letters(text: str) -> list[float]:
    return [float(text.count(c)) for c in "aeioustn"]


def test_openai_compatible_provider_and_its_key(tmp_path: Path, monkeypatch):
    server = HTTPServer(("127.0.0.1", 0), FakeEmbeddings)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    monkeypatch.setenv("OPENAI_BASE_URL", f"http://127.0.0.1:{server.server_port}/v1")
    monkeypatch.setenv("OPENAI_API_KEY", "sk-right")
    session = Session(workdir=tmp_path, environ={})
    try:
        magic(
            session,
            "CREATE TABLE api (id INT64 PRIMARY KEY, body VARCHAR(200), "
            "vector FLOAT_VECTOR(8) EMBED(body) USING 'openai:fake-model')",
        )
        magic(
            session,
            "INSERT INTO api FROM :rows",
            rows=[{"id": i, "body": TEXTS[i]} for i in range(9)],
        )
        vectors = stored(session, "api")
        for i in range(9):
            assert vectors[i].tolist() == letters(TEXTS[i])
        monkeypatch.setenv("OPENAI_API_KEY", "sk-wrong-secret")
        with pytest.raises(MilvusMagicError) as raised:
            magic(session, "INSERT INTO api (id, body) VALUES (100, 'a cat')")
        assert "sk-wrong-secret" not in str(raised.value) and "401" in str(raised.value)
        monkeypatch.delenv("OPENAI_API_KEY")
        with pytest.raises(MilvusMagicError, match="OPENAI_API_KEY"):
            magic(session, "SEARCH api TEXT 'a cat' LIMIT 1")
    finally:
        session.close()
        server.shutdown()


def test_missing_extra_says_what_to_install(tmp_path: Path, monkeypatch):
    monkeypatch.setitem(sys.modules, "sentence_transformers", None)  # as if not installed
    session = Session(workdir=tmp_path, environ={})
    try:
        magic(session, "CREATE TABLE bare (id INT64 PRIMARY KEY, vector FLOAT_VECTOR(8))")
        with pytest.raises(MilvusMagicError, match=r'pip install "milvus-sql-kernel\[embed\]"'):
            magic(session, "SEARCH bare TEXT 'x' EMBEDDED BY 'sentence-transformers:not-loaded'")
    finally:
        session.close()
