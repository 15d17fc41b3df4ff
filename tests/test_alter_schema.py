"""ALTER TABLE ADD COLUMN / ALTER COLUMN / DROP PROPERTIES, ALTER INDEX SET / DROP PROPERTIES,
ALTER DATABASE SET / DROP PROPERTIES and DESCRIBE DATABASE on Milvus Lite, through the kernel's
pipeline, checked with raw `describe_collection` / `describe_database`; SHOW CREATE TABLE follows
(the cached schema is forgotten). What Lite lacks (added and altered columns, index properties)
fails in one line naming it, and changes nothing. EXPLAIN prints each statement's pymilvus code:
every call's method and keywords bind to MilvusClient's own signatures, and where Lite has the
RPC the code, run, gives the same result.
"""

from __future__ import annotations

import ast
import inspect
from pathlib import Path

import pytest
from admin_helpers import fails, rows, text
from pymilvus import MilvusClient

from milvus_kernel.engine.session import Session


@pytest.fixture(scope="module")
def raw(lite_dir: Path, session: Session) -> MilvusClient:
    text(session, "SHOW TABLES")
    return MilvusClient(uri=str(lite_dir / "milvus_kernel.db"))


def make(session: Session, table: str) -> None:
    text(
        session,
        f"CREATE TABLE {table} (id INT64 PRIMARY KEY, vector FLOAT_VECTOR(2), label VARCHAR(20)); "
        f"CREATE INDEX ON {table} (vector) USING FLAT WITH (metric_type = 'L2')",
    )


def calls(code: str) -> list[tuple[str, inspect.BoundArguments]]:
    """Every `client.<method>(...)` of an EXPLAIN script, bound to MilvusClient's signature (a
    wrong method or keyword raises)."""
    found = []
    for node in ast.walk(ast.parse(code)):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        if not (isinstance(node.func.value, ast.Name) and node.func.value.id == "client"):
            continue
        method = getattr(MilvusClient, node.func.attr)
        args = [object() for _ in node.args]
        kwargs = {k.arg: object() for k in node.keywords if k.arg}
        found.append((node.func.attr, inspect.signature(method).bind(None, *args, **kwargs)))
    return found


def test_drop_table_properties(session: Session, raw: MilvusClient) -> None:
    make(session, "al_props")
    text(session, "ALTER TABLE al_props SET (collection.ttl.seconds = 100, mmap.enabled = true)")
    assert "collection.ttl.seconds = 100" in text(session, "SHOW CREATE TABLE al_props")
    said = text(session, "ALTER TABLE al_props DROP PROPERTIES ('collection.ttl.seconds')")
    assert said == "dropped property collection.ttl.seconds of al_props"
    properties = raw.describe_collection("al_props")["properties"]
    assert "collection.ttl.seconds" not in properties and properties["mmap.enabled"] == "true"
    shown = text(session, "SHOW CREATE TABLE al_props")  # the schema cache was forgotten
    assert "collection.ttl.seconds" not in shown and "mmap.enabled" in shown
    code = text(session, "EXPLAIN ALTER TABLE al_props DROP PROPERTIES (mmap.enabled)")
    assert [name for name, _ in calls(code)] == ["drop_collection_properties"]
    exec(compile(code, "<explain>", "exec"), {})
    assert "mmap.enabled" not in raw.describe_collection("al_props")["properties"]


def test_database_properties_and_describe(session: Session, raw: MilvusClient) -> None:
    text(session, "CREATE DATABASE al_db WITH (owner = 'me')")
    assert raw.describe_database("al_db")["owner"] == "me"
    text(session, "ALTER DATABASE al_db DROP PROPERTIES (owner)")
    said = text(session, "ALTER DATABASE al_db SET (database.max.collections = 10, key1 = 'v')")
    assert said == "set database.max.collections = 10, key1 = 'v' on database al_db"
    described = raw.describe_database("al_db")
    assert described["database.max.collections"] == "10" and described["key1"] == "v"
    table = rows(session, "DESCRIBE DATABASE al_db")
    assert table == [("name", "al_db"), ("database.max.collections", "10"), ("key1", "v")]
    assert text(session, "ALTER DATABASE al_db DROP PROPERTIES ('key1')") == (
        "dropped property key1 of database al_db"
    )
    assert "key1" not in raw.describe_database("al_db")
    assert rows(session, "DESCRIBE DATABASE al_db") == [
        ("name", "al_db"),
        ("database.max.collections", "10"),
    ]
    code = text(session, "EXPLAIN ALTER DATABASE al_db SET (key2 = 'w')")
    assert [name for name, _ in calls(code)] == ["alter_database_properties"]
    exec(compile(code, "<explain>", "exec"), {})
    assert raw.describe_database("al_db")["key2"] == "w"
    code = text(session, "EXPLAIN ALTER DATABASE al_db DROP PROPERTIES ('key2')")
    assert [name for name, _ in calls(code)] == ["drop_database_properties"]
    exec(compile(code, "<explain>", "exec"), {})
    assert "key2" not in raw.describe_database("al_db")
    assert "database 'nope' does not exist" in fails(session, "DESCRIBE DATABASE nope")
    text(session, "DROP DATABASE al_db")


LITE_LACKS = {
    "ALTER TABLE al_lite ADD COLUMN note VARCHAR(100) NULL DEFAULT 'x'": (
        "ALTER TABLE ... ADD COLUMN",
        "add_collection_field",
    ),
    "ALTER TABLE al_lite ALTER COLUMN label SET (max_length = 64)": (
        "ALTER TABLE ... ALTER COLUMN",
        "alter_collection_field",
    ),
    "ALTER INDEX vector ON al_lite SET (mmap.enabled = true)": (
        "ALTER INDEX ... SET",
        "alter_index_properties",
    ),
    "ALTER INDEX vector ON al_lite DROP PROPERTIES ('mmap.enabled')": (
        "ALTER INDEX ... DROP PROPERTIES",
        "drop_index_properties",
    ),
}


def test_what_lite_lacks_is_refused_in_one_line(session: Session, raw: MilvusClient) -> None:
    make(session, "al_lite")
    before = raw.describe_collection("al_lite")
    index = raw.describe_index("al_lite", "vector")
    for cell, (what, method) in LITE_LACKS.items():
        error = fails(session, cell)
        assert error.endswith(f"{what} is not supported by Milvus Lite"), error
        assert len(error.splitlines()) == 1, error
        code = text(session, f"EXPLAIN {cell}")  # the code, on any server
        bound = calls(code)
        assert [name for name, _ in bound] == [method], code
    assert raw.describe_collection("al_lite") == before
    assert raw.describe_index("al_lite", "vector") == index


def test_explain_of_an_added_column(session: Session) -> None:
    make(session, "al_add")
    code = text(session, "EXPLAIN ALTER TABLE al_add ADD COLUMN note VARCHAR(100) NULL DEFAULT 'x'")
    assert "from pymilvus import MilvusClient, DataType" in code
    [(name, bound)] = calls(code)
    assert name == "add_collection_field"
    assert set(bound.arguments["kwargs"]) == {"max_length", "nullable", "default_value"}
    assert "DataType.VARCHAR" in code and "default_value='x'" in code


def test_bad_alters_say_why(session: Session) -> None:
    make(session, "al_bad")
    cases = {
        "ALTER TABLE al_bad ADD COLUMN label VARCHAR(5)": "already has a column label",
        "ALTER TABLE al_bad ADD COLUMN n INT64 NOT NULL": "nullable columns only",
        "ALTER TABLE al_bad ALTER COLUMN nope SET (max_length = 3)": "has no field 'nope'",
        "ALTER INDEX nope ON al_bad SET (mmap.enabled = true)": "has no index 'nope'",
        "ALTER DATABASE nope SET (a = 1)": "database 'nope' does not exist",
        "ALTER TABLE missing DROP PROPERTIES ('a')": "collection 'missing' does not exist",
    }
    for cell, expected in cases.items():
        error = fails(session, cell)
        assert expected in error, (cell, error)
        assert len(error.splitlines()) == 1, error
