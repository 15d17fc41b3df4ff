"""SELECT on Milvus Lite: columns, get by key, COUNT(*), LIMIT/OFFSET, past the 16384 cap."""

from __future__ import annotations

import pytest

from milvus_kernel.engine.reads import select as reads_module
from milvus_kernel.errors import ExecutionError
from milvus_kernel.language.statements import (
    ColumnDef,
    CreateIndex,
    CreateTable,
    FieldType,
    Filter,
    Insert,
    Select,
    SetOption,
)

N = 50


@pytest.fixture(scope="module")
def docs(session) -> str:
    columns = (
        ColumnDef("id", FieldType("INT64"), primary_key=True),
        ColumnDef("label", FieldType("VARCHAR", length=10)),
        ColumnDef("score", FieldType("DOUBLE")),
        ColumnDef("ok", FieldType("BOOL")),
        ColumnDef("meta", FieldType("JSON")),
        ColumnDef("tags", FieldType("ARRAY", element=FieldType("INT64"), capacity=4)),
        ColumnDef("vector", FieldType("FLOAT_VECTOR", dim=2)),
        ColumnDef("sparse", FieldType("SPARSE_FLOAT_VECTOR")),
    )
    session.execute(CreateTable("docs", columns=columns))
    session.execute(CreateIndex("docs", "vector", params={"metric_type": "L2"}))
    session.execute(CreateIndex("docs", "sparse"))
    rows = tuple(
        (i, f"l{i % 5}", i / 2, i % 2 == 0, {"i": i}, [i, i + 1], [float(i), 0.0], {i: 1.0})
        for i in range(N)
    )
    session.execute(Insert("docs", rows=rows))
    return "docs"


def test_select_star_and_kinds(session, docs):
    session.execute(SetOption("display_limit", 10))
    table = session.execute(Select(docs, limit=3))
    assert [c.name for c in table.columns] == [
        "id",
        "label",
        "score",
        "ok",
        "meta",
        "tags",
        "vector",
        "sparse",
    ]
    assert [c.kind for c in table.columns] == [
        "int",
        "str",
        "float",
        "bool",
        "json",
        "array",
        "vector",
        "sparse",
    ]
    assert len(table.rows) == 3 and table.total == 3
    assert table.rows[0] == (0, "l0", 0.0, True, {"i": 0}, [0, 1], [0.0, 0.0], {0: 1.0})


def test_columns_filter_and_count(session, docs):
    table = session.execute(
        Select(
            docs,
            columns=("label", "id"),
            where=Filter("id < 10 and label == 'l1'", ("id", "label")),
        )
    )
    assert [c.name for c in table.columns] == ["label", "id"]
    assert sorted(table.rows) == [("l1", 1), ("l1", 6)]
    assert table.total == 2
    counted = session.execute(Select(docs, count=True, where=Filter("score >= 10", ("score",))))
    assert [c.name for c in counted.columns] == ["count(*)"]
    assert counted.rows == [(N - 20,)]


def test_get_by_primary_key(session, docs):
    where = Filter("id in [3, 4, 999]", ("id",), keys=(3, 4, 999), key_field="id")
    table = session.execute(Select(docs, columns=("id", "label"), where=where))
    assert sorted(table.rows) == [(3, "l3"), (4, "l4")]
    assert table.total == 2


def test_no_limit_counts_and_streams(session, docs):
    session.execute(SetOption("display_limit", 7))
    try:
        table = session.execute(Select(docs, columns=("id",)))
        assert table.total == N
        assert len(table.rows) == 7
        assert table.all_rows is not None
        assert sorted(row[0] for row in table.all_rows()) == list(range(N))
        filtered = session.execute(Select(docs, columns=("id",), where=Filter("id >= 45", ("id",))))
        assert filtered.total == 5 and len(filtered.rows) == 5
        session.execute(SetOption("display_limit", 0))
        everything = session.execute(Select(docs, columns=("id",)))
        assert len(everything.rows) == N == everything.total
    finally:
        session.execute(SetOption("display_limit", 10))


def test_limit_offset(session, docs):
    first = session.execute(Select(docs, columns=("id",), limit=N))
    ordered = [row[0] for row in first.rows]
    page = session.execute(Select(docs, columns=("id",), limit=5, offset=10))
    assert [row[0] for row in page.rows] == ordered[10:15]


def test_past_the_window_uses_the_iterator(session, docs, monkeypatch):
    everything = [row[0] for row in session.execute(Select(docs, columns=("id",), limit=N)).rows]
    monkeypatch.setattr(reads_module, "MAX_WINDOW", 8)
    monkeypatch.setattr(reads_module, "ITERATOR_BATCH", 6)
    table = session.execute(Select(docs, columns=("id",), limit=20, offset=5))
    assert table.total == 20
    assert len(table.rows) == 10  # display_limit rows for display
    assert [row[0] for row in table.all_rows()] == everything[5:25]
    tail = session.execute(Select(docs, columns=("id",), limit=100, offset=45))
    assert tail.total == 5
    assert [row[0] for row in tail.all_rows()] == everything[45:]


def test_read_errors(session, docs):
    with pytest.raises(ExecutionError, match="has no field 'nope'"):
        session.execute(Select(docs, columns=("id", "nope")))
    with pytest.raises(ExecutionError, match="has no field 'nope'"):
        session.execute(Select(docs, where=Filter("nope > 1", ("nope",))))
    with pytest.raises(ExecutionError, match="collection 'missing' does not exist"):
        session.execute(Select("missing"))
    with pytest.raises(ExecutionError, match="partition 'p9' does not exist"):
        session.execute(Select(docs, partitions=("p9",)))
    with pytest.raises(ExecutionError) as info:
        session.execute(Select(docs, where=Filter("id >", ("id",))))
    assert "docs" in info.value.message and "id >" in info.value.message


def test_dynamic_fields(session, unique_name):
    session.execute(CreateTable(unique_name, options={"dimension": 2, "dynamic_field": True}))
    session.execute(
        Insert(unique_name, columns=("id", "vector", "colour"), rows=((1, [0, 1], "red"),))
    )
    table = session.execute(Select(unique_name))
    assert [c.name for c in table.columns] == ["id", "vector", "colour"]
    assert table.rows == [(1, [0.0, 1.0], "red")]
    picked = session.execute(
        Select(unique_name, columns=("colour",), where=Filter("colour == 'red'", ("colour",)))
    )
    assert picked.rows == [("red",)]


def test_more_rows_than_one_query_may_return(session, unique_name):
    total = reads_module.MAX_WINDOW + 616
    session.execute(CreateTable(unique_name, options={"dimension": 2}))
    session.execute(Insert(unique_name, rows=tuple((i, [float(i), 0.0]) for i in range(total))))
    table = session.execute(Select(unique_name, columns=("id",), limit=total - 10, offset=5))
    assert table.total == total - 10
    assert len(table.rows) == session.settings.display_limit
    streamed = [row[0] for row in table.all_rows()]
    assert len(streamed) == total - 10 and len(set(streamed)) == total - 10
    everything = session.execute(Select(unique_name, columns=("id",)))
    assert everything.total == total
    assert sorted(row[0] for row in everything.all_rows()) == list(range(total))
