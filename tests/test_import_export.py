"""INSERT/UPSERT ... FROM files and EXPORT on Milvus Lite, checked against the data written.

Ground truth is the NumPy data a test writes to a file and what Milvus holds afterwards, read
back with pymilvus's own query iterator (not the kernel's reader). Every format round-trips: a
collection exported and imported again holds the same ids, values and vectors.
"""

from __future__ import annotations

import json
import os
import signal
import sys

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from milvus_kernel.engine import progress as progress_module
from milvus_kernel.errors import ExecutionError, Interrupted, NotSupported
from milvus_kernel.language.parser import parse_cell

SCHEMA = (
    "id INT64 PRIMARY KEY, label VARCHAR(12), score FLOAT, n INT32 DEFAULT 7, "
    "meta JSON, tags ARRAY<INT64>(4), vector FLOAT_VECTOR(8)"
)


def run(session, code: str):
    """Run statements through the kernel's parser and session; the last result."""
    result = None
    for statement in parse_cell(code):
        result = session.execute(statement)
    return result


def stored(session, table: str, fields: str = "*") -> dict:
    """Every row Milvus holds for `table`, by id, read with pymilvus's query_iterator."""
    client = session.catalog().client
    client.load_collection(table)
    iterator = client.query_iterator(table, batch_size=4000, filter="", output_fields=[fields])
    rows = {}
    while batch := iterator.next():
        for row in batch:
            rows[row["id"]] = dict(row)
    iterator.close()
    return rows


def count(session, table: str) -> int:
    return run(session, f"SELECT COUNT(*) FROM {table}").rows[0][0]


def make_data(n: int, seed: int = 7) -> dict:
    rng = np.random.default_rng(seed)
    return {
        "id": np.arange(n, dtype=np.int64),
        "label": [["red", "green", "blue", ""][i % 4] for i in range(n)],
        "score": rng.random(n, dtype=np.float32),
        "n": [None if i % 5 == 0 else int(i % 1000) for i in range(n)],
        "meta": [json.dumps({"k": i % 3, "s": f"x{i}"}) for i in range(n)],
        "tags": [[i, i + 1] if i % 2 else [] for i in range(n)],
        "vector": rng.normal(size=(n, 8)).astype(np.float32),
    }


def write_parquet(path, data: dict) -> None:
    vectors = data["vector"]
    table = pa.table(
        {
            **{k: v for k, v in data.items() if k not in ("vector", "n")},
            "n": pa.array(data["n"], type=pa.int32()),
            "vector": pa.FixedSizeListArray.from_arrays(pa.array(vectors.ravel()), 8),
        }
    )
    pq.write_table(table, path, row_group_size=7000)


def check_same(session, table: str, data: dict) -> None:
    rows = stored(session, table)
    assert sorted(rows) == data["id"].tolist()
    for i in range(len(data["id"])):
        row = rows[i]
        assert row["label"] == data["label"][i]
        assert np.float32(row["score"]) == data["score"][i]
        assert row["n"] == (7 if data["n"][i] is None else data["n"][i])
        assert row["meta"] == json.loads(data["meta"][i])
        assert list(row["tags"]) == data["tags"][i]
        assert np.array_equal(np.asarray(row["vector"], dtype=np.float32), data["vector"][i])


@pytest.fixture(scope="module")
def loaded(session, lite_dir):
    """A collection of 20,000 rows (past Milvus's 16,384 window) imported from Parquet."""
    data = make_data(20_000)
    write_parquet(lite_dir / "source.parquet", data)
    run(session, f"CREATE TABLE source ({SCHEMA})")
    message = run(session, "INSERT INTO source FROM 'source.parquet'")
    assert message.text == "inserted 20000 rows into source from 'source.parquet'"
    run(session, "CREATE INDEX ON source (vector) USING FLAT WITH (metric_type = 'L2')")
    run(session, "LOAD source")
    return data


def test_parquet_import_holds_exactly_the_file(session, loaded):
    assert count(session, "source") == 20_000
    check_same(session, "source", loaded)


@pytest.mark.parametrize("ext", ["parquet", "csv", "jsonl"])
def test_export_then_import_reproduces_the_data(session, loaded, lite_dir, unique_name, ext):
    message = run(session, f"EXPORT (SELECT * FROM source) TO 'out_{unique_name}.{ext}'")
    assert message.text == f"exported 20000 rows to 'out_{unique_name}.{ext}'"
    assert not list(lite_dir.glob("*.partial"))
    run(session, f"CREATE TABLE {unique_name} ({SCHEMA})")
    message = run(session, f"INSERT INTO {unique_name} FROM 'out_{unique_name}.{ext}'")
    assert message.text == f"inserted 20000 rows into {unique_name} from 'out_{unique_name}.{ext}'"
    check_same(session, unique_name, loaded)


def test_exported_parquet_holds_the_rows_and_types(session, loaded, lite_dir):
    run(session, "EXPORT (SELECT id, label, vector FROM source WHERE id >= 100) TO 'part.parquet'")
    table = pq.read_table(lite_dir / "part.parquet")
    assert table.column_names == ["id", "label", "vector"]
    assert table.schema.field("vector").type == pa.list_(pa.float32())
    ids = table.column("id").to_numpy()
    order = np.argsort(ids)
    assert ids[order].tolist() == list(range(100, 20_000))
    vectors = np.stack(table.column("vector").to_numpy(zero_copy_only=False))[order]
    assert np.array_equal(vectors, loaded["vector"][100:])


def test_export_with_limit_and_of_a_search(session, loaded, lite_dir):
    assert run(session, "EXPORT (SELECT id FROM source LIMIT 5) TO 'five.csv'").text == (
        "exported 5 rows to 'five.csv'"
    )
    assert len((lite_dir / "five.csv").read_text().splitlines()) == 6  # header + 5
    query = loaded["vector"][123].tolist()
    direct = run(session, f"SEARCH source FOR {query} RETURN label LIMIT 7")
    message = run(
        session, f"EXPORT (SEARCH source FOR {query} RETURN label LIMIT 7) TO 'hits.jsonl'"
    )
    assert message.text == "exported 7 rows to 'hits.jsonl'"
    lines = [json.loads(line) for line in (lite_dir / "hits.jsonl").read_text().splitlines()]
    assert [line["id"] for line in lines] == [row[1] for row in direct.rows]
    assert lines[0]["id"] == 123 and lines[0]["rank"] == 1
    distances = ((loaded["vector"] - loaded["vector"][123]) ** 2).sum(axis=1)
    assert [line["id"] for line in lines] == np.argsort(distances, kind="stable")[:7].tolist()


def bad_csv(path, rows: int, bad: dict[int, str]) -> None:
    """A CSV of `rows` good rows for (id, label VARCHAR(5), vector VECTOR(4)), with the lines of
    `bad` (1-based row number -> line) replacing some."""
    lines = ["id,label,vector"]
    for number in range(1, rows + 1):
        lines.append(bad.get(number, f'{number},"ok","[{number}, 0.5, 0.25, 1]"'))
    path.write_text("\n".join(lines) + "\n")


BAD_ROWS = {
    17: ('17,"ok","[1, 2, 3]"', "row 17: vector has 3 dims, field vector expects 4"),
    9: ('abc,"ok","[1, 2, 3, 4]"', "row 9: column id expects INT64, got the string 'abc'"),
    12: ('12,"toolong","[1, 2, 3, 4]"', "row 12: column label is VARCHAR(5), got a string of 7"),
    5: ('5,"ok",', "row 5: column vector is NOT NULL and has no DEFAULT, got NULL"),
}


@pytest.mark.parametrize("number", sorted(BAD_ROWS))
def test_a_bad_row_stops_the_import_with_an_exact_count(session, lite_dir, unique_name, number):
    line, reason = BAD_ROWS[number]
    bad_csv(lite_dir / f"{unique_name}.csv", 25, {number: line})
    run(
        session,
        f"CREATE TABLE {unique_name} (id INT64 PRIMARY KEY, label VARCHAR(5), vector VECTOR(4))",
    )
    with pytest.raises(ExecutionError) as raised:
        run(session, f"INSERT INTO {unique_name} FROM '{unique_name}.csv' WITH (batch_size = 4)")
    message = raised.value.message
    assert message.startswith(reason), message
    assert f"{number - 1} rows (every row before it) had been inserted" in message
    assert count(session, unique_name) == number - 1
    assert sorted(stored(session, unique_name)) == list(range(1, number))


def test_skip_sets_bad_rows_aside_with_reasons(session, lite_dir, unique_name):
    bad = {n: line for n, (line, _) in BAD_ROWS.items()}
    bad_csv(lite_dir / f"{unique_name}.csv", 30, bad)
    run(
        session,
        f"CREATE TABLE {unique_name} (id INT64 PRIMARY KEY, label VARCHAR(5), vector VECTOR(4))",
    )
    message = run(
        session,
        f"INSERT INTO {unique_name} FROM '{unique_name}.csv' "
        "WITH (batch_size = 8, on_error = 'skip')",
    )
    assert message.text == (
        f"inserted 26 rows into {unique_name} from '{unique_name}.csv'; 4 rows rejected, "
        f"written to '{unique_name}.csv.rejected.jsonl'"
    )
    assert count(session, unique_name) == 26
    assert sorted(stored(session, unique_name)) == [n for n in range(1, 31) if n not in bad]
    rejected = [
        json.loads(line)
        for line in (lite_dir / f"{unique_name}.csv.rejected.jsonl").read_text().splitlines()
    ]
    assert [r["row"] for r in rejected] == sorted(bad)
    for entry in rejected:
        assert f"row {entry['row']}: {entry['reason']}".startswith(BAD_ROWS[entry["row"]][1])
    assert rejected[0]["values"] == {"id": "5", "label": "ok", "vector": None}


def test_jsonl_rows_missing_fields_bad_lines_and_dynamic_keys(session, lite_dir, unique_name):
    lines = [
        {"id": 1, "label": "a", "vector": [1, 2, 3, 4], "extra": "kept"},
        {"id": 2, "vector": [1, 2, 3, 4]},  # no label: NOT NULL
        "this is not json",
        {"id": 4, "label": "d", "vector": [1, 2, 3, 4]},
    ]
    path = lite_dir / f"{unique_name}.jsonl"
    path.write_text("\n".join(x if isinstance(x, str) else json.dumps(x) for x in lines) + "\n")
    run(
        session,
        f"CREATE TABLE {unique_name} (id INT64 PRIMARY KEY, label VARCHAR(5) NOT NULL, "
        "vector VECTOR(4)) WITH (dynamic_field = true)",
    )
    message = run(
        session, f"INSERT INTO {unique_name} FROM '{unique_name}.jsonl' WITH (on_error = 'skip')"
    )
    assert message.text.startswith(f"inserted 2 rows into {unique_name}"), message.text
    rows = stored(session, unique_name)
    assert sorted(rows) == [1, 4] and rows[1]["extra"] == "kept" and "extra" not in rows[4]
    rejected = [
        json.loads(x) for x in (lite_dir / f"{path.name}.rejected.jsonl").read_text().splitlines()
    ]
    assert [r["row"] for r in rejected] == [2, 3]
    assert "label" in rejected[0]["reason"] and "NULL" in rejected[0]["reason"]
    assert rejected[1]["line"] == "this is not json"


def test_npy_fills_the_vector_field_of_an_auto_id_collection(session, lite_dir, unique_name):
    vectors = np.random.default_rng(3).random((1500, 4), dtype=np.float32)
    np.save(lite_dir / f"{unique_name}.npy", vectors)
    run(
        session,
        f"CREATE TABLE {unique_name} (id INT64 PRIMARY KEY AUTO_ID, note VARCHAR(8), v VECTOR(4))",
    )
    message = run(
        session, f"INSERT INTO {unique_name} FROM '{unique_name}.npy' WITH (batch_size = 400)"
    )
    assert message.text.startswith(
        f"inserted 1500 rows into {unique_name} from '{unique_name}.npy'; ids "
    )
    assert message.text.endswith("… 1500 in all")
    client = session.catalog().client
    client.load_collection(unique_name)
    got = np.array(
        sorted(tuple(r["v"]) for r in stored(session, unique_name).values()), dtype=np.float32
    )
    assert np.array_equal(got, np.array(sorted(map(tuple, vectors)), dtype=np.float32))


def test_npy_refusals_write_nothing(session, lite_dir, unique_name):
    np.save(lite_dir / f"{unique_name}.npy", np.zeros((3, 5), dtype=np.float32))
    run(session, f"CREATE TABLE {unique_name} (id INT64 PRIMARY KEY AUTO_ID, v VECTOR(4))")
    with pytest.raises(ExecutionError, match=r"holds vectors of 5 dims, field v of \w+ expects 4"):
        run(session, f"INSERT INTO {unique_name} FROM '{unique_name}.npy'")
    other = unique_name + "b"
    run(session, f"CREATE TABLE {other} (id INT64 PRIMARY KEY, v VECTOR(5))")
    with pytest.raises(ExecutionError, match="holds only vectors, but field id"):
        run(session, f"INSERT INTO {other} FROM '{unique_name}.npy'")
    assert count(session, unique_name) == 0 and count(session, other) == 0


def test_upsert_and_partition(session, lite_dir, unique_name):
    run(
        session, f"CREATE TABLE {unique_name} (id INT64 PRIMARY KEY, label VARCHAR(8), v VECTOR(2))"
    )
    run(session, f"CREATE PARTITION p1 ON {unique_name}")
    first = pa.table({"id": [1, 2, 3], "label": ["a", "b", "c"], "v": [[0, 1], [1, 0], [1, 1]]})
    pq.write_table(first, lite_dir / f"{unique_name}.parquet")
    message = run(session, f"INSERT INTO {unique_name} PARTITION p1 FROM '{unique_name}.parquet'")
    assert (
        message.text
        == f"inserted 3 rows into {unique_name} (partition p1) from '{unique_name}.parquet'"
    )
    assert run(session, f"SELECT COUNT(*) FROM {unique_name} PARTITION p1").rows[0][0] == 3
    (lite_dir / f"{unique_name}.csv").write_text('id,label,v\n2,B,"[2, 2]"\n4,d,"[4,4]"\n')
    message = run(session, f"UPSERT INTO {unique_name} PARTITION p1 FROM '{unique_name}.csv'")
    assert (
        message.text
        == f"upserted 2 rows into {unique_name} (partition p1) from '{unique_name}.csv'"
    )
    rows = stored(session, unique_name)
    assert {k: v["label"] for k, v in rows.items()} == {1: "a", 2: "B", 3: "c", 4: "d"}
    assert rows[4]["v"] == [4.0, 4.0]


def test_csv_null_and_empty_string(session, lite_dir, unique_name):
    path = lite_dir / f"{unique_name}.csv"
    path.write_text('id,s,v\n1,"","[1, 2]"\n2,,"[1, 2]"\n3,NULL,"[1, 2]"\n')
    run(session, f"CREATE TABLE {unique_name} (id INT64 PRIMARY KEY, s VARCHAR(8), v VECTOR(2))")
    # s is nullable: an empty field is NULL, "" an empty string, NULL the text NULL
    run(session, f"INSERT INTO {unique_name} FROM '{unique_name}.csv'")
    rows = stored(session, unique_name)
    assert [rows[i]["s"] for i in (1, 2, 3)] == ["", None, "NULL"]


def test_up_front_errors_write_nothing(session, lite_dir, unique_name):
    run(
        session,
        f"CREATE TABLE {unique_name} (id INT64 PRIMARY KEY, "
        "label VARCHAR(8) NOT NULL, v VECTOR(2))",
    )
    pq.write_table(pa.table({"id": [1], "v": [[1, 2]]}), lite_dir / f"{unique_name}.parquet")
    pq.write_table(
        pa.table({"id": [1], "x": [1], "label": ["a"], "v": [[1, 2]]}), lite_dir / "x.parquet"
    )
    cases = [
        (f"'{unique_name}.parquet'", "has no column for label (VARCHAR(8)), which needs a value"),
        ("'x.parquet'", f"collection '{unique_name}' has no field 'x'"),
        ("'missing.csv'", "file 'missing.csv' not found"),
        ("'data.xlsx'", "cannot tell the format of 'data.xlsx'"),
        (
            f"'{unique_name}.parquet' WITH (on_error = 'ignore')",
            "on_error must be 'stop' or 'skip'",
        ),
        (f"'{unique_name}.parquet' WITH (batch_size = 0)", "batch_size must be a whole number"),
        (f"'{unique_name}.parquet' WITH (speed = 1)", "unknown import option 'speed'"),
        (f"'{unique_name}.parquet' WITH (format = 'csv')", f"read '{unique_name}.parquet' as CSV"),
    ]
    for source, expected in cases:
        with pytest.raises(ExecutionError) as raised:
            run(session, f"INSERT INTO {unique_name} FROM {source}")
        assert expected in raised.value.message, raised.value.message
    assert count(session, unique_name) == 0


@pytest.mark.parametrize("parallelism", [1, 2])
def test_an_interrupt_between_batches_says_exactly_what_was_written(
    session, lite_dir, unique_name, monkeypatch, parallelism
):
    """The 4th progress report (1,500 rows written) raises: one batch at a time, nothing is in
    flight then; two at a time, the 4th batch is, and its answer (within GRACE) counts."""
    write_parquet(lite_dir / f"{unique_name}.parquet", make_data(5000))
    run(session, f"CREATE TABLE {unique_name} ({SCHEMA})")
    monkeypatch.setattr(session.catalog().settings, "import_parallelism", parallelism)
    monkeypatch.setattr(progress_module, "RATE", 1e9)  # every batch reports
    seen = []

    def interrupt_on_the_fourth(progress):
        seen.append(progress)
        if len(seen) == 4:
            raise KeyboardInterrupt

    session.progress = interrupt_on_the_fourth
    try:
        with pytest.raises(Interrupted) as raised:
            run(
                session,
                f"INSERT INTO {unique_name} FROM '{unique_name}.parquet' WITH (batch_size = 500)",
            )
    finally:
        session.progress = None
    written = 1500 if parallelism == 1 else 2000
    assert f"interrupted: {written} rows had been inserted" in raised.value.message
    assert f"(rows 1-{written}); the rest were not" in raised.value.message
    assert count(session, unique_name) == written


@pytest.mark.skipif(sys.platform == "win32", reason="SIGINT to oneself")
def test_an_interrupt_during_a_write_waits_for_it(session, lite_dir, unique_name, monkeypatch):
    """SIGINT arriving while an insert call is in flight: that batch completes and counts."""
    write_parquet(lite_dir / f"{unique_name}.parquet", make_data(3000))
    run(session, f"CREATE TABLE {unique_name} ({SCHEMA})")
    client = session.catalog().client
    real_insert = client.insert
    calls = []

    def insert_then_signal(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            os.kill(os.getpid(), signal.SIGINT)  # arrives while this call is under way
        return real_insert(*args, **kwargs)

    monkeypatch.setattr(client, "insert", insert_then_signal)
    with pytest.raises(Interrupted) as raised:
        run(
            session,
            f"INSERT INTO {unique_name} FROM '{unique_name}.parquet' WITH (batch_size = 1000)",
        )
    assert raised.value.message == (
        f"interrupted: 2000 rows had been inserted into {unique_name} from "
        f"'{unique_name}.parquet' (rows 1-2000); the rest were not"
    )
    assert count(session, unique_name) == 2000
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_progress_of_an_import(session, lite_dir, unique_name, monkeypatch):
    write_parquet(lite_dir / f"{unique_name}.parquet", make_data(2500))
    run(session, f"CREATE TABLE {unique_name} ({SCHEMA})")
    monkeypatch.setattr(progress_module, "RATE", 1e9)
    seen = []
    session.progress = seen.append
    try:
        run(
            session,
            f"INSERT INTO {unique_name} FROM '{unique_name}.parquet' WITH (batch_size = 1000)",
        )
        run(session, f"EXPORT (SELECT id FROM {unique_name}) TO '{unique_name}.jsonl'")
    finally:
        session.progress = None
    imports = [p for p in seen if p.label.startswith("insert")]
    assert [p.done for p in imports] == [0, 1000, 2000, 2500, 2500, 2500]
    assert {p.total for p in imports} == {2500} and imports[-1].finished
    exports = [p for p in seen if p.label.startswith("export")]
    assert exports[0].done == 0 and exports[-1].done == exports[-1].total == 2500
    assert len({p.key for p in imports}) == 1 and imports[0].key != exports[0].key


@pytest.mark.parametrize(
    ("module", "statement"),
    [
        ("pyarrow.parquet", "INSERT INTO t FROM 'x.parquet'"),
        ("pyarrow", "EXPORT (SELECT * FROM t) TO 'x.csv'"),
        ("sklearn", "PLOT t"),
    ],
)
def test_a_missing_library_names_the_extra(session, lite_dir, monkeypatch, module, statement):
    run(session, "CREATE TABLE IF NOT EXISTS t (id INT64 PRIMARY KEY, v VECTOR(2))")
    pq.write_table(pa.table({"id": [1], "v": [[1, 2]]}), lite_dir / "x.parquet")
    monkeypatch.setitem(sys.modules, module, None)  # `import module` now raises ImportError
    with pytest.raises(NotSupported) as raised:
        run(session, statement)
    assert "pip install 'milvus-sql-kernel[data]'" in raised.value.message
