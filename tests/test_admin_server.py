"""Administration on the Milvus 2.3.5 standalone with authentication (Strong consistency): users,
roles and privileges checked by logging in as the user; partition-level LOAD / RELEASE; USE on a
server without DescribeDatabase; TRUNCATE on a server without TruncateCollection; passwords in no
output, error or repr.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from admin_helpers import fails, rows, run, server_session, text

from milvus_kernel.engine.session import Session
from milvus_kernel.errors import KernelError
from milvus_kernel.language.parser import parse_cell

PASSWORD = "Pw-" + uuid.uuid4().hex[:10]
NEW_PASSWORD = "Pw2-" + uuid.uuid4().hex[:10]


@pytest.fixture(scope="module")
def root(milvus_server_auth: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Session]:
    with server_session(milvus_server_auth, tmp_path_factory.mktemp("admin")) as session:
        yield session


def denied_soon(session: Session, cell: str, within: float = 15.0) -> str:
    """The error of `cell` once a REVOKE has reached the server's privilege cache."""
    deadline = time.monotonic() + within
    while True:
        try:
            run(session, cell)
        except KernelError as error:
            return error.render()
        assert time.monotonic() < deadline, f"{cell} still allowed after {within} s"
        time.sleep(0.5)


def allowed_soon(session: Session, cell: str, within: float = 30.0) -> list[tuple[Any, ...]]:
    """The rows of `cell` once a GRANT has reached the server's privilege cache."""
    deadline = time.monotonic() + within
    while True:
        try:
            return rows(session, cell)
        except KernelError as error:
            if "permission deny" not in error.render().lower() or time.monotonic() > deadline:
                raise
        time.sleep(0.5)


def test_users_roles_and_privileges(root: Session, milvus_server_auth: Any, tmp_path: Path):
    user, role = f"u_{uuid.uuid4().hex[:6]}", f"r_{uuid.uuid4().hex[:6]}"
    run(root, "DROP TABLE IF EXISTS rbac_docs; CREATE TABLE rbac_docs WITH (dimension = 2)")
    run(root, "INSERT INTO rbac_docs VALUES (1, [1, 0]), (2, [0, 1])")
    assert text(root, f"CREATE USER {user} PASSWORD '{PASSWORD}'") == f"created user {user}"
    assert f"user '{user}' already exists" in fails(root, f"CREATE USER {user} PASSWORD 'x12345'")
    assert (user, "") in rows(root, "SHOW USERS")
    assert text(root, f"CREATE ROLE {role}") == f"created role {role}"
    assert text(root, f"GRANT ROLE {role} TO {user}") == f"granted role {role} to {user}"
    assert (user, role) in rows(root, "SHOW USERS")
    assert (role, user) in rows(root, "SHOW ROLES")
    run(root, f"GRANT Query ON rbac_docs TO {role}; GRANT DescribeCollection ON * TO {role}")
    run(root, f"GRANT ShowCollections ON GLOBAL TO {role}; GRANT GetLoadState ON * TO {role}")
    run(root, f"GRANT Load ON rbac_docs TO {role}")
    assert rows(root, f"SHOW GRANTS FOR {role}") == [
        ("Collection", "*", "GetLoadState", "default", "root"),
        ("Collection", "rbac_docs", "Load", "default", "root"),
        ("Collection", "rbac_docs", "Query", "default", "root"),
        ("Global", "*", "DescribeCollection", "default", "root"),
        ("Global", "*", "ShowCollections", "default", "root"),
    ]
    assert "global privilege" in fails(root, f"GRANT CreateCollection ON rbac_docs TO {role}")
    assert "unknown privilege 'Fly'" in fails(root, f"GRANT Fly ON rbac_docs TO {role}")
    assert "REVOKE them first" in fails(root, f"DROP ROLE {role}")

    # the user can read, and only read
    env = {"MILVUS_USER": user, "MILVUS_PASSWORD": PASSWORD}
    with server_session(milvus_server_auth, tmp_path, **env) as as_user:
        assert allowed_soon(as_user, "SELECT COUNT(*) FROM rbac_docs") == [(2,)]
        denied = fails(as_user, "INSERT INTO rbac_docs VALUES (3, [1, 1])")
        assert "permission deny" in denied.lower() and PASSWORD not in denied
    run(root, f"REVOKE Query ON rbac_docs FROM {role}")
    with server_session(milvus_server_auth, tmp_path, **env) as as_user:
        assert "permission deny" in denied_soon(as_user, "SELECT COUNT(*) FROM rbac_docs").lower()

    # passwords: Milvus needs the old one; none of them is ever shown
    report = fails(root, f"ALTER USER {user} PASSWORD '{NEW_PASSWORD}'")
    assert "OLD PASSWORD" in report and NEW_PASSWORD not in report
    report = fails(root, f"ALTER USER {user} PASSWORD '{NEW_PASSWORD}' OLD PASSWORD 'wrong-1'")
    assert NEW_PASSWORD not in report and "wrong-1" not in report
    cell = f"ALTER USER {user} PASSWORD '{NEW_PASSWORD}' OLD PASSWORD '{PASSWORD}'"
    assert text(root, cell) == f"changed the password of user {user}"
    for statement in parse_cell(cell):
        assert PASSWORD not in repr(statement) and NEW_PASSWORD not in repr(statement)
    env = {"MILVUS_USER": user, "MILVUS_PASSWORD": NEW_PASSWORD}
    with server_session(milvus_server_auth, tmp_path, **env) as as_user:
        assert ("user", user) in rows(as_user, "SHOW CONNECTION")

    run(
        root, f"REVOKE DescribeCollection ON * FROM {role}; REVOKE ShowCollections ON * FROM {role}"
    )
    run(root, f"REVOKE GetLoadState ON * FROM {role}; REVOKE Load ON rbac_docs FROM {role}")
    assert rows(root, f"SHOW GRANTS FOR {role}") == []
    assert text(root, f"REVOKE ROLE {role} FROM {user}") == f"revoked role {role} from {user}"
    assert text(root, f"DROP ROLE {role}") == f"dropped role {role}"
    assert text(root, f"DROP USER {user}") == f"dropped user {user}"
    assert f"user '{user}' does not exist" in fails(root, f"DROP USER {user}")
    assert f"role '{role}' does not exist" in fails(root, f"SHOW GRANTS FOR {role}")
    assert "user 'root' is the user of this connection" in fails(root, "DROP USER root")


def test_partition_load_and_release(root: Session):
    run(root, "DROP TABLE IF EXISTS parts; CREATE TABLE parts WITH (dimension = 2)")
    run(root, "CREATE PARTITION p1 ON parts; CREATE PARTITION p2 ON parts")
    run(root, "INSERT INTO parts PARTITION p1 VALUES (1, [1, 0]); RELEASE parts")
    assert text(root, "LOAD PARTITION p1 ON parts") == "loaded partition p1 of parts"
    states = dict(rows(root, "SHOW LOAD STATE parts"))
    assert states == {
        "(collection)": "Loaded",
        "_default": "NotLoad",
        "p1": "Loaded",
        "p2": "NotLoad",
    }
    assert rows(root, "SELECT id FROM parts PARTITION p1") == [(1,)]
    assert text(root, "RELEASE PARTITION p1 ON parts") == "released partition p1 of parts"
    assert dict(rows(root, "SHOW LOAD STATE parts"))["p1"] == "NotLoad"
    assert "partition 'p9' does not exist" in fails(root, "LOAD PARTITION p9 ON parts")
    run(root, "DROP TABLE parts")


def test_use_database_and_truncate_on_2_3(root: Session):
    run(root, "CREATE DATABASE IF NOT EXISTS srv_db; USE srv_db")
    run(root, "CREATE TABLE IF NOT EXISTS in_db WITH (dimension = 2)")
    run(root, "INSERT INTO in_db VALUES (-5, [1, 0]), (0, [0, 1]), (7, [1, 1])")
    assert ("database", "srv_db") in rows(root, "SHOW CONNECTION")
    assert rows(root, "SELECT COUNT(*) FROM in_db") == [(3,)]
    message = text(root, "TRUNCATE TABLE in_db")
    assert message.startswith("truncated collection in_db: deleted 3 rows"), message
    assert rows(root, "SELECT COUNT(*) FROM in_db") == [(0,)]
    run(root, "DROP TABLE in_db; USE default; DROP DATABASE srv_db")
    assert "srv_db" not in [r[0] for r in rows(root, "SHOW DATABASES")]


def test_alias_rename_stats_compact_on_server(root: Session):
    run(
        root,
        "DROP TABLE IF EXISTS s_a; DROP TABLE IF EXISTS s_b; CREATE TABLE s_a WITH (dimension = 2)",
    )
    run(root, "INSERT INTO s_a VALUES (1, [1, 0]), (2, [0, 1]); CREATE ALIAS s_live FOR s_a")
    run(root, "ALTER TABLE s_a RENAME TO s_b; FLUSH s_b")
    assert rows(root, "SHOW ALIASES ON s_b") == [("s_live", "s_b")]
    assert dict(rows(root, "SHOW STATS s_b"))["rows"] == 2
    assert text(root, "COMPACT s_b").startswith("compacted s_b")
    run(root, "DROP ALIAS s_live; DROP TABLE s_b")
