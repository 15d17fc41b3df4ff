"""Lost servers: a real kernel whose server is killed mid-session fails fast and clearly, stays
alive, and carries on, with every acknowledged row, once the server is back on the same port and
data (no kernel restart, no new CONNECT). A second kernel on a Lite file that another holds is told
so, and the holder keeps working.

Faults are real: SIGKILL of the `milvus-lite server` process or of the Milvus standalone binary
(in its private network namespace); no mocks.
"""

from __future__ import annotations

import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from kernel_harness import execute, plain_texts, running_kernel
from servers import LiteServer, StandaloneServer, standalone

FAIL_WITHIN = 10.0  # seconds a statement may take to report a lost server
ROWS = 30


def run_ok(kc: Any, code: str) -> list[str]:
    reply, outputs = execute(kc, code, timeout=120)
    assert reply["status"] == "ok", reply.get("evalue")
    return plain_texts(outputs)


def count(kc: Any, table: str) -> int:
    texts = run_ok(kc, f"SELECT COUNT(*) FROM {table};")
    found = re.search(r"-+\n\s*(\d+)\s*\n", texts[-1])  # the value under the header rule
    assert found, texts
    return int(found.group(1))


def insert_rows(kc: Any, table: str, first: int, n: int) -> None:
    values = ", ".join(f"({i}, [{i}.0, 1.0])" for i in range(first, first + n))
    texts = run_ok(kc, f"INSERT INTO {table} (id, vector) VALUES {values};")
    assert any(str(n) in text for text in texts), texts


def fail_fast(kc: Any, code: str) -> tuple[dict[str, Any], float]:
    """Run `code` against a dead server: the error reply and how long it took."""
    start = time.monotonic()
    reply, outputs = execute(kc, code, timeout=60)
    elapsed = time.monotonic() - start
    assert reply["status"] == "error", reply
    assert elapsed < FAIL_WITHIN, f"took {elapsed:.1f} s to report the lost server"
    assert [m for m in outputs if m["msg_type"] == "error"], outputs
    return reply, elapsed


def lose_and_recover(kc: Any, km: Any, server: Any, shown_uri: str, table: str) -> list[float]:
    """Kill the server mid-session, check the failures, restart it, check every row is back."""
    insert_rows(kc, table, 0, ROWS)
    assert count(kc, table) == ROWS
    server.kill()
    timings = []
    statements = (f"SELECT COUNT(*) FROM {table};", "SHOW TABLES;", f"SELECT * FROM {table};")
    for code in statements:
        reply, elapsed = fail_fast(kc, code)
        timings.append(elapsed)
        assert reply["ename"] == "ConnectionError"
        assert f"cannot reach Milvus at {shown_uri}" in reply["evalue"], reply["evalue"]
        assert "Traceback" not in "".join(reply["traceback"])
    assert km.is_alive()
    server.start()
    assert count(kc, table) == ROWS  # same kernel, no CONNECT: every acknowledged row is there
    insert_rows(kc, table, ROWS, 5)
    assert count(kc, table) == ROWS + 5
    return timings


def test_lost_lite_server(tmp_path: Path, lite_tcp_server: LiteServer) -> None:
    with running_kernel(tmp_path) as (km, kc):
        run_ok(kc, f"CONNECT '{lite_tcp_server.uri}'; SET consistency_level = 'Strong';")
        run_ok(kc, "CREATE TABLE lost (id INT64 PRIMARY KEY, vector FLOAT_VECTOR(2));")
        timings = lose_and_recover(kc, km, lite_tcp_server, lite_tcp_server.uri, "lost")
        print(f"lite server lost: statements failed in {', '.join(f'{t:.2f}' for t in timings)} s")


def test_lite_server_restarted_between_statements(
    tmp_path: Path, lite_tcp_server: LiteServer
) -> None:
    """The kernel never sees the outage: the next statement simply works, with every row (the
    restarted server has forgotten the collection was loaded; the kernel loads it again)."""
    with running_kernel(tmp_path) as (_, kc):
        run_ok(kc, f"CONNECT '{lite_tcp_server.uri}'; SET consistency_level = 'Strong';")
        run_ok(kc, "CREATE TABLE idle (id INT64 PRIMARY KEY, vector FLOAT_VECTOR(2));")
        insert_rows(kc, "idle", 0, ROWS)
        assert count(kc, "idle") == ROWS
        lite_tcp_server.kill()
        lite_tcp_server.start()
        assert count(kc, "idle") == ROWS
        texts = run_ok(kc, "SEARCH idle FOR [3.0, 1.0] LIMIT 1;")
        assert re.search(r"\b3\b", texts[-1]), texts


@pytest.fixture
def doomed_standalone(
    tmp_path_factory: pytest.TempPathFactory, milvus_binaries: Path
) -> Iterator[StandaloneServer]:
    """A standalone server with authentication of this test's own, to kill and restart."""
    yield from standalone(tmp_path_factory, milvus_binaries, authentication=True)


def test_lost_standalone_server(tmp_path: Path, doomed_standalone: StandaloneServer) -> None:
    server = doomed_standalone
    user, password = "root", "Milvus"
    address = server.uri.split("//", 1)[1]
    with running_kernel(tmp_path) as (km, kc):
        run_ok(kc, f"CONNECT 'http://{user}:{password}@{address}';")
        run_ok(kc, "SET consistency_level = 'Strong';")
        run_ok(
            kc,
            "CREATE TABLE lost (id INT64 PRIMARY KEY, vector FLOAT_VECTOR(2))"
            " WITH (consistency_level = 'Strong');",
        )
        run_ok(kc, "CREATE INDEX ON lost (vector) USING FLAT WITH (metric_type = 'L2');")
        timings = lose_and_recover(kc, km, server, f"http://{user}:***@{address}", "lost")
        print(f"standalone lost: statements failed in {', '.join(f'{t:.2f}' for t in timings)} s")
        # restarted while the kernel is idle: the server has not reloaded the collection yet
        server.kill()
        server.start()
        assert count(kc, "lost") == ROWS + 5


def test_locked_lite_file_through_two_kernels(tmp_path: Path) -> None:
    path = tmp_path / "shared.db"
    first_dir, second_dir = tmp_path / "one", tmp_path / "two"
    first_dir.mkdir()
    second_dir.mkdir()
    with running_kernel(first_dir) as (_, kc1), running_kernel(second_dir) as (km2, kc2):
        run_ok(kc1, f"CONNECT '{path}';")
        run_ok(kc1, "CREATE TABLE held (id INT64 PRIMARY KEY, vector FLOAT_VECTOR(2));")
        insert_rows(kc1, "held", 0, 3)
        reply, _ = execute(kc2, f"CONNECT '{path}';", timeout=60)
        assert reply["status"] == "error"
        assert f"{path} is in use by another process" in reply["evalue"], reply["evalue"]
        assert "Open local milvus failed" not in reply["evalue"]
        assert km2.is_alive()
        run_ok(kc2, "SHOW SETTINGS;")  # the second kernel carries on
        insert_rows(kc1, "held", 3, 2)  # and the first still owns its file
        assert count(kc1, "held") == 5


def test_locked_default_lite_file_is_named(tmp_path: Path) -> None:
    """The lazy default connection (milvus_kernel.db) says the same when another holds it."""
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "from pymilvus import MilvusClient; import sys; "
            f"c = MilvusClient({str(tmp_path / 'milvus_kernel.db')!r}); print('ready', flush=True);"
            " sys.stdin.read()",
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "ready"
        with running_kernel(tmp_path) as (km, kc):
            reply, _ = execute(kc, "SHOW TABLES;", timeout=60)
            assert reply["status"] == "error"
            assert "milvus_kernel.db is in use by another process" in reply["evalue"]
            assert km.is_alive()
    finally:
        holder.kill()
        holder.wait()
