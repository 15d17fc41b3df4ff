"""ORDER BY a JSON path (`meta['p']`, `meta['t'][0]`), an ARRAY element (`tags[1]`) or a dynamic
key: computed by the kernel over 20,000 rows (past Milvus's 16,384 window) whose values are of
every JSON kind, checked against the test's own Python sort (numbers, then text, then booleans,
then arrays and objects; missing keys and nulls last; ties by id), for SEARCH against raw
pymilvus hits, and by running EXPLAIN's code."""

from __future__ import annotations

import json
import random
from typing import Any

import numpy as np
import pytest
from admin_helpers import fails, one
from explained_code import run_explained
from pymilvus import DataType, MilvusClient

from milvus_kernel.errors import ExecutionError, MilvusSyntaxError

N = 20_000
DIM = 4
KIND_ORDER = {"number": 0, "text": 1, "bool": 2, "other": 3}


def _json_value(rng: random.Random) -> Any:
    roll = rng.random()
    if roll < 0.1:
        return None  # the key is missing
    if roll < 0.4:
        return rng.randint(-50, 50)
    if roll < 0.6:
        return round(rng.uniform(-50, 50), 1)
    if roll < 0.75:
        return rng.choice(["apple", "fig", "kiwi", "Zed", ""])
    if roll < 0.85:
        return rng.random() < 0.5
    if roll < 0.93:
        return [rng.randint(0, 3)]
    return {"k": rng.randint(0, 3)}


def _data() -> list[dict[str, Any]]:
    rng = random.Random(19)
    vectors = np.random.default_rng(19).random((N, DIM), dtype=np.float32)
    rows = []
    for i in range(N):
        meta: dict[str, Any] = {"t": [rng.randint(0, 30) for _ in range(rng.randint(0, 3))]}
        p = _json_value(rng)
        if p is not None:
            meta["p"] = p
        row: dict[str, Any] = {
            "id": i,
            "meta": meta,
            "tags": [rng.randint(0, 99) for _ in range(rng.randint(0, 3))],
            "v": vectors[i].tolist(),
        }
        extra = _json_value(rng)
        if extra is not None:
            row["extra"] = extra
        rows.append(row)
    return rows


DATA = _data()


@pytest.fixture(scope="module")
def docs(session) -> str:
    client: MilvusClient = session.catalog().connection.client
    schema = MilvusClient.create_schema(enable_dynamic_field=True)
    schema.add_field("id", DataType.INT64, is_primary=True)
    schema.add_field("meta", DataType.JSON)
    schema.add_field("tags", DataType.ARRAY, element_type=DataType.INT64, max_capacity=4)
    schema.add_field("v", DataType.FLOAT_VECTOR, dim=DIM)
    index = client.prepare_index_params()
    index.add_index("v", index_type="FLAT", metric_type="L2")
    client.create_collection("jdocs", schema=schema, index_params=index)
    shuffled = DATA[:]
    random.Random(2).shuffle(shuffled)
    for start in range(0, N, 5000):
        client.insert("jdocs", shuffled[start : start + 5000])
    client.load_collection("jdocs")
    return "jdocs"


def _step(value: Any, path: tuple[Any, ...]) -> Any:
    for step in path:
        in_object = isinstance(value, dict) and isinstance(step, str) and step in value
        in_list = isinstance(value, list) and isinstance(step, int) and step < len(value)
        if not (in_object or in_list):
            return None
        value = value[step]
    return value


def _kind(value: Any) -> tuple[int, Any]:
    if isinstance(value, bool):
        return KIND_ORDER["bool"], int(value)
    if isinstance(value, (int, float)):
        return KIND_ORDER["number"], value
    if isinstance(value, str):
        return KIND_ORDER["text"], value
    return KIND_ORDER["other"], json.dumps(value, sort_keys=True)


def _expected(field: str, path: tuple[Any, ...], descending: bool) -> list[int]:
    """The test's own ORDER BY: kinds in order, DESC the exact reverse, NULLs last, ties by id."""
    present = []
    missing = []
    for row in DATA:
        value = _step(row.get(field), path)
        (missing if value is None else present).append((_kind(value), row["id"]))
    present.sort(key=lambda item: item[1])  # ties: id ascending (stable sorts below)
    present.sort(key=lambda item: item[0], reverse=descending)
    return [i for _, i in present] + sorted(i for _, i in missing)


CASES = [
    ("meta['p']", "meta", ("p",), False),
    ("meta['p'] DESC", "meta", ("p",), True),
    ("meta['t'][0] DESC", "meta", ("t", 0), True),
    ("tags[1]", "tags", (1,), False),
    ("extra", "extra", (), False),
    ("extra DESC", "extra", (), True),
]


@pytest.mark.parametrize(("key", "field", "path", "descending"), CASES)
@pytest.mark.parametrize(("limit", "offset"), [(25, 0), (30, 16_370), (40, 19_970)])
def test_order_by_json_paths_and_dynamic_keys_equals_python(
    session, docs, key, field, path, descending, limit, offset
):
    table = one(session, f"SELECT id FROM {docs} ORDER BY {key} LIMIT {limit} OFFSET {offset}")
    expected = _expected(field, path, descending)[offset : offset + limit]
    assert [row[0] for row in table.rows] == expected


def test_a_dynamic_key_is_returned_as_stored(session, docs):
    table = one(session, f"SELECT id, extra FROM {docs} ORDER BY extra DESC LIMIT 50")
    stored = {row["id"]: row.get("extra") for row in DATA}
    assert [row[0] for row in table.rows] == _expected("extra", (), True)[:50]
    assert all(row[1] == stored[row[0]] for row in table.rows)


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT id FROM jdocs ORDER BY meta['p'] DESC LIMIT 20 OFFSET 16375",
        "SELECT id FROM jdocs WHERE id < 5000 ORDER BY extra, tags[0] DESC LIMIT 30",
    ],
)
def test_explain_code_gives_the_same_rows(session, docs, sql):
    table = one(session, sql)
    scope = run_explained(session, sql)
    assert [row["id"] for row in scope["rows"]] == [row[0] for row in table.rows]
    assert "def ranked(value):" in one(session, f"EXPLAIN {sql}").text


def test_search_ordered_by_a_json_path_equals_raw_hits_sorted(session, docs):
    client: MilvusClient = session.catalog().connection.client
    query = [0.5, 0.5, 0.5, 0.5]
    table = one(session, f"SEARCH {docs} FOR {query} ORDER BY meta['p'] DESC LIMIT 40")
    raw = client.search(docs, data=[query], anns_field="v", limit=40, output_fields=["meta"])[0]
    by_id = {hit["id"]: _step(hit["entity"]["meta"], ("p",)) for hit in raw}
    present = [i for i in by_id if by_id[i] is not None]  # raw order: by distance
    present.sort(key=lambda i: _kind(by_id[i]), reverse=True)  # stable: ties keep distance order
    expected = present + [i for i in by_id if by_id[i] is None]
    ids = table.columns.index(next(c for c in table.columns if c.name == "id"))
    assert [row[ids] for row in table.rows] == expected
    scope = run_explained(session, f"SEARCH {docs} FOR {query} ORDER BY meta['p'] DESC LIMIT 40")
    assert [row["id"] for row in scope["ordered"]] == expected


def test_keys_that_cannot_order_say_why(session, docs):
    one(session, "CREATE TABLE fixed (id INT64 PRIMARY KEY, label VARCHAR(9), v FLOAT_VECTOR(2))")
    with pytest.raises(ExecutionError, match=r"a VARCHAR\(9\) field has no keys or elements"):
        one(session, "SELECT id FROM fixed ORDER BY label['x']")
    with pytest.raises(ExecutionError, match="has no field 'meta' \\(and no dynamic field\\)"):
        one(session, "SELECT id FROM fixed ORDER BY meta['x']")
    with pytest.raises(ExecutionError, match="has no field 'nope'"):
        one(session, "SELECT id FROM fixed ORDER BY nope")
    grouped = fails(session, f"SELECT tags, COUNT(*) FROM {docs} GROUP BY tags ORDER BY meta['p']")
    assert "a grouped query orders by a GROUP BY field or an aggregate" in grouped


def test_a_path_key_parses_with_its_steps():
    from milvus_kernel.language.parser import parse_cell

    (select,) = parse_cell("SELECT id FROM t ORDER BY meta['a'][2] DESC, b")
    assert [(k.field, k.path, k.descending) for k in select.order] == [
        ("meta", ("a", 2), True),
        ("b", (), False),
    ]
    with pytest.raises(MilvusSyntaxError):
        parse_cell("SELECT id FROM t ORDER BY meta[")
