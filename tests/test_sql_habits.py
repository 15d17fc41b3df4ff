"""Where a SQL habit points elsewhere, the kernel says where (or accepts the habit and says what
it made of it): INT/INTEGER primary keys are INT64, TEXT is VARCHAR, AUTO_INCREMENT points to
AUTO_ID, DELETE without WHERE to TRUNCATE, a file after FOR to VECTOR FROM, SHOW INDEXES t and
DESC INDEX t are accepted. "expected" never shows a grammar's internal terminal name, a very long
line is shown as a window around the caret, and a HELP topic ends before a comment.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from milvus_kernel.engine.tools.help import help_statement
from milvus_kernel.errors import MilvusSyntaxError
from milvus_kernel.language import statements as s
from milvus_kernel.language.grammar import lark_parser
from milvus_kernel.language.parser import parse_cell, parse_statement

FIXTURES = Path(__file__).parent / "fixtures"


def _error(cell: str) -> MilvusSyntaxError:
    with pytest.raises(MilvusSyntaxError) as caught:
        parse_cell(cell)
    return caught.value


def test_int_and_integer_keys_are_int64_and_other_ints_stay_int32() -> None:
    statement = parse_statement(
        "CREATE TABLE t (id INT PRIMARY KEY, n INT, m INTEGER, name TEXT, v VECTOR(4))"
    )
    assert isinstance(statement, s.CreateTable)
    kinds = {c.name: c.type for c in statement.columns}
    assert kinds["id"] == s.FieldType("INT64")
    assert kinds["n"] == s.FieldType("INT32") and kinds["m"] == s.FieldType("INT32")
    assert kinds["name"] == s.FieldType("VARCHAR", length=65535)
    key = parse_statement("CREATE TABLE t (id integer primary key, v vector(2))")
    assert key.columns[0].type == s.FieldType("INT64")  # type: ignore[attr-defined]


@pytest.mark.parametrize("kind", ["INT8", "SMALLINT", "INT32", "FLOAT", "BOOL", "JSON"])
def test_a_key_of_another_type_is_refused_where_its_type_stands(kind: str) -> None:
    error = _error(f"CREATE TABLE t (id {kind} PRIMARY KEY, v VECTOR(4))")
    assert (error.line, error.column) == (1, 20)
    assert "a primary key is INT64 or VARCHAR(n)" in error.message
    assert error.hint == "write id INT64 PRIMARY KEY (INT and INTEGER keys are INT64 too)"


def test_text_is_a_type_even_where_search_would_read_it_as_a_keyword() -> None:
    statement = parse_statement("CREATE TABLE t (id INT64 PRIMARY KEY, body text, a ARRAY<TEXT>)")
    types = [c.type for c in statement.columns]  # type: ignore[attr-defined]
    assert types[1] == s.FieldType("VARCHAR", length=65535)
    assert types[2].element == s.FieldType("VARCHAR", length=65535)
    # and TEXT still starts a full-text search
    search = parse_statement("SEARCH docs TEXT 'tune hnsw' LIMIT 3")
    assert isinstance(search, s.Search) and search.query_text == "tune hnsw"


@pytest.mark.parametrize(
    ("cell", "hint"),
    [
        (
            "CREATE TABLE t (id INT64 PRIMARY KEY AUTO_INCREMENT, v VECTOR(4))",
            "Milvus makes the keys itself with AUTO_ID: id INT64 PRIMARY KEY AUTO_ID",
        ),
        ("DELETE FROM docs", "to delete every row: TRUNCATE TABLE docs (the schema stays)"),
        (
            "SEARCH docs FOR 'q.npy' LIMIT 3",
            "a file of vectors is read with VECTOR FROM 'q.npy' (every row: VECTORS FROM)",
        ),
    ],
)
def test_a_habit_gets_the_milvus_spelling(cell: str, hint: str) -> None:
    error = _error(cell)
    assert error.hint == hint
    assert f"hint: {hint}" in error.render()


def test_the_pointed_to_forms_parse() -> None:
    assert isinstance(parse_statement("TRUNCATE TABLE docs"), s.TruncateTable)
    search = parse_statement("SEARCH docs FOR VECTOR FROM 'q.npy' LIMIT 3")
    assert isinstance(search, s.Search) and search.vector_file == "q.npy"
    column = parse_statement("CREATE TABLE t (id INT64 PRIMARY KEY AUTO_ID, v VECTOR(2))")
    assert column.columns[0].auto_id  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    "text",
    ["SHOW INDEXES docs", "SHOW INDEX docs", "show indices docs", "DESC INDEX docs",
     "DESCRIBE INDEX docs", "describe indexes docs", "SHOW INDEXES ON docs"],
)  # fmt: skip
def test_show_indexes_and_desc_index_of_a_table(text: str) -> None:
    assert parse_statement(text) == s.ShowIndexes("docs")
    assert parse_statement("DESC INDEX vidx ON docs") == s.DescribeIndex("vidx", "docs")


# ---- "expected" shows what a person types, never a terminal's internal name -------------------


def _internal_names() -> set[str]:
    """Terminal names that are not a keyword spelled as itself (SIMPLE_ROW, PARAM, __ANON_0)."""
    names = set()
    for terminal in lark_parser().terminals:
        pattern = terminal.pattern
        if not (pattern.type == "str" and pattern.value.upper() == terminal.name):
            names.add(terminal.name)
    return names


def _invalid_cells() -> list[str]:
    lines = []
    for name in ("invalid.txt", "limits.txt"):
        if (FIXTURES / name).exists():
            lines += (FIXTURES / name).read_text(encoding="utf-8").splitlines()
    cells = [ln.split("\t")[1] for ln in lines if ln.strip() and not ln.startswith("#")]
    cells = [cell.replace("\\n", "\n") for cell in cells]
    # every valid statement cut short after each word, and with a stray word or bracket added
    valid = (FIXTURES / "valid.sql").read_text(encoding="utf-8").splitlines()
    for line in valid:
        if not line.strip() or line.startswith("#"):
            continue
        text = line.split("\t")[1]
        words = text.split(" ")
        cells += [" ".join(words[:n]) for n in range(1, len(words))]
        cells += [text + " zzz", text + " )", text + " ("]
    return cells


def test_expected_never_names_an_internal_terminal() -> None:
    internal = _internal_names()
    assert {"SIMPLE_ROW", "PARAM", "NAME"} <= internal
    checked = 0
    for cell in _invalid_cells():
        try:
            parse_cell(cell)
        except MilvusSyntaxError as error:
            checked += 1
            shown = set(error.expected)
            assert not shown & internal, (cell, shown & internal)
            assert not any("__ANON" in e for e in shown), cell
            expected_line = [ln for ln in error.render().splitlines() if ln.startswith("expected")]
            for line in expected_line:
                assert not re.search(r"\b(?:SIMPLE_ROW|__ANON\w*|[A-Z]+_[A-Z_]+_[A-Z]+)\b", line)
    print(f"checked {checked} syntax errors")
    assert checked > 500


def test_a_row_of_values_is_expected_as_a_parenthesis() -> None:
    error = _error("INSERT INTO docs VALUES")
    assert "'('" in error.expected and "SIMPLE_ROW" not in error.render()


# ---- a very long line is shown as a window around the caret ----------------------------------


@pytest.mark.parametrize("where", ["end", "start", "middle"])
def test_a_long_line_shows_a_window_around_the_caret(where: str) -> None:
    numbers = ", ".join(f"0.{i:03d}" for i in range(128))
    cell = {
        "end": f"SEARCH docs FOR [{numbers}] LIMT 3",
        "start": f"SEARCH docs FOUR [{numbers}] LIMIT 3",
        "middle": f"SELECT * FROM docs WHERE a IN ({numbers}) ) LIMIT 3 {numbers}",
    }[where]
    error = _error(cell)
    report = error.render()
    lines = report.splitlines()
    assert max(len(line) for line in lines) <= 200, report
    caret = next(i for i, line in enumerate(lines) if line.strip() == "^")
    shown, offset = lines[caret - 1][2:], lines[caret].index("^") - 2
    line = cell.splitlines()[error.line - 1]
    word = re.match(r"\w+|\S", line[error.column - 1 :]).group()  # type: ignore[union-attr]
    assert shown[offset:].startswith(word)  # the caret is under the mistake
    assert shown.strip(".") in line  # what is shown is the line's own text
    assert len(line) > 800 and error.column == line.index(word, error.column - 1) + 1


def test_a_hint_never_repeats_a_long_string() -> None:
    path = "'" + "d/" * 200 + "q.npy'"
    error = _error(f"SEARCH docs FOR {path} LIMIT 3")
    assert (
        error.hint
        == "a file of vectors is read with VECTOR FROM 'file.npy' (every row: VECTORS FROM)"
    )
    assert max(len(line) for line in error.render().splitlines()) <= 200


def test_a_short_line_is_shown_whole() -> None:
    error = _error("SELECT * FROM docs LIMT 3")
    assert "  SELECT * FROM docs LIMT 3\n" in error.render()


# ---- HELP topics end before a comment --------------------------------------------------------


@pytest.mark.parametrize(
    ("cell", "topic"),
    [
        ("HELP SEARCH -- note", "SEARCH"),
        ("HELP SEARCH /* c */", "SEARCH"),
        ("HELP SEARCH/* c */", "SEARCH"),
        ("help create  table -- which types?", "create table"),
        ("HELP SEARCH -- note\n", "SEARCH"),
        ("help -metric -- the metric table", "-metric"),
        ("HELP -- nothing but a note", None),
        ("HELP /* a note */ SEARCH", "SEARCH"),
    ],
)
def test_a_help_topic_ends_before_a_comment(cell: str, topic: str | None) -> None:
    (statement,) = parse_cell(cell)
    assert statement == s.Help(topic)
    plain = help_statement(None, s.Help(topic))
    assert help_statement(None, statement) == plain
    assert "no help on" not in str(getattr(plain, "text", plain))


def test_a_comment_after_help_does_not_hide_the_next_statement() -> None:
    statements = parse_cell("HELP SEARCH /* c */;\nSHOW TABLES -- and the list")
    assert statements == [s.Help("SEARCH"), s.ShowTables()]
