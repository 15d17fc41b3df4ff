"""INSERT into EMBED fields: EXPLAIN shows the embedding step, and a large one has progress.

- EXPLAIN INSERT / UPSERT ... VALUES into a collection with `EMBED(body) USING '...'` prints the
  rows as given (texts, no vectors), the model's load and the encode of their texts, then the
  insert call. That code, run with `exec` (Milvus Lite serves the same file to a second client),
  stores the vectors the kernel's own INSERT stores, and the model's own `encode` gives.
- The model encodes `EMBED_BATCH` texts at a time: a large VALUES or import reports
  "embedding body with ..." in texts, an interrupt between two encodes writes nothing and says
  how far it got, and an import that stops stops its read-ahead thread's embedding there too.

The model is tests/tiny_model.py's, built in a temporary folder: nothing is downloaded.
"""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("sentence_transformers")
pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")

import tiny_model  # noqa: E402

from milvus_kernel.engine.data.read_ahead import read_ahead  # noqa: E402
from milvus_kernel.engine.embeddings import filling  # noqa: E402
from milvus_kernel.engine.embeddings.binding import Binding  # noqa: E402
from milvus_kernel.engine.embeddings.explained import EmbeddedRows  # noqa: E402
from milvus_kernel.engine.session import Session  # noqa: E402
from milvus_kernel.engine.tools.python_code import Call, CodeWriter  # noqa: E402
from milvus_kernel.errors import Interrupted  # noqa: E402
from milvus_kernel.frontends.magic import MilvusMagicError, run_magic  # noqa: E402

RNG = np.random.default_rng(11)
TEXTS = [" ".join(RNG.choice(tiny_model.WORDS, size=4)) for _ in range(700)]


@pytest.fixture(scope="module")
def model_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tiny_model.build(tmp_path_factory.mktemp("tiny-model"))


@pytest.fixture(scope="module")
def encode(model_path: Path):
    from sentence_transformers import SentenceTransformer

    model = SentenceTransformer(str(model_path), device="cpu")
    return lambda texts: model.encode(list(texts), convert_to_numpy=True).astype(np.float32)


@pytest.fixture
def session(tmp_path: Path):
    session = Session(workdir=tmp_path, environ={})
    yield session
    session.close()


def magic(session: Session, code: str) -> str:
    shown: list = []
    run_magic(session, code, {}, shown.append)
    return shown[-1]["text/plain"]


def create(session: Session, model_path: Path, table: str) -> None:
    magic(
        session,
        f"CREATE TABLE {table} (id INT64 PRIMARY KEY, body VARCHAR(200), "
        f"vector FLOAT_VECTOR({tiny_model.DIM}) EMBED(body) USING "
        f"'sentence-transformers:{model_path}')",
    )


def values(ids: range, offset: int = 0) -> str:
    return ", ".join(f"({i}, '{TEXTS[i + offset]}')" for i in ids)


def stored(session: Session, table: str) -> dict[int, np.ndarray]:
    client = session.catalog().client
    client.load_collection(table)
    rows = client.query(table, filter="id >= 0", output_fields=["id", "vector"], limit=16384)
    return {row["id"]: np.asarray(row["vector"], dtype=np.float32) for row in rows}


def test_explain_prints_the_embedding_and_its_code_stores_the_same_vectors(
    session: Session, model_path: Path, encode
):
    create(session, model_path, "kernel_made")
    create(session, model_path, "script_made")
    statements = [
        f"INSERT INTO {{t}} (id, body) VALUES {values(range(30))}",
        f"UPSERT INTO {{t}} (id, body) VALUES {values(range(20, 40), offset=100)}",
    ]
    scripts = [magic(session, "EXPLAIN " + s.format(t="script_made")) for s in statements]
    for code, method in zip(scripts, ("insert", "upsert"), strict=True):
        assert "from sentence_transformers import SentenceTransformer" in code
        assert f"model = SentenceTransformer({str(model_path)!r})" in code
        assert "model.encode([row['body'] for row in todo]).tolist()" in code
        assert f"client.{method}('script_made', rows)" in code
        assert "'vector': [" not in code  # the vectors are computed, not printed
    assert stored(session, "script_made") == {}  # EXPLAIN wrote nothing
    for statement in statements:
        magic(session, statement.format(t="kernel_made"))
    for code in scripts:
        exec(compile(code, "<explain>", "exec"), {})
    by_kernel, by_script = stored(session, "kernel_made"), stored(session, "script_made")
    assert sorted(by_kernel) == sorted(by_script) == list(range(40))
    texts = TEXTS[:20] + TEXTS[120:140]
    expected = encode(texts)
    for i in range(40):
        np.testing.assert_allclose(by_script[i], by_kernel[i], rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(by_kernel[i], expected[i], rtol=1e-5, atol=1e-6)


def test_rows_of_several_insert_calls_each_get_their_encode():
    """A long INSERT goes in several calls: the model loads once, each call's rows are encoded
    before it; an API provider's code asks its endpoint the way the kernel does."""
    local = Binding("vector", "body", "sentence-transformers:/models/mini")
    api = Binding("api_vector", "title", "openai:text-embedding-3-small")
    writer = CodeWriter()
    for first in (1, 3):
        rows = [
            {"id": i, "body": f"text {i}", "title": "t", "vector": [0.0]}
            for i in (first, first + 1)
        ]
        writer.call(Call("insert", ("docs", EmbeddedRows(rows, [local, api])), {}))
    code = "\n".join(writer.lines)
    assert code.count("model = SentenceTransformer('/models/mini')") == 1
    assert "rows = [{'id': 1, 'body': 'text 1', 'title': 't'}" in code
    assert "rows_2 = [{'id': 3, 'body': 'text 3', 'title': 't'}" in code
    assert code.count("vectors = model.encode([row['body'] for row in todo]).tolist()") == 2
    assert (
        code.count(
            "answer = openai.OpenAI().embeddings.create(model='text-embedding-3-small', "
            "input=[row['title'] for row in todo])"
        )
        == 2
    )
    assert "client.insert('docs', rows)" in code and "client.insert('docs', rows_2)" in code
    assert writer.imports >= {
        "from sentence_transformers import SentenceTransformer",
        "import openai  # the key from OPENAI_API_KEY",
    }


class Counting:
    """`filling.embed` that counts its calls (and their sizes), and can stop at one of them."""

    def __init__(self, interrupt_at: int | None = None) -> None:
        self.sizes: list[int] = []
        self.real = filling.embed
        self.interrupt_at = interrupt_at

    def __call__(self, spec: str, texts, dim=None):
        self.sizes.append(len(texts))
        if len(self.sizes) == self.interrupt_at:
            raise KeyboardInterrupt
        return self.real(spec, texts, dim)


def test_a_large_values_embeds_in_batches_with_progress(
    session: Session, model_path: Path, encode, monkeypatch
):
    create(session, model_path, "big")
    counting = Counting()
    monkeypatch.setattr(filling, "embed", counting)
    events: list = []
    session.progress = events.append
    text = magic(session, f"INSERT INTO big (id, body) VALUES {values(range(600))}")
    assert text.startswith("inserted 600 rows into big")
    assert counting.sizes == [256, 256, 88]
    mine = [e for e in events if e.label.startswith("embedding body with sentence-transformers:")]
    assert mine[0].done == 0 and mine[-1].finished and mine[-1].done == mine[-1].total == 600
    assert mine[-1].unit == "texts"
    vectors = stored(session, "big")
    np.testing.assert_allclose(
        np.stack([vectors[i] for i in range(600)]), encode(TEXTS[:600]), rtol=1e-5, atol=1e-6
    )


def test_an_interrupt_between_encodes_writes_nothing(
    session: Session, model_path: Path, monkeypatch
):
    create(session, model_path, "stopped")
    monkeypatch.setattr(filling, "embed", Counting(interrupt_at=2))
    with pytest.raises(MilvusMagicError) as raised:
        magic(session, f"INSERT INTO stopped (id, body) VALUES {values(range(600))}")
    assert "interrupted while embedding body into vector (256 of 600 texts)" in str(raised.value)
    assert "nothing was written" in str(raised.value)
    assert stored(session, "stopped") == {}


def test_a_file_import_reports_its_embedding(
    session: Session, model_path: Path, encode, tmp_path: Path, monkeypatch
):
    """The embedding runs in the import's read-ahead thread, which reports to the statement's
    progress sink like the import does."""
    create(session, model_path, "from_file")
    pq.write_table(pa.table({"id": np.arange(700), "body": TEXTS}), tmp_path / "t.parquet")
    counting = Counting()
    monkeypatch.setattr(filling, "embed", counting)
    events: list = []
    session.progress = events.append
    text = magic(session, "INSERT INTO from_file FROM 't.parquet' WITH (batch_size = 600)")
    assert text.startswith("inserted 700 rows into from_file")
    assert counting.sizes == [256, 256, 88, 100]
    finals = [e for e in events if e.finished and e.label.startswith("embedding body")]
    assert [e.done for e in finals] == [600]  # the 100-text chunk is one encode: no display
    vectors = stored(session, "from_file")
    np.testing.assert_allclose(
        np.stack([vectors[i] for i in range(700)]), encode(TEXTS), rtol=1e-5, atol=1e-6
    )


def test_an_import_that_stops_stops_embedding_between_batches(monkeypatch):
    """The consumer of a read-ahead stops while its thread embeds a chunk: the thread stops
    after the encode in progress instead of embedding the whole chunk."""
    started, release = threading.Event(), threading.Event()
    sizes: list[int] = []

    def slow_embed(spec: str, texts, dim=None):
        sizes.append(len(texts))
        started.set()
        release.wait(10)
        return np.zeros((len(texts), 8), dtype=np.float32)

    monkeypatch.setattr(filling, "embed", slow_embed)
    binding = Binding("vector", "body", "sentence-transformers:unused")
    failures: list[BaseException] = []

    def chunks():
        yield "first"
        try:
            yield filling.encode(binding, 8, ["text"] * 1000)
        except Interrupted as stop:
            failures.append(stop)
            raise

    items = read_ahead(chunks())
    assert next(items) == "first"
    assert started.wait(10)
    threading.Timer(0.5, release.set).start()
    items.close()  # the consumer stops (an interrupt, a bad row)
    assert sizes == [256]
    assert "(256 of 1000 texts)" in str(failures[0])
