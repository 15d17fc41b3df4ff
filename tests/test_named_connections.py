"""Named connections: the connections file (`connections.toml`, one table per name: uri, token or
user/password, database), found in MILVUS_KERNEL_CONFIG_DIR, $XDG_CONFIG_HOME/milvus-kernel or
~/.config/milvus-kernel; `CONNECT name`; the MILVUS_* environment; what is shown (masked) by
SHOW CONNECTION and the first message; malformed files reported with their line.
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import pytest
from admin_helpers import fails, rows, run, text

from milvus_kernel.display import render
from milvus_kernel.engine.session import Session
from milvus_kernel.frontends.runner import run_cell

SECRET = "Pw-" + uuid.uuid4().hex[:10]


def write(directory: Path, body: str) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "connections.toml"
    path.write_text(body, encoding="utf-8")
    return path


def session_with(tmp_path: Path, **environ: str) -> Session:
    return Session(workdir=tmp_path, environ=environ)


@pytest.mark.parametrize("where", ["MILVUS_KERNEL_CONFIG_DIR", "XDG_CONFIG_HOME", "HOME"])
def test_the_file_is_found(tmp_path: Path, where: str):
    base = tmp_path / "config"
    directory = {
        "MILVUS_KERNEL_CONFIG_DIR": base,
        "XDG_CONFIG_HOME": base / "milvus-kernel",
        "HOME": base / ".config" / "milvus-kernel",
    }[where]
    write(directory, f'[local]\nuri = "{tmp_path / "named.db"}"\n')
    session = session_with(tmp_path, **{where: str(base)})
    try:
        assert text(session, "CONNECT local") == (
            f"connected to embedded Milvus Lite at {tmp_path / 'named.db'}"
        )
        shown = dict(rows(session, "SHOW CONNECTION"))
        assert shown["name"] == "local" and shown["from"] == "connections file"
    finally:
        session.close()


def test_switching_between_named_connections(tmp_path: Path):
    write(tmp_path, f'[a]\nuri = "{tmp_path / "a.db"}"\n[b]\nuri = "{tmp_path / "b.db"}"\n')
    session = session_with(tmp_path, MILVUS_KERNEL_CONFIG_DIR=str(tmp_path))
    try:
        run(session, "CONNECT a; CREATE TABLE only_a WITH (dimension = 2)")
        run(session, "CONNECT b")
        assert rows(session, "SHOW TABLES") == []
        assert text(session, "CONNECT a").startswith("switched to connection a")
        assert [r[0] for r in rows(session, "SHOW TABLES")] == ["only_a"]
    finally:
        session.close()


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ('[prod]\nuri = "http://h:1"\npassword = oops\n', "is not valid TOML: "),
        ("[prod]\nuri = 'x.db'\n[prod]\nuri = 'y.db'\n", "is not valid TOML: "),
        ('[prod]\nuri = "http://h:1"\npasword = "x"\n', "[prod] in "),
        ("[prod]\nuri = 'http://h:1'\nport = 19530\n", "unknown key 'port'"),
        ("[prod]\nuri = 'http://h:1'\ntoken = 5\n", "'token' must be a string"),
        ('[other]\nuri = "x.db"\n', "no connection named 'prod' in "),
    ],
)
def test_a_bad_file_is_reported_clearly(tmp_path: Path, body: str, expected: str):
    path = write(tmp_path / "cfg", body)
    session = session_with(tmp_path, MILVUS_KERNEL_CONFIG_DIR=str(path.parent))
    try:
        report = fails(session, "CONNECT prod")
    finally:
        session.close()
    assert expected in report and str(path) in report
    if "TOML" in expected:
        assert "(at line 3, column" in report, report
        assert "oops" not in report
    assert "\n" not in report


def test_no_file(tmp_path: Path):
    session = session_with(tmp_path, MILVUS_KERNEL_CONFIG_DIR=str(tmp_path / "none"))
    try:
        report = fails(session, "CONNECT prod")
    finally:
        session.close()
    assert (
        f"no connection named 'prod': {tmp_path / 'none' / 'connections.toml'} does not exist"
        in (report)
    )


# --- on the standalone server with authentication ----------------------------------------------


@pytest.fixture(scope="module")
def secret_user(milvus_server_auth: Any, tmp_path_factory: pytest.TempPathFactory) -> str:
    """A user with password SECRET on the auth server, and a database `named_db`."""
    from pymilvus import MilvusClient

    user = "named_" + uuid.uuid4().hex[:6]
    milvus_server_auth.admin_user(user, SECRET)
    client = MilvusClient(milvus_server_auth.uri, token=milvus_server_auth.token, timeout=30)
    if "named_db" not in client.list_databases():
        client.create_database("named_db")
    client.close()
    return user


def raw_tables(server: Any) -> list[str]:
    """The collections of the default database, as pymilvus lists them (ground truth)."""
    from pymilvus import MilvusClient

    client = MilvusClient(server.uri, token=server.token, timeout=30)
    try:
        return list(client.list_collections())
    finally:
        client.close()


def every_text(session: Session, cell: str) -> str:
    return "\n".join(render(r, 0)["text/plain"] for r in run_cell(session, cell))


def test_named_server_connections(tmp_path: Path, milvus_server_auth: Any, secret_user: str):
    uri = milvus_server_auth.uri
    write(
        tmp_path,
        f'[prod]\nuri = "{uri}"\nuser = "{secret_user}"\npassword = "{SECRET}"\n'
        f'database = "named_db"\n'
        f'[tok]\nuri = "{uri}"\ntoken = "{secret_user}:{SECRET}"\n'
        f'[wrong]\nuri = "{uri}"\nuser = "{secret_user}"\npassword = "not-{SECRET}"\n',
    )
    session = session_with(tmp_path, MILVUS_KERNEL_CONFIG_DIR=str(tmp_path))
    try:
        out = every_text(session, "CONNECT prod; SHOW CONNECTION; SHOW DATABASES")
        assert f"connected to {uri} (user {secret_user}, database named_db, as prod)" in out
        shown = dict(rows(session, "SHOW CONNECTION"))
        assert shown["user"] == secret_user and shown["database"] == "named_db"
        out += every_text(session, "CONNECT tok; SHOW CONNECTION")
        assert dict(rows(session, "SHOW CONNECTION"))["user"] == secret_user
        report = fails(session, "CONNECT wrong")
        assert SECRET not in report and "authentication failed" in report.lower(), report
        assert SECRET not in out and SECRET not in repr(session.catalog().connection.target)
    finally:
        session.close()


def test_environment_variables(tmp_path: Path, milvus_server_auth: Any, secret_user: str):
    env = {
        "MILVUS_URI": milvus_server_auth.uri,
        "MILVUS_USER": secret_user,
        "MILVUS_PASSWORD": SECRET,
        "MILVUS_DB": "named_db",
    }
    session = session_with(tmp_path, **env)
    try:
        out = every_text(session, "SHOW CONNECTION")
        first = out.splitlines()[0]
        assert first == (
            f"connected to {milvus_server_auth.uri} "
            f"(user {secret_user}, database named_db, from MILVUS_URI)"
        )
        assert SECRET not in out
        shown = dict(rows(session, "SHOW CONNECTION"))
        assert shown["from"] == "MILVUS_URI" and shown["database"] == "named_db"
    finally:
        session.close()
    host = milvus_server_auth.uri.removeprefix("http://")
    env = {"MILVUS_URI": f"http://{secret_user}:{SECRET}@{host}"}
    session = session_with(tmp_path, **env)
    try:  # credentials inside the URI are accepted, and masked in what is shown
        out = every_text(session, "SHOW TABLES; SHOW CONNECTION")
        assert out.splitlines()[0] == (
            f"connected to http://{secret_user}:***@{host} (from MILVUS_URI)"
        )
        assert SECRET not in out
        assert dict(rows(session, "SHOW CONNECTION"))["user"] == secret_user
        shown = [r[0] for r in rows(session, "SHOW TABLES")]
        assert shown == sorted(raw_tables(milvus_server_auth)), out
    finally:
        session.close()
