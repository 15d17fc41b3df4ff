"""CREATE / DROP / SHOW / DESCRIBE INDEX on Milvus Lite: build parameters must reach the server."""

from __future__ import annotations

import pytest

from milvus_kernel.errors import ExecutionError
from milvus_kernel.language.statements import (
    ColumnDef,
    CreateIndex,
    CreateTable,
    DescribeIndex,
    DropIndex,
    FieldType,
    Insert,
    Search,
    ShowIndexes,
)
from milvus_kernel.results import Table


def make(session, name: str) -> None:
    columns = (
        ColumnDef("id", FieldType("INT64"), primary_key=True),
        ColumnDef("label", FieldType("VARCHAR", length=10)),
        ColumnDef("vector", FieldType("FLOAT_VECTOR", dim=4)),
    )
    session.execute(CreateTable(name, columns=columns))
    rows = tuple((i, f"l{i % 3}", [float(i), 1.0, 0.0, float(i % 5)]) for i in range(100))
    session.execute(Insert(name, rows=rows))


def test_build_params_reach_the_server(session, unique_name):
    make(session, unique_name)
    message = session.execute(
        CreateIndex(
            unique_name,
            "vector",
            name="vidx",
            index_type="IVF_FLAT",
            params={"metric_type": "L2", "nlist": 64},
        )
    )
    assert message.text.startswith("created index ")
    assert "IVF_FLAT" in message.text and "metric L2" in message.text
    client = session.catalog().client
    (name,) = client.list_indexes(unique_name, field_name="vector")
    described = client.describe_index(unique_name, name)
    assert described["index_type"] == "IVF_FLAT"
    assert described["metric_type"] == "L2"
    assert described["params"] == {"nlist": 64}
    shown = session.execute(ShowIndexes(unique_name))
    assert [c.name for c in shown.columns] == [
        "name",
        "field",
        "index_type",
        "metric_type",
        "params",
        "state",
    ]
    assert shown.rows[0][1:5] == ("vector", "IVF_FLAT", "L2", {"nlist": 64})
    table = session.execute(DescribeIndex(name, unique_name))
    assert isinstance(table, Table)
    values = dict(table.rows)
    assert values["params"] == {"nlist": 64} and values["index_type"] == "IVF_FLAT"
    # the collection is searchable with the new index and a search parameter
    hits = session.execute(
        Search(unique_name, vectors=([3.0, 1.0, 0.0, 3.0],), limit=1, params={"nprobe": 64})
    )
    assert hits.rows[0][1] == 3


def test_hnsw_params_and_default_types(session, unique_name):
    make(session, unique_name)
    session.execute(
        CreateIndex(
            unique_name,
            "vector",
            index_type="hnsw",
            params={"metric_type": "COSINE", "M": 8, "efConstruction": 64},
        )
    )
    client = session.catalog().client
    described = client.describe_index(unique_name, "vector")
    assert described["index_type"] == "HNSW" and described["params"] == {
        "M": 8,
        "efConstruction": 64,
    }
    message = session.execute(CreateIndex(unique_name, "label"))
    assert "INVERTED" in message.text
    names = client.list_indexes(unique_name)
    assert len(names) == 2
    session.execute(DropIndex("vector", unique_name))
    # dropping one index leaves the other (Lite would drop every index for an unknown name)
    assert client.list_indexes(unique_name) == [n for n in names if n != "vector"]
    message = session.execute(CreateIndex(unique_name, "vector"))
    assert "AUTOINDEX" in message.text and "COSINE" in message.text


def test_index_errors(session, unique_name):
    make(session, unique_name)
    session.execute(CreateIndex(unique_name, "vector"))
    with pytest.raises(ExecutionError, match=r"already has index 'vector'.*DROP INDEX vector ON"):
        session.execute(
            CreateIndex(unique_name, "vector", index_type="FLAT", params={"metric_type": "L2"})
        )
    with pytest.raises(ExecutionError, match="has no field 'nope'"):
        session.execute(CreateIndex(unique_name, "nope"))
    with pytest.raises(ExecutionError, match="has no index 'nope' \\(indexes: vector\\)"):
        session.execute(DropIndex("nope", unique_name))
    with pytest.raises(ExecutionError, match="has no index 'nope'"):
        session.execute(DescribeIndex("nope", unique_name))
    with pytest.raises(ExecutionError, match="collection 'missing' does not exist"):
        session.execute(ShowIndexes("missing"))


def test_drop_index_on_loaded_collection(session, unique_name):
    make(session, unique_name)
    session.execute(CreateIndex(unique_name, "vector", params={"metric_type": "L2"}))
    session.execute(Search(unique_name, vectors=([1.0, 1.0, 0.0, 1.0],), limit=1))  # loads it
    message = session.execute(DropIndex("vector", unique_name))
    assert message.text.startswith(f"dropped index vector of {unique_name}")
    assert session.catalog().client.list_indexes(unique_name) == []
    session.execute(
        CreateIndex(unique_name, "vector", index_type="FLAT", params={"metric_type": "IP"})
    )
    hits = session.execute(Search(unique_name, vectors=([1.0, 0.0, 0.0, 0.0],), limit=1))
    assert hits.rows[0][1] == 99


def test_index_statements_without_a_field_mean_the_vector_field(session, unique_name):
    make(session, unique_name)
    message = session.execute(
        CreateIndex(unique_name, "", index_type="IVF_FLAT", params={"nlist": 16})
    )
    assert "on " + unique_name + "(vector) using IVF_FLAT" in message.text
    assert session.catalog().client.describe_index(unique_name, "vector")["params"] == {"nlist": 16}
    assert session.execute(DropIndex("", unique_name)).text.startswith("dropped index vector")
