"""Administration on Milvus Lite: databases, aliases, RENAME / SET / TRUNCATE, SHOW STATS, SHOW LOAD
STATE, FLUSH, COMPACT; and every statement Lite lacks (users, roles, privileges, partition-level
LOAD / RELEASE) says "<what> is not supported by Milvus Lite" in one line, with no secret in it.
"""

from __future__ import annotations

import pytest
from admin_helpers import fails, one, rows, run, text

from milvus_kernel.engine.session import Session


def test_databases(session: Session):
    assert text(session, "CREATE DATABASE IF NOT EXISTS dbx") == "created database dbx"
    assert "already exists; nothing done" in text(session, "CREATE DATABASE IF NOT EXISTS dbx")
    assert "database 'dbx' already exists" in fails(session, "CREATE DATABASE dbx")
    assert ("dbx", False) in rows(session, "SHOW DATABASES")
    assert ("default", True) in rows(session, "SHOW DATABASES")
    run(session, "USE dbx; CREATE TABLE only_in_dbx WITH (dimension = 2)")
    assert rows(session, "SHOW TABLES") == [("only_in_dbx",)]
    assert ("database", "dbx") in rows(session, "SHOW CONNECTION")
    assert ("dbx", True) in rows(session, "SHOW DATABASES")
    assert "USE default first" in fails(session, "DROP DATABASE dbx")
    run(session, "USE default")
    assert "only_in_dbx" not in [r[0] for r in rows(session, "SHOW TABLES")]
    assert "not empty" in fails(session, "DROP DATABASE dbx")
    run(session, "USE dbx; DROP TABLE only_in_dbx; USE default")
    assert text(session, "DROP DATABASE dbx") == "dropped database dbx"
    assert "nothing done" in text(session, "DROP DATABASE IF EXISTS dbx")
    assert "database 'dbx' does not exist" in fails(session, "DROP DATABASE dbx")
    assert "database 'nope' does not exist" in fails(session, "USE nope")
    assert "cannot be dropped" in fails(session, "DROP DATABASE default")


def test_aliases(session: Session):
    run(session, "CREATE TABLE blue WITH (dimension = 2); CREATE TABLE green WITH (dimension = 2)")
    assert text(session, "CREATE ALIAS live FOR blue") == "created alias live for blue"
    assert rows(session, "SHOW ALIASES") == [("live", "blue")]
    assert "ALTER ALIAS live FOR green" in fails(session, "CREATE ALIAS live FOR green")
    run(session, "INSERT INTO live VALUES (1, [1, 0])")
    assert rows(session, "SELECT COUNT(*) FROM blue") == [(1,)]
    assert (
        text(session, "ALTER ALIAS live FOR green") == "alias live now stands for green (was blue)"
    )
    assert rows(session, "SELECT COUNT(*) FROM live") == [(0,)]
    assert rows(session, "SHOW ALIASES ON green") == [("live", "green")]
    assert rows(session, "SHOW ALIASES ON blue") == []
    assert "is an alias" in fails(session, "CREATE ALIAS other FOR live")
    assert text(session, "DROP ALIAS live") == "dropped alias live (of green)"
    assert "alias 'live' does not exist" in fails(session, "DROP ALIAS live")
    assert "alias 'x' does not exist" in fails(session, "ALTER ALIAS x FOR blue")
    assert "collection 'nowhere' does not exist" in fails(session, "CREATE ALIAS a2 FOR nowhere")


def test_rename_set_truncate_stats(session: Session):
    run(session, "CREATE TABLE before WITH (dimension = 2)")
    run(session, "INSERT INTO before VALUES (1, [1, 0]), (2, [0, 1]), (3, [1, 1])")
    assert (
        text(session, "ALTER TABLE before RENAME TO after") == "renamed collection before to after"
    )
    assert "collection 'before' does not exist" in fails(session, "SELECT * FROM before")
    assert rows(session, "SELECT COUNT(*) FROM after") == [(3,)]
    run(session, "CREATE TABLE taken WITH (dimension = 2)")
    assert "collection 'taken' already exists" in fails(
        session, "ALTER TABLE after RENAME TO taken"
    )
    message = text(session, "ALTER TABLE after SET (collection.ttl.seconds = 3600)")
    assert message == "set collection.ttl.seconds = 3600 on after"
    properties = session.catalog().call("describe_collection", "after")["properties"]
    assert properties["collection.ttl.seconds"] == "3600"
    assert text(session, "FLUSH after, taken") == "flushed after, taken"
    stats = dict(rows(session, "SHOW STATS after"))
    assert stats["rows"] == 3 and stats["partitions"] == 1 and stats["fields"] == 2
    assert text(session, "TRUNCATE TABLE after") == "truncated collection after"
    assert rows(session, "SELECT COUNT(*) FROM after") == [(0,)]
    assert dict(rows(session, "SHOW STATS after"))["rows"] == 0
    assert "vector" in one(session, "SHOW CREATE TABLE after").text  # schema kept
    assert text(session, "COMPACT after") == "compacted after"


def test_load_state(session: Session):
    run(session, "CREATE TABLE ls WITH (dimension = 2); CREATE PARTITION p1 ON ls; RELEASE ls")
    assert rows(session, "SHOW LOAD STATE ls") == [
        ("(collection)", "NotLoad"),
        ("_default", "NotLoad"),
        ("p1", "NotLoad"),
    ]
    run(session, "LOAD ls")
    assert rows(session, "SHOW LOAD STATE ls")[0] == ("(collection)", "Loaded")


@pytest.mark.parametrize(
    ("cell", "what"),
    [
        ("LOAD PARTITION p1 ON lite_lacks", "partition-level LOAD"),
        ("RELEASE PARTITION p1 ON lite_lacks", "partition-level RELEASE"),
        ("CREATE USER u PASSWORD 'Sup3r-secret'", "CREATE USER (users and roles)"),
        ("ALTER USER u PASSWORD 'Sup3r-secret'", "ALTER USER (users and roles)"),
        ("DROP USER u", "DROP USER (users and roles)"),
        ("SHOW USERS", "SHOW USERS (users and roles)"),
        ("CREATE ROLE r", "CREATE ROLE (users and roles)"),
        ("DROP ROLE r", "DROP ROLE (users and roles)"),
        ("SHOW ROLES", "SHOW ROLES (users and roles)"),
        ("GRANT ROLE r TO u", "GRANT ROLE (users and roles)"),
        ("REVOKE ROLE r FROM u", "REVOKE ROLE (users and roles)"),
        ("GRANT Search ON lite_lacks TO r", "GRANT (users and roles)"),
        ("REVOKE Search ON lite_lacks FROM r", "REVOKE (users and roles)"),
        ("SHOW GRANTS FOR r", "SHOW GRANTS (users and roles)"),
    ],
)
def test_what_lite_lacks_says_so_in_one_line(session: Session, cell: str, what: str):
    run(session, "CREATE TABLE IF NOT EXISTS lite_lacks WITH (dimension = 2)")
    run(session, "CREATE PARTITION IF NOT EXISTS p1 ON lite_lacks")
    report = fails(session, cell)
    assert report.endswith(f"{what} is not supported by Milvus Lite"), report
    assert "\n" not in report and "Sup3r-secret" not in report


def test_lite_over_tcp_is_lite_too(lite_server: str, tmp_path):
    """`milvus-lite server` is Milvus Lite as well: told apart by its version, not its URI."""
    lite = Session(workdir=tmp_path, environ={"MILVUS_URI": lite_server})
    try:
        assert fails(lite, "SHOW USERS").endswith("is not supported by Milvus Lite")
    finally:
        lite.close()


def test_flush_and_compact_name_a_missing_collection(session: Session):
    assert "collection 'ghost' does not exist" in fails(session, "FLUSH ghost")
    assert "collection 'ghost' does not exist" in fails(session, "COMPACT ghost")
    assert "collection 'ghost' does not exist" in fails(session, "TRUNCATE TABLE ghost")
