"""Columns a function fills, added and dropped in place (pymilvus's examples
test_add_function_field_full_text_search.py and test_add_function_field_minhash_search.py):
`ALTER TABLE t ADD COLUMN sparse SPARSE_FLOAT_VECTOR GENERATED ALWAYS AS BM25(body) [INDEX USING
... WITH (...)]` is `add_function_field`, `ALTER TABLE t DROP COLUMN c` is `drop_function_field`
(a function's output) or `drop_collection_field`.

Neither Milvus Lite 3.2.2 (raw pymilvus shows it has no AlterCollectionSchema) nor the 2.3.5
standalone has them: each fails in one line naming the server with nothing changed, and EXPLAIN's
code is bound to pymilvus 3.0.2's signatures and run, its FieldSchema, Function and IndexParams
passing pymilvus's own checks of add_function_field.
"""

from __future__ import annotations

from typing import Any

import pytest
from admin_helpers import fails, one, run, server_session
from explained_code import checked_calls
from pymilvus import DataType, FieldSchema, Function, FunctionType, MilvusClient
from pymilvus.exceptions import MilvusException
from pymilvus.milvus_client.index import extract_bound_index_param

from milvus_kernel.errors import MilvusSyntaxError
from milvus_kernel.language.parser import parse_cell
from milvus_kernel.language.statements import AddColumn, DropColumn

BM25_COLUMN = (
    "ALTER TABLE {t} ADD COLUMN sparse SPARSE_FLOAT_VECTOR GENERATED ALWAYS AS BM25(body) "
    "INDEX USING SPARSE_INVERTED_INDEX WITH (inverted_index_algo = 'DAAT_MAXSCORE', "
    "bm25_k1 = 1.2, bm25_b = 0.75)"
)
MINHASH_COLUMN = (
    "ALTER TABLE {t} ADD COLUMN mh BINARY_VECTOR(512) GENERATED ALWAYS AS MINHASH(body) "
    "WITH (num_hashes = 16, shingle_size = 3, token_level = 'word')"
)


def table(session: Any, name: str) -> None:
    run(
        session,
        f"CREATE TABLE {name} (id INT64 PRIMARY KEY, body VARCHAR(2048) ANALYZER, "
        "vec FLOAT_VECTOR(4))",
    )


def test_function_columns_and_drop_column_parse():
    [add] = parse_cell(BM25_COLUMN.format(t="docs"))
    assert isinstance(add, AddColumn) and add.column.bm25_source == "body"
    assert add.index_type == "SPARSE_INVERTED_INDEX"
    assert add.index_params == {
        "inverted_index_algo": "DAAT_MAXSCORE",
        "bm25_k1": 1.2,
        "bm25_b": 0.75,
    }
    [add] = parse_cell(MINHASH_COLUMN.format(t="docs"))
    assert add.column.minhash == (
        "body",
        {"num_hashes": 16, "shingle_size": 3, "token_level": "word"},
    )
    assert (add.index_type, add.index_params) == (None, {})
    assert parse_cell("ALTER TABLE docs DROP COLUMN sparse") == [DropColumn("docs", "sparse")]
    with pytest.raises(MilvusSyntaxError) as raised:
        parse_cell("ALTER TABLE docs ADD COLUMN n INT32 NULL INDEX USING STL_SORT")
    assert "INDEX after ADD COLUMN n is for a column GENERATED ALWAYS AS" in raised.value.render()


def test_explain_of_a_bm25_column_is_add_function_field_as_pymilvus_checks_it(session, unique_name):
    table(session, unique_name)
    code = one(session, "EXPLAIN " + BM25_COLUMN.format(t=unique_name)).text
    assert (
        "from pymilvus import MilvusClient, DataType, FieldSchema, Function, FunctionType" in code
    )
    [(method, args, kwargs)] = checked_calls(code)
    assert method == "add_function_field" and args[0] == unique_name and not kwargs
    field_schema, func, index_params = args[1:]
    assert isinstance(field_schema, FieldSchema) and isinstance(func, Function)
    assert (field_schema.name, field_schema.dtype) == ("sparse", DataType.SPARSE_FLOAT_VECTOR)
    assert (func.name, func.type) == ("sparse_bm25", FunctionType.BM25)
    assert (func.input_field_names, func.output_field_names) == (["body"], ["sparse"])
    _, configs = extract_bound_index_param("sparse", index_params)  # pymilvus's own check
    assert configs["index_type"] == "SPARSE_INVERTED_INDEX" and configs["metric_type"] == "BM25"
    assert configs["params"] == {
        "inverted_index_algo": "DAAT_MAXSCORE",
        "bm25_k1": 1.2,
        "bm25_b": 0.75,
    }


def test_explain_of_a_minhash_column_takes_the_default_minhash_index(session, unique_name):
    table(session, unique_name)
    code = one(session, "EXPLAIN " + MINHASH_COLUMN.format(t=unique_name)).text
    [(method, args, _)] = checked_calls(code)
    assert method == "add_function_field"
    field_schema, func, index_params = args[1:]
    assert (field_schema.dtype, field_schema.params) == (DataType.BINARY_VECTOR, {"dim": 512})
    assert func.type == FunctionType.MINHASH
    assert func.params == {"num_hashes": 16, "shingle_size": 3, "token_level": "word"}
    _, configs = extract_bound_index_param("mh", index_params)
    assert (configs["index_type"], configs["metric_type"]) == ("MINHASH_LSH", "MHJACCARD")


def test_explain_of_drop_column_drops_a_functions_output_with_its_function(session, unique_name):
    run(
        session,
        f"CREATE TABLE {unique_name} (id INT64 PRIMARY KEY, body VARCHAR(200), note VARCHAR(9),"
        " sparse SPARSE_FLOAT_VECTOR GENERATED ALWAYS AS BM25(body), vec FLOAT_VECTOR(4))",
    )
    code = one(session, f"EXPLAIN ALTER TABLE {unique_name} DROP COLUMN sparse").text
    assert checked_calls(code) == [("drop_function_field", (unique_name, "sparse_bm25"), {})]
    code = one(session, f"EXPLAIN ALTER TABLE {unique_name} DROP COLUMN note").text
    assert checked_calls(code) == [
        ("drop_collection_field", (unique_name,), {"field_name": "note"})
    ]
    report = fails(session, f"ALTER TABLE {unique_name} DROP COLUMN id")
    assert "column id is the primary key" in report
    report = fails(session, f"ALTER TABLE {unique_name} DROP COLUMN nope")
    assert "has no field 'nope'" in report


@pytest.mark.parametrize(
    ("cell", "message"),
    [
        (
            "ALTER TABLE {t} ADD COLUMN s BINARY_VECTOR(8) GENERATED ALWAYS AS BM25(body)",
            "a BM25 column must be SPARSE_FLOAT_VECTOR",
        ),
        (
            "ALTER TABLE {t} ADD COLUMN s SPARSE_FLOAT_VECTOR GENERATED ALWAYS AS BM25(nope)",
            "has no field 'nope'",
        ),
        (
            "ALTER TABLE {t} ADD COLUMN s SPARSE_FLOAT_VECTOR GENERATED ALWAYS AS BM25(vec)",
            "BM25(vec): vec is FLOAT_VECTOR(4), not VARCHAR",
        ),
        (
            "ALTER TABLE {t} ADD COLUMN vec SPARSE_FLOAT_VECTOR GENERATED ALWAYS AS BM25(body)",
            "already has a column vec",
        ),
    ],
)
def test_bad_function_columns_say_why(session, unique_name, cell: str, message: str):
    table(session, unique_name)
    report = fails(session, "EXPLAIN " + cell.format(t=unique_name))
    assert message in report, report


def test_lite_has_no_schema_changes_and_refuses_each_in_one_line(session, unique_name):
    table(session, unique_name)
    raw = MilvusClient(session.catalog().connection.target.uri)
    before = raw.describe_collection(unique_name)["fields"]
    index_params = raw.prepare_index_params()
    index_params.add_index("sparse", index_type="SPARSE_INVERTED_INDEX", metric_type="BM25")
    with pytest.raises(Exception, match=r"(?i)not implemented|unimplemented") as raised:
        raw.add_function_field(  # ground truth: Lite has no AlterCollectionSchema
            unique_name,
            FieldSchema(name="sparse", dtype=DataType.SPARSE_FLOAT_VECTOR),
            Function(
                name="f",
                function_type=FunctionType.BM25,
                input_field_names=["body"],
                output_field_names=["sparse"],
            ),
            index_params,
        )
    assert not isinstance(raised.value, MilvusException) or raised.value.code != 0
    for cell, what in [
        (BM25_COLUMN, "ALTER TABLE ... ADD COLUMN ... GENERATED ALWAYS AS BM25"),
        (MINHASH_COLUMN, "ALTER TABLE ... ADD COLUMN ... GENERATED ALWAYS AS MINHASH"),
        ("ALTER TABLE {t} DROP COLUMN body", "ALTER TABLE ... DROP COLUMN"),
    ]:
        report = fails(session, cell.format(t=unique_name))
        assert report.count("\n") == 0, report
        assert report.endswith(f"{what} is not supported by Milvus Lite"), report
    assert raw.describe_collection(unique_name)["fields"] == before


def test_the_2_3_standalone_refuses_schema_changes_naming_its_version(milvus_server, tmp_path):
    name = "function_fields_23"
    with server_session(milvus_server, tmp_path) as session:
        run(session, f"CREATE TABLE {name} (id INT64 PRIMARY KEY, body VARCHAR(99), "
                     "vec FLOAT_VECTOR(4))")  # fmt: skip
        try:
            for cell in (BM25_COLUMN, f"ALTER TABLE {name} DROP COLUMN body"):
                report = fails(session, cell.format(t=name))
                assert report.count("\n") == 0, report
                assert "is not supported by Milvus v2.3.5" in report, report
                assert report.endswith("(3.0+: " + WHY + ")"), report
        finally:
            MilvusClient(milvus_server.uri, token=milvus_server.token or "").drop_collection(name)


WHY = "add_function_field and drop_*_field change the schema with AlterCollectionSchema"


class Milvus30:
    """A Milvus Lite server over TCP that says it is Milvus v3.0.0: what the kernel picks for a
    server without add/drop_collection_function (every call still goes to Lite)."""

    def __init__(self, client: Any) -> None:
        self.client = client

    def __getattr__(self, method: str) -> Any:
        if method == "get_server_version":
            return lambda **_kwargs: "v3.0.0"
        return getattr(self.client, method)


def test_on_milvus_3_drop_function_is_drop_function_field_and_add_function_points_to_add_column(
    lite_server, tmp_path, unique_name
):
    from milvus_kernel.engine.session import Session

    session = Session(workdir=tmp_path, environ={"MILVUS_URI": lite_server})
    try:
        run(
            session,
            f"CREATE TABLE {unique_name} (id INT64 PRIMARY KEY, body VARCHAR(200), "
            "sparse SPARSE_FLOAT_VECTOR GENERATED ALWAYS AS BM25(body), vec FLOAT_VECTOR(4))",
        )
        lite = session.catalog().connection.client
        code = one(session, f"EXPLAIN ALTER TABLE {unique_name} DROP FUNCTION sparse_bm25").text
        assert checked_calls(code) == [
            ("drop_collection_function", (unique_name, "sparse_bm25"), {})
        ]
        session.catalog().connection.client = Milvus30(lite)
        code = one(session, f"EXPLAIN ALTER TABLE {unique_name} DROP FUNCTION sparse_bm25").text
        assert checked_calls(code) == [("drop_function_field", (unique_name, "sparse_bm25"), {})]
        report = fails(session, f"ALTER TABLE {unique_name} DROP FUNCTION sparse_bm25")
        assert report.endswith("ALTER TABLE ... DROP FUNCTION is not supported by Milvus v3.0.0")
        report = fails(session, f"ALTER TABLE {unique_name} ADD FUNCTION f2 BM25(body) TO sparse")
        assert report.count("\n") == 0, report
        assert (
            "ADD FUNCTION BM25 is not supported by Milvus v3.0.0: since 3.0 a function comes"
            in report
        )
        assert (
            f"ALTER TABLE {unique_name} ADD COLUMN sparse ... GENERATED ALWAYS AS BM25(body))"
            in report
        )
        code = one(
            session, "EXPLAIN " + BM25_COLUMN.format(t=unique_name).replace("sparse", "s2")
        ).text
        assert [c[0] for c in checked_calls(code)] == ["add_function_field"]
        functions = lite.describe_collection(unique_name)["functions"]
        assert [f["name"] for f in functions] == ["sparse_bm25"]  # nothing changed
    finally:
        session.close()
