"""The types of Milvus 2.6 (LANGUAGE.md §14) on Milvus Lite 3.2.2, against ground truth.

TIMESTAMPTZ: values written through the kernel (ISO text with any offset, datetimes from a
DataFrame) equal a raw pymilvus query of the same collection; SET timezone shows each value as
zoneinfo converts it; comparisons in WHERE select exactly the rows a Python filter of the
inserted moments selects. GEOMETRY: WKT values round-trip, and ST_WITHIN / ST_CONTAINS /
ST_INTERSECTS select exactly what rectangle arithmetic in the test selects. ARRAY<STRUCT<...>>
and nullable vectors, which Lite would make silently different, are refused in one line with
nothing created, while EXPLAIN's code is checked against pymilvus's own signatures (and builds
the struct schema of pymilvus's struct_example.py). SHOW CREATE TABLE re-runs to an equal
describe_collection.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from admin_helpers import fails, one, rows, run
from explained_code import checked_calls
from kernel_harness import execute, plain_texts, running_kernel
from pymilvus import MilvusClient

from milvus_kernel.engine.schema.fields import collection_info
from milvus_kernel.engine.schema.show_create import create_table_text
from milvus_kernel.engine.search.query_sources import anns_field
from milvus_kernel.engine.session import Session
from milvus_kernel.frontends.runner import run_cell
from milvus_kernel.language.parser import parse_cell
from milvus_kernel.results import Message

UTC = dt.timezone.utc
N = 200
BASE = dt.datetime(2025, 1, 1, tzinfo=UTC)
ZONES = ["UTC", "Asia/Shanghai", "America/New_York", "Asia/Kolkata"]


@pytest.fixture
def session(tmp_path: Path) -> Any:
    s = Session(workdir=tmp_path, environ={})
    s.settings.set("display_limit", 0)  # every row in the result
    yield s
    s.close()


def moments(seed: int = 14) -> list[dt.datetime]:
    rng = random.Random(seed)
    return [BASE + dt.timedelta(seconds=rng.randrange(0, 90 * 86400)) for _ in range(N)]


def as_text(moment: dt.datetime, zone: str) -> str:
    """The moment written with the offset of `zone` (so the inserted texts vary)."""
    return moment.astimezone(ZoneInfo(zone)).isoformat()


def events(session: Session, name: str = "ev") -> list[dt.datetime]:
    """A collection of N rows: `at` TIMESTAMPTZ written with varied offsets; returns the moments."""
    at = moments()
    run(
        session,
        f"CREATE TABLE {name} (id INT64 PRIMARY KEY, at TIMESTAMPTZ, v FLOAT_VECTOR(2));"
        f"CREATE INDEX ON {name} (v) USING FLAT WITH (metric_type = 'L2')",
    )
    values = ", ".join(
        f"({i}, '{as_text(m, ZONES[i % len(ZONES)])}', [{i}.0, 1.0])" for i, m in enumerate(at)
    )
    run(
        session,
        f"INSERT INTO {name} VALUES {values}; INSERT INTO {name} VALUES ({N}, NULL, [0, 0])",
    )
    return at


def raw(session: Session) -> MilvusClient:
    return session.catalog().client


def ids(session: Session, where: str, table: str = "ev") -> set[int]:
    return {r[0] for r in rows(session, f"SELECT id FROM {table} WHERE {where}")}


def test_timestamps_round_trip_equal_raw_pymilvus_and_show_in_the_session_zone(session):
    at = events(session)
    stored = {
        r["id"]: r["at"]
        for r in raw(session).query("ev", filter="id >= 0", output_fields=["at"], limit=1000)
    }
    shown = dict(rows(session, "SELECT id, at FROM ev"))
    assert shown == stored  # UTC: exactly what pymilvus reads
    for i, moment in enumerate(at):
        assert dt.datetime.fromisoformat(shown[i]) == moment
    assert shown[N] is None
    for zone in ("Asia/Shanghai", "America/New_York"):
        assert one(session, f"SET timezone = '{zone}'").text == f"timezone = {zone}"
        local = dict(rows(session, "SELECT id, at FROM ev"))
        for i, moment in enumerate(at):
            assert local[i] == moment.astimezone(ZoneInfo(zone)).isoformat()
        hits = one(session, "SEARCH ev FOR [3.0, 1.0] RETURN at LIMIT 3")
        index = [c.name for c in hits.columns].index("at")
        for hit in hits.rows:
            assert hit[index] == at[hit[1]].astimezone(ZoneInfo(zone)).isoformat()
    settings = dict((r[0], r[1]) for r in one(session, "SHOW SETTINGS").rows)
    assert settings["timezone"] == "America/New_York"


def test_timestamp_filters_equal_a_python_filter_of_the_inserted_moments(session):
    at = events(session)
    cut = BASE + dt.timedelta(days=30)
    low, high = BASE + dt.timedelta(days=10), BASE + dt.timedelta(days=50, hours=7)
    cases = {
        f"at > '{cut.isoformat()}'": lambda m: m > cut,
        f"at <= '{as_text(cut, 'Asia/Shanghai')}'": lambda m: m <= cut,
        "at >= '2025-02-01'": lambda m: m >= dt.datetime(2025, 2, 1, tzinfo=UTC),  # no offset: UTC
        f"'{cut.isoformat()}' < at": lambda m: m > cut,
        f"at BETWEEN '{low.isoformat()}' AND '{as_text(high, 'America/New_York')}'": lambda m: (
            low <= m <= high
        ),
        f"at = '{as_text(at[7], 'Asia/Kolkata')}'": lambda m: m == at[7],
        f"at IN ('{at[1].isoformat()}', '{as_text(at[2], 'Asia/Shanghai')}')": lambda m: (
            m in (at[1], at[2])
        ),
        f"NOT (at < '{cut.isoformat()}') AND id < 150": None,
    }
    for where, keep in cases.items():
        if keep is None:  # mixed with another field
            expected = {i for i, m in enumerate(at) if not m < cut and i < 150}
        else:
            expected = {i for i, m in enumerate(at) if keep(m)}
        assert ids(session, where) == expected, where
    assert ids(session, "at IS NULL") == {N}
    one(session, "SET timezone = 'Asia/Shanghai'")  # the zone changes the display, not the filter
    assert ids(session, f"at > '{cut.isoformat()}'") == {i for i, m in enumerate(at) if m > cut}


def test_timestamp_filters_stay_one_literal_and_bad_values_say_so(session):
    events(session)
    explained = one(session, "EXPLAIN SELECT id FROM ev WHERE at > '2025-03-01T00:00:00Z'").text
    assert "filter='at > ISO \"2025-03-01T00:00:00Z\"'" in explained
    # a value cannot break out of its literal: it is parsed as a timestamp first, or refused
    report = fails(session, "SELECT id FROM ev WHERE at > '2025-03-01\" or id >= 0 or \"'")
    assert "expects an ISO-8601 timestamp" in report and report.count("\n") == 0
    # a VARCHAR compared with a string that looks like a time stays a string comparison
    run(session, "CREATE TABLE notes (id INT64 PRIMARY KEY, day VARCHAR(40), v FLOAT_VECTOR(2))")
    run(session, "CREATE INDEX ON notes (v) USING FLAT WITH (metric_type = 'L2')")
    run(session, "INSERT INTO notes VALUES (1, '2025-03-01T00:00:00Z', [0, 1])")
    assert ids(session, "day = '2025-03-01T00:00:00Z'", "notes") == {1}
    assert "unknown time zone 'Mars/Olympus'" in fails(session, "SET timezone = 'Mars/Olympus'")


def test_timestamp_inserts_take_datetimes_and_refuse_other_text(session):
    pd = pytest.importorskip("pandas")
    run(
        session,
        "CREATE TABLE ts (id INT64 PRIMARY KEY, at TIMESTAMPTZ NOT NULL, v FLOAT_VECTOR(2))",
    )
    run(session, "CREATE INDEX ON ts (v) USING FLAT WITH (metric_type = 'L2')")
    at = moments()[:20]
    frame = pd.DataFrame(
        {
            "id": list(range(20)),
            "at": [m.astimezone(ZoneInfo("Asia/Shanghai")) for m in at],
            "v": [[float(i), 1.0] for i in range(20)],
        }
    )
    list(run_cell(session, "INSERT INTO ts FROM :df", {"df": frame}))
    naive = dt.datetime(2025, 5, 1, 12, 30)  # no zone: UTC
    list(run_cell(session, "INSERT INTO ts VALUES (:k, :t, [0, 0])", {"k": 99, "t": naive}))
    stored = {
        r["id"]: r["at"]
        for r in raw(session).query("ts", filter="id >= 0", output_fields=["at"], limit=100)
    }
    assert {k: dt.datetime.fromisoformat(v) for k, v in stored.items()} == {
        **dict(enumerate(at)),
        99: naive.replace(tzinfo=UTC),
    }
    report = fails(session, "INSERT INTO ts VALUES (100, 'next tuesday', [0, 0])")
    assert "column at expects an ISO-8601 timestamp" in report and "nothing was written" in report


def test_values_without_an_offset_are_in_the_collections_timezone_as_milvus_reads_them(session):
    run(session, "CREATE TABLE local (id INT64 PRIMARY KEY, at TIMESTAMPTZ, v FLOAT_VECTOR(2))")
    run(session, "CREATE INDEX ON local (v) USING FLAT WITH (metric_type = 'L2')")
    run(session, "INSERT INTO local VALUES (1, '2025-03-01T10:00:00', [0, 0])")  # none: UTC
    run(session, "ALTER TABLE local SET (timezone = 'Asia/Shanghai')")
    run(session, "INSERT INTO local VALUES (2, '2025-03-01T10:00:00', [0, 0])")
    raw(session).insert("local", [{"id": 3, "at": "2025-03-01T10:00:00", "v": [0, 0]}])  # Milvus
    assert rows(session, "SELECT id, at FROM local") == [
        (1, "2025-03-01T10:00:00Z"),
        (2, "2025-03-01T02:00:00Z"),
        (3, "2025-03-01T02:00:00Z"),
    ]
    assert ids(session, "at = '2025-03-01 10:00'", "local") == {2, 3}
    assert ids(session, "at = '2025-03-01T10:00:00Z'", "local") == {1}


def test_timestamp_default_and_geometry_show_create_reruns_to_an_equal_schema(session):
    run(
        session,
        "CREATE TABLE typed (id INT64 PRIMARY KEY,"
        " at TIMESTAMPTZ DEFAULT '2025-01-01T00:00:00+08:00', seen TIMESTAMPTZ NOT NULL,"
        " place GEOMETRY, area GEOMETRY NOT NULL, v FLOAT_VECTOR(2))",
    )
    text = one(session, "SHOW CREATE TABLE typed").text
    assert "at TIMESTAMPTZ DEFAULT '2024-12-31T16:00:00Z'" in text
    run(session, text.replace("CREATE TABLE typed", "CREATE TABLE again", 1))
    client = raw(session)

    def shape(name: str) -> Any:
        described = client.describe_collection(name)
        return [{k: str(v) for k, v in f.items() if k != "field_id"} for f in described["fields"]]

    assert shape("again") == shape("typed")
    run(
        session,
        "INSERT INTO again (id, seen, area, v)"
        " VALUES (1, '2025-06-01T00:00:00Z', 'POINT (1 2)', [0, 0])",
    )
    run(session, "CREATE INDEX ON again (v) USING FLAT WITH (metric_type = 'L2')")
    assert rows(session, "SELECT at, place FROM again") == [("2024-12-31T16:00:00Z", None)]


def geometries(seed: int = 26) -> tuple[list[tuple[float, float]], list[tuple[float, ...]]]:
    """Points, and axis-aligned rectangles (x0, y0, x1, y1), none on a round coordinate."""
    rng = random.Random(seed)
    points = [(rng.uniform(0, 100) + 0.013, rng.uniform(0, 100) + 0.017) for _ in range(150)]
    boxes = []
    for _ in range(50):
        x, y = rng.uniform(0, 90) + 0.011, rng.uniform(0, 90) + 0.019
        boxes.append((x, y, x + rng.uniform(1, 20), y + rng.uniform(1, 20)))
    return points, boxes


def polygon(x0: float, y0: float, x1: float, y1: float) -> str:
    return f"POLYGON (({x0} {y0}, {x1} {y0}, {x1} {y1}, {x0} {y1}, {x0} {y0}))"


def test_geometry_values_round_trip_and_st_filters_equal_rectangle_arithmetic(session):
    points, boxes = geometries()
    run(session, "CREATE TABLE places (id INT64 PRIMARY KEY, place GEOMETRY, v FLOAT_VECTOR(2))")
    run(session, "CREATE INDEX ON places (v) USING FLAT WITH (metric_type = 'L2')")
    wkt = [f"POINT ({x} {y})" for x, y in points] + [polygon(*b) for b in boxes]
    values = ", ".join(f"({i}, '{w}', [0, 0])" for i, w in enumerate(wkt))
    run(session, f"INSERT INTO places VALUES {values}")
    stored = {
        r["id"]: r["place"]
        for r in raw(session).query("places", filter="id >= 0", output_fields=["place"], limit=999)
    }
    assert dict(rows(session, "SELECT id, place FROM places")) == stored
    count = len(points)
    for x0, y0, x1, y1 in [
        (10.5, 20.5, 60.5, 70.5),
        (0.5, 0.5, 30.5, 99.5),
        (70.5, 5.5, 99.5, 40.5),
    ]:
        area = polygon(x0, y0, x1, y1)
        inside = {i for i, (x, y) in enumerate(points) if x0 < x < x1 and y0 < y < y1}
        boxes_in = {
            count + j
            for j, b in enumerate(boxes)
            if x0 < b[0] and b[2] < x1 and y0 < b[1] and b[3] < y1
        }
        meets = {
            count + j
            for j, b in enumerate(boxes)
            if b[0] < x1 and x0 < b[2] and b[1] < y1 and y0 < b[3]
        }
        assert ids(session, f"ST_WITHIN(place, '{area}')", "places") == inside | boxes_in
        assert ids(session, f"st_intersects(place, '{area}')", "places") == inside | meets
    for cx, cy, distance in [(50.5, 50.5, 10.5), (20.5, 80.5, 25.5)]:  # Lite: coordinate units
        near = {i for i, (x, y) in enumerate(points) if math.hypot(x - cx, y - cy) <= distance}
        where = f"St_DWithin(place, 'POINT ({cx} {cy})', {distance}) AND id < {count}"
        assert ids(session, where, "places") == near
    for x, y in points[:10]:
        holding = {count + j for j, b in enumerate(boxes) if b[0] < x < b[2] and b[1] < y < b[3]}
        found = ids(session, f"ST_CONTAINS(place, 'POINT ({x} {y})') AND id >= {count}", "places")
        assert found == holding


def test_geometry_functions_lite_lacks_are_refused_in_one_line_but_explained(session):
    run(session, "CREATE TABLE shapes (id INT64 PRIMARY KEY, place GEOMETRY, v FLOAT_VECTOR(2))")
    run(session, "CREATE INDEX ON shapes (v) USING FLAT WITH (metric_type = 'L2')")
    for function in ("ST_EQUALS", "ST_TOUCHES", "ST_OVERLAPS", "ST_CROSSES"):
        where = f"{function}(place, 'POINT (1 2)')"
        report = fails(session, f"SELECT id FROM shapes WHERE {where}")
        assert report.endswith(f"{function} is not supported by Milvus Lite"), report
        # EXPLAIN SELECT asks Lite for the count first, so it is refused the same way; a
        # SEARCH is only recorded: its code is printed for a server that has the function
        report = fails(session, f"EXPLAIN SELECT id FROM shapes WHERE {where}")
        assert report.endswith(f"{function} is not supported by Milvus Lite"), report
        code = one(session, f"EXPLAIN SEARCH shapes FOR [0, 1] WHERE {where} LIMIT 3").text
        assert f"filter='{function}(place, \"POINT (1 2)\")'" in code
        [(name, _args, _kwargs)] = checked_calls(code)
        assert name == "search"
    report = fails(session, "INSERT INTO shapes VALUES (1, 'CIRCLE (1 2)', [0, 0])")
    assert "expects GEOMETRY as WKT text" in report


STRUCT_TABLE = (
    "CREATE TABLE docs (id INT64 PRIMARY KEY, content VARCHAR(100),"
    " items ARRAY<STRUCT<name VARCHAR(20), qty INT32, emb FLOAT_VECTOR(4)>>(8),"
    " v FLOAT_VECTOR(4) NULL)"
)


def test_struct_arrays_and_nullable_vectors_are_refused_on_lite_with_nothing_created(session):
    report = fails(session, STRUCT_TABLE)
    assert report.endswith("(items; Lite would drop the column) is not supported by Milvus Lite")
    assert report.count("\n") == 0
    assert not raw(session).has_collection("docs")
    report = fails(session, "CREATE TABLE nv (id INT64 PRIMARY KEY, v FLOAT_VECTOR(4) NULL)")
    assert report.endswith(
        "a nullable vector (v FLOAT_VECTOR NULL) is not supported by Milvus Lite"
    )
    assert not raw(session).has_collection("nv")


def test_explain_create_table_builds_pymilvus_struct_and_nullable_vector_schema(session):
    code = one(session, f"EXPLAIN {STRUCT_TABLE}").text
    assert "MilvusClient.create_struct_field_schema()" in code
    [(name, args, kwargs)] = checked_calls(code)
    assert name == "create_collection" and args == ("docs",)
    schema = kwargs["schema"].to_dict()
    [struct] = schema["struct_fields"]
    assert struct["name"] == "items" and struct["max_capacity"] == 8
    members = {f["name"]: (f["type"].name, f.get("params", {})) for f in struct["fields"]}
    assert members == {
        "name": ("VARCHAR", {"max_length": 20}),
        "qty": ("INT32", {}),
        "emb": ("FLOAT_VECTOR", {"dim": 4}),
    }
    vector = next(f for f in schema["fields"] if f["name"] == "v")
    assert vector.get("nullable") is True


def test_show_create_writes_struct_arrays_and_nullable_vectors_as_they_parse():
    """A server's describe_collection (pymilvus's user format for struct arrays) → SHOW
    CREATE TABLE's text → the same column definitions as the statement that made it."""
    described = {
        "fields": [
            {"name": "id", "type": "INT64", "is_primary": True, "params": {}},
            {"name": "content", "type": "VARCHAR", "params": {"max_length": 100}, "nullable": True},
            {
                "name": "items",
                "type": "ARRAY",
                "element_type": "STRUCT",
                "params": {"max_capacity": 8},
                "struct_fields": [
                    {"name": "name", "type": "VARCHAR", "params": {"max_length": 20}},
                    {"name": "qty", "type": "INT32"},
                    {"name": "emb", "type": "FLOAT_VECTOR", "params": {"dim": 4}},
                ],
            },
            {"name": "v", "type": "FLOAT_VECTOR", "params": {"dim": 4}, "nullable": True},
        ]
    }
    text = create_table_text("docs", collection_info("docs", described), described)
    assert "  items ARRAY<STRUCT<name VARCHAR(20), qty INT32, emb FLOAT_VECTOR(4)>>(8),\n" in text
    assert "  v FLOAT_VECTOR(4) NULL\n" in text
    [again] = parse_cell(text)
    [original] = parse_cell(STRUCT_TABLE)
    assert again.columns == original.columns


def test_search_using_a_vector_inside_a_struct_array_names_it_as_pymilvus_does():
    """`USING items[emb]` is pymilvus's anns_field "items[emb]" (struct_example.py), and the
    kernel finds that vector in a server's describe_collection."""
    [search] = parse_cell("SEARCH docs USING items[emb] FOR [0.1, 0.2, 0.3, 0.4] LIMIT 5")
    assert search.anns_field == "items[emb]"
    [hybrid] = parse_cell(
        "SEARCH docs USING items[emb] FOR [1, 0, 0, 0], USING v FOR [0, 1, 0, 0] RERANK RRF(60)"
    )
    assert [leg.anns_field for leg in hybrid.legs] == ["items[emb]", "v"]
    described = {
        "fields": [
            {"name": "id", "type": "INT64", "is_primary": True},
            {
                "name": "items",
                "type": "ARRAY",
                "element_type": "STRUCT",
                "params": {"max_capacity": 8},
                "struct_fields": [
                    {"name": "qty", "type": "INT32"},
                    {"name": "emb", "type": "FLOAT_VECTOR", "params": {"dim": 4}},
                ],
            },
        ]
    }
    info = collection_info("docs", described)
    found = anns_field(info, "items[emb]")
    assert (found.name, found.type, found.dim) == ("items[emb]", "FLOAT_VECTOR", 4)
    assert info.field("items[qty]").type == "INT32"
    assert info.field("items[nothing]") is None and info.field("id[emb]") is None


def test_a_notebook_user_sees_timestamps_in_their_zone(tmp_path):
    with running_kernel(tmp_path) as (_km, kc):
        cell = (
            "CREATE TABLE ev (id INT64 PRIMARY KEY, at TIMESTAMPTZ, v FLOAT_VECTOR(2));"
            "INSERT INTO ev VALUES (1, '2025-03-01T10:00:00+08:00', [0, 1]);"
            "CREATE INDEX ON ev (v) USING FLAT WITH (metric_type = 'L2');"
            "SET timezone = 'Europe/Berlin';"
            "SELECT id, at FROM ev WHERE at < '2025-03-01T03:00:00Z'"
        )
        reply, outputs = execute(kc, cell)
        assert reply["status"] == "ok", reply.get("evalue")
        expected = dt.datetime(2025, 3, 1, 2, tzinfo=UTC).astimezone(ZoneInfo("Europe/Berlin"))
        assert expected.isoformat() in plain_texts(outputs)[-1]


def test_set_timezone_message_is_a_plain_message(session):
    result = one(session, "SET timezone = 'utc'")
    assert isinstance(result, Message) and result.text == "timezone = UTC"


@pytest.mark.parametrize(
    ("cell", "message", "column"),
    [
        ("CREATE TABLE t (id INT64 PRIMARY KEY, s STRUCT<a INT32>)", "is an array of them", 41),
        ("CREATE TABLE t (id INT64 PRIMARY KEY, s STRUCT)", "STRUCT needs its fields", 41),
        ("CREATE TABLE t (id INT64 PRIMARY KEY, a ARRAY<TIMESTAMPTZ>(4))", "cannot hold", 47),
        ("CREATE TABLE t (id INT64 PRIMARY KEY, a ARRAY<STRUCT<j JSON>>(4))", "cannot hold", 56),
        (
            "CREATE TABLE t (id INT64 PRIMARY KEY, a ARRAY<STRUCT<x INT8, x INT8>>(4))",
            "twice",
            None,
        ),
    ],
)
def test_bad_type_definitions_say_where(cell: str, message: str, column: int | None):
    from milvus_kernel.errors import MilvusSyntaxError

    with pytest.raises(MilvusSyntaxError) as raised:
        parse_cell(cell)
    assert message in raised.value.render()
    if column is not None:
        assert raised.value.column == column


def test_int8_vectors_are_refused_on_lite_explained_and_converted(session):
    """pymilvus's int8_example.py: an INT8_VECTOR field, int8 values."""
    import numpy as np

    from milvus_kernel.engine.data.field_values import BadValue, convert
    from milvus_kernel.engine.schema.fields import FieldInfo

    cell = "CREATE TABLE i8 (id INT64 PRIMARY KEY, int8_vector INT8_VECTOR(4))"
    assert fails(session, cell).endswith("the INT8_VECTOR type is not supported by Milvus Lite")
    assert not raw(session).has_collection("i8")
    [(name, _args, kwargs)] = checked_calls(one(session, f"EXPLAIN {cell}").text)
    assert name == "create_collection"
    [vector] = [f for f in kwargs["schema"].to_dict()["fields"] if f["name"] == "int8_vector"]
    assert (vector["type"].name, vector["params"]) == ("INT8_VECTOR", {"dim": 4})
    field = FieldInfo("int8_vector", "INT8_VECTOR", dim=4)
    sent = convert(field, [1, -128, 127, 0])
    assert sent.dtype == np.int8 and sent.tolist() == [1, -128, 127, 0]
    with pytest.raises(BadValue, match="out of range"):
        convert(field, [1, 2, 3, 128])


def test_hybrid_legs_exports_and_explained_code_use_the_same_timestamps(session, tmp_path):
    at = moments()[:40]
    run(
        session,
        "CREATE TABLE two (id INT64 PRIMARY KEY, at TIMESTAMPTZ, a FLOAT_VECTOR(2),"
        " b FLOAT_VECTOR(2)); CREATE INDEX ON two (a) USING FLAT WITH (metric_type = 'L2');"
        "CREATE INDEX ON two (b) USING FLAT WITH (metric_type = 'L2')",
    )
    values = ", ".join(f"({i}, '{m.isoformat()}', [{i}, 1], [1, {i}])" for i, m in enumerate(at))
    run(session, f"INSERT INTO two VALUES {values}")
    cut = BASE + dt.timedelta(days=45)
    later = {i for i, m in enumerate(at) if m > cut}
    where = f"WHERE at > '{cut.isoformat()}'"
    hits = one(
        session,
        f"SEARCH two USING a FOR [0, 1] {where} LIMIT 40, USING b FOR [1, 0] {where} LIMIT 40"
        " RERANK RRF(60) LIMIT 40",
    )
    assert {row[1] for row in hits.rows} == later
    one(session, "SET timezone = 'Asia/Tokyo'")
    one(session, f"EXPORT (SELECT id, at FROM two {where}) TO 'later.csv'")
    lines = (tmp_path / "later.csv").read_text().splitlines()[1:]
    tokyo = {int(k): v.strip('"') for k, v in (line.split(",") for line in lines)}
    assert tokyo == {i: at[i].astimezone(ZoneInfo("Asia/Tokyo")).isoformat() for i in later}
    # EXPLAIN's code, run on the same client, reads the same rows as the statement
    code = one(session, f"EXPLAIN SELECT id FROM two {where} LIMIT 40").text
    lines = [line for line in code.splitlines() if not line.startswith("client = MilvusClient(")]
    scope = {"client": raw(session)}
    exec("\n".join(lines), scope)  # the kernel's own printed code
    assert {r["id"] for r in scope["result"]} == later == ids(session, where[6:], "two")
