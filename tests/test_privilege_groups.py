"""Privilege groups: on Milvus Lite every statement says so in one line and EXPLAIN prints
valid pymilvus code (checked against MilvusClient's signatures); on the Milvus 2.3.5 standalone
(no privilege groups: they came with 2.5) the statements say so naming its version, and a
GRANT of a plain privilege still goes the old way."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from admin_helpers import fails, run, server_session, text
from explained_code import calls, checked_first

from milvus_kernel.engine.session import Session

STATEMENTS = {
    "CREATE PRIVILEGE GROUP readers": [("create_privilege_group", ("readers",), {})],
    "DROP PRIVILEGE GROUP readers": [("drop_privilege_group", ("readers",), {})],
    "ALTER PRIVILEGE GROUP readers ADD PRIVILEGES (search, QUERY)": [
        ("add_privileges_to_group", ("readers", ["Search", "Query"]), {})
    ],
    "ALTER PRIVILEGE GROUP readers DROP PRIVILEGES (Query)": [
        ("remove_privileges_from_group", ("readers", ["Query"]), {})
    ],
    "SHOW PRIVILEGE GROUPS": [],
    "GRANT readers ON docs TO analyst": [
        ("grant_privilege_v2", ("analyst", "readers", "docs"), {"db_name": "default"})
    ],
    "REVOKE CollectionReadOnly ON docs FROM analyst": [
        ("revoke_privilege_v2", ("analyst", "CollectionReadOnly", "docs"), {"db_name": "default"})
    ],
}


@pytest.mark.parametrize(("cell", "expected"), STATEMENTS.items())
def test_lite_refuses_in_one_line_and_explains(session: Session, cell: str, expected: list):
    report = fails(session, cell)
    assert report.count("\n") == 0 and "not supported by Milvus Lite" in report, report
    script = text(session, f"EXPLAIN {cell}")
    assert [(m, a, k) for _t, m, a, k in calls(script)] == expected
    if not expected:
        assert checked_first(script) == ["list_privilege_groups"]


@pytest.fixture(scope="module")
def root(milvus_server_auth: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Session]:
    with server_session(milvus_server_auth, tmp_path_factory.mktemp("groups")) as session:
        yield session


def test_a_2_3_server_says_it_has_no_privilege_groups(root: Session):
    role = f"r_{uuid.uuid4().hex[:6]}"
    run(
        root,
        "DROP TABLE IF EXISTS pg_docs; CREATE TABLE pg_docs WITH (dimension = 2); "
        f"CREATE ROLE {role}",
    )
    version = str(root.catalog().client.get_server_version())
    for cell in (
        "CREATE PRIVILEGE GROUP readers",
        "SHOW PRIVILEGE GROUPS",
        f"GRANT CollectionReadOnly ON pg_docs TO {role}",
    ):
        report = fails(root, cell)
        assert report.count("\n") == 0, report
        assert f"is not supported by Milvus {version}" in report, report
    # a plain privilege is no group: granted with grant_privilege as before
    assert text(root, f"GRANT Query ON pg_docs TO {role}") == (
        f"granted Query on Collection pg_docs to role {role}"
    )
    granted = root.catalog().client.describe_role(role)["privileges"]
    assert [(g["object_name"], g["privilege"]) for g in granted] == [("pg_docs", "Query")]
    assert "unknown privilege 'Fly'" in fails(root, f"GRANT Fly ON pg_docs TO {role}")
    for cell, method in (
        (f"ALTER ROLE {role} COMMENT 'readers'", "alter_role"),
        ("ALTER USER root COMMENT 'admin'", "update_user"),
    ):
        report = fails(root, cell)
        assert report.count("\n") == 0 and f"not supported by Milvus {version}" in report, report
        [(_t, name, args, _k)] = calls(text(root, f"EXPLAIN {cell}"))
        assert name == method and args[1] in ("readers", "admin")
    run(root, f"REVOKE Query ON pg_docs FROM {role}; DROP ROLE {role}; DROP TABLE pg_docs")
