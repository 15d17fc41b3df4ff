"""No noise in the notebook: pymilvus logs a traceback for every failed RPC, gRPC and Milvus Lite
write to stderr; none of it may reach a cell's output. Failing statements through a real kernel
(embedded Lite, Lite over TCP, a killed server, the standalone server with authentication) give
one short `error` and no stream output with "Traceback" or a log line.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from kernel_harness import execute, running_kernel
from servers import LiteServer, StandaloneServer

# What pymilvus's, gRPC's and Python's logging and tracebacks look like.
NOISE = re.compile(
    r"Traceback|RPC error|_log_rpc_error|\[(?:ERROR|WARNING|INFO|DEBUG)\]|pymilvus|"
    r"grpc\._|_InactiveRpcError|debug_error_string|WARNING: All log messages|^[EWI]\d{4} ",
    re.MULTILINE,
)


def fails_quietly(kc: Any, code: str) -> str:
    """Run a failing cell: one error, and no stream output that looks like logs or tracebacks."""
    reply, outputs = execute(kc, code, timeout=60)
    assert reply["status"] == "error", code
    streams = [m["content"]["text"] for m in outputs if m["msg_type"] == "stream"]
    noisy = [text for text in streams if NOISE.search(text)]
    assert not noisy, f"{code!r} printed: {noisy}"
    errors = [m["content"] for m in outputs if m["msg_type"] == "error"]
    assert len(errors) == 1, outputs
    shown = errors[0]["evalue"] + "\n".join(errors[0]["traceback"])
    assert not NOISE.search(shown), shown
    return errors[0]["evalue"]


def succeeds(kc: Any, code: str) -> None:
    reply, _ = execute(kc, code, timeout=120)
    assert reply["status"] == "ok", reply.get("evalue")


def test_failing_statements_on_embedded_lite(tmp_path: Path) -> None:
    with running_kernel(tmp_path) as (_, kc):
        succeeds(kc, "CREATE TABLE q (id INT64 PRIMARY KEY, vector FLOAT_VECTOR(2));")
        fails_quietly(kc, "SELECT * FROM no_such_table;")
        fails_quietly(kc, "INSERT INTO q (id, vector) VALUES (1, [1.0, 2.0, 3.0]);")
        fails_quietly(kc, "SELECT * FROM q WHERE no_such_field > 1;")
        fails_quietly(kc, "CREATE TABLE q (id INT64 PRIMARY KEY, vector FLOAT_VECTOR(2));")
        fails_quietly(kc, "CONNECT 'http://127.0.0.1:1';")


def test_failing_statements_on_lite_server(tmp_path: Path, lite_tcp_server: LiteServer) -> None:
    with running_kernel(tmp_path) as (_, kc):
        succeeds(kc, f"CONNECT '{lite_tcp_server.uri}';")
        succeeds(kc, "CREATE TABLE q (id INT64 PRIMARY KEY, vector FLOAT_VECTOR(2));")
        fails_quietly(kc, "SELECT * FROM no_such_table;")
        fails_quietly(kc, "INSERT INTO q (id, vector) VALUES (1, [1.0, 2.0, 3.0]);")
        lite_tcp_server.kill()  # pymilvus logs "Connection recovery failed" with a traceback
        fails_quietly(kc, "SELECT COUNT(*) FROM q;")
        fails_quietly(kc, "SHOW TABLES;")


def test_failing_statements_on_standalone(
    tmp_path: Path, milvus_server_auth: StandaloneServer
) -> None:
    uri = milvus_server_auth.uri
    with running_kernel(tmp_path) as (_, kc):
        refused = fails_quietly(kc, f"CONNECT '{uri}' USER 'root' PASSWORD 'not-the-password';")
        assert f"cannot connect to {uri}: authentication failed" in refused, refused
        refused = fails_quietly(kc, f"CONNECT '{uri}';")  # no credentials where they are needed
        assert "authentication failed" in refused, refused
        succeeds(kc, f"CONNECT '{uri}' TOKEN '{milvus_server_auth.token}';")
        fails_quietly(kc, "SELECT * FROM no_such_table;")
        fails_quietly(kc, f"CONNECT '{uri}' TOKEN '{milvus_server_auth.token}' DATABASE 'nodb';")


def test_one_log_policy_for_the_libraries(tmp_path: Path) -> None:
    """After a connection (which applies the policy once pymilvus is imported), every pymilvus
    logger pymilvus gave a handler writes to the kernel's log only, and drops the per-RPC
    tracebacks; Milvus Lite's and gRPC's warnings reach the kernel's log, never sys.stderr."""
    import contextlib
    import io
    import logging

    from milvus_kernel.engine.library_logs import LIBRARY_LEVELS, kernel_log_handler
    from milvus_kernel.engine.session import Session
    from milvus_kernel.language.parser import parse_cell

    handler = kernel_log_handler()
    kernel_log, notebook = io.StringIO(), io.StringIO()
    previous = handler.setStream(kernel_log)
    session = Session(workdir=tmp_path, environ={})
    try:
        with contextlib.redirect_stderr(notebook):
            session.execute(parse_cell("SHOW TABLES;")[0])
            try:
                session.execute(parse_cell("SELECT * FROM no_such_table;")[0])
            except Exception as error:
                assert type(error).__name__ == "ExecutionError", error
            logging.getLogger("milvus_lite.engine").warning("a Lite warning")
            logging.getLogger("grpc._cython").warning("a gRPC warning")
        named = ["pymilvus", "pymilvus.milvus_client", "pymilvus.bulk_writer", *LIBRARY_LEVELS]
        for name in named:
            logger = logging.getLogger(name)
            assert logger.handlers == [handler] and not logger.propagate, name
        assert logging.getLogger("pymilvus").level == logging.CRITICAL
    finally:
        session.close()
        handler.setStream(previous)
    assert notebook.getvalue() == ""
    assert kernel_log.getvalue() == (
        "[milvus_lite.engine WARNING] a Lite warning\n[grpc._cython WARNING] a gRPC warning\n"
    )
