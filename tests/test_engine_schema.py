"""CREATE TABLE / DESCRIBE / SHOW TABLES / DROP / LOAD / RELEASE and partitions on Milvus Lite."""

from __future__ import annotations

import pytest

from milvus_kernel.errors import ExecutionError
from milvus_kernel.language.statements import (
    ColumnDef,
    CreatePartition,
    CreateTable,
    DescribeTable,
    DropPartition,
    DropTable,
    FieldType,
    Insert,
    LoadTable,
    ReleaseTable,
    Select,
    ShowPartitions,
    ShowTables,
)
from milvus_kernel.results import Message, Table

EVERY_TYPE = (
    ColumnDef("id", FieldType("INT64"), primary_key=True, auto_id=True),
    ColumnDef("label", FieldType("VARCHAR", length=20), not_null=True, default="x"),
    ColumnDef("body", FieldType("VARCHAR", length=4096), analyzer=True, match=True),
    ColumnDef("meta", FieldType("JSON")),
    ColumnDef("tags", FieldType("ARRAY", element=FieldType("VARCHAR", length=32), capacity=16)),
    ColumnDef("nums", FieldType("ARRAY", element=FieldType("INT32"), capacity=4)),
    ColumnDef("b", FieldType("BOOL")),
    ColumnDef("i8", FieldType("INT8")),
    ColumnDef("i16", FieldType("INT16")),
    ColumnDef("i32", FieldType("INT32"), default=7),
    ColumnDef("f", FieldType("FLOAT")),
    ColumnDef("d", FieldType("DOUBLE"), description="a double"),
    ColumnDef("vector", FieldType("FLOAT_VECTOR", dim=4)),
    ColumnDef("sparse", FieldType("SPARSE_FLOAT_VECTOR")),
    ColumnDef("body_bm25", FieldType("SPARSE_FLOAT_VECTOR"), bm25_source="body"),
)


def raw_fields(session, name):
    described = session.catalog().client.describe_collection(name)
    return {f["name"]: f for f in described["fields"]}, described


def test_create_table_with_every_type(session, unique_name):
    result = session.execute(
        CreateTable(unique_name, columns=EVERY_TYPE, options={"dynamic_field": True})
    )
    assert result == Message(f"created collection {unique_name}")
    fields, described = raw_fields(session, unique_name)
    assert list(fields) == [c.name for c in EVERY_TYPE]
    assert described["enable_dynamic_field"] is True
    assert fields["id"]["is_primary"] and fields["id"]["auto_id"]
    assert fields["label"]["params"]["max_length"] == 20
    assert not fields["label"].get("nullable")
    assert fields["label"]["default_value"].string_data == "x"
    assert fields["body"]["params"]["enable_analyzer"] == "true"
    assert fields["body"]["params"]["enable_match"] == "true"
    assert fields["meta"]["nullable"] is True
    assert fields["tags"]["element_type"].name == "VARCHAR"
    assert fields["tags"]["params"]["max_capacity"] == 16
    assert fields["nums"]["element_type"].name == "INT32"
    assert fields["i32"]["default_value"].int_data == 7
    for name in ("b", "i8", "i16", "f", "d", "tags"):
        assert fields[name]["nullable"] is True, name
    for name in ("id", "vector", "sparse", "body_bm25"):
        assert not fields[name].get("nullable"), name
    assert fields["vector"]["params"]["dim"] == 4
    assert fields["body_bm25"].get("is_function_output")
    (function,) = described["functions"]
    assert function["input_field_names"] == ["body"]
    assert function["output_field_names"] == ["body_bm25"]
    assert function["type"].name == "BM25"
    for column in EVERY_TYPE:
        assert fields[column.name]["type"].name == column.type.name

    table = session.execute(DescribeTable(unique_name))
    assert isinstance(table, Table)
    rows = {row[0]: row for row in table.rows}
    header = [c.name for c in table.columns]
    assert header[:3] == ["name", "type", "primary_key"]
    assert rows["label"][1] == "VARCHAR(20)"
    assert rows["vector"][1] == "FLOAT_VECTOR(4)"
    assert rows["nums"][1] == "ARRAY<INT32>(4)"
    assert rows["tags"][1].startswith("ARRAY<VARCHAR") and rows["tags"][1].endswith(">(16)")
    assert rows["id"][2] is True and rows["id"][3] is True  # primary key, auto_id
    assert rows["label"][4] is False and rows["meta"][4] is True  # nullable
    assert rows["label"][5] == "x" and rows["i32"][5] == 7  # default
    assert "BM25(body)" in rows["body_bm25"][header.index("extra")]
    assert "dynamic field on" in table.note


def test_partition_key_and_options(session, unique_name):
    columns = (
        ColumnDef("pk", FieldType("VARCHAR", length=64), primary_key=True),
        ColumnDef("tenant", FieldType("INT64"), partition_key=True),
        ColumnDef("v", FieldType("FLOAT_VECTOR", dim=2)),
    )
    options = {"consistency_level": "Strong", "description": "hello", "shards": 1}
    session.execute(CreateTable(unique_name, columns=columns, options=options))
    fields, described = raw_fields(session, unique_name)
    assert fields["tenant"]["is_partition_key"] is True
    assert not fields["tenant"].get("nullable")
    assert fields["pk"]["type"].name == "VARCHAR" and not described["auto_id"]
    assert described["consistency_level_name"] == "Strong"
    assert described["enable_dynamic_field"] is False


def test_quick_form(session, unique_name):
    result = session.execute(
        CreateTable(
            unique_name, options={"dimension": 8, "metric_type": "l2", "index_file_size": 1}
        )
    )
    assert result.text == (
        f"created collection {unique_name} "
        "(index_file_size no longer applies in Milvus 2.x; ignored)"
    )
    fields, _ = raw_fields(session, unique_name)
    assert fields["id"]["type"].name == "INT64" and fields["id"]["is_primary"]
    assert fields["vector"]["params"]["dim"] == 8
    index = session.catalog().client.describe_index(unique_name, "vector")
    assert index["metric_type"] == "L2"


def test_create_errors(session, unique_name):
    with pytest.raises(ExecutionError, match=r"unknown option 'colour'.*options: .*shards"):
        session.execute(
            CreateTable(
                unique_name, columns=EVERY_TYPE[:1] + EVERY_TYPE[-3:-2], options={"colour": 1}
            )
        )
    with pytest.raises(ExecutionError, match="only applies to the quick form"):
        session.execute(CreateTable(unique_name, columns=EVERY_TYPE[:1], options={"dimension": 4}))
    with pytest.raises(ExecutionError, match="WITH \\(dimension = n\\)"):
        session.execute(CreateTable(unique_name))
    with pytest.raises(ExecutionError, match="exactly one PRIMARY KEY"):
        session.execute(CreateTable(unique_name, columns=EVERY_TYPE[1:3]))
    with pytest.raises(ExecutionError, match="FLOAT_VECTOR needs a dimension"):
        session.execute(
            CreateTable(
                unique_name,
                columns=(EVERY_TYPE[0], ColumnDef("v", FieldType("FLOAT_VECTOR"))),
            )
        )
    with pytest.raises(ExecutionError, match="unknown type VECTORISH"):
        session.execute(
            CreateTable(
                unique_name, columns=(EVERY_TYPE[0], ColumnDef("v", FieldType("VECTORISH")))
            )
        )
    assert unique_name not in session.collection_names()


def test_if_not_exists_drop_and_show(session, unique_name):
    session.execute(CreateTable(unique_name, options={"dimension": 2}))
    again = session.execute(CreateTable(unique_name, options={"dimension": 2}, if_not_exists=True))
    assert "already exists" in again.text
    with pytest.raises(ExecutionError, match=f"collection '{unique_name}' already exists"):
        session.execute(CreateTable(unique_name, options={"dimension": 2}))
    shown = session.execute(ShowTables())
    assert shown.columns[0].name == "name"
    assert unique_name in [row[0] for row in shown.rows]
    assert session.execute(DropTable(unique_name)).text == f"dropped collection {unique_name}"
    assert "nothing done" in session.execute(DropTable(unique_name, if_exists=True)).text
    with pytest.raises(ExecutionError, match=f"collection '{unique_name}' does not exist"):
        session.execute(DropTable(unique_name))
    with pytest.raises(ExecutionError, match="collection 'nope' does not exist"):
        session.execute(DescribeTable("nope"))


def test_load_release_and_auto_load(session, unique_name):
    session.execute(CreateTable(unique_name, options={"dimension": 2}))
    session.execute(Insert(unique_name, rows=((1, [0.0, 1.0]),)))
    assert session.execute(ReleaseTable(unique_name)).text == f"released collection {unique_name}"
    assert session.catalog().load_state(unique_name) == "NotLoad"
    # reads load the collection on first use
    assert session.execute(Select(unique_name, count=True)).rows == [(1,)]
    assert session.catalog().load_state(unique_name) == "Loaded"
    session.execute(ReleaseTable(unique_name))
    assert session.execute(LoadTable(unique_name)).text == f"loaded collection {unique_name}"
    assert session.catalog().load_state(unique_name) == "Loaded"


def test_partitions(session, unique_name):
    session.execute(CreateTable(unique_name, options={"dimension": 2}))
    assert session.execute(CreatePartition("p1", unique_name)).text == (
        f"created partition p1 on {unique_name}"
    )
    assert (
        "nothing done"
        in session.execute(CreatePartition("p1", unique_name, if_not_exists=True)).text
    )
    with pytest.raises(ExecutionError, match="partition 'p1' already exists"):
        session.execute(CreatePartition("p1", unique_name))
    session.execute(Insert(unique_name, rows=((1, [0.0, 1.0]), (2, [1.0, 0.0])), partition="p1"))
    shown = session.execute(ShowPartitions(unique_name))
    assert dict(shown.rows) == {"_default": 0, "p1": 2}
    counted = session.execute(Select(unique_name, count=True, partitions=("p1",)))
    assert counted.rows == [(2,)]
    assert session.execute(DropPartition("p1", unique_name)).text == (
        f"dropped partition p1 of {unique_name}"
    )
    with pytest.raises(ExecutionError, match="partition 'p1' does not exist"):
        session.execute(DropPartition("p1", unique_name))
    assert "nothing done" in session.execute(DropPartition("p1", unique_name, if_exists=True)).text
    with pytest.raises(ExecutionError, match="partition 'p9' does not exist"):
        session.execute(Insert(unique_name, rows=((3, [0.0, 1.0]),), partition="p9"))
