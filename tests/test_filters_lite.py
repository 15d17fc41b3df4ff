"""Filters on real Milvus Lite: every spelling returns what Python says it should, and no string
value, however hostile, can change the structure of the filter."""

from __future__ import annotations

import json

import pytest

from milvus_kernel.engine.session import Session
from milvus_kernel.errors import ExecutionError
from milvus_kernel.frontends.runner import run_cell
from milvus_kernel.language.filters import quote_string
from milvus_kernel.results import Table

HOSTILE = [
    "it's",
    'say "hi"',
    "back\\slash",
    "trailing\\",
    "new\nline",
    "tab\tand\rreturn",
    "üñí ☃ 中文 🙂",
    "50%",
    "a_b",
    "ab",
    'x" or id > 0 or s == "',
    "x' or id > 0 or s == '",
    '\\"',
    "'",
    '"',
    "",
    "%",
    "_",
    "\\%",
    "{x}",
    "$meta",
    ") or (1 == 1",
    "nul\u0000byte",
    "\u0000",
    "ctl\x01\x1b\x7f\u2028\b\f\v",
]

ROWS = [
    # id, n, label, score, ok, meta, tags
    (1, 1, "red", 0.5, True, {"k": 1, "tags": ["x", "y"]}, ["a", "b"]),
    (2, 2, "green", 1.5, False, {"k": 2, "tags": ["y"]}, ["b"]),
    (3, 3, "blue", 2.5, True, {"k": 3, "tags": []}, ["a", "b", "c"]),
    (4, 4, None, 3.5, False, {"k": 4, "tags": ["x"]}, []),
    (5, 5, "red", 4.5, True, {"k": 5, "tags": ["z"]}, ["c"]),
]

# a WHERE clause and the ids Python says it selects
CASES = [
    ("id = 3", {3}),
    ("id == 3", {3}),
    ("label <> 'red'", {2, 3}),
    ('label != "red"', {2, 3}),
    ("n < 3 AND score >= 1", {2}),
    ("n < 2 && ok = true", {1}),
    ("n = 1 OR n = 2 AND ok", {1}),
    ("(n = 1 OR n = 2) AND ok = true", {1}),
    ("NOT n = 1", {2, 3, 4, 5}),
    ("!(n = 1)", {2, 3, 4, 5}),
    ("id IN (1, 2, 3)", {1, 2, 3}),
    ("id in [4, 5]", {4, 5}),
    ("n NOT IN (1, 2)", {3, 4, 5}),
    ("label NOT IN ('red', 'blue') AND label IS NOT NULL", {2}),
    ("label LIKE 'gr%'", {2}),
    ("label LIKE '%e%'", {1, 2, 3, 5}),
    ("label NOT LIKE 'r%' AND label IS NOT NULL", {2, 3}),
    ("n BETWEEN 2 AND 4", {2, 3, 4}),
    ("n NOT BETWEEN 2 AND 4", {1, 5}),
    ("label IS NULL", {4}),
    ("label IS NOT NULL", {1, 2, 3, 5}),
    ("n * 2 + 1 > 7", {4, 5}),
    ("score > -1 AND n - 3 > 0", {4, 5}),
    ("meta['k'] >= 4", {4, 5}),
    ('meta["k"] = 2', {2}),
    ("tags[0] = 'a'", {1, 3}),
    ("JSON_CONTAINS(meta['tags'], 'x')", {1, 4}),
    ("ARRAY_CONTAINS(tags, 'c')", {3, 5}),
    ("ARRAY_CONTAINS_ANY(tags, ['a', 'c'])", {1, 3, 5}),
    ("ARRAY_CONTAINS_ALL(tags, ['a', 'b'])", {1, 3}),
    ("ARRAY_LENGTH(tags) >= 2", {1, 3}),
    ("docs.n = 5", {5}),
]


@pytest.fixture(scope="module")
def filtered(session: Session) -> Session:
    values = ", ".join(
        f"({i}, {n}, {_sql(label)}, {score}, {str(ok).upper()}, {json.dumps(meta)},"
        f" {json.dumps(tags)}, [0.1, 0.2])"
        for i, n, label, score, ok, meta, tags in ROWS
    )
    hostile = ", ".join(f"({100 + i}, {_sql(v)}, [0.1, 0.2])" for i, v in enumerate(HOSTILE))
    _run(
        session,
        "DROP TABLE IF EXISTS docs; DROP TABLE IF EXISTS hostile;"
        "CREATE TABLE docs (id INT64 PRIMARY KEY, n INT64, label VARCHAR(20), score DOUBLE,"
        " ok BOOL, meta JSON, tags ARRAY<VARCHAR(8)>(8), v FLOAT_VECTOR(2));"
        "CREATE TABLE hostile (id INT64 PRIMARY KEY, s VARCHAR(100), v FLOAT_VECTOR(2));"
        f"INSERT INTO docs VALUES {values}; INSERT INTO hostile VALUES {hostile};"
        "CREATE INDEX ON docs (v) USING FLAT WITH (metric_type = 'L2');"
        "CREATE INDEX ON hostile (v) USING FLAT WITH (metric_type = 'L2');"
        "LOAD docs; LOAD hostile",
    )
    return session


def _sql(value: str | None) -> str:
    return "NULL" if value is None else "'" + value.replace("'", "''") + "'"


def _run(session: Session, cell: str) -> list[object]:
    return list(run_cell(session, cell))


def _ids(session: Session, cell: str) -> set[int]:
    result = _run(session, cell)[-1]
    assert isinstance(result, Table)
    index = [c.name for c in result.columns].index("id")
    rows = list(result.all_rows()) if result.all_rows else list(result.rows)
    return {row[index] for row in rows}


@pytest.mark.parametrize(("where", "expected"), CASES, ids=[c[0] for c in CASES])
def test_filter_selects_what_python_says(filtered: Session, where: str, expected: set[int]) -> None:
    assert _ids(filtered, f"SELECT id FROM docs WHERE {where} LIMIT 100") == expected


@pytest.mark.parametrize("value", HOSTILE, ids=[repr(v) for v in HOSTILE])
def test_hostile_string_finds_exactly_its_own_row(filtered: Session, value: str) -> None:
    own = 100 + HOSTILE.index(value)
    single = "'" + value.replace("'", "''") + "'"
    assert _ids(filtered, f"SELECT id FROM hostile WHERE s = {single} LIMIT 100") == {own}
    # the same value typed Milvus-style, in double quotes with backslash escapes
    double = quote_string(value)
    assert _ids(filtered, f"SELECT id FROM hostile WHERE s == {double} LIMIT 100") == {own}
    # and as a key of an IN list, and a negated comparison
    assert _ids(filtered, f"SELECT id FROM hostile WHERE s IN ({single}, 'zzz') LIMIT 100") == {own}
    others = _ids(filtered, f"SELECT id FROM hostile WHERE s <> {single} LIMIT 100")
    assert others == {100 + i for i in range(len(HOSTILE))} - {own}


def test_like_wildcards_can_be_escaped(filtered: Session) -> None:
    ids = {v: 100 + i for i, v in enumerate(HOSTILE)}
    assert _ids(filtered, "SELECT id FROM hostile WHERE s LIKE '50\\%' LIMIT 100") == {ids["50%"]}
    assert _ids(filtered, "SELECT id FROM hostile WHERE s LIKE 'a\\_b' LIMIT 100") == {ids["a_b"]}
    underscore = _ids(filtered, "SELECT id FROM hostile WHERE s LIKE 'a_b' LIMIT 100")
    assert underscore == {ids["a_b"]}


def test_an_operator_this_server_lacks_gets_a_clear_error(filtered: Session) -> None:
    """Milvus Lite has no `%` in filters: the statement parses, and Lite's own reason is shown."""
    with pytest.raises(ExecutionError) as caught:
        _ids(filtered, "SELECT id FROM docs WHERE n % 2 = 0 LIMIT 100")
    report = caught.value.render()
    assert "docs" in report and "%" in report and "Traceback" not in report
