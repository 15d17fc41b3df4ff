"""Secrets never leave the kernel: a password or token appears in no iopub message, no shell reply,
no history entry, no error, no SHOW CONNECTION and no line of the kernel's stderr, whether the
CONNECT works (real credentials on the Milvus standalone with authentication on) or fails (wrong
password, closed port, `user:pass@` in the URI, MILVUS_URI / MILVUS_PASSWORD / MILVUS_TOKEN).

Every message of each kernel session is recorded, execute_input included, and scanned.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from queue import Empty
from typing import Any

import pytest
from jupyter_client.manager import KernelManager
from kernel_harness import kernel_env, spec_manager
from netns import free_port
from servers import StandaloneServer

from milvus_kernel.install import KERNEL_NAME

USER = "kernel_tester"
PASSWORD = "Pw-" + uuid.uuid4().hex[:12]  # distinctive, so any leak is found by a plain search
WRONG = "Wrong-" + uuid.uuid4().hex[:12]


class Recorder:
    """A kernel whose every message (iopub, shell) and stderr output are kept for scanning."""

    def __init__(self, km: KernelManager, kc: Any, stderr: Path) -> None:
        self.km, self.kc, self.stderr = km, kc, stderr
        self.messages: list[dict[str, Any]] = []

    def run(self, code: str, timeout: float = 60) -> dict[str, Any]:
        """Run a cell, record everything it caused; returns the execute_reply content."""
        msg_id = self.kc.execute(code)
        reply = self._shell_reply(msg_id, timeout)
        self._drain_iopub(msg_id, timeout)
        return reply["content"]

    def history(self) -> list[Any]:
        msg_id = self.kc.history(hist_access_type="tail", n=1000, output=True, raw=True)
        reply = self._shell_reply(msg_id, 30)
        msg_id = self.kc.history(hist_access_type="search", pattern="*", output=True, raw=False)
        reply2 = self._shell_reply(msg_id, 30)
        return reply["content"]["history"] + reply2["content"]["history"]

    def _shell_reply(self, msg_id: str, timeout: float) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while True:
            msg = self.kc.get_shell_msg(timeout=max(deadline - time.monotonic(), 0.1))
            self.messages.append(msg)
            if msg["parent_header"].get("msg_id") == msg_id:
                return msg

    def _drain_iopub(self, msg_id: str, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while True:
            try:
                msg = self.kc.get_iopub_msg(timeout=max(deadline - time.monotonic(), 0.1))
            except Empty as error:
                raise TimeoutError(f"no idle status for {msg_id}") from error
            self.messages.append(msg)
            if (
                msg["parent_header"].get("msg_id") == msg_id
                and msg["msg_type"] == "status"
                and msg["content"]["execution_state"] == "idle"
            ):
                return

    def transcript(self) -> str:
        """Everything the kernel said, as text: messages, then its stderr."""
        messages = "\n".join(repr(m) for m in self.messages)
        return messages + "\n" + self.stderr.read_text(errors="replace")


@contextmanager
def recorded_kernel(workdir: Path, env: Mapping[str, str] | None = None) -> Iterator[Recorder]:
    """A real kernel (installed spec) in `workdir`, its stderr and stdout going to a file."""
    stderr = workdir / "kernel-stderr.log"
    km = KernelManager(kernel_name=KERNEL_NAME, kernel_spec_manager=spec_manager())
    with open(stderr, "wb") as log:
        km.start_kernel(cwd=str(workdir), env=kernel_env(env), stderr=log, stdout=log)
    kc = km.client()
    kc.start_channels()
    try:
        kc.wait_for_ready(timeout=90)
        yield Recorder(km, kc, stderr)
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)


def assert_no_secret(recorder: Recorder, *secrets: str) -> None:
    transcript = recorder.transcript()
    for secret in secrets:
        where = transcript.find(secret)
        assert where < 0, f"secret leaked: ...{transcript[max(where - 300, 0) : where + 50]}..."


@pytest.fixture(scope="module")
def auth_server(milvus_server_auth: StandaloneServer) -> StandaloneServer:
    """The standalone server with authentication, plus a user whose password is `PASSWORD`."""
    from pymilvus import MilvusClient

    client = MilvusClient(milvus_server_auth.uri, token=milvus_server_auth.token, timeout=30)
    try:
        if USER not in client.list_users():
            client.create_user(USER, PASSWORD)
            client.grant_role(USER, "admin")
    finally:
        client.close()
    return milvus_server_auth


def test_real_credentials_on_auth_server(tmp_path: Path, auth_server: StandaloneServer) -> None:
    uri = auth_server.uri
    address = uri.split("//", 1)[1]
    with recorded_kernel(tmp_path) as kernel:
        ok = [
            f"CONNECT '{uri}' USER '{USER}' PASSWORD '{PASSWORD}';",
            "SHOW CONNECTION;",
            "CREATE TABLE IF NOT EXISTS secret_t (id INT64 PRIMARY KEY, vector FLOAT_VECTOR(2));",
            "INSERT INTO secret_t (id, vector) VALUES (1, [1.0, 2.0]);",
            f"CONNECT '{uri}' TOKEN '{USER}:{PASSWORD}' AS tok; SHOW CONNECTION;",
            f"CONNECT 'http://{USER}:{PASSWORD}@{address}'; SHOW CONNECTION;",
            f"CONNECT '{address}' USER '{USER}' PASSWORD '{PASSWORD}' DATABASE 'default';",
            "SHOW CONNECTION; SHOW SETTINGS; SHOW TABLES;",
        ]
        for code in ok:
            reply = kernel.run(code)
            assert reply["status"] == "ok", reply.get("evalue")
        failing = [
            "SELECT * FROM no_such_table;",
            f"CONNECT '{uri}' USER '{USER}' PASSWORD '{WRONG}';",
            f"CONNECT '{uri}' TOKEN '{USER}:{WRONG}';",
            f"CONNECT 'http://{USER}:{WRONG}@{address}';",
            f"CONNECT '{uri}' USER '{USER}' PASSWORD '{PASSWORD}' DATABASE 'no_such_db';",
            f"CONNECT '{uri}' USER '{USER}' PASSWORD '{PASSWORD}' DATABSE 'typo';",
        ]
        for code in failing:
            reply = kernel.run(code)
            assert reply["status"] == "error", code
        shown = kernel.run("SHOW CONNECTION;")
        assert shown["status"] == "ok"  # a failed CONNECT leaves the previous connection
        assert kernel.history()
        assert kernel.km.is_alive()
        assert_no_secret(kernel, PASSWORD, WRONG)


def test_failing_connects_to_closed_port(tmp_path: Path) -> None:
    closed = f"127.0.0.1:{free_port()}"
    with recorded_kernel(tmp_path) as kernel:
        for code in (
            f"CONNECT 'http://{closed}' USER 'u' PASSWORD '{PASSWORD}';",
            f"CONNECT 'http://{closed}' TOKEN 'u:{PASSWORD}';",
            f"CONNECT 'http://{closed}' TOKEN '{WRONG}';",
            f"CONNECT 'http://u:{PASSWORD}@{closed}';",
            f"CONNECT 'https://u:{PASSWORD}@{closed}' DATABASE 'x';",
        ):
            reply = kernel.run(code)
            assert reply["status"] == "error", code
            assert "u:***@" in reply["evalue"] or "***" not in code
        kernel.history()
        assert_no_secret(kernel, PASSWORD, WRONG)


@pytest.mark.parametrize(
    "variables",
    [
        {"MILVUS_USER": "u", "MILVUS_PASSWORD": PASSWORD},
        {"MILVUS_TOKEN": f"u:{PASSWORD}"},
        {"MILVUS_TOKEN": WRONG},
    ],
    ids=["user-password", "user-token", "api-key"],
)
def test_milvus_uri_environment_to_closed_port(tmp_path: Path, variables: dict[str, str]) -> None:
    env = {"MILVUS_URI": f"http://127.0.0.1:{free_port()}", **variables}
    with recorded_kernel(tmp_path, env) as kernel:
        reply = kernel.run("SHOW TABLES;")
        assert reply["status"] == "error"
        assert "127.0.0.1" in reply["evalue"]
        kernel.run("SHOW CONNECTION;")
        assert_no_secret(kernel, PASSWORD, WRONG)


def test_milvus_uri_environment_with_credentials_in_uri(
    tmp_path: Path, auth_server: StandaloneServer
) -> None:
    address = auth_server.uri.split("//", 1)[1]
    env = {"MILVUS_URI": f"http://{USER}:{PASSWORD}@{address}"}
    with recorded_kernel(tmp_path, env) as kernel:
        reply = kernel.run("SHOW TABLES; SHOW CONNECTION;")
        assert reply["status"] == "ok", reply.get("evalue")
        assert_no_secret(kernel, PASSWORD)
