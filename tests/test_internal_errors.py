"""Only pymilvus and gRPC exceptions become Milvus errors; any other exception is a bug of the
kernel: one line (`InternalError`) in the notebook, its traceback in the kernel log.

Real failures from Milvus Lite (a missing collection, a deadline gRPC enforces) are translated;
a bug is injected into a real kernel process through `sitecustomize` (SHOW SETTINGS raises
ZeroDivisionError) and must come out as an InternalError whose traceback is in the kernel's
stderr and nowhere in the iopub messages, the kernel carrying on.
"""

from __future__ import annotations

import logging
import os
import re
import signal
from pathlib import Path

import grpc
import pytest
from kernel_harness import execute, plain_texts
from kernel_logs import kernel_with_log
from servers import LiteServer

from milvus_kernel.engine.milvus_errors import NoAnswer, translating
from milvus_kernel.engine.session import Session
from milvus_kernel.errors import ExecutionError, InternalError
from milvus_kernel.frontends.runner import run_cell

SECRET_TEXT = "the text of this bug quotes p4ssw0rd"


def test_translating_lets_a_bug_through() -> None:
    bug = ZeroDivisionError(SECRET_TEXT)
    with pytest.raises(ZeroDivisionError) as caught, translating(table="t"):
        raise bug
    assert caught.value is bug


def test_pymilvus_and_grpc_failures_are_translated(
    tmp_path: Path, lite_tcp_server: LiteServer
) -> None:
    from pymilvus import MilvusClient
    from pymilvus.exceptions import MilvusException

    client = MilvusClient(lite_tcp_server.uri)
    try:
        with pytest.raises(MilvusException):  # what pymilvus itself raises
            client.describe_collection("nope")
        with pytest.raises(ExecutionError, match="nope"), translating(table="nope"):
            client.describe_collection("nope")
        assert lite_tcp_server.process is not None
        os.kill(lite_tcp_server.process.pid, signal.SIGSTOP)  # a real DEADLINE_EXCEEDED
        try:
            with pytest.raises(NoAnswer) as late, translating(server="srv", deadline=1.5):
                client.list_collections(timeout=1.5)
        finally:
            os.kill(lite_tcp_server.process.pid, signal.SIGCONT)
        assert isinstance(late.value.__context__, grpc.RpcError), repr(late.value.__context__)
        assert late.value.message == (
            "Milvus at srv did not answer in 1.5 s (SET timeout = <seconds> allows longer)"
        )
    finally:
        client.close()


def test_a_bug_in_a_handler_is_an_internal_error_with_its_traceback_logged(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    import milvus_kernel.engine.catalog as catalog

    def broken(name: str, raw: object) -> None:
        raise KeyError(SECRET_TEXT)

    session = Session(workdir=tmp_path, environ={})
    try:
        list(run_cell(session, "CREATE TABLE b (id INT64 PRIMARY KEY, v FLOAT_VECTOR(2));"))
        session.catalog().forget()
        monkeypatch.setattr(catalog, "collection_info", broken)
        results = []
        with (
            caplog.at_level(logging.ERROR, logger="milvus_kernel"),
            pytest.raises(InternalError) as caught,
        ):
            for result in run_cell(session, "SHOW TABLES; DESCRIBE b;"):
                results.append(result)
        error = caught.value
        assert len(results) == 1  # SHOW TABLES ran, then the bug
        assert error.ename == "InternalError" and error.statement_index == 2
        assert error.render() == (
            "statement 2 (DESCRIBE b): internal error: KeyError (details in the kernel log)"
        )
        records = [r for r in caplog.records if r.name == "milvus_kernel.frontends.runner"]
        assert len(records) == 1 and records[0].levelno == logging.ERROR
        assert records[0].exc_info is not None and records[0].exc_info[1] is not None
        assert "in broken" in caplog.text and "KeyError" in caplog.text  # the traceback
        monkeypatch.undo()
        assert [type(r).__name__ for r in run_cell(session, "DESCRIBE b;")] == ["Table"]
    finally:
        session.close()


INJECTED_BUG = """
from milvus_kernel.engine.connection.settings import Settings

def table(self):
    return 1 / 0  # a bug of the kernel, injected by the test

Settings.table = table
"""


def test_a_bug_through_the_real_kernel(tmp_path: Path) -> None:
    site = tmp_path / "site"
    site.mkdir()
    (site / "sitecustomize.py").write_text(INJECTED_BUG)
    path = os.pathsep.join(p for p in (str(site), os.environ.get("PYTHONPATH", "")) if p)
    log = tmp_path / "kernel.log"
    with kernel_with_log(tmp_path, log, env={"PYTHONPATH": path}) as (km, kc):
        reply, outputs = execute(kc, "SET display_limit = 3; SHOW SETTINGS;", timeout=120)
        assert reply["status"] == "error"
        assert reply["ename"] == "InternalError"
        assert reply["evalue"] == (
            "statement 2 (SHOW SETTINGS): internal error: ZeroDivisionError "
            "(details in the kernel log)"
        )
        assert [m["msg_type"] for m in outputs] == ["execute_result", "error"]
        shown = "\n".join(str(m["content"]) for m in outputs)
        assert "Traceback" not in shown and "1 / 0" not in shown
        assert km.is_alive()
        reply, outputs = execute(kc, "SET display_limit = 4;", timeout=60)
        assert reply["status"] == "ok" and plain_texts(outputs) == ["display_limit = 4"]
    text = log.read_text(errors="replace")
    assert "[milvus_kernel.frontends.runner ERROR] internal error in statement 2" in text, text
    logged = text[text.index("internal error in statement 2") :]
    assert re.search(r"^Traceback \(most recent call last\):$", logged, re.MULTILINE), logged
    assert "return 1 / 0" in logged and "ZeroDivisionError: division by zero" in logged
