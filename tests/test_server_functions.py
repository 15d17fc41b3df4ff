"""Server embedding functions and collection functions (LANGUAGE.md §17):
`GENERATED ALWAYS AS EMBEDDING(body) WITH (provider = ...)` (a TEXTEMBEDDING `Function`) and
ALTER TABLE t ADD / ALTER / DROP FUNCTION. Neither Milvus Lite (no network for the provider, no
*_collection_function RPCs) nor the 2.3.5 standalone (no functions) runs them: EXPLAIN's code is
bound to pymilvus's signatures, the refusals are one line with nothing created, and INSERT /
SEARCH TEXT are checked on a client that describes such a collection and records the calls.
"""

from __future__ import annotations

import inspect
from pathlib import Path
from typing import Any

import pytest
from admin_helpers import fails, one, run, server_session
from explained_code import checked_calls
from pymilvus import DataType, FunctionType, MilvusClient

from milvus_kernel.engine.schema.fields import collection_info
from milvus_kernel.engine.schema.show_create import create_table_text
from milvus_kernel.language.parser import parse_cell
from milvus_kernel.language.statements import AddFunction, AlterFunction, DropFunction

PARAMS = {"provider": "openai", "model_name": "text-embedding-3-small", "dim": 8}
WITH = "WITH (provider = 'openai', model_name = 'text-embedding-3-small', dim = 8)"
EMBEDDING_TABLE = (
    "CREATE TABLE {name} (id INT64 PRIMARY KEY, body VARCHAR(200), "
    f"vector FLOAT_VECTOR(8) GENERATED ALWAYS AS EMBEDDING(body) {WITH})"
)


def test_embedding_columns_and_function_statements_parse():
    (create,) = parse_cell(EMBEDDING_TABLE.format(name="docs"))
    vector = next(c for c in create.columns if c.name == "vector")
    assert vector.embedding == ("body", PARAMS)
    cell = (
        f"ALTER TABLE docs ADD FUNCTION emb EMBEDDING(body) TO vector {WITH};"
        "ALTER TABLE docs ADD FUNCTION sparse_fn bm25(body) TO sparse;"
        "ALTER TABLE docs ALTER FUNCTION emb SET (model_name = 'text-embedding-3-large');"
        "ALTER TABLE docs DROP FUNCTION emb"
    )
    assert parse_cell(cell) == [
        AddFunction("docs", "emb", "EMBEDDING", "body", "vector", PARAMS),
        AddFunction("docs", "sparse_fn", "BM25", "body", "sparse", {}),
        AlterFunction("docs", "emb", {"model_name": "text-embedding-3-large"}),
        DropFunction("docs", "emb"),
    ]


@pytest.mark.parametrize(
    ("cell", "message"),
    [
        (
            "CREATE TABLE d (id INT64 PRIMARY KEY, b VARCHAR(9), "
            "v FLOAT_VECTOR(4) GENERATED ALWAYS AS EMBEDDING(b))",
            "EMBEDDING(...) needs WITH (provider = '...', model_name = '...')",
        ),
        (
            "CREATE TABLE d (id INT64 PRIMARY KEY, b VARCHAR(9), "
            "v BINARY_VECTOR(8) GENERATED ALWAYS AS EMBEDDING(b) WITH (provider = 'openai'))",
            "an EMBEDDING column must be FLOAT_VECTOR(dim)",
        ),
        (
            "ALTER TABLE d ADD FUNCTION f SPLADE(b) TO v",
            "the kinds are EMBEDDING, BM25, MINHASH",
        ),
        (
            "ALTER TABLE d ADD FUNCTION f EMBEDDING(b) TO v",
            "an EMBEDDING function needs WITH (provider = '...', ...)",
        ),
    ],
)
def test_bad_function_definitions_say_what_and_where(session, cell: str, message: str):
    report = fails(session, cell)
    assert message in report, report


def test_explain_create_prints_a_textembedding_function_lite_refuses_with_nothing_created(
    session, unique_name
):
    statement = EMBEDDING_TABLE.format(name=unique_name)
    code = one(session, f"EXPLAIN {statement}").text
    [(method, args, kwargs)] = checked_calls(code)
    assert method == "create_collection" and args == (unique_name,)
    [function] = kwargs["schema"].functions
    assert function.type == FunctionType.TEXTEMBEDDING
    assert function.input_field_names == ["body"]
    assert function.output_field_names == ["vector"]
    assert function.params == PARAMS
    report = fails(session, statement)
    assert report.count("\n") == 0, report
    assert "GENERATED ALWAYS AS EMBEDDING (vector) is not supported by Milvus Lite" in report
    assert unique_name not in [row[0] for row in one(session, "SHOW TABLES").rows]


def bm25_table(session: Any, name: str) -> None:
    run(
        session,
        f"CREATE TABLE {name} (id INT64 PRIMARY KEY, body VARCHAR(200), "
        "sparse SPARSE_FLOAT_VECTOR GENERATED ALWAYS AS BM25(body), vector FLOAT_VECTOR(8))",
    )


def test_explain_of_add_alter_drop_function_is_pymilvus_code_and_lite_refuses_each(
    session, unique_name
):
    bm25_table(session, unique_name)
    add = f"ALTER TABLE {unique_name} ADD FUNCTION emb EMBEDDING(body) TO vector {WITH}"
    [(method, args, kwargs)] = checked_calls(one(session, f"EXPLAIN {add}").text)
    assert method == "add_collection_function" and args[0] == unique_name and not kwargs
    added = args[1]
    assert (added.name, added.type, added.params) == ("emb", FunctionType.TEXTEMBEDDING, PARAMS)
    assert added.input_field_names == ["body"] and added.output_field_names == ["vector"]

    alter = f"ALTER TABLE {unique_name} ALTER FUNCTION sparse_bm25 SET (bm25_k1 = 1.5)"
    [(method, args, _)] = checked_calls(one(session, f"EXPLAIN {alter}").text)
    assert method == "alter_collection_function" and args[:2] == (unique_name, "sparse_bm25")
    altered = args[2]
    assert altered.type == FunctionType.BM25 and altered.params == {"bm25_k1": 1.5}
    assert altered.input_field_names == ["body"] and altered.output_field_names == ["sparse"]

    drop = f"ALTER TABLE {unique_name} DROP FUNCTION sparse_bm25"
    calls = checked_calls(one(session, f"EXPLAIN {drop}").text)
    assert calls == [("drop_collection_function", (unique_name, "sparse_bm25"), {})]

    add_bm25 = f"ALTER TABLE {unique_name} ADD FUNCTION again BM25(body) TO sparse"
    for statement, what in [
        (add, "ALTER TABLE ... ADD FUNCTION EMBEDDING"),
        (add_bm25, "ALTER TABLE ... ADD FUNCTION BM25"),
        (alter, "ALTER TABLE ... ALTER FUNCTION"),
        (drop, "ALTER TABLE ... DROP FUNCTION"),
    ]:
        report = fails(session, statement)
        assert report.count("\n") == 0, report
        assert f"{what} is not supported by Milvus Lite" in report, report
    functions = MilvusClient(session.catalog().connection.target.uri).describe_collection(
        unique_name
    )["functions"]
    assert [f["name"] for f in functions] == ["sparse_bm25"]  # nothing changed
    report = fails(session, f"ALTER TABLE {unique_name} DROP FUNCTION nope")
    assert "has no function 'nope'; functions: sparse_bm25" in report


def described(name: str) -> dict[str, Any]:
    """A describe_collection dict as a Milvus 2.6 server returns it for EMBEDDING_TABLE."""
    return {
        "collection_name": name,
        "fields": [
            {"name": "id", "type": DataType.INT64, "params": {}, "is_primary": True},
            {"name": "body", "type": DataType.VARCHAR, "params": {"max_length": 200}},
            {
                "name": "vector",
                "type": DataType.FLOAT_VECTOR,
                "params": {"dim": 8},
                "is_function_output": True,
            },
        ],
        "functions": [
            {
                "name": "vector_embedding",
                "type": FunctionType.TEXTEMBEDDING,
                "input_field_names": ["body"],
                "output_field_names": ["vector"],
                "params": PARAMS,
            }
        ],
    }


def test_show_create_table_writes_an_embedding_column_that_reruns():
    raw = described("docs")
    text = create_table_text("docs", collection_info("docs", raw), raw)
    assert "GENERATED ALWAYS AS EMBEDDING(body) WITH (" in text, text
    (statement,) = parse_cell(text)
    vector = next(c for c in statement.columns if c.name == "vector")
    assert vector.embedding == ("body", PARAMS), text
    assert (vector.type.name, vector.type.dim) == ("FLOAT_VECTOR", 8)


def test_an_embedding_output_is_described_as_one_and_indexed_as_a_dense_vector():
    from milvus_kernel.engine.schema.generated import generated_by
    from milvus_kernel.engine.schema.indexes import default_metric

    info = collection_info("docs", described("docs"))
    vector = info.field("vector")
    assert vector is not None
    assert generated_by(info, "vector") == "EMBEDDING(body)"
    assert generated_by(info, "body") is None
    assert default_metric(info, vector) == "COSINE"  # not BM25: the server embeds densely


class EmbeddingServer:
    """The real Lite client, except that the collection is described as a 2.6 server describes
    EMBEDDING_TABLE, and insert / search are recorded (the server would embed the text)."""

    def __init__(self, client: Any, name: str) -> None:
        self.client, self.name = client, name
        self.recorded: list[tuple[str, tuple[Any, ...], dict[str, Any]]] = []

    def __getattr__(self, method: str) -> Any:
        attribute = getattr(self.client, method)
        if method not in ("describe_collection", "insert", "search"):
            return attribute

        def call(*args: Any, **kwargs: Any) -> Any:
            if method == "describe_collection":
                raw = attribute(*args, **kwargs)
                return {**raw, **described(self.name)} if args[0] == self.name else raw
            inspect.signature(getattr(MilvusClient, method)).bind(None, *args, **kwargs)
            self.recorded.append((method, args, kwargs))
            if method == "insert":
                rows = kwargs.get("data", args[1] if len(args) > 1 else [])
                return {"insert_count": len(rows), "ids": [r["id"] for r in rows]}
            return [[] for _ in kwargs.get("data", [])]

        return call


def test_insert_leaves_the_vector_to_the_server_and_search_text_sends_the_words(
    tmp_path: Path, unique_name
):
    from milvus_kernel.engine.session import Session

    session = Session(workdir=tmp_path, environ={})
    try:
        table = f"CREATE TABLE {unique_name} (id INT64 PRIMARY KEY, body VARCHAR(200), "
        index = f"CREATE INDEX ON {unique_name} (vector) USING FLAT WITH (metric_type = 'IP')"
        run(session, f"{table} vector FLOAT_VECTOR(8)); {index}")
        connection = session.catalog().connection
        server = EmbeddingServer(connection.client, unique_name)
        connection.client = server
        session.catalog().forget(unique_name)
        run(session, f"INSERT INTO {unique_name} (id, body) VALUES (1, 'red apples'), (2, 'figs')")
        report = fails(
            session,
            f"INSERT INTO {unique_name} (id, body, vector) VALUES (3, 'x', [0,0,0,0,0,0,0,1])",
        )
        assert "column vector is generated by the server from body: leave it out" in report
        described_rows = {r[0]: r for r in one(session, f"DESCRIBE {unique_name}").rows}
        assert described_rows["vector"][7] == "EMBEDDING(body)"
        selected = one(session, f"SELECT * FROM {unique_name} LIMIT 1")
        assert [c.name for c in selected.columns] == ["id", "body", "vector"]  # the vector is data
        run(session, f"SEARCH {unique_name} TEXT 'fruit' USING vector LIMIT 2")
        run(session, f"SEARCH {unique_name} TEXT 'green fruit' LIMIT 2")
    finally:
        session.close()
    [insert, *searches] = server.recorded
    assert insert[0] == "insert"
    rows = insert[2].get("data", insert[1][1] if len(insert[1]) > 1 else None)
    assert rows == [{"id": 1, "body": "red apples"}, {"id": 2, "body": "figs"}]
    assert [(m, kw["data"], kw["anns_field"]) for m, _, kw in searches] == [
        ("search", ["fruit"], "vector"),
        ("search", ["green fruit"], "vector"),
    ]


def test_the_2_3_standalone_refuses_functions_naming_its_version(milvus_server, tmp_path):
    name = "functions_23"
    with server_session(milvus_server, tmp_path) as session:
        report = fails(session, EMBEDDING_TABLE.format(name=name))
        assert report.count("\n") == 0, report
        assert "GENERATED ALWAYS AS EMBEDDING (vector) is not supported by Milvus v2.3.5" in report
        assert "2.3.5" in report, report
        client = MilvusClient(milvus_server.uri, token=milvus_server.token or "")
        assert not client.has_collection(name)
        run(session, f"CREATE TABLE {name} (id INT64 PRIMARY KEY, body VARCHAR(99), "
                     "vector FLOAT_VECTOR(8))")  # fmt: skip
        try:
            report = fails(session, f"ALTER TABLE {name} ADD FUNCTION f BM25(body) TO vector")
            assert report.count("\n") == 0, report
            assert "ADD FUNCTION BM25 is not supported by Milvus v2.3.5" in report
            assert "2.3.5" in report
        finally:
            client.drop_collection(name)


@pytest.mark.parametrize(
    ("kind", "word"),
    [
        (FunctionType.BM25, "BM25"),
        (FunctionType.TEXTEMBEDDING, "EMBEDDING"),
        (FunctionType.MINHASH, "MINHASH"),
        (2, "EMBEDDING"),  # as a number
        ("FunctionType.MINHASH", "MINHASH"),  # as text
    ],
)
def test_a_fields_function_is_named_by_its_kind(kind: Any, word: str):
    """What fills an output field, in the language's words: messages say "holds EMBEDDING of
    body", not BM25 for every function."""
    raw = {
        "fields": [
            {"name": "id", "type": DataType.INT64, "params": {}, "is_primary": True},
            {"name": "body", "type": DataType.VARCHAR, "params": {"max_length": 99}},
            {"name": "out", "type": DataType.FLOAT_VECTOR, "params": {"dim": 8}},
        ],
        "functions": [
            {
                "name": "f",
                "type": kind,
                "input_field_names": ["body"],
                "output_field_names": ["out"],
            }
        ],
    }
    info = collection_info("docs", raw)
    assert info.function_kind("out") == word
    assert info.function_kind("body") is None
    assert info.bm25_source("out") == "body"
