"""Connections: the lazy default, CONNECT / DISCONNECT / SHOW CONNECTION, Lite locks, secrets."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from milvus_kernel.engine.milvus_errors import mask_uri_credentials
from milvus_kernel.engine.session import Session
from milvus_kernel.errors import ConnectionFailure, KernelError
from milvus_kernel.language.statements import (
    Connect,
    CreateTable,
    Disconnect,
    SetOption,
    ShowConnection,
    ShowSettings,
    ShowTables,
)
from milvus_kernel.results import Message, Table

SECRET = "s3cr3t"


def as_dict(table: Table) -> dict[str, str]:
    return {row[0]: row[1] for row in table.rows}


def test_lazy_default_is_announced_once(tmp_path: Path):
    session = Session(workdir=tmp_path, environ={})
    try:
        assert session.collection_names() == []  # never connects
        assert session.field_names("x") == []
        assert session.describe_for_inspect("x") is None
        assert not (tmp_path / "milvus_kernel.db").exists()
        assert session.take_notices() == []
        session.execute(ShowTables())
        db = (tmp_path / "milvus_kernel.db").resolve()
        assert session.take_notices() == [f"connected to embedded Milvus Lite at {db}"]
        session.execute(ShowTables())
        assert session.take_notices() == []
        info = as_dict(session.execute(ShowConnection()))
        assert info["uri"] == str(db)
        assert info["server version"].startswith("milvus_lite")
        assert info["database"] == "default"
    finally:
        session.close()


def test_completion_helpers_after_connecting(tmp_path: Path):
    session = Session(workdir=tmp_path, environ={})
    try:
        session.execute(CreateTable("quick", options={"dimension": 3}))
        assert session.collection_names() == ["quick"]
        assert session.field_names("quick") == ["id", "vector"]
        assert session.field_names("nope") == []
        table = session.describe_for_inspect("quick")
        assert isinstance(table, Table) and [r[0] for r in table.rows] == ["id", "vector"]
        assert session.describe_for_inspect("nope") is None
    finally:
        session.close()


def test_connect_disconnect_and_relative_path(tmp_path: Path):
    session = Session(workdir=tmp_path, environ={})
    try:
        result = session.execute(Connect("demo.db"))
        assert result == Message(f"connected to embedded Milvus Lite at {tmp_path / 'demo.db'}")
        assert session.take_notices() == []  # an explicit CONNECT is not announced again
        session.execute(CreateTable("only_here", options={"dimension": 2}))
        assert session.execute(Disconnect()).text.startswith("disconnected from")
        assert session.execute(Disconnect()).text == "not connected"
        # the lock is released: another process can open the file now
        assert open_in_subprocess(tmp_path / "demo.db") == "ok ['only_here']"
    finally:
        session.close()


def open_in_subprocess(path: Path) -> str:
    code = textwrap.dedent(
        f"""
        import sys
        sys.path.insert(0, {str(Path(__file__).resolve().parent.parent)!r})
        from milvus_kernel.engine.connection.clients import open_connection
        from milvus_kernel.engine.connection.targets import Target
        connection = open_connection(Target(uri={str(path)!r}))
        print("ok", connection.client.list_collections())
        connection.close()
        """
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    return done.stdout.strip() or done.stderr.strip()[-500:]


def test_lite_file_locked_by_another_process(tmp_path: Path):
    path = tmp_path / "busy.db"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "from pymilvus import MilvusClient; import sys, time; "
            f"c = MilvusClient({str(path)!r}); print('ready', flush=True); sys.stdin.read()",
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "ready"
        session = Session(workdir=tmp_path, environ={})
        with pytest.raises(ConnectionFailure) as info:
            session.execute(Connect("busy.db"))
        assert "is in use by another process" in info.value.message
        assert str(path) in info.value.message
        session.close()
    finally:
        holder.kill()
        holder.wait()


def test_bad_targets(tmp_path: Path):
    session = Session(workdir=tmp_path, environ={})
    with pytest.raises(ConnectionFailure, match=r"must end in \.db"):
        session.execute(Connect("./somedir"))
    with pytest.raises(ConnectionFailure, match="does not exist"):
        session.execute(Connect("no/such/dir/x.db"))
    with pytest.raises(ConnectionFailure, match="unsupported URI scheme 'ftp'"):
        session.execute(Connect("ftp://host:1"))
    with pytest.raises(ConnectionFailure, match="no connection named 'prod'"):
        session.execute(Connect("prod", is_name=True))
    session.close()


def test_closed_port_fails_fast_without_secrets(tmp_path: Path):
    session = Session(workdir=tmp_path, environ={})
    session.execute(SetOption("timeout", 2))
    for statement in (
        Connect("http://127.0.0.1:1", user="u", password=SECRET),
        Connect("http://127.0.0.1:1", token=f"u:{SECRET}"),
        Connect(f"http://u:{SECRET}@127.0.0.1:1"),
    ):
        with pytest.raises(ConnectionFailure) as info:
            session.execute(statement)
        text = info.value.render() + repr(info.value) + str(info.value)
        assert "127.0.0.1:1" in text
        assert SECRET not in text
    session.close()


def test_milvus_uri_default_with_closed_port_hides_password(tmp_path: Path):
    environ = {"MILVUS_URI": "http://127.0.0.1:1", "MILVUS_USER": "u", "MILVUS_PASSWORD": SECRET}
    session = Session(workdir=tmp_path, environ=environ)
    with pytest.raises(KernelError) as info:
        session.execute(ShowTables())
    assert SECRET not in info.value.render()
    assert not (tmp_path / "milvus_kernel.db").exists()
    session.close()


def test_server_from_milvus_uri_masks_credentials(tmp_path: Path, lite_server: str):
    uri = lite_server.replace("http://", f"http://root:{SECRET}@")
    session = Session(workdir=tmp_path, environ={"MILVUS_URI": uri})
    try:
        session.execute(ShowTables())
        notices = session.take_notices()
        assert notices == [
            f"connected to {lite_server.replace('http://', 'http://root:***@')} (from MILVUS_URI)"
        ]
        info = as_dict(session.execute(ShowConnection()))
        assert SECRET not in repr(info)
        assert info["user"] == "root"
        assert info["uri"].endswith("@" + lite_server.split("//")[1])
    finally:
        session.close()


def test_connect_to_server_with_token_and_alias(tmp_path: Path, lite_server: str):
    session = Session(workdir=tmp_path, environ={})
    try:
        message = session.execute(Connect(lite_server, token=f"root:{SECRET}", alias="srv"))
        assert message.text == f"connected to {lite_server} (user root, as srv)"
        session.execute(CreateTable("on_server", options={"dimension": 2}, if_not_exists=True))
        session.execute(Connect("local.db"))
        assert "on_server" not in session.collection_names()
        assert session.execute(Connect("srv", is_name=True)).text.startswith("switched to")
        assert "on_server" in session.collection_names()
        info = as_dict(session.execute(ShowConnection()))
        assert SECRET not in repr(info) and info["name"] == "srv"
        with pytest.raises(ConnectionFailure, match="database 'nodb'") as error:
            session.execute(Connect(lite_server, password=SECRET, user="root", database="nodb"))
        assert SECRET not in error.value.render()
    finally:
        session.close()


def test_connections_file(tmp_path: Path):
    config = tmp_path / ".config" / "milvus-kernel"
    config.mkdir(parents=True)
    (config / "connections.toml").write_text(
        f'[mine]\nuri = "{tmp_path / "named.db"}"\n[other]\nuri = "x.db"\n', encoding="utf-8"
    )
    session = Session(workdir=tmp_path, environ={"HOME": str(tmp_path)})
    try:
        text = session.execute(Connect("mine", is_name=True)).text
        assert text == f"connected to embedded Milvus Lite at {tmp_path / 'named.db'}"
        with pytest.raises(ConnectionFailure, match=r"known: mine, other"):
            session.execute(Connect("nope", is_name=True))
    finally:
        session.close()


def test_mask_uri_credentials():
    assert mask_uri_credentials("see http://bob:pw@h:1/db") == "see http://bob:***@h:1/db"
    assert mask_uri_credentials("http://h:1") == "http://h:1"


def test_settings(tmp_path: Path):
    session = Session(workdir=tmp_path, environ={})
    assert session.settings.display_limit == 10
    assert session.execute(SetOption("display_limit", 20)).text == "display_limit = 20"
    assert session.settings.display_limit == 20
    session.execute(SetOption("TIMEOUT", 5))
    assert session.settings.timeout == 5.0
    session.execute(SetOption("consistency_level", "strong"))
    assert session.settings.consistency_level == "Strong"
    table = session.execute(ShowSettings())
    assert as_dict(table) == {
        "display_limit": "20",
        "timeout": "5",
        "consistency_level": "Strong",
        "import_parallelism": "NULL",
        "timezone": "UTC",
    }
    with pytest.raises(KernelError, match="unknown setting 'colour'; settings are: display_limit"):
        session.execute(SetOption("colour", 1))
    with pytest.raises(KernelError, match="display_limit must be"):
        session.execute(SetOption("display_limit", "ten"))
    with pytest.raises(KernelError, match="display_limit must be 0"):
        session.execute(SetOption("display_limit", -1))
    with pytest.raises(KernelError, match="consistency_level must be one of"):
        session.execute(SetOption("consistency_level", "Sometimes"))
    with pytest.raises(KernelError, match="timeout must be"):
        session.execute(SetOption("timeout", "soon"))
    session.execute(SetOption("timeout", None))
    assert session.settings.timeout is None
    assert not (tmp_path / "milvus_kernel.db").exists()  # settings never connect


def test_stale_collection_names_come_back_at_once_and_are_refreshed_behind(tmp_path):
    """Completion never waits on Milvus once a listing exists: the stale one, then renewed."""
    import time

    from milvus_kernel.engine.catalog import NAMES_TTL
    from milvus_kernel.frontends.runner import run_cell

    session = Session(workdir=tmp_path, environ={})
    try:
        list(run_cell(session, "CREATE TABLE first_one WITH (dimension = 2)"))
        assert session.collection_names() == ["first_one"]
        client = session.catalog().client
        client.create_collection("made_elsewhere", dimension=2)  # behind the session's back
        time.sleep(NAMES_TTL + 0.2)
        assert session.collection_names() == ["first_one"]  # the stale list, at once
        deadline = time.monotonic() + 10
        while "made_elsewhere" not in session.collection_names():
            assert time.monotonic() < deadline, "the background refresh never landed"
            time.sleep(0.05)
    finally:
        session.close()


def test_collection_names_are_listed_in_the_background_on_connecting(tmp_path):
    import time

    from milvus_kernel.frontends.runner import run_cell

    session = Session(workdir=tmp_path, environ={})
    try:
        list(run_cell(session, "CREATE TABLE early WITH (dimension = 2); DISCONNECT"))
        list(run_cell(session, f"CONNECT '{tmp_path / 'milvus_kernel.db'}'"))
        deadline = time.monotonic() + 10
        while session.catalog().cached_names() is None:
            assert time.monotonic() < deadline, "the names were never listed"
            time.sleep(0.02)
        assert session.collection_names() == ["early"]
    finally:
        session.close()


@pytest.mark.parametrize("value", [1e308, float("inf"), float("nan"), 10**9])
def test_a_timeout_grpc_cannot_count_is_refused(tmp_path: Path, value: float):
    session = Session(workdir=tmp_path, environ={})
    with pytest.raises(KernelError, match="timeout must be"):
        session.execute(SetOption("timeout", value))
    assert session.settings.timeout is None


def test_a_target_shows_no_password_in_its_repr():
    from milvus_kernel.engine.connection.targets import Target

    target = Target("http://alice:s3cr3t-pw@127.0.0.1:1", password="other-pw", token="a:tok-x")
    shown = repr(target)
    assert "alice" in shown and "127.0.0.1:1" in shown
    for secret in ("s3cr3t-pw", "other-pw", "tok-x"):
        assert secret not in shown


def test_notices_after_the_first_reach_the_front_end(tmp_path: Path):
    session = Session(workdir=tmp_path, environ={})
    session.execute(SetOption("display_limit", 5))
    session.catalog()  # connects: the first notice
    assert len(session.take_notices()) == 1
    session.catalog().notify("a later notice")
    assert session.take_notices() == ["a later notice"]
    session.close()


@pytest.mark.parametrize(
    "uri", ["http://u:pa/ss-word@127.0.0.1:1", "http://127.0.0.1:notaport", "http://[::1"]
)
def test_a_uri_urllib_cannot_read_is_a_clear_connection_error(tmp_path: Path, uri: str):
    session = Session(workdir=tmp_path, environ={})
    with pytest.raises(ConnectionFailure, match="is not a server URI Milvus can use") as caught:
        session.execute(Connect(uri))
    assert "ss-word" not in caught.value.message
