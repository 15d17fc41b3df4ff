"""INSERT / UPSERT / DELETE on Milvus Lite: conversions, checks before writing, batches, counts."""

from __future__ import annotations

import os
import signal
import sys
import threading
import time

import pytest
from pymilvus.exceptions import MilvusException

from milvus_kernel.engine.data import batch_writer
from milvus_kernel.engine.data import writes as writes_module
from milvus_kernel.errors import ExecutionError, Interrupted
from milvus_kernel.language.statements import (
    ColumnDef,
    CreateIndex,
    CreateTable,
    Delete,
    FieldType,
    Filter,
    Insert,
    Select,
)

COLUMNS = (
    ColumnDef("id", FieldType("INT64"), primary_key=True),
    ColumnDef("label", FieldType("VARCHAR", length=8), not_null=True),
    ColumnDef("score", FieldType("FLOAT")),
    ColumnDef("n", FieldType("INT16"), default=5),
    ColumnDef("meta", FieldType("JSON")),
    ColumnDef("tags", FieldType("ARRAY", element=FieldType("INT64"), capacity=3)),
    ColumnDef("vector", FieldType("FLOAT_VECTOR", dim=3)),
)


def make(session, name: str) -> None:
    session.execute(CreateTable(name, columns=COLUMNS))
    session.execute(CreateIndex(name, "vector", params={"metric_type": "L2"}))


def count(session, name: str) -> int:
    return session.execute(Select(name, count=True)).rows[0][0]


def rows_of(session, name: str):
    table = session.execute(Select(name, limit=100))
    return [dict(zip([c.name for c in table.columns], row, strict=True)) for row in table.rows]


def test_insert_converts_values(session, unique_name):
    make(session, unique_name)
    message = session.execute(
        Insert(
            unique_name,
            rows=(
                (1, "red", 1, 2, {"k": [1, 2]}, [1, 2], [1, 2, 3]),
                (2, "blue", 0.5, None, '{"a": "b"}', None, [0.5, 0, 1]),
                (3, "green", None, 3.0, None, [], [0, 0, 0]),
            ),
        )
    )
    assert message.text == f"inserted 3 rows into {unique_name}"
    got = {row["id"]: row for row in rows_of(session, unique_name)}
    assert got[1]["score"] == 1.0 and isinstance(got[1]["score"], float)
    assert got[1]["meta"] == {"k": [1, 2]} and got[1]["tags"] == [1, 2]
    assert got[1]["vector"] == [1.0, 2.0, 3.0]
    assert got[2]["meta"] == {"a": "b"}
    assert got[2]["n"] == 5  # NULL in a column with a DEFAULT takes the default
    assert got[3]["score"] is None and got[3]["n"] == 3


def test_named_columns_and_omitted_nullable(session, unique_name):
    make(session, unique_name)
    session.execute(
        Insert(unique_name, columns=("vector", "label", "id"), rows=(([1, 1, 1], "x", 7),))
    )
    (row,) = rows_of(session, unique_name)
    assert row["id"] == 7 and row["label"] == "x" and row["score"] is None and row["n"] == 5


@pytest.mark.parametrize(
    ("row", "columns", "message"),
    [
        (
            (2, "ok", 1.0, 1, None, None, [1, 2]),
            None,
            "row 2: vector has 2 dims, field vector expects 3",
        ),
        (
            (2, "ok", "high", 1, None, None, [1, 2, 3]),
            None,
            "row 2: column score expects FLOAT, got the string 'high'",
        ),
        (
            (2, None, 1.0, 1, None, None, [1, 2, 3]),
            None,
            "row 2: column label is NOT NULL and has no DEFAULT, got NULL",
        ),
        (
            (2, "ok", 1.0),
            None,
            "row 2 has 3 values, {t} expects 7 (id, label, score, n, meta, tags, vector)",
        ),
        (
            (2, "too long label", 1.0, 1, None, None, [1, 2, 3]),
            None,
            "row 2: column label is VARCHAR(8), got a string of 14 bytes",
        ),
        (
            (2, "ok", 1.0, 70000, None, None, [1, 2, 3]),
            None,
            "row 2: column n expects INT16, 70000 is out of range",
        ),
        (
            (2, "ok", 1.0, 1, None, [1, 2, 3, 4], [1, 2, 3]),
            None,
            "row 2: column tags holds at most 3 items",
        ),
        (
            (2, "ok", 1.0, 1, None, ["a"], [1, 2, 3]),
            None,
            "row 2: column tags (an item) expects INT64",
        ),
        ((None, "ok", 1.0, 1, None, None, [1, 2, 3]), None, "row 2: primary key id cannot be NULL"),
        ((2, "ok", 1.0, 1, "red", None, [1, 2, 3]), None, "row 2: column meta expects JSON"),
        ((2, [1, 2, 3]), ("id", "vector"), "column label of {t} is NOT NULL and has no DEFAULT"),
        ((2, "x", [1, 2, 3]), ("id", "nope", "vector"), "collection '{t}' has no field 'nope'"),
        ((2, "x", [1, 2, 3]), ("id", "id", "vector"), "column id appears twice"),
    ],
)
def test_bad_rows_write_nothing(session, unique_name, row, columns, message):
    make(session, unique_name)
    good = {"id": 1, "label": "ok", "score": 1.0, "n": 1, "meta": None, "tags": None}
    good["vector"] = [1, 2, 3]
    names = columns or tuple(good)
    first = tuple(good.get(name, "x") for name in names)
    with pytest.raises(ExecutionError) as info:
        session.execute(Insert(unique_name, rows=(first, row), columns=columns))
    assert message.format(t=unique_name) in info.value.message
    if message.startswith("row"):
        assert info.value.message.endswith("nothing was written")
    assert count(session, unique_name) == 0


def test_auto_id_reports_ids_and_upsert(session, unique_name):
    columns = (
        ColumnDef("id", FieldType("INT64"), primary_key=True, auto_id=True),
        ColumnDef("v", FieldType("FLOAT_VECTOR", dim=2)),
    )
    session.execute(CreateTable(unique_name, columns=columns))
    session.execute(CreateIndex(unique_name, "v", params={"metric_type": "L2"}))
    message = session.execute(Insert(unique_name, rows=tuple(([i, 0],) for i in range(5)))).text
    assert message.startswith(f"inserted 5 rows into {unique_name}; ids ")
    assert message.endswith(", … 5 in all")
    with pytest.raises(ExecutionError, match="AUTO_ID primary key"):
        session.execute(Insert(unique_name, columns=("id", "v"), rows=((1, [0, 0]),)))
    ids = [row[0] for row in session.execute(Select(unique_name, columns=("id",))).rows]
    upserted = session.execute(Insert(unique_name, rows=((ids[0], [9, 9]),), upsert=True))
    assert upserted.text == f"upserted 1 row into {unique_name}"
    assert count(session, unique_name) == 5


def test_upsert_replaces(session, unique_name):
    make(session, unique_name)
    session.execute(
        Insert(unique_name, columns=("id", "label", "vector"), rows=((1, "a", [0, 0, 0]),))
    )
    session.execute(
        Insert(
            unique_name, columns=("id", "label", "vector"), rows=((1, "b", [1, 1, 1]),), upsert=True
        )
    )
    (row,) = rows_of(session, unique_name)
    assert row["label"] == "b" and row["vector"] == [1.0, 1.0, 1.0]


def test_batches(session, unique_name, monkeypatch):
    make(session, unique_name)
    monkeypatch.setattr(writes_module, "BATCH_ROWS", 7)
    calls = []
    client = session.catalog().client
    original = client.insert

    def counting_insert(*args, **kwargs):
        calls.append(len(args[1]))
        return original(*args, **kwargs)

    monkeypatch.setattr(client, "insert", counting_insert)
    rows = tuple((i, "x", None, None, None, None, [i, 0, 0]) for i in range(20))
    assert (
        session.execute(Insert(unique_name, rows=rows)).text
        == f"inserted 20 rows into {unique_name}"
    )
    assert calls == [7, 7, 6]
    assert count(session, unique_name) == 20


def test_partial_failure_reports_what_was_written(session, unique_name, monkeypatch):
    make(session, unique_name)
    monkeypatch.setattr(writes_module, "BATCH_ROWS", 2)
    client = session.catalog().client
    original = client.insert
    calls = []

    def failing_insert(*args, **kwargs):
        calls.append(1)
        if len(calls) == 3:
            raise MilvusException(code=1100, message="rejected by the server")
        return original(*args, **kwargs)

    monkeypatch.setattr(client, "insert", failing_insert)
    rows = tuple((i, "x", None, None, None, None, [i, 0, 0]) for i in range(6))
    with pytest.raises(
        ExecutionError,
        match=r"4 rows had been inserted into \S+ \(rows 1-4\) before this batch; rows 5-6 "
        r"were not$",
    ):
        session.execute(Insert(unique_name, rows=rows))
    assert count(session, unique_name) == 4


def test_delete_counts_rows_really_deleted(session, unique_name):
    make(session, unique_name)
    rows = tuple(
        (i, "even" if i % 2 == 0 else "odd", None, None, None, None, [i, 0, 0]) for i in range(10)
    )
    session.execute(Insert(unique_name, rows=rows))
    result = session.execute(Delete(unique_name, Filter("id in [1, 2, 99]", ("id",))))
    assert result.text == f"deleted 2 rows from {unique_name}"
    result = session.execute(Delete(unique_name, Filter("label == 'odd'", ("label",))))
    assert result.text == f"deleted 4 rows from {unique_name}"
    assert count(session, unique_name) == 4
    with pytest.raises(ExecutionError, match="has no field 'nope'"):
        session.execute(Delete(unique_name, Filter("nope == 1", ("nope",))))
    with pytest.raises(ExecutionError, match="collection 'missing' does not exist"):
        session.execute(Delete("missing", Filter("id == 1", ("id",))))


def test_interrupt_between_batches_says_what_was_written(session, unique_name, monkeypatch):
    make(session, unique_name)
    monkeypatch.setattr(writes_module, "BATCH_ROWS", 3)
    client = session.catalog().client
    original = client.insert
    calls = []

    def interrupted_insert(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return original(*args, **kwargs)

    monkeypatch.setattr(client, "insert", interrupted_insert)
    rows = tuple((i, "x", None, None, None, None, [i, 0, 0]) for i in range(5))
    expected = (
        r"interrupted: 3 rows had been inserted into \S+ \(rows 1-3\); a batch of 2 rows "
        r"\(rows 4-5\) was in flight and may or may not have been written"
    )
    with pytest.raises(Interrupted, match=expected):
        session.execute(Insert(unique_name, rows=rows))
    assert count(session, unique_name) == 3


@pytest.mark.skipif(sys.platform == "win32", reason="SIGINT to oneself")
def test_interrupt_of_a_call_that_never_answers_returns_at_once(session, unique_name, monkeypatch):
    """An insert call that hangs (a frozen server): SIGINT is taken while it waits; after
    GRACE seconds the statement stops, says the batch is in doubt and writes nothing more."""
    make(session, unique_name)
    monkeypatch.setattr(writes_module, "BATCH_ROWS", 2)
    client = session.catalog().client
    original = client.insert
    release = threading.Event()
    calls = []

    def hanging_insert(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            threading.Timer(0.5, os.kill, (os.getpid(), signal.SIGINT)).start()
            release.wait(60)  # never answers while the statement waits
            return {"insert_count": 0}
        return original(*args, **kwargs)

    monkeypatch.setattr(client, "insert", hanging_insert)
    rows = tuple((i, "x", None, None, None, None, [i, 0, 0]) for i in range(6))
    started = time.monotonic()
    try:
        with pytest.raises(Interrupted) as raised:
            session.execute(Insert(unique_name, rows=rows))
    finally:
        release.set()
    took = time.monotonic() - started
    print(f"interrupt of a hanging insert call answered in {took:.2f} s")
    assert took < 0.5 + batch_writer.GRACE + 5
    assert raised.value.message == (
        f"interrupted: 2 rows had been inserted into {unique_name} (rows 1-2); a batch of 2 rows "
        "(rows 3-4) was in flight and may or may not have been written (its answer never came: "
        "check with SELECT COUNT(*)); rows 5-6 were not"
    )
    assert len(calls) == 2 and count(session, unique_name) == 2


@pytest.mark.skipif(sys.platform == "win32", reason="SIGINT to oneself")
def test_interrupt_during_a_batch_that_is_written_counts_it(session, unique_name, monkeypatch):
    """SIGINT while a batch is in flight and the server answers within GRACE: the batch counts,
    and the statement stops after it."""
    make(session, unique_name)
    monkeypatch.setattr(writes_module, "BATCH_ROWS", 2)
    client = session.catalog().client
    original = client.insert
    calls = []

    def insert_then_signal(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            os.kill(os.getpid(), signal.SIGINT)  # arrives while this call is under way
            time.sleep(0.3)
        return original(*args, **kwargs)

    monkeypatch.setattr(client, "insert", insert_then_signal)
    rows = tuple((i, "x", None, None, None, None, [i, 0, 0]) for i in range(6))
    with pytest.raises(Interrupted) as raised:
        session.execute(Insert(unique_name, rows=rows))
    assert raised.value.message == (
        f"interrupted: 4 rows had been inserted into {unique_name} (rows 1-4); rows 5-6 were not"
    )
    assert len(calls) == 2 and count(session, unique_name) == 4
