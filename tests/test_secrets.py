"""Secrets never leave the kernel: a password or token appears in no iopub message, no shell reply,
no history entry, no error, no SHOW CONNECTION and no line of the kernel's stderr, whether the
CONNECT works (real credentials on the Milvus standalone with authentication on) or fails (wrong
password, closed port, `user:pass@` in the URI, MILVUS_URI / MILVUS_PASSWORD / MILVUS_TOKEN).

Every message of each kernel session is recorded, execute_input included, and scanned. Every
spelling the grammar accepts is tried (comments between PASSWORD and its string, `TOKEN'…'`, URIs
whose passwords hold `@ : %40 ' " / ? #`, `?token=` and other secret parameters, the legacy
`milvus://`, secret WITH / SET options, broken statements), as are cells over 100 KB (and one of
50 MB) whose secret comes after the first 100,000 characters.
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
    milvus_server_auth.admin_user(USER, PASSWORD)
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
        shown = kernel.run("SHOW CONNECTION;")  # a failed CONNECT leaves no connection
        assert shown["status"] == "error" and "the last CONNECT failed" in shown["evalue"]
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


def _secret(label: str) -> str:
    """A distinctive secret: any leak of it (or of its tail) is found by a plain search."""
    return f"{label}-{uuid.uuid4().hex[:10]}"


def _spellings(closed: str) -> tuple[list[str], list[str]]:
    """(cells, secrets): every spelling of a credential the grammar accepts, at a closed port."""
    s = {key: _secret(key) for key in "abcdklmnopqrstuv"}
    # passwords with characters a URI reads specially, a distinctive piece on each side
    pieces = [uuid.uuid4().hex[:10] for _ in range(16)]
    odd = [
        ("u", f"{pieces[0]}@{pieces[1]}"),
        ("u@x", f"{pieces[2]}:{pieces[3]}"),
        ("u%40x", f"{pieces[4]}%40{pieces[5]}"),
        ("u", f"{pieces[6]}''\"{pieces[7]}"),
        ("u", f"{pieces[8]}/{pieces[9]}"),
        ("a@b", f"{pieces[10]}%40''/{pieces[11]}"),
        ("u", f"{pieces[12]}?{pieces[13]}#{pieces[14]}"),
    ]
    cells = [
        f"CONNECT 'http://{closed}' USER 'u' PASSWORD /* c */ '{s['a']}';",
        f"CONNECT 'http://{closed}' TOKEN'u:{s['b']}';",
        f"CONNECT 'http://{closed}' USER 'u' PASSWORD\n-- the password:\n'{s['c']}';",
        f'CONNECT "http://{closed}" TOKEN -- c\n /* d */ "{s["d"]}";',
        *(f"CONNECT 'http://{user}:{password}@{closed}';" for user, password in odd),
        f"CONNECT 'https://{closed}?token={s['k']}';",
        f"CONNECT 'https://{closed}/?a=1&password={s['l']}&key={s['m']}&api_key={s['n']}';",
        f"milvus://u:{s['o']}@{closed}",
        f"connect milvus://u:{s['o']}@{closed}",
        f"CONNECT 'x.db' PASSWORD 'p' DATABSE 'typo' TOKEN\n'{s['p']}';",
        f"CONNECT 'http://{closed}' USER 'u' PASSWORD\n-- c\n'{s['q']}' DATABSE 'typo';",
        "CREATE TABLE secret_opt (id INT64 PRIMARY KEY, v FLOAT_VECTOR(2))"
        f" WITH (token = '{s['r']}');",
        f"SET token = '{s['s']}';",
        f"EXPLAIN CONNECT 'http://u:{s['t']}@{closed}' TOKEN 'u:{s['t']}';",
        f"CONNECT 'http://{closed}' PASSWORD 'unterminated {s['u']}",
        f"CONNECT 'http://u:p@{closed}' PASSWORD 'p';",  # a one-letter password
    ]
    return cells, [*s.values(), *pieces[:15]]


def test_every_spelling_through_the_kernel(tmp_path: Path) -> None:
    """Each spelling in a cell of its own: no message, history entry or log line repeats it,
    and the execute_input echo is exactly the masked cell."""
    from milvus_kernel.language.secrets import mask_secrets

    closed = f"127.0.0.1:{free_port()}"
    cells, secrets = _spellings(closed)
    with recorded_kernel(tmp_path) as kernel:
        for code in cells:
            reply = kernel.run(code)
            if code.startswith(("EXPLAIN", "SET")):
                continue  # these may run; the scan below is what matters
            assert reply["status"] == "error", code
        echoes = [m["content"]["code"] for m in kernel.messages if m["msg_type"] == "execute_input"]
        assert echoes == [mask_secrets(code) for code in cells]
        assert all("***" in echo for echo in echoes)
        assert "http://u:***@" + closed in echoes[-1]  # `http://` stays whole
        assert "htt***" not in kernel.transcript()
        history = kernel.history()
        assert [row[2][0] for row in history[: len(cells)]] == echoes
        assert_no_secret(kernel, *secrets)


def test_cells_over_100_kb_with_the_secret_near_the_end(tmp_path: Path) -> None:
    """A long cell: the echo, the history and the error report all mask its last statements."""
    closed = f"127.0.0.1:{free_port()}"
    first, second, third = _secret("big1"), _secret("big2"), _secret("big3")
    notes = "-- a note that makes the cell long\n" * 4_000  # 140 KB
    long_value = "x" * 150_000
    cells = [
        # the first statement fails at run time: the CONNECT after it only appears in echoes
        f"SELECT * FROM no_such_table WHERE name = '{long_value}';\n"
        f"CONNECT 'http://u:{first}@{closed}' PASSWORD '{first}';",
        notes + f"CONNECT 'http://{closed}' PASSWORD\n-- c\n'{second}' DATABSE 'x';",
        notes + f"connect milvus://u:{third}@{closed}\nlist tables",
    ]
    with recorded_kernel(tmp_path) as kernel:
        for code in cells:
            assert len(code) > 100_000 and code.rfind("big") > 100_000
            start = time.perf_counter()
            reply = kernel.run(code, timeout=120)
            print(f"{len(code) / 1e3:.0f} KB cell: {time.perf_counter() - start:.2f} s")
            assert reply["status"] == "error"
        assert "Syntax error" in kernel.transcript()
        echoes = [m["content"]["code"] for m in kernel.messages if m["msg_type"] == "execute_input"]
        assert [echo.count("***") for echo in echoes] == [2, 1, 1]
        kernel.history()
        assert_no_secret(kernel, first, second, third)


def test_fifty_megabyte_cell_with_the_secret_at_its_end(tmp_path: Path) -> None:
    """Measured, not asserted tightly: a 50 MB cell whose last statement has a typo after its
    password; nothing runs, and the echo, history and error report all mask the password.
    (The masker alone on 50 MB cells of other shapes: tests/test_secret_masking.py.)"""
    closed = f"127.0.0.1:{free_port()}"
    secret = _secret("huge")
    code = (
        f"SELECT * FROM t WHERE s = '{'x' * 50_000_000}';\n"
        f"CONNECT 'http://u:{secret}@{closed}' PASSWORD '{secret}' DATABSE 'x';"
    )
    with recorded_kernel(tmp_path) as kernel:
        start = time.perf_counter()
        reply = kernel.run(code, timeout=300)
        print(f"50 MB cell, syntax error after the password: {time.perf_counter() - start:.2f} s")
        assert reply["status"] == "error" and reply["ename"] == "SyntaxError"
        assert "statement 2" in reply["evalue"]
        (echo,) = [
            m["content"]["code"] for m in kernel.messages if m["msg_type"] == "execute_input"
        ]
        assert echo.endswith(f"CONNECT 'http://u:***@{closed}' PASSWORD '***' DATABSE 'x';")
        kernel.history()
        assert_no_secret(kernel, secret)


def test_explain_code_masks_the_cells_secrets(tmp_path: Path) -> None:
    """EXPLAIN prints the pymilvus code of a statement that carries a secret (a user's password,
    an embedding provider's api_key): the code shows it masked, in every message."""
    password, old, key = _secret("user"), _secret("old"), _secret("apikey")
    cells = [
        f"EXPLAIN CREATE USER someone PASSWORD '{password}';",
        f"EXPLAIN ALTER USER someone PASSWORD '{password}' OLD PASSWORD '{old}';",
        "EXPLAIN CREATE TABLE emb (id INT64 PRIMARY KEY, body VARCHAR(99), vector "
        "FLOAT_VECTOR(8) GENERATED ALWAYS AS EMBEDDING(body) WITH (provider = 'openai', "
        f"model_name = 'm', api_key = '{key}'));",
    ]
    with recorded_kernel(tmp_path) as kernel:
        for code in cells:
            reply = kernel.run(code)
            assert reply["status"] == "ok", reply.get("evalue")
        transcript = kernel.transcript()
        assert "client.create_user('someone', '***')" in transcript
        assert "client.update_password('someone', '***', '***')" in transcript
        assert "'api_key': '***'" in transcript
        assert_no_secret(kernel, password, old, key)
