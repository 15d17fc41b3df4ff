"""A failed CONNECT does not fall back: the next statement neither opens the embedded Lite file
`milvus_kernel.db` nor runs on the connection that was active before; it says the last CONNECT
failed and how to go on (CONNECT again, or DISCONNECT for the default), through a real kernel.
"""

from __future__ import annotations

import re
import socket
from pathlib import Path
from typing import Any

from kernel_harness import execute, plain_texts, running_kernel

from milvus_kernel.engine.session import Session
from milvus_kernel.errors import ConnectionFailure
from milvus_kernel.language.parser import parse_cell


def closed_port() -> int:
    """A port on 127.0.0.1 where nothing listens (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def fails(kc: Any, code: str) -> str:
    """Run a failing cell: its one error report, as shown (colour codes removed)."""
    reply, outputs = execute(kc, code, timeout=60)
    assert reply["status"] == "error", (code, reply)
    errors = [m["content"] for m in outputs if m["msg_type"] == "error"]
    assert len(errors) == 1 and errors[0]["evalue"] == reply["evalue"], outputs
    return re.sub(r"\x1b\[[0-9;]*m", "", "\n".join(reply["traceback"]))


def run_ok(kc: Any, code: str) -> list[str]:
    reply, outputs = execute(kc, code, timeout=120)
    assert reply["status"] == "ok", reply.get("evalue")
    return plain_texts(outputs)


def test_failed_connect_never_opens_the_embedded_file(tmp_path: Path) -> None:
    uri = f"http://127.0.0.1:{closed_port()}"
    default = (tmp_path / "milvus_kernel.db").resolve()
    with running_kernel(tmp_path) as (km, kc):
        refused = fails(kc, f"CONNECT '{uri}';")
        assert f"cannot reach Milvus at {uri}" in refused, refused
        assert "illegal connection params" not in refused
        for code in ("SHOW TABLES;", "SELECT * FROM t;", "SHOW CONNECTION;"):
            first, why = fails(kc, code).splitlines()
            assert first == (
                f"statement 1 ({code[:-1]}): the last CONNECT failed: CONNECT again, or DISCONNECT "
                f"to use the default, embedded Milvus Lite at {default}"
            ), first
            assert why.startswith(f"(cannot reach Milvus at {uri}: "), why
            assert not default.exists(), f"{code} opened {default}"
        run_ok(kc, "SHOW SETTINGS; SET display_limit = 5;")  # no Milvus needed: they run
        assert run_ok(kc, "DISCONNECT;") == [
            f"not connected; the next statement uses embedded Milvus Lite at {default}"
        ]
        assert not default.exists()
        run_ok(kc, "CREATE TABLE after (id INT64 PRIMARY KEY, vector FLOAT_VECTOR(2));")
        assert "after" in run_ok(kc, "SHOW TABLES;")[-1]
        assert default.is_dir()  # now, and only now, the embedded default is open
        assert km.is_alive()


def test_failed_connect_does_not_run_on_the_previous_connection(tmp_path: Path) -> None:
    """With a connection active, a failed CONNECT stops statements there too (the user asked
    to leave it); DISCONNECT leaves it, CONNECT again goes back. Checked in the Lite file."""
    first = tmp_path / "first.db"
    uri = f"http://127.0.0.1:{closed_port()}"
    session = Session(workdir=tmp_path, environ={})
    try:
        run = lambda code: [session.execute(s) for s in parse_cell(code)]  # noqa: E731
        run(f"CONNECT '{first}'; CREATE TABLE kept (id INT64 PRIMARY KEY, v FLOAT_VECTOR(2));")
        try:
            run(f"CONNECT '{uri}';")
        except ConnectionFailure:
            pass
        else:
            raise AssertionError("CONNECT to a closed port succeeded")
        for code in ("DROP TABLE kept;", "CREATE TABLE stray (id INT64 PRIMARY KEY);"):
            try:
                run(code)
            except ConnectionFailure as error:
                assert error.message.startswith("the last CONNECT failed"), error.message
            else:
                raise AssertionError(f"{code} ran after a failed CONNECT")
        run(f"CONNECT '{first}';")
    finally:
        session.close()
    from pymilvus import MilvusClient

    raw = MilvusClient(str(first))
    try:
        assert raw.list_collections() == ["kept"]  # nothing was dropped or created
    finally:
        raw.close()
    assert not (tmp_path / "milvus_kernel.db").exists()
