"""The filter quoting of `test_filter_injection.py` on a real Milvus 2.3.5 standalone server: a
hostile name is one dynamic key (`$meta["..."]`, quotes and backslashes escaped), and strings
with NUL and control characters, written raw into the filter, are found again by `=`, `IN` and
`LIKE` — checked against raw pymilvus on the same server (Strong consistency)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from milvus_kernel.engine.session import Session
from milvus_kernel.frontends.runner import run_cell
from milvus_kernel.results import Table

NAMES = ["id > 0 or id", 'k"] or id', "back\\slash", "not", "x y"]
VALUES = ["a\u0000b", "x\x01y\x7f", "line\u2028sep", "bs\b ff\f vt\v", "q' dq\" bs\\ nl\n"]


@pytest.fixture
def server_session(milvus_server: Any, tmp_path: Any) -> Iterator[Session]:
    session = Session(workdir=tmp_path, environ={})
    list(run_cell(session, f"CONNECT '{milvus_server.uri}'; SET consistency_level = 'Strong'"))
    yield session
    session.close()


def _ids(session: Session, cell: str) -> set[int]:
    result = list(run_cell(session, cell))[-1]
    assert isinstance(result, Table)
    return {row[0] for row in result.rows}


def test_names_and_control_characters_on_a_server(server_session: Session) -> None:
    session = server_session
    list(
        run_cell(
            session,
            "DROP TABLE IF EXISTS inj; CREATE TABLE inj (id INT64 PRIMARY KEY, s VARCHAR(64),"
            " v FLOAT_VECTOR(2)) WITH (dynamic_field = true, consistency_level = 'Strong');"
            "CREATE INDEX ON inj (v) USING FLAT WITH (metric_type = 'L2')",
        )
    )
    client: Any = session.catalog().connection.client
    rows: list[dict[str, Any]] = [
        {"id": i, "s": value, "v": [0.1, 0.2], NAMES[i]: 7} for i, value in enumerate(VALUES)
    ]
    client.insert("inj", rows)
    list(run_cell(session, "LOAD inj"))
    for i, name in enumerate(NAMES):
        assert _ids(session, f"SELECT id FROM inj WHERE `{name}` = 7 LIMIT 10") == {i}, name
    for i, value in enumerate(VALUES):
        typed = "'" + value.replace("'", "''") + "'"
        assert _ids(session, f"SELECT id FROM inj WHERE s = {typed} LIMIT 10") == {i}, value
        assert _ids(session, f"SELECT id FROM inj WHERE s IN ({typed}, 'z') LIMIT 10") == {i}
    assert _ids(session, "SELECT id FROM inj WHERE s LIKE 'a\u0000%' LIMIT 10") == {0}
    list(run_cell(session, "DELETE FROM inj WHERE `id > 0 or id` = 7"))
    left = client.query("inj", filter="id >= 0", output_fields=["id"], consistency_level="Strong")
    assert sorted(row["id"] for row in left) == [1, 2, 3, 4]
    list(run_cell(session, "DROP TABLE inj"))
