"""ORDER BY fields, GROUP BY and aggregates, SEARCH ... ORDER BY: computed by the kernel, checked
against Python on the same seeded data (20,000 rows: past Milvus's 16,384 window, with NULLs and
ties), against raw pymilvus for SEARCH, and by running EXPLAIN's code through pymilvus."""

from __future__ import annotations

import random
from collections import defaultdict
from typing import Any

import numpy as np
import pytest
from admin_helpers import one
from explained_code import run_explained
from kernel_harness import execute, running_kernel
from pymilvus import DataType, MilvusClient

from milvus_kernel.engine.reads import ordering
from milvus_kernel.errors import ExecutionError, MilvusSyntaxError

N = 20_000
LABELS = ["red", "green", "blue", "cyan", "teal", "gold", "pink"]
DIM = 4


def _data() -> list[dict[str, Any]]:
    rng = random.Random(14)
    vectors = np.random.default_rng(14).random((N, DIM), dtype=np.float32)
    rows = []
    for i in range(N):
        rows.append(
            {
                "id": i,
                "label": None if rng.random() < 0.05 else rng.choice(LABELS),
                "price": None if rng.random() < 0.05 else round(rng.uniform(0, 50), 1),  # ties
                "qty": rng.randint(0, 9),
                "v": vectors[i].tolist(),
            }
        )
    return rows


DATA = _data()


@pytest.fixture(scope="module")
def items(session) -> str:
    client: MilvusClient = session.catalog().connection.client
    schema = MilvusClient.create_schema()
    schema.add_field("id", DataType.INT64, is_primary=True)
    schema.add_field("label", DataType.VARCHAR, max_length=16, nullable=True)
    schema.add_field("price", DataType.DOUBLE, nullable=True)
    schema.add_field("qty", DataType.INT64)
    schema.add_field("v", DataType.FLOAT_VECTOR, dim=DIM)
    index = client.prepare_index_params()
    index.add_index("v", index_type="FLAT", metric_type="L2")
    client.create_collection("items", schema=schema, index_params=index)
    shuffled = DATA[:]
    random.Random(1).shuffle(shuffled)  # stored in no particular order
    for start in range(0, N, 5000):
        client.insert("items", shuffled[start : start + 5000])
    client.load_collection("items")
    return "items"


def _key(fields: list[tuple[str, bool]]):
    """Python's own ORDER BY: NULLs last, DESC reversing, ties by id."""

    def key(row: dict[str, Any]) -> tuple[Any, ...]:
        parts: list[Any] = []
        for name, descending in fields:
            value = row[name]
            if value is None:
                parts.append((1, 0))
            elif isinstance(value, str) and descending:
                parts.append((0, (*(-ord(c) for c in value), 1)))
            else:
                parts.append((0, -value if descending else value))
        return (*parts, row["id"])

    return key


def _expected(fields, columns, offset=0, limit=None, rows=DATA):
    ordered = sorted(rows, key=_key(fields))
    end = None if limit is None else offset + limit
    return [tuple(r[c] for c in columns) for r in ordered[offset:end]]


@pytest.mark.parametrize(
    ("sql", "fields", "columns", "offset", "limit"),
    [
        ("ORDER BY price DESC, id LIMIT 10 OFFSET 5", [("price", True)], ["id", "price"], 5, 10),
        ("ORDER BY price LIMIT 50", [("price", False)], ["id", "price"], 0, 50),
        ("ORDER BY qty DESC, label LIMIT 40", [("qty", True), ("label", False)], None, 0, 40),
        (
            "ORDER BY label DESC, price LIMIT 30 OFFSET 16370",
            [("label", True), ("price", False)],
            ["id", "label", "price"],
            16370,
            30,
        ),
        (
            "ORDER BY price DESC LIMIT 25 OFFSET 19990",
            [("price", True)],
            ["id", "price"],
            19990,
            25,
        ),
    ],
)
def test_order_by_equals_python(session, items, sql, fields, columns, offset, limit):
    columns = columns or ["id", "qty", "label"]
    table = one(session, f"SELECT {', '.join(columns)} FROM items {sql}")
    assert [c.name for c in table.columns] == columns
    assert table.rows == _expected(fields, columns, offset, limit)


def test_order_by_with_where(session, items):
    table = one(session, "SELECT id, price FROM items WHERE qty = 3 ORDER BY price DESC LIMIT 100")
    subset = [r for r in DATA if r["qty"] == 3]
    assert table.rows == _expected([("price", True)], ["id", "price"], 0, 100, subset)


def test_order_by_without_limit_pages_and_streams_everything(session, items, monkeypatch):
    monkeypatch.setattr(ordering, "RUN_ROWS", 3000)  # several runs spilled to files, merged
    one(session, "SET display_limit = 20")
    table = one(session, "SELECT id, label, price FROM items ORDER BY label, price DESC")
    everything = _expected([("label", False), ("price", True)], ["id", "label", "price"])
    assert table.total == N
    assert table.rows == everything[:20]
    assert list(table.all_rows()) == everything
    one(session, "SET display_limit = 100")


def test_sorted_rows_holds_runs_not_everything():
    rows = [{"id": i, "x": (i * 7919) % 1000} for i in range(10_000)]
    key = ordering.sort_key([ordering.OrderKey("x", True)], "id")
    assert list(ordering.sorted_rows(iter(rows), key, run_rows=700)) == sorted(rows, key=key)


def _groups(rows, keys):
    groups: dict[tuple[Any, ...], list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        groups[tuple(row[k] for k in keys)].append(row)
    return groups


def _present(members, field):
    return [m[field] for m in members if m[field] is not None]


def test_group_by_equals_python_groupby(session, items):
    table = one(
        session,
        "SELECT label, COUNT(*), AVG(price), MIN(price), MAX(price), SUM(price), COUNT(price)"
        " FROM items GROUP BY label",
    )
    assert [c.name for c in table.columns] == [
        "label",
        "count(*)",
        "avg(price)",
        "min(price)",
        "max(price)",
        "sum(price)",
        "count(price)",
    ]
    groups = _groups(DATA, ["label"])
    assert len(table.rows) == len(groups) == len(LABELS) + 1  # NULL is a group of its own
    assert [r[0] for r in table.rows] == [*sorted(LABELS), None]  # by key, NULL last
    for label, count, avg, low, high, total, priced in table.rows:
        members = groups[(label,)]
        prices = _present(members, "price")
        assert count == len(members)
        assert priced == len(prices)
        assert avg == pytest.approx(sum(prices) / len(prices), rel=1e-12)
        assert (low, high) == (min(prices), max(prices))
        assert total == pytest.approx(sum(prices), rel=1e-12)


def test_group_by_two_keys_ordered_by_count(session, items):
    table = one(
        session,
        "SELECT label, qty, COUNT(*) FROM items WHERE price > 10"
        " GROUP BY label, qty ORDER BY COUNT(*) DESC, qty LIMIT 7 OFFSET 2",
    )
    subset = [r for r in DATA if r["price"] is not None and r["price"] > 10]
    counted = [(k[0], k[1], len(m)) for k, m in _groups(subset, ["label", "qty"]).items()]
    counted.sort(key=lambda g: (-g[2], g[1], g[0] is None, g[0] or ""))
    assert table.rows == counted[2:9]


def test_order_by_an_aggregate_not_shown(session, items):
    table = one(session, "SELECT label FROM items GROUP BY label ORDER BY SUM(price) DESC LIMIT 3")
    groups = _groups(DATA, ["label"])
    best = sorted(groups, key=lambda k: -sum(_present(groups[k], "price")))
    assert table.rows == best[:3]
    assert [c.name for c in table.columns] == ["label"]


def test_count_distinct_and_aggregates_without_group_by(session, items):
    table = one(
        session,
        "SELECT COUNT(DISTINCT label), COUNT(DISTINCT qty), MIN(price), MAX(price), COUNT(*)"
        " FROM items",
    )
    prices = _present(DATA, "price")
    expected = (len(set(_present(DATA, "label"))), 10, min(prices), max(prices), N)
    assert table.rows == [expected]
    assert one(session, "SELECT COUNT(*) FROM items WHERE qty = 1").rows == [
        (sum(r["qty"] == 1 for r in DATA),)
    ]


def test_aggregates_of_no_rows(session, items):
    table = one(
        session, "SELECT COUNT(*), AVG(price), SUM(qty), MIN(label) FROM items WHERE id < 0"
    )
    assert table.rows == [(0, None, None, None)]
    assert one(session, "SELECT label, COUNT(*) FROM items WHERE id < 0 GROUP BY label").rows == []


@pytest.mark.parametrize(
    ("sql", "message"),
    [
        ("SELECT id FROM items ORDER BY nope LIMIT 3", "ORDER BY nope: collection 'items' has no"),
        ("SELECT id FROM items ORDER BY v LIMIT 3", "ORDER BY v: a FLOAT_VECTOR(4) field has no"),
        ("SELECT AVG(label) FROM items", "AVG(label) needs a number field, not VARCHAR(16)"),
        ("SELECT nope, COUNT(*) FROM items GROUP BY nope", "GROUP BY nope: collection 'items'"),
        ("SELECT MAX(nope) FROM items", "MAX(nope): collection 'items' has no field 'nope'"),
    ],
)
def test_engine_errors(session, items, sql, message):
    with pytest.raises(ExecutionError, match=None) as caught:
        one(session, sql)
    assert message in caught.value.message


@pytest.mark.parametrize(
    ("sql", "column", "message"),
    [
        ("SELECT label, qty, COUNT(*) FROM items GROUP BY label", 15, "qty is neither in GROUP BY"),
        ("SELECT label, COUNT(*) FROM items ORDER BY qty", 8, "label is neither in GROUP BY"),
        ("SELECT *, COUNT(*) FROM items", 25, "SELECT * does not go with aggregates"),
        ("SELECT MEDIAN(qty) FROM items", 8, "unknown aggregate MEDIAN"),
        ("SELECT SUM(DISTINCT qty) FROM items", 12, "DISTINCT goes with COUNT, not SUM"),
        ("SELECT id FROM items ORDER BY COUNT(*)", 31, "needs aggregates or GROUP BY"),
        ("SELECT label FROM items GROUP BY label ORDER BY qty", 49, "orders by a GROUP BY field"),
        (
            "SEARCH items USING v FOR [1, 2, 3, 4], USING v FOR [4, 3, 2, 1] RERANK RRF(60)"
            " ORDER BY price LIMIT 3",
            89,
            "ORDER BY a field orders the hits of one search, not of a hybrid search",
        ),
    ],
)
def test_parse_errors_with_position(session, sql, column, message):
    with pytest.raises(MilvusSyntaxError) as caught:
        one(session, sql)
    assert message in caught.value.render()
    assert caught.value.column == column


def _raw_hits(client: MilvusClient, query: list[float], limit: int) -> list[dict[str, Any]]:
    hits = client.search(
        "items", data=[query], limit=limit, output_fields=["price"], anns_field="v"
    )[0]
    return [{"id": h["id"], "distance": h["distance"], "price": h["entity"]["price"]} for h in hits]


def test_search_order_by_sorts_the_top_hits(session, items):
    client = session.catalog().connection.client
    query = [0.5, 0.5, 0.5, 0.5]
    table = one(session, f"SEARCH items FOR {query} ORDER BY price DESC LIMIT 40")
    hits = _raw_hits(client, query, 40)
    by_price = sorted(hits, key=lambda h: (h["price"] is None, -(h["price"] or 0)))  # stable
    names = [c.name for c in table.columns]
    assert names == ["rank", "id", "distance", "price"]
    assert [r[1] for r in table.rows] == [h["id"] for h in by_price]
    assert [r[3] for r in table.rows] == [h["price"] for h in by_price]
    for row, hit in zip(table.rows, by_price, strict=True):
        assert row[2] == pytest.approx(hit["distance"], abs=1e-4)


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT id, price FROM items ORDER BY price DESC, id LIMIT 10 OFFSET 5",
        "SELECT id, label FROM items WHERE qty < 3 ORDER BY label DESC LIMIT 20 OFFSET 16000",
        "SELECT label, qty, COUNT(*), AVG(price), MIN(price), MAX(price), SUM(price)"
        " FROM items GROUP BY label, qty ORDER BY COUNT(*) DESC LIMIT 12",
        "SELECT COUNT(DISTINCT label), MAX(price) FROM items",
    ],
)
def test_explain_code_gives_the_same_rows(session, items, sql):
    table = one(session, sql)
    scope = run_explained(session, sql)
    names = [c.name for c in table.columns]
    explained = [tuple(row[n] for n in names) for row in scope["rows"]]
    assert len(explained) == len(table.rows)
    for mine, theirs in zip(table.rows, explained, strict=True):
        for a, b in zip(mine, theirs, strict=True):
            assert a == (pytest.approx(b, rel=1e-12) if isinstance(b, float) else b)


def test_explain_of_search_order_by_gives_the_same_hits(session, items):
    sql = "SEARCH items FOR [0.1, 0.9, 0.2, 0.4] ORDER BY price LIMIT 30"
    table = one(session, sql)
    scope = run_explained(session, sql)
    assert [h["id"] for h in scope["ordered"]] == [r[1] for r in table.rows]


def test_through_the_real_kernel(tmp_path):
    cell = (
        "CREATE TABLE shop (id INT64 PRIMARY KEY, label VARCHAR(8), price DOUBLE NULL,"
        " v FLOAT_VECTOR(2));\n"
        "INSERT INTO shop VALUES (1, 'a', 3.5, [0, 1]), (2, 'b', NULL, [1, 0]),"
        " (3, 'a', 1.5, [1, 1]), (4, 'b', 7.0, [0, 0]);\n"
    )
    with running_kernel(tmp_path) as (_km, kc):
        reply, _ = execute(kc, cell)
        assert reply["status"] == "ok", reply
        reply, outputs = execute(kc, "SELECT id, price FROM shop ORDER BY price DESC")
        assert reply["status"] == "ok", reply
        data = outputs[-1]["content"]["data"]["application/vnd.dataresource+json"]["data"]
        assert [(r["id"], r["price"]) for r in data] == [(4, 7.0), (1, 3.5), (3, 1.5), (2, None)]
        reply, outputs = execute(
            kc, "SELECT label, COUNT(*), AVG(price) FROM shop GROUP BY label ORDER BY label DESC"
        )
        data = outputs[-1]["content"]["data"]["application/vnd.dataresource+json"]["data"]
        assert [tuple(r.values())[-3:] for r in data] == [("b", 2, 7.0), ("a", 2, 2.5)]


def test_export_of_an_ordered_select_writes_every_row_in_order(session, items, lite_dir):
    import csv

    one(session, "SET display_limit = 10")
    one(session, "EXPORT (SELECT id, price FROM items ORDER BY price DESC) TO 'ordered.csv'")
    one(session, "SET display_limit = 100")
    with open(lite_dir / "ordered.csv", newline="", encoding="utf-8") as file:
        written = [
            (int(r["id"]), float(r["price"]) if r["price"] else None) for r in csv.DictReader(file)
        ]
    assert written == _expected([("price", True)], ["id", "price"])


def test_on_the_milvus_standalone_server(milvus_server, tmp_path):
    """The 2.3.5 server has no query ordering or grouping at all: the kernel's answer is the
    same exact one there (no NULLs: nullable fields came after 2.3)."""
    from milvus_kernel.engine.session import Session

    rng = random.Random(5)
    rows = [
        {
            "id": i,
            "label": rng.choice(LABELS),
            "price": round(rng.uniform(0, 9), 1),
            "v": [0.0, 1.0],
        }
        for i in range(3000)
    ]
    client = MilvusClient(uri=milvus_server.uri)
    schema = MilvusClient.create_schema()
    schema.add_field("id", DataType.INT64, is_primary=True)
    schema.add_field("label", DataType.VARCHAR, max_length=16)
    schema.add_field("price", DataType.DOUBLE)
    schema.add_field("v", DataType.FLOAT_VECTOR, dim=2)
    index = client.prepare_index_params()
    index.add_index("v", index_type="FLAT", metric_type="L2")
    client.create_collection("ordered", schema=schema, index_params=index)
    client.insert("ordered", rows)
    session = Session(workdir=tmp_path, environ={})
    try:
        one(session, f"CONNECT '{milvus_server.uri}'; SET consistency_level = 'Strong'")
        table = one(session, "SELECT id, price FROM ordered ORDER BY price DESC LIMIT 20 OFFSET 7")
        assert table.rows == _expected([("price", True)], ["id", "price"], 7, 20, rows)
        table = one(session, "SELECT label, COUNT(*), SUM(price) FROM ordered GROUP BY label")
        groups = _groups(rows, ["label"])
        assert [r[:2] for r in table.rows] == [(k[0], len(groups[k])) for k in sorted(groups)]
        for label, _, total in table.rows:
            assert total == pytest.approx(sum(r["price"] for r in groups[(label,)]), rel=1e-12)
    finally:
        session.close()
        client.drop_collection("ordered")
        client.close()


def test_progress_of_the_streamed_rows(session, items):
    seen: list[Any] = []
    session.progress = seen.append
    try:
        one(session, "SELECT id FROM items ORDER BY qty LIMIT 3")
        one(session, "SELECT qty, COUNT(*) FROM items GROUP BY qty")
    finally:
        session.progress = None
    finished = [(p.label, p.done, p.total) for p in seen if p.finished]
    assert finished == [
        ("SELECT items: ordering", N, N),
        ("SELECT items: aggregating", N, N),
    ]


def test_timestamps_order_as_instants_not_as_text(session, unique_name):
    """TIMESTAMPTZ comes back as ISO text in the session's zone: '…09:00:00.500000+08:00' sorts
    before '…09:00:00+08:00' as text, and an old date gets a local mean time offset."""
    from datetime import datetime

    at = [
        "2025-03-01T01:00:00.5Z",
        "2025-03-01T01:00:00Z",
        "0999-02-28T23:30:00Z",
        "2025-02-28T20:00:00-05:00",
        None,
    ]
    one(
        session,
        f"CREATE TABLE {unique_name} (id INT64 PRIMARY KEY, at TIMESTAMPTZ NULL,"
        " kind VARCHAR(4), v FLOAT_VECTOR(2))",
    )
    values = ", ".join(
        f"({i}, {'NULL' if t is None else repr(t)}, '{'ab'[i % 2]}', [0, {i}])"
        for i, t in enumerate(at)
    )
    one(session, f"INSERT INTO {unique_name} VALUES {values}")
    one(session, "SET timezone = 'Asia/Shanghai'")
    try:
        instant = {i: datetime.fromisoformat(t) for i, t in enumerate(at) if t is not None}
        expected = [*sorted(instant, key=lambda i: (instant[i], i), reverse=False), 4]
        assert [r[0] for r in one(session, f"SELECT id FROM {unique_name} ORDER BY at").rows] == (
            expected
        )
        sql = f"SELECT id FROM {unique_name} ORDER BY at DESC LIMIT 5"
        descending = [*sorted(instant, key=lambda i: instant[i], reverse=True), 4]
        assert [r[0] for r in one(session, sql).rows] == descending
        sql = f"SELECT kind, MIN(at), MAX(at) FROM {unique_name} GROUP BY kind ORDER BY MAX(at)"
        table = one(session, sql)
        for kind, low, high in table.rows:
            mine = [instant[i] for i in instant if "ab"[i % 2] == kind]
            assert (datetime.fromisoformat(low), datetime.fromisoformat(high)) == (
                min(mine),
                max(mine),
            )
        scope = run_explained(session, sql)
        assert [tuple(r.values()) for r in scope["rows"]] == table.rows
    finally:
        one(session, "SET timezone = 'UTC'")
