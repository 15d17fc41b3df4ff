"""Struct arrays at the element level (pymilvus's examples/struct_example.py): ELEMENT_FILTER in a
filter, embedding-list search (`FOR EMBEDDINGS (...)`, also as a hybrid leg), indexes on a vector
inside a struct, and a struct array added to a collection (`add_collection_struct_field`).

No server here has struct arrays (Milvus Lite 3.2.2 drops them at create, the 2.3.5 standalone
predates them), so: the rendered Milvus filter text is checked exactly, hostile names and values
included (a name is always one name, a value always one quoted value); each statement on Lite
and on the 2.3.5 standalone fails in one line naming the server; and EXPLAIN's code, on a client
that describes the collection as a Milvus 2.6 server does (the real Lite client otherwise), is
bound to pymilvus 3.0.2's signatures and run, EmbeddingList objects included.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from admin_helpers import fails, one, run, server_session
from explained_code import checked_calls
from pymilvus import DataType, MilvusClient

from milvus_kernel.engine.session import Session
from milvus_kernel.errors import MilvusSyntaxError
from milvus_kernel.language.parser import parse_cell


def where_of(cell: str, params: dict[str, Any] | None = None) -> str:
    [statement] = parse_cell(cell, params)
    return statement.where.expression


@pytest.mark.parametrize(
    ("where", "expected"),
    [
        (
            "content = 'aaa' AND ELEMENT_FILTER(items, qty = 3 OR qty = 5 OR qty = 7)",
            '(content == "aaa") and element_filter(items, '
            "(($[qty] == 3) or ($[qty] == 5)) or ($[qty] == 7))",
        ),
        ("element_filter(items, qty > 50)", "element_filter(items, $[qty] > 50)"),
        (
            "NOT ELEMENT_FILTER(items, name LIKE 'a%' AND qty BETWEEN 1 AND 4)",
            'not element_filter(items, ($[name] like "a%") and (($[qty] >= 1) and ($[qty] <= 4)))',
        ),
        ("ELEMENT_FILTER(items, qty IN (1, 2))", "element_filter(items, $[qty] in [1, 2])"),
        ("ELEMENT_FILTER(`items`, `qty` <> -1)", "element_filter(items, $[qty] != (-1))"),
    ],
)
def test_element_filter_renders_sub_fields_as_milvus_writes_them(where: str, expected: str):
    assert where_of(f"SELECT id FROM docs WHERE {where}") == expected
    [statement] = parse_cell(f"SEARCH docs USING items[emb] FOR [1, 0, 0, 0] WHERE {where}")
    assert statement.where.expression == expected


HOSTILE_VALUES = [
    "3) or $[qty] > 0 or (1",
    'a", $[qty]) or true or element_filter(items, $[name] == "',
    "x' || 1 == 1 || 'y",
    "nul\u0000 quote' dq\" bs\\ nl\n",
    "]) or id > 0 #",
]


@pytest.mark.parametrize("value", HOSTILE_VALUES)
def test_a_hostile_value_stays_one_quoted_string_inside_element_filter(value: str):
    for cell, params in [
        ("SELECT id FROM docs WHERE ELEMENT_FILTER(items, name = :v)", {"v": value}),
        ("SELECT id FROM docs WHERE ELEMENT_FILTER(items, name = " + _sql(value) + ")", None),
    ]:
        text = where_of(cell, params)
        prefix, suffix = "element_filter(items, $[name] == ", ")"
        assert text.startswith(prefix) and text.endswith(suffix), text
        literal = text[len(prefix) : -len(suffix)]
        assert _unquoted(literal) == value


def _sql(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _unquoted(literal: str) -> str:
    """A Milvus double-quoted literal read back as Milvus reads it (\\\\ \\" \\n \\r \\t)."""
    assert literal[0] == literal[-1] == '"'
    out, i, body = [], 0, literal[1:-1]
    escapes = {"\\": "\\", '"': '"', "n": "\n", "r": "\r", "t": "\t"}
    while i < len(body):
        if body[i] == "\\":
            out.append(escapes[body[i + 1]])
            i += 2
            continue
        assert body[i] != '"', literal  # an unescaped quote would end the string early
        out.append(body[i])
        i += 1
    return "".join(out)


@pytest.mark.parametrize(
    ("where", "message"),
    [
        ("ELEMENT_FILTER(items)", "takes a struct array column and a condition"),
        ("ELEMENT_FILTER(items, qty = 1, qty = 2)", "takes a struct array column and a condition"),
        ("ELEMENT_FILTER(`x) or (1`, qty = 1)", "the first argument of ELEMENT_FILTER"),
        ("ELEMENT_FILTER(items['a'], qty = 1)", "the first argument of ELEMENT_FILTER"),
        ("ELEMENT_FILTER(`or`, qty = 1)", "the first argument of ELEMENT_FILTER"),
        ("ELEMENT_FILTER(items, `qty] == 1 or $[qty` = 2)", "is not a sub-field name"),
        ("ELEMENT_FILTER(items, `not` = 2)", "is not a sub-field name"),
        ("ELEMENT_FILTER(items, meta['k'] = 2)", "is not a sub-field name"),
        ("ELEMENT_FILTER(items, ELEMENT_FILTER(items, qty = 1))", "cannot hold another"),
    ],
)
def test_bad_element_filters_say_what_and_where(where: str, message: str):
    cell = f"SELECT id FROM docs WHERE {where}"
    with pytest.raises(MilvusSyntaxError) as raised:
        parse_cell(cell)
    report = raised.value.render()
    assert message in report, report
    assert "column 27" in report, report  # the caret is on ELEMENT_FILTER


DIM = 4


def described(name: str) -> dict[str, Any]:
    """describe_collection of a Milvus 2.6 server for the collection of struct_example.py's shape:
    id, content, items ARRAY<STRUCT<name VARCHAR(20), qty INT32, emb FLOAT_VECTOR(4)>>(8), v."""
    return {
        "collection_name": name,
        "fields": [
            {"name": "id", "type": DataType.INT64, "params": {}, "is_primary": True},
            {"name": "content", "type": DataType.VARCHAR, "params": {"max_length": 100}},
            {
                "name": "items",
                "type": DataType.ARRAY,
                "element_type": DataType.STRUCT,
                "params": {"max_capacity": 8},
                "struct_fields": [
                    {"name": "name", "type": DataType.VARCHAR, "params": {"max_length": 20}},
                    {"name": "qty", "type": DataType.INT32, "params": {}},
                    {"name": "emb", "type": DataType.FLOAT_VECTOR, "params": {"dim": DIM}},
                ],
            },
            {"name": "v", "type": DataType.FLOAT_VECTOR, "params": {"dim": DIM}},
        ],
        "functions": [],
    }


INDEX = {"field_name": "items[emb]", "index_type": "HNSW", "metric_type": "MAX_SIM_IP"}


class StructServer:
    """The real Lite client, except that `name` is described as a 2.6 server describes a
    collection with a struct array (Lite would have dropped it), with a MAX_SIM_IP index
    `items_emb` on items[emb] once `indexed`."""

    def __init__(self, client: Any, name: str) -> None:
        self.client, self.name, self.indexed = client, name, False

    def __getattr__(self, method: str) -> Any:
        attribute = getattr(self.client, method)
        if method not in ("describe_collection", "list_indexes", "describe_index"):
            return attribute

        def answer(*args: Any, **kwargs: Any) -> Any:
            if method == "describe_collection":
                raw = attribute(*args, **kwargs)
                return {**raw, **described(self.name)} if args[0] == self.name else raw
            if method == "list_indexes" and kwargs.get("field_name") == "items[emb]":
                return ["items_emb"] if self.indexed else []
            if method == "describe_index" and args[1:2] == ("items_emb",):
                return {**INDEX, "index_name": "items_emb"}
            return attribute(*args, **kwargs)

        return answer


@pytest.fixture
def docs(tmp_path: Path) -> Any:
    """A session whose `docs` collection is described with a struct array (the Lite collection
    has id, content and v, so its indexes and load state are real)."""
    session = Session(workdir=tmp_path, environ={})
    run(
        session,
        f"CREATE TABLE docs (id INT64 PRIMARY KEY, content VARCHAR(100), v FLOAT_VECTOR({DIM}));"
        "CREATE INDEX ON docs (v) USING FLAT WITH (metric_type = 'L2')",
    )
    connection = session.catalog().connection
    connection.client = StructServer(connection.client, "docs")
    session.catalog().forget("docs")
    yield session
    session.close()


ELEMENT_QUERY = "SELECT id, content FROM docs WHERE ELEMENT_FILTER(items, qty > 50) LIMIT 5"
ELEMENT_SEARCH = (
    "SEARCH docs USING v FOR [1, 0, 0, 0] WHERE content = 'aaa' AND "
    "ELEMENT_FILTER(items, qty = 3 OR qty = 5) LIMIT 10 WITH (hints = 'iterative_filter')"
)


def test_explain_of_element_filter_is_pymilvus_code_the_example_writes(docs: Session):
    [(method, args, kwargs)] = checked_calls(one(docs, f"EXPLAIN {ELEMENT_QUERY}").text)
    assert (method, args[0]) == ("query", "docs")
    assert kwargs["filter"] == "element_filter(items, $[qty] > 50)"
    assert kwargs["limit"] == 5
    calls = checked_calls(one(docs, f"EXPLAIN {ELEMENT_SEARCH}").text)
    [(method, args, kwargs)] = [c for c in calls if c[0] == "search"]
    assert kwargs["filter"] == (
        '(content == "aaa") and element_filter(items, ($[qty] == 3) or ($[qty] == 5))'
    )
    assert kwargs["search_params"]["hints"] == "iterative_filter"


def test_element_filter_is_refused_in_one_line_on_lite_and_checked_against_the_schema(
    docs: Session,
):
    for cell in (
        ELEMENT_QUERY,
        ELEMENT_SEARCH,
        "DELETE FROM docs WHERE ELEMENT_FILTER(items, qty = 1)",
    ):
        report = fails(docs, cell)
        assert report.count("\n") == 0, report
        assert report.endswith("ELEMENT_FILTER(...) is not supported by Milvus Lite"), report
    report = fails(docs, "EXPLAIN SELECT id FROM docs WHERE ELEMENT_FILTER(items, colour = 1)")
    assert "the structs of docs.items have no field colour (in ELEMENT_FILTER)" in report
    assert "their fields: name, qty, emb" in report
    report = fails(docs, "EXPLAIN SELECT id FROM docs WHERE ELEMENT_FILTER(content, qty = 1)")
    assert "has VARCHAR(100) in 'content': ELEMENT_FILTER tests the elements" in report, report
    report = fails(docs, "EXPLAIN SELECT id FROM docs WHERE ELEMENT_FILTER(nothing, qty = 1)")
    assert "has no field 'nothing'" in report, report


def test_the_2_3_standalone_refuses_struct_arrays_naming_its_version(milvus_server, tmp_path):
    name = "elements_23"
    with server_session(milvus_server, tmp_path) as session:
        run(session, f"CREATE TABLE {name} (id INT64 PRIMARY KEY, v FLOAT_VECTOR(2))")
        try:
            report = fails(session, f"SELECT id FROM {name} WHERE ELEMENT_FILTER(items, qty = 1)")
            assert report.count("\n") == 0, report
            assert "ELEMENT_FILTER(...) is not supported by Milvus v2.3.5" in report, report
            assert report.endswith("(2.6+: struct arrays)"), report
            for cell, what in [
                (
                    f"SEARCH {name} USING items[emb] FOR EMBEDDINGS ([1, 0], [0, 1])",
                    "SEARCH ... FOR EMBEDDINGS",
                ),
                (
                    f"ALTER TABLE {name} ADD COLUMN items ARRAY<STRUCT<q INT32>>(4) NULL",
                    "ALTER TABLE ... ADD COLUMN ... ARRAY<STRUCT<...>>",
                ),
            ]:
                report = fails(session, cell)
                assert report.count("\n") == 0, report
                assert f"{what} is not supported by Milvus v2.3.5" in report, report
        finally:
            MilvusClient(milvus_server.uri, token=milvus_server.token or "").drop_collection(name)


EMBEDDINGS_SEARCH = (
    "SEARCH docs USING items[emb] FOR EMBEDDINGS ([1, 0, 0, 0], [0, 0.5, 0.5, 0]), "
    "EMBEDDINGS ([0, 0, 0, 1]) RETURN content LIMIT 10"
)


def test_embeddings_parse_to_one_query_of_several_vectors_each():
    [search] = parse_cell(EMBEDDINGS_SEARCH)
    assert search.anns_field == "items[emb]"
    assert search.vectors == (([1, 0, 0, 0], [0, 0.5, 0.5, 0]), ([0, 0, 0, 1],))
    [search] = parse_cell("SEARCH docs USING items[emb] FOR [[1, 0, 0, 0], [0, 1, 0, 0]]")
    assert search.vectors == ([1, 0, 0, 0], [0, 1, 0, 0])  # two queries of one vector each


def test_explain_of_an_embedding_list_search_builds_pymilvus_embedding_lists(docs: Session):
    from pymilvus.client.embedding_list import EmbeddingList

    docs.catalog().connection.client.indexed = True
    code = one(docs, f"EXPLAIN {EMBEDDINGS_SEARCH}").text
    assert "from pymilvus.client.embedding_list import EmbeddingList" in code
    [(method, args, kwargs)] = checked_calls(code)
    assert (method, args, kwargs["anns_field"]) == ("search", ("docs",), "items[emb]")
    assert kwargs["output_fields"] == ["content"] and kwargs["limit"] == 10
    first, second = kwargs["data"]
    assert isinstance(first, EmbeddingList) and isinstance(second, EmbeddingList)
    assert first.to_numpy().tolist() == [[1, 0, 0, 0], [0, 0.5, 0.5, 0]]
    assert second.to_numpy().tolist() == [[0, 0, 0, 1]] and first.dim == DIM
    report = fails(docs, EMBEDDINGS_SEARCH)
    assert report.count("\n") == 0, report
    assert report.endswith("SEARCH ... FOR EMBEDDINGS is not supported by Milvus Lite"), report


@pytest.mark.parametrize(
    ("cell", "message"),
    [
        (
            "SEARCH docs USING v FOR EMBEDDINGS ([1, 0, 0, 0])",
            "EMBEDDINGS (...) searches a vector inside an ARRAY<STRUCT<...>> column, and docs.v "
            "is not one",
        ),
        (
            "SEARCH docs USING items[emb] FOR EMBEDDINGS ([1, 0, 0, 0], [1, 0])",
            "vector has 2 dims, field items[emb] expects 4",
        ),
    ],
)
def test_bad_embedding_lists_say_why(docs: Session, cell: str, message: str):
    docs.catalog().connection.client.indexed = True
    report = fails(docs, f"EXPLAIN {cell}")
    assert message in report, report


def test_explain_of_an_index_on_a_struct_vector_with_a_max_sim_metric(docs: Session):
    cell = (
        "CREATE INDEX emb_index ON docs (items[emb]) USING HNSW "
        "WITH (metric_type = 'MAX_SIM_IP', M = 16, efConstruction = 200)"
    )
    code = one(docs, f"EXPLAIN {cell}").text
    [(_, args, kwargs)] = [c for c in checked_calls(code) if c[0] == "create_index"]
    [index] = args[1] if len(args) > 1 else kwargs["index_params"]
    assert (index.field_name, index.index_type, index.index_name) == (
        "items[emb]",
        "HNSW",
        "emb_index",
    )
    assert index.get_index_configs()["metric_type"] == "MAX_SIM_IP"
    assert index.get_index_configs()["params"] == {"M": 16, "efConstruction": 200}


def test_an_embedding_list_leg_of_a_hybrid_search_is_an_ann_search_request(docs: Session):
    from pymilvus.client.embedding_list import EmbeddingList

    docs.catalog().connection.client.indexed = True
    cell = (
        "SEARCH docs USING items[emb] FOR EMBEDDINGS ([0.1, 0.2, 0.3, 0.4]), "
        "USING v FOR [1, 0, 0, 0] RERANK RRF(60) LIMIT 3"
    )
    [(method, _, kwargs)] = checked_calls(one(docs, f"EXPLAIN {cell}").text)
    assert method == "hybrid_search"
    first, second = kwargs["reqs"]
    assert (first.anns_field, second.anns_field) == ("items[emb]", "v")
    [query] = first.data
    assert isinstance(query, EmbeddingList) and query.to_numpy().shape == (1, DIM)
    report = fails(docs, cell)
    assert report.endswith("SEARCH ... FOR EMBEDDINGS is not supported by Milvus Lite"), report


ADD_STRUCT = (
    "ALTER TABLE docs ADD COLUMN extras ARRAY<STRUCT<added_str VARCHAR(200), added_int INT32, "
    "added_float_vec FLOAT_VECTOR(4)>>(1000) NULL COMMENT 'dynamically added nullable struct field'"
)


def test_explain_of_an_added_struct_array_is_add_collection_struct_field(docs: Session):
    """struct_example.py's add_collection_struct_field: the struct schema built as it builds it."""
    [(method, args, kwargs)] = checked_calls(one(docs, f"EXPLAIN {ADD_STRUCT}").text)
    assert method == "add_collection_struct_field" and args[:2] == ("docs", "extras")
    struct, capacity = args[2:]
    assert capacity == 1000
    assert kwargs == {"nullable": True, "desc": "dynamically added nullable struct field"}
    members = {f.name: (f.dtype, f.params) for f in struct.fields}
    assert members == {
        "added_str": (DataType.VARCHAR, {"max_length": 200}),
        "added_int": (DataType.INT32, {}),
        "added_float_vec": (DataType.FLOAT_VECTOR, {"dim": DIM}),
    }
    report = fails(docs, ADD_STRUCT)
    assert report.count("\n") == 0, report
    assert report.endswith(
        "ALTER TABLE ... ADD COLUMN ... ARRAY<STRUCT<...>> is not supported by Milvus Lite"
    ), report
    report = fails(docs, ADD_STRUCT.replace(" NULL ", " NOT NULL "))
    assert "Milvus adds nullable struct arrays only" in report, report


# pymilvus's element-level answers: a query row (or a search hit) per matched element, with the
# element's index in the struct array under "offset" (grpc_handler expands element_indices so).
ELEMENT_ROWS = [
    {"id": 1, "offset": 0, "content": "aaa"},
    {"id": 1, "offset": 2, "content": "aaa"},
    {"id": 4, "offset": 1, "content": "bbb"},
]


def test_an_element_level_select_shows_each_matched_elements_offset(docs: Session, monkeypatch):
    from milvus_kernel.engine.schema import typed_reads

    monkeypatch.setattr(typed_reads, "require_version", lambda *args: None)  # "a 2.6 server"
    client = docs.catalog().connection.client
    queries: list[dict[str, Any]] = []

    def query(name: str, **kwargs: Any) -> list[dict[str, Any]]:
        queries.append(kwargs)
        if kwargs.get("output_fields") == ["count(*)"]:
            return [{"count(*)": len(ELEMENT_ROWS)}]
        return [
            {k: row[k] for k in ("id", "offset", *kwargs["output_fields"])} for row in ELEMENT_ROWS
        ]

    monkeypatch.setattr(client, "query", query, raising=False)
    table = one(docs, ELEMENT_QUERY)
    assert [c.name for c in table.columns] == ["id", "offset", "content"]
    assert [c.kind for c in table.columns][:2] == ["int", "int"]
    assert table.rows == [(1, 0, "aaa"), (1, 2, "aaa"), (4, 1, "bbb")]
    assert queries[-1]["filter"] == "element_filter(items, $[qty] > 50)"
    assert "offset" not in queries[-1]["output_fields"]  # pymilvus adds it, nobody asks for it
    plain = one(docs, "SELECT id, content FROM docs WHERE content = 'aaa' LIMIT 5")
    assert [c.name for c in plain.columns] == ["id", "content"]  # no ELEMENT_FILTER: no offsets


def test_an_element_level_search_shows_each_hits_offset(docs: Session):
    from pymilvus.client.search_result import Hit

    from milvus_kernel.engine.search.vector import hit_rows, plan_columns

    info = docs.catalog().require("docs")
    shown, fields = plan_columns(info, ["content"], "distance", False, None, elements=True)
    assert shown == ["rank", "id", "offset", "distance", "content"]
    assert fields == ["content"]
    hits = [
        Hit({"id": 1, "distance": 0.5, "offset": 2, "entity": {"content": "aaa"}}, pk_name="id"),
        Hit({"id": 4, "distance": 0.7, "offset": 0, "entity": {"content": "bbb"}}, pk_name="id"),
    ]
    rows = hit_rows([hits], shown, "id", "distance", 1, 0, False)
    assert rows == [(1, 1, 2, 0.5, "aaa"), (2, 4, 0, 0.7, "bbb")]
    entity_level, _ = plan_columns(info, ["content"], "distance", False, None)
    assert "offset" not in entity_level
