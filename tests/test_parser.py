"""Parser fixtures: every valid statement parses to its class, every filter translates exactly,
every invalid cell fails at the exact line and column with a helpful message."""

from __future__ import annotations

from pathlib import Path

import pytest

from milvus_kernel.errors import MilvusSyntaxError
from milvus_kernel.language import statements as s
from milvus_kernel.language.parser import parse_cell, parse_statement
from milvus_kernel.language.secrets import mask_secrets
from milvus_kernel.language.splitter import split_statements

FIXTURES = Path(__file__).parent / "fixtures"


def _rows(name: str) -> list[list[str]]:
    lines = (FIXTURES / name).read_text(encoding="utf-8").splitlines()
    return [line.split("\t") for line in lines if line.strip() and not line.startswith("#")]


@pytest.mark.parametrize(("kind", "text"), _rows("valid.sql"), ids=lambda v: v[:60])
def test_valid_statement(kind: str, text: str) -> None:
    statement = parse_statement(text)
    assert type(statement).__name__ == kind
    assert statement.text == mask_secrets(text.strip())
    # a trailing semicolon, leading blanks and comments change nothing
    again = parse_statement(f"  -- note\n{text} ;")
    assert again == statement


@pytest.mark.parametrize(("where", "expected"), _rows("filters.txt"), ids=lambda v: v[:40])
def test_filter_translation(where: str, expected: str) -> None:
    statement = parse_statement(f"SELECT * FROM docs WHERE {where}")
    assert isinstance(statement, s.Select)
    assert statement.where is not None
    assert statement.where.expression == expected


@pytest.mark.parametrize(
    ("position", "cell", "fragment"),
    _rows("invalid.txt") + _rows("limits.txt"),
    ids=lambda v: v[:40],
)
def test_invalid_statement(position: str, cell: str, fragment: str) -> None:
    cell = cell.replace("\\n", "\n")
    with pytest.raises(MilvusSyntaxError) as caught:
        parse_cell(cell)
    error = caught.value
    assert f"{error.line}:{error.column}" == position
    report = error.render()
    assert fragment in report
    assert "Traceback" not in report
    # the caret sits under the reported column of the reported line
    lines = report.splitlines()
    caret = next(i for i, line in enumerate(lines) if line.strip() == "^")
    assert lines[caret].index("^") - 2 == error.column - 1
    assert lines[caret - 1][2:] == mask_secrets(cell.splitlines()[error.line - 1]).expandtabs(1)


def test_statements_run_in_order_and_errors_are_numbered() -> None:
    cell = "SHOW TABLES; DESCRIBE docs;\n\nSELECT COUNT(*) FROM docs"
    assert [type(x).__name__ for x in parse_cell(cell)] == ["ShowTables", "DescribeTable", "Select"]
    with pytest.raises(MilvusSyntaxError) as caught:
        parse_cell("SHOW TABLES; SHOW TABLES; SHOW TABELS")
    assert caught.value.statement_index == 3
    assert "statement 3" in caught.value.render()


def test_semicolons_inside_strings_comments_and_names_do_not_split() -> None:
    cell = (
        'SELECT * FROM `a;b` WHERE x = \'a;b\' AND y = "c;\\"d" -- ;\n/* ; */ LIMIT 1; SHOW TABLES'
    )
    chunks = split_statements(cell)
    assert len(chunks) == 2
    first = parse_cell(cell)[0]
    assert isinstance(first, s.Select)
    assert first.table == "a;b"
    assert first.where is not None
    assert first.where.expression == '(x == "a;b") and (y == "c;\\"d")'


def test_blank_and_comment_only_cells_hold_no_statement() -> None:
    assert parse_cell("") == []
    assert parse_cell("  -- just a note\n /* and another */ ;;") == []


def test_values_are_typed() -> None:
    statement = parse_statement(
        "INSERT INTO t VALUES (1, -2, 0.5, -1e-3, 'it''s', \"a\\nb\", TRUE, NULL, [1, -2.5, .5],"
        " {3: 0.5, 17: 0.25}, {\"k\": [1, 'x']}, ['a', 'b'], [])"
    )
    assert isinstance(statement, s.Insert)
    assert statement.rows == (
        (
            1,
            -2,
            0.5,
            -0.001,
            "it's",
            "a\nb",
            True,
            None,
            [1, -2.5, 0.5],
            {3: 0.5, 17: 0.25},
            {"k": [1, "x"]},
            ["a", "b"],
            [],
        ),
    )


def test_create_table_columns() -> None:
    statement = parse_statement(
        "CREATE TABLE docs (id INT64 PRIMARY KEY AUTO_ID, label VARCHAR(20) NOT NULL DEFAULT 'x'"
        " PARTITION KEY, tags ARRAY<VARCHAR(32)>(16), v VECTOR(4),"
        " body VARCHAR(100) ANALYZER MATCH,"
        " bm SPARSE_FLOAT_VECTOR GENERATED ALWAYS AS BM25(body)) WITH (dynamic_field = true)"
    )
    assert isinstance(statement, s.CreateTable)
    id_, label, tags, vector, body, bm25 = statement.columns
    assert id_.primary_key and id_.auto_id and id_.type == s.FieldType("INT64")
    assert label.not_null and label.default == "x" and label.partition_key
    assert label.type == s.FieldType("VARCHAR", length=20)
    assert tags.type == s.FieldType("ARRAY", element=s.FieldType("VARCHAR", length=32), capacity=16)
    assert vector.type == s.FieldType("FLOAT_VECTOR", dim=4)
    assert body.analyzer and body.match
    assert bm25.bm25_source == "body"
    assert statement.options == {"dynamic_field": True}


def test_search_forms() -> None:
    native = parse_statement(
        "SEARCH docs USING v FOR [[1, 2], [3, 4]] IN PARTITION p WHERE label = 'a' RETURN label"
        " LIMIT 8 OFFSET 1 WITH (metric_type = 'cosine', nprobe = 8)"
    )
    assert native == s.Search(
        "docs",
        ([1, 2], [3, 4]),
        anns_field="v",
        partitions=("p",),
        where=s.Filter('label == "a"', ("label",), ("a",), "label"),
        output_fields=("label",),
        limit=8,
        offset=1,
        params={"nprobe": 8},
        metric="COSINE",
    )
    sql = parse_statement("SELECT id, distance FROM docs ORDER BY v <=> [1, 2] LIMIT 3")
    assert isinstance(sql, s.Search)
    assert (sql.metric, sql.anns_field, sql.limit, sql.projection) == (
        "COSINE",
        "v",
        3,
        ("id", "distance"),
    )


def test_get_by_primary_key_is_recognized() -> None:
    statement = parse_statement("SELECT * FROM docs WHERE id IN (1, 2, 3)")
    assert isinstance(statement, s.Select) and statement.where is not None
    assert (statement.where.keys, statement.where.key_field) == ((1, 2, 3), "id")
    other = parse_statement("SELECT * FROM docs WHERE id IN (1, 2) AND x = 1")
    assert isinstance(other, s.Select) and other.where is not None
    assert other.where.keys is None


def test_secrets_stay_out_of_repr() -> None:
    statement = parse_statement("CONNECT 'http://h:19530' USER 'u' PASSWORD 'hunter2'")
    assert "hunter2" not in repr(statement)
    token = parse_statement("CONNECT 'http://h:19530' TOKEN 'u:hunter2'")
    assert "hunter2" not in repr(token)


LEGACY_README_CELL = """milvus://127.0.0.1:19530
create table test01 where dimension=128 and index_file_size=1024 and metric_type='L2'
drop table test01
create partition test01 where partition_tag='tag01'
list partitions test01
"""


@pytest.mark.parametrize(
    "cell",
    [
        LEGACY_README_CELL,
        LEGACY_README_CELL.upper().replace("MILVUS://", "milvus://"),
        "\n".join("    " + line for line in LEGACY_README_CELL.splitlines()),
        LEGACY_README_CELL.replace("\n", ";\n"),
        "\n\n" + LEGACY_README_CELL.replace("\n", "\n\n"),
    ],
    ids=["as-written", "upper-case", "indented", "semicolons", "blank-lines"],
)
def test_old_kernel_readme_cell(cell: str) -> None:
    """The old README's examples, one per line, in any case and layout: five statements."""
    statements = parse_cell(cell)
    assert [type(x).__name__ for x in statements] == [
        "Connect",
        "CreateTable",
        "DropTable",
        "CreatePartition",
        "ShowPartitions",
    ]
    connect, create, _, partition, _ = statements
    assert isinstance(connect, s.Connect) and connect.target == "http://127.0.0.1:19530"
    assert isinstance(create, s.CreateTable)
    assert {k.lower(): v for k, v in create.options.items()} == {
        "dimension": 128,
        "index_file_size": 1024,
        "metric_type": "L2",
    }
    assert isinstance(partition, s.CreatePartition)
    assert (partition.name.lower(), partition.table.lower()) == ("tag01", "test01")


def test_old_dialect_meanings() -> None:
    insert = parse_statement("insert 2,3,5 from t where partition_tag='p' by id=7")
    assert insert == s.Insert("t", ((7, [2, 3, 5]),), partition="p", legacy_form=True)
    search = parse_statement(
        "select 2,3,5 from t where top_k=4 and partition_tags='p' and nprobe=16"
    )
    assert search == s.Search("t", ([2, 3, 5],), partitions=("p",), limit=4, params={"nprobe": 16})
    assert parse_statement("select t by id=1,2") == s.Select("t", keys=(1, 2))
    assert parse_statement("delete t by id=1") == s.Delete("t", keys=(1,))
    assert parse_statement("create index t where index_type='ivf_flat' and nlist=64") == (
        s.CreateIndex("t", "", index_type="IVF_FLAT", params={"nlist": 64})
    )


def test_a_broken_multi_line_statement_reports_its_own_error() -> None:
    with pytest.raises(MilvusSyntaxError) as caught:
        parse_cell("SELECT id\nFROM docs\nWHERE id = = 1")
    assert (caught.value.line, caught.value.column) == (3, 12)


def test_explain_keeps_the_inner_statement_text() -> None:
    explain = parse_statement("EXPLAIN SEARCH docs FOR [1, 2] LIMIT 3")
    assert isinstance(explain, s.Explain)
    assert explain.statement.text == "SEARCH docs FOR [1, 2] LIMIT 3"


@pytest.mark.parametrize(
    "cell",
    [
        "CONNECT 'http://h:19530' USER 'u' PASSWORD 'hunter2' DATABASE nosuch",
        "CONNECT 'http://u:hunter2@h:19530'",
        "CONNECT 'http://h:19530' TOKEN 'u:hunter2'",
        "CREATE USER u PASSWORD 'hunter2'",
        "ALTER USER u PASSWORD \"hunter2\" OLD PASSWORD 'hunter2'",
    ],
)
def test_statement_text_never_holds_a_secret(cell: str) -> None:
    statement = parse_statement(cell)
    assert "hunter2" not in statement.text
    assert "hunter2" not in repr(statement)


@pytest.mark.parametrize(
    "cell",
    [
        "CONNECT 'http://h:19530' USER 'u' PASSWORD 'hunter2' DATABSE d",
        "CONNECT 'http://u:hunter2@h:19530' BOGUS",
        "CONNECT 'http://h:19530' TOKEN 'u:hunter2' TOKEN 'x'",
        "SHOW TABLES;\nCONNECT 'h' PASSWORD 'hunter2",
    ],
)
def test_syntax_errors_never_repeat_a_secret(cell: str) -> None:
    with pytest.raises(MilvusSyntaxError) as caught:
        parse_cell(cell)
    assert "hunter2" not in caught.value.render()


def test_the_caret_stays_under_the_mistake_after_masking() -> None:
    cell = "CONNECT 'http://u:long-password@h:1' USER 'x' PASSWORD 'another-long-one' DATABSE d"
    with pytest.raises(MilvusSyntaxError) as caught:
        parse_cell(cell)
    lines = caught.value.render().splitlines()
    source, caret = lines[1], lines[2]
    assert source[caret.index("^") :].startswith("DATABSE")
    assert "long-password" not in source and "another-long-one" not in source


def test_bound_python_values() -> None:
    """`:name` takes a Python value without its text ever entering the statement."""
    numpy = pytest.importorskip("numpy")
    params = {
        "q": numpy.array([0.5, 0.25], dtype=numpy.float32),
        "qs": numpy.eye(2),
        "label": 'x" or id > 0 or label == "',
        "ids": [1, 2],
        "n": numpy.int64(3),
        "words": "tune hnsw",
    }
    search = parse_cell("SEARCH docs FOR :q LIMIT 3", params)[0]
    assert isinstance(search, s.Search) and search.vectors == ([0.5, 0.25],)
    many = parse_cell("SEARCH docs FOR :qs", params)[0]
    assert isinstance(many, s.Search) and many.vectors == ([1.0, 0.0], [0.0, 1.0])
    select = parse_cell("SELECT * FROM d WHERE label = :label AND id IN :ids AND n > :n", params)[0]
    assert isinstance(select, s.Select) and select.where is not None
    assert select.where.expression == (
        '((label == "x\\" or id > 0 or label == \\"") and (id in [1, 2])) and (n > 3)'
    )
    insert = parse_cell("INSERT INTO d VALUES (:n, :label, :q)", params)[0]
    assert isinstance(insert, s.Insert)
    assert insert.rows == ((3, params["label"], [0.5, 0.25]),)
    text = parse_cell("SEARCH docs TEXT :words", params)[0]
    assert isinstance(text, s.Search) and text.query_text == "tune hnsw"


def test_unbound_names_are_reported_where_they_stand() -> None:
    with pytest.raises(MilvusSyntaxError) as caught:
        parse_cell("SELECT * FROM d WHERE x = :nope", {"other": 1})
    assert (caught.value.line, caught.value.column) == (1, 27)
    assert "no value is bound to :nope" in caught.value.render()
    with pytest.raises(MilvusSyntaxError) as outside:
        parse_cell("SEARCH docs FOR :q")
    assert "%milvus magic" in outside.value.render()


def test_old_help_topics_one_per_line() -> None:
    statements = parse_cell("help -metric\nhelp -index\n HELP  create   table ")
    assert statements == [s.Help("-metric"), s.Help("-index"), s.Help("create table")]
