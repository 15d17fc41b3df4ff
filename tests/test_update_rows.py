"""UPDATE ... SET ... WHERE, UPSERT ... WITH (partial = true) and INSERT of existing keys, on
Milvus Lite through the kernel's own pipeline (`run_cell`), checked against raw pymilvus reads of
the same database: every row before and after, vectors and dynamic keys included, so exactly the
matching rows change and only in the named fields. More than 16,384 rows match (past one query's
window, so the keys come from the iterator). An UPDATE interrupted, or failing, mid-way reports
exactly the rows the server acknowledged (counted again with raw pymilvus).
"""

from __future__ import annotations

import _thread
import ast
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from admin_helpers import fails, text
from pymilvus import MilvusClient
from pymilvus.exceptions import MilvusException

from milvus_kernel.engine.data.updates import PAGE
from milvus_kernel.engine.session import Session

ROWS = 40_000
DIM = 4
LABELS = ("a", "b", "c")


@pytest.fixture(scope="module")
def raw(lite_dir: Path, session: Session) -> MilvusClient:
    text(session, "SHOW TABLES")  # the session opens the database first
    return MilvusClient(uri=str(lite_dir / "milvus_kernel.db"))


def create(session: Session, raw: MilvusClient, table: str, rows: int = ROWS) -> list[dict]:
    """A seeded table of `rows` rows (with a dynamic key), written with raw pymilvus."""
    text(
        session,
        f"CREATE TABLE {table} (id INT64 PRIMARY KEY, v FLOAT_VECTOR({DIM}), label VARCHAR(8), "
        "n INT64, price DOUBLE, tags ARRAY<INT64>(6)) WITH (enable_dynamic_field = true)",
    )
    rng = np.random.default_rng(7)
    vectors = rng.random((rows, DIM), dtype=np.float32)
    data = [
        {
            "id": i,
            "v": vectors[i].tolist(),
            "label": LABELS[int(rng.integers(3))],
            "n": int(rng.integers(100)),
            "price": float(rng.random()),
            "tags": [int(t) for t in rng.integers(0, 9, size=int(rng.integers(0, 4)))],
            "extra": i % 5,
        }
        for i in range(rows)
    ]
    for start in range(0, rows, 10_000):
        raw.insert(table, data[start : start + 10_000])
    return data


def snapshot(raw: MilvusClient, table: str) -> dict[int, dict[str, Any]]:
    """Every row of `table`, read with raw pymilvus (vectors as float32 lists)."""
    raw.load_collection(table)
    iterator = raw.query_iterator(table, batch_size=8000, filter="id >= 0", output_fields=["*"])
    rows: dict[int, dict[str, Any]] = {}
    while batch := iterator.next():
        for row in batch:
            row = dict(row)
            row["v"] = [float(x) for x in np.asarray(row["v"], dtype=np.float32)]
            row["tags"] = list(row["tags"]) if row.get("tags") is not None else None
            rows[row["id"]] = row
    iterator.close()
    return rows


def test_update_changes_exactly_the_matching_rows(session: Session, raw: MilvusClient) -> None:
    data = create(session, raw, "up_many")
    before = snapshot(raw, "up_many")
    assert len(before) == ROWS
    matches = {i for i, row in before.items() if row["label"] != "c" and row["n"] >= 20}
    assert len(matches) > 16_384  # past one query's window: the keys come by iterator
    said = text(
        session, "UPDATE up_many SET label = 'red', price = 2.5 WHERE label != 'c' AND n >= 20"
    )
    assert said == f"updated {len(matches)} rows of up_many"
    after = snapshot(raw, "up_many")
    assert set(after) == set(before)
    for key, row in before.items():
        expected = dict(row, label="red", price=2.5) if key in matches else row
        assert after[key] == expected, key
    assert after[3]["extra"] == data[3]["extra"]  # dynamic keys kept


def test_update_sets_null_a_dynamic_key_and_a_partition(
    session: Session, raw: MilvusClient
) -> None:
    create(session, raw, "up_null", rows=50)
    text(session, "CREATE PARTITION p ON up_null")
    raw.insert("up_null", [{"id": 100, "v": [0.0] * DIM, "label": "a", "n": 1, "price": 0.5,
                            "tags": [], "extra": 9}], partition_name="p")  # fmt: skip
    before = snapshot(raw, "up_null")
    assert text(session, "UPDATE up_null PARTITION p SET n = NULL, extra = 'x' WHERE TRUE") == (
        "updated 1 row of up_null (partition p)"
    )
    after = snapshot(raw, "up_null")
    assert after[100] == dict(before[100], n=None, extra="x")
    assert {k: v for k, v in after.items() if k != 100} == {
        k: v for k, v in before.items() if k != 100
    }
    assert text(session, "UPDATE up_null SET n = 1 WHERE id > 1000") == (
        "updated 0 rows of up_null (no row matches)"
    )


def test_array_append_and_remove_computed_exactly(session: Session, raw: MilvusClient) -> None:
    create(session, raw, "up_arrays", rows=300)
    before = snapshot(raw, "up_arrays")
    chosen = {k for k, row in before.items() if row["label"] == "a" and len(row["tags"]) <= 3}
    text(session, "UPDATE up_arrays SET tags = ARRAY_APPEND(tags, [7, 8]) WHERE label = 'a' "
                  "AND array_length(tags) <= 3")  # fmt: skip
    middle = snapshot(raw, "up_arrays")
    for key, row in before.items():
        tags = row["tags"] + [7, 8] if key in chosen else row["tags"]
        assert middle[key] == dict(row, tags=tags), key
    assert text(session, "UPDATE up_arrays SET tags = ARRAY_REMOVE(tags, 7) WHERE TRUE") == (
        "updated 300 rows of up_arrays"
    )
    after = snapshot(raw, "up_arrays")
    for key, row in middle.items():
        assert after[key] == dict(row, tags=[t for t in row["tags"] if t != 7]), key
    # over the capacity (6): refused, the row named, nothing changed
    error = fails(session, "UPDATE up_arrays SET tags = ARRAY_APPEND(tags, [1, 2, 3, 4, 5, 6]) "
                           "WHERE id < 5")  # fmt: skip
    assert "holds at most 6 items" in error and "nothing was changed" in error
    assert snapshot(raw, "up_arrays") == after


def test_refusals_are_one_line(session: Session, raw: MilvusClient) -> None:
    create(session, raw, "up_bad", rows=5)
    cases = {
        "UPDATE up_bad SET id = 3 WHERE TRUE": "is the primary key",
        "UPDATE up_bad SET n = 'x' WHERE TRUE": "SET n:",
        "UPDATE up_bad SET v = [1, 2] WHERE TRUE": "SET v:",
        "UPDATE up_bad SET label = ARRAY_APPEND(label, 1) WHERE TRUE": "needs an ARRAY field",
        "UPDATE up_bad SET n = 1": "UPDATE needs a WHERE clause",
        "UPDATE up_bad SET n = 1 WHERE nope_field > 1 AND id > 0": "",  # dynamic: Milvus judges
        "UPDATE up_bad SET n = UPPER(n) WHERE TRUE": "only constants, ARRAY_APPEND",
        "INSERT INTO up_bad (id, n) VALUES (1, 2) WITH (partial = true)": "is for UPSERT",
    }
    before = snapshot(raw, "up_bad")
    for cell, expected in cases.items():
        if not expected:
            assert text(session, cell).startswith("updated 0 rows")
            continue
        error = fails(session, cell)
        assert expected in error, (cell, error)
        assert "Traceback" not in error
    assert snapshot(raw, "up_bad") == before


class Faulty:
    """The session's client, whose upsert misbehaves after `after` good calls."""

    def __init__(self, client: Any, after: int, fault: str) -> None:
        self.real = client.upsert
        self.after = after
        self.fault = fault
        self.calls = 0

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        self.calls += 1
        if self.calls > self.after and self.fault == "fail":
            raise MilvusException(message="the server refused this batch")
        result = self.real(*args, **kwargs)
        if self.calls > self.after and self.fault == "interrupt":
            _thread.interrupt_main()  # Ctrl-C while this batch's answer is on its way
            time.sleep(0.5)
        return result


@pytest.mark.parametrize("fault", ["interrupt", "fail"])
def test_interrupted_or_failing_update_reports_the_exact_count(
    session: Session, raw: MilvusClient, monkeypatch: pytest.MonkeyPatch, fault: str
) -> None:
    table = f"up_{fault}"
    create(session, raw, table, rows=5 * PAGE)
    client = session.catalog().client
    faulty = Faulty(client, 2, fault)
    monkeypatch.setattr(client, "upsert", faulty)
    error = fails(session, f"UPDATE {table} SET label = 'zz' WHERE TRUE")
    monkeypatch.undo()
    changed = len(raw.query(table, filter="label == 'zz'", output_fields=["id"], limit=16384))
    print(f"{fault}: {error}")
    assert changed == (3 if fault == "interrupt" else 2) * PAGE
    assert f"{changed} rows of {table} had been updated" in error
    if fault == "interrupt":
        assert error.splitlines()[-1].startswith("interrupted") or "interrupted:" in error
    else:
        assert "the server refused this batch" in error


def test_partial_upsert_keeps_the_other_fields(session: Session, raw: MilvusClient) -> None:
    create(session, raw, "up_partial", rows=20)
    before = snapshot(raw, "up_partial")
    said = text(
        session,
        "UPSERT INTO up_partial (id, label, tags) VALUES (2, 'x', [1]), (5, 'y', []) "
        "WITH (partial = true)",
    )
    assert said == "upserted 2 rows into up_partial"
    after = snapshot(raw, "up_partial")
    assert after[2] == dict(before[2], label="x", tags=[1])
    assert after[5] == dict(before[5], label="y", tags=[])
    assert {k: after[k] for k in after if k not in (2, 5)} == {
        k: before[k] for k in before if k not in (2, 5)
    }
    assert "names the primary key" in fails(
        session, "UPSERT INTO up_partial (label) VALUES ('x') WITH (partial = true)"
    )


def _run_script(code: str) -> None:
    ast.parse(code)
    exec(compile(code, "<explain>", "exec"), {})  # the printed code, run as printed


def test_explain_code_runs_to_the_same_result(session: Session, raw: MilvusClient) -> None:
    create(session, raw, "up_ex_a", rows=500)
    create(session, raw, "up_ex_b", rows=500)
    cell = "UPDATE {t} SET label = 'q', tags = ARRAY_APPEND(tags, [5]) WHERE n < 30"
    code = text(session, "EXPLAIN " + cell.format(t="up_ex_b"))
    assert "partial_update=True" in code and "query_iterator" in code
    assert snapshot(raw, "up_ex_b") == snapshot(raw, "up_ex_a")  # EXPLAIN changed nothing
    text(session, cell.format(t="up_ex_a"))
    _run_script(code)
    assert snapshot(raw, "up_ex_b") == snapshot(raw, "up_ex_a")
    upsert = "UPSERT INTO {t} (id, label) VALUES (1, 'w') WITH (partial = true)"
    code = text(session, "EXPLAIN " + upsert.format(t="up_ex_b"))
    text(session, upsert.format(t="up_ex_a"))
    _run_script(code)
    assert snapshot(raw, "up_ex_b") == snapshot(raw, "up_ex_a")


def test_insert_of_existing_keys_says_so(session: Session, raw: MilvusClient) -> None:
    create(session, raw, "up_dup", rows=10)
    said = text(
        session,
        "INSERT INTO up_dup (id, v, label, n, price, tags) VALUES "
        "(1, [0, 0, 0, 0], 'a', 1, 1.0, []), (2, [0, 0, 0, 0], 'a', 1, 1.0, []), "
        "(50, [0, 0, 0, 0], 'a', 1, 1.0, [])",
    )
    count = raw.query("up_dup", filter="id >= 0", output_fields=["count(*)"])[0]["count(*)"]
    assert count == 11  # Lite overwrote 1 and 2: one more row
    assert "2 keys (1, 2) already existed" in said and "1 row more" in said


def test_cost_of_checking_existing_keys(session: Session, raw: MilvusClient) -> None:
    """The one keys query per batch, timed against the same INSERT into an AUTO_ID table (no
    check): printed, never asserted."""
    text(session, "CREATE TABLE up_keyed (id INT64 PRIMARY KEY, v FLOAT_VECTOR(4))")
    text(session, "CREATE TABLE up_auto (id INT64 PRIMARY KEY AUTO_ID, v FLOAT_VECTOR(4))")
    keyed = ", ".join(f"({i}, [0.1, 0.2, 0.3, {i % 7}])" for i in range(20_000))
    auto = ", ".join(f"([0.1, 0.2, 0.3, {i % 7}])" for i in range(20_000))
    started = time.perf_counter()
    assert text(session, f"INSERT INTO up_keyed VALUES {keyed}") == (
        "inserted 20000 rows into up_keyed"
    )
    checked = time.perf_counter() - started
    started = time.perf_counter()
    assert text(session, f"INSERT INTO up_auto VALUES {auto}").startswith("inserted 20000 rows")
    unchecked = time.perf_counter() - started
    print(f"INSERT 20,000 rows: keys checked {checked:.2f} s, AUTO_ID {unchecked:.2f} s, "
          f"ratio {checked / unchecked:.2f}")  # fmt: skip


def test_tab_after_update_offers_tables_then_their_fields() -> None:
    from milvus_kernel.language.completion import completion_context

    table = completion_context("UPDATE ", 7)
    assert table.wants == {"table"}
    field = completion_context("UPDATE docs SET a = 1, ", 23)
    assert field.wants == {"field"} and field.table == "docs"


def test_on_a_server_without_partial_upserts(milvus_server: Any, tmp_path: Path) -> None:
    """Milvus 2.3.5 has no partial upsert: UPDATE rewrites whole rows (the vectors and the other
    fields as stored), a partial UPSERT is refused in one line, and so are the database and
    column statements the server has no RPC for."""
    from admin_helpers import server_session

    with server_session(milvus_server, tmp_path) as session:
        text(
            session,
            "CREATE TABLE up_server (id INT64 PRIMARY KEY, v FLOAT_VECTOR(4), label VARCHAR(8), "
            "n INT64) WITH (enable_dynamic_field = true); CREATE INDEX ON up_server (v)",
        )
        raw = MilvusClient(uri=milvus_server.uri)
        rng = np.random.default_rng(3)
        data = [
            {
                "id": i,
                "v": rng.random(DIM, dtype=np.float32).tolist(),
                "label": "a",
                "n": i % 10,
                "extra": i,
            }
            for i in range(3000)
        ]
        raw.insert("up_server", data)
        raw.load_collection("up_server")
        said = text(session, "UPDATE up_server SET label = 'b' WHERE n >= 7")
        assert said.startswith("updated 900 rows of up_server (whole rows rewritten:")
        after = {
            row["id"]: row
            for row in raw.query(
                "up_server",
                filter="id >= 0",
                output_fields=["*"],
                limit=5000,
                consistency_level="Strong",
            )
        }
        assert len(after) == 3000
        for row in data:
            stored = after[row["id"]]
            expected = dict(row, label="b" if row["n"] >= 7 else "a")
            assert {k: stored[k] for k in ("id", "label", "n", "extra")} == {
                k: expected[k] for k in ("id", "label", "n", "extra")
            }
            assert np.allclose(stored["v"], row["v"]), row["id"]
        cases = {
            "UPSERT INTO up_server (id, label) VALUES (1, 'x') WITH (partial = true)": (
                "UPSERT ... WITH (partial = true) is not supported by Milvus v2.3.5"
            ),
            "DESCRIBE DATABASE default": "DESCRIBE DATABASE is not supported by Milvus v2.3.5",
            "ALTER TABLE up_server ADD COLUMN note VARCHAR(10)": (
                "ALTER TABLE ... ADD COLUMN is not supported by Milvus v2.3.5"
            ),
        }
        for cell, expected in cases.items():
            error = fails(session, cell)
            assert expected in error and len(error.splitlines()) == 1, error


def test_update_shows_progress_of_the_rows_changed(session: Session, raw: MilvusClient) -> None:
    create(session, raw, "up_progress", rows=3 * PAGE)
    seen: list[Any] = []
    session.progress = seen.append  # where the kernel's display would be
    try:
        text(session, "UPDATE up_progress SET n = 0 WHERE TRUE")
    finally:
        session.progress = None
    mine = [p for p in seen if p.label == "updating up_progress"]
    assert mine and mine[0].done == 0 and mine[0].total == 3 * PAGE
    assert mine[-1].finished and mine[-1].done == mine[-1].total == 3 * PAGE
