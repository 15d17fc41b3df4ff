"""The SQL spellings the language accepts do on Milvus Lite what they say: `id INT PRIMARY KEY`
makes an INT64 key (describe_collection), `n INT` an INT32 field, `name TEXT` a VARCHAR(65535);
SHOW INDEXES t, SHOW INDEX t and DESC INDEX t list what list_indexes / describe_index report;
TRUNCATE TABLE t (where DELETE without WHERE points) empties the table and keeps its schema.
"""

from __future__ import annotations

from pymilvus import DataType

from milvus_kernel.errors import MilvusSyntaxError
from milvus_kernel.language.parser import parse_cell
from milvus_kernel.results import Table


def run(session, cell: str) -> list:
    return [session.execute(statement) for statement in parse_cell(cell)]


def test_int_primary_key_text_and_show_indexes_on_lite(session, unique_name):
    t = unique_name
    run(
        session,
        f"CREATE TABLE {t} (id INT PRIMARY KEY, n INT, m INTEGER, name TEXT, v VECTOR(4));"
        f"INSERT INTO {t} VALUES (1, 10, 100, 'a', [1, 0, 0, 0]), (2, 20, 200, 'b', [0, 1, 0, 0]);"
        f"CREATE INDEX vidx ON {t} (v) USING HNSW WITH (metric_type = 'L2', M = 8, "
        "efConstruction = 64)",
    )
    client = session.catalog().client
    fields = {f["name"]: f for f in client.describe_collection(t)["fields"]}
    assert fields["id"]["type"] == DataType.INT64 and fields["id"].get("is_primary")
    assert fields["n"]["type"] == DataType.INT32 and fields["m"]["type"] == DataType.INT32
    assert fields["name"]["type"] == DataType.VARCHAR
    assert fields["name"]["params"]["max_length"] == 65535
    # the key really holds 64-bit values
    big = 2**40
    run(session, f"INSERT INTO {t} VALUES ({big}, 3, 300, 'c', [0, 0, 1, 0])")
    client.load_collection(t)
    got = client.query(t, filter=f"id == {big}", output_fields=["id"])
    assert [row["id"] for row in got] == [big]

    names = client.list_indexes(t)
    truth = [client.describe_index(t, name) for name in names]
    expected_rows = [
        (d["index_name"], d["field_name"], d["index_type"], d["metric_type"]) for d in truth
    ]
    assert [row[1:] for row in expected_rows] == [("v", "HNSW", "L2")]  # Lite names it v
    for spelling in (
        f"SHOW INDEXES {t}",
        f"SHOW INDEX {t}",
        f"DESC INDEX {t}",
        f"SHOW INDEXES ON {t}",
    ):
        (table,) = run(session, spelling)
        assert isinstance(table, Table), spelling
        assert [tuple(row[:4]) for row in table.rows] == expected_rows, spelling
        params = table.rows[0][4]
        assert str(params.get("M")) == "8" and str(params.get("efConstruction")) == "64"


def test_delete_without_where_points_to_truncate_which_empties_the_table(session, unique_name):
    t = unique_name
    run(
        session,
        f"CREATE TABLE {t} (id INT PRIMARY KEY, v VECTOR(2));"
        f"INSERT INTO {t} VALUES (1, [1, 0]), (2, [0, 1]), (3, [1, 1])",
    )
    client = session.catalog().client
    try:
        parse_cell(f"DELETE FROM {t}")
    except MilvusSyntaxError as error:
        assert error.hint == f"to delete every row: TRUNCATE TABLE {t} (the schema stays)"
    else:
        raise AssertionError("DELETE without WHERE parsed")
    client.load_collection(t)
    assert client.query(t, filter="", output_fields=["count(*)"])[0]["count(*)"] == 3
    run(session, f"TRUNCATE TABLE {t}")
    client.load_collection(t)
    assert client.query(t, filter="", output_fields=["count(*)"])[0]["count(*)"] == 0
    assert [f["name"] for f in client.describe_collection(t)["fields"]] == ["id", "v"]
