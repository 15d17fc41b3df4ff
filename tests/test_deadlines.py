"""A server that stops answering never blocks a statement for ever.

Every Milvus call has a deadline that fits it (`Settings.deadline`); a frozen server (SIGSTOP of
the `milvus-lite server` process: the port stays open, nothing answers) fails SELECT, SEARCH and
SHOW TABLES within it, in one line that names the server and the setting, and the same kernel
carries on once the server is resumed (SIGCONT), with every row (checked with raw pymilvus);
the same for a frozen Milvus 2.3.5 standalone, and for a CONNECT to a frozen server.
The kernel's keepalive pings never make a server close the channel (GOAWAY "too_many_pings"),
which a client pinging too often gets from the same server in the same test.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from kernel_harness import execute, plain_texts
from kernel_logs import goaway_lines, kernel_with_log
from servers import LiteServer, StandaloneServer, standalone

from milvus_kernel.engine.connection.clients import GRPC_OPTIONS, KEEPALIVE_TIME
from milvus_kernel.engine.connection.settings import (
    DATA_DEADLINE,
    HEAVY_DEADLINE,
    METADATA_DEADLINE,
    Settings,
)
from milvus_kernel.engine.session import Session
from milvus_kernel.errors import ConnectionFailure
from milvus_kernel.language.parser import parse_cell

FROZEN_BOUND = 60.0  # generous: the deadlines are 20 s (metadata) and 45 s (reads)
ROWS = 20
NO_ANSWER = re.compile(
    r"^statement 1 \([^\n]*\): Milvus at (?P<uri>\S+) did not answer in (?P<seconds>\d+) s "
    r"\(SET timeout = <seconds> allows longer\)$"
)


def run_ok(kc: Any, code: str) -> list[str]:
    reply, outputs = execute(kc, code, timeout=120)
    assert reply["status"] == "ok", reply.get("evalue")
    return plain_texts(outputs)


def raw_count(uri: str, table: str) -> int:
    from pymilvus import MilvusClient

    client = MilvusClient(uri)
    try:
        rows = client.query(table, output_fields=["count(*)"], consistency_level="Strong")
        return int(rows[0]["count(*)"])
    finally:
        client.close()


def test_default_deadlines_fit_the_call() -> None:
    settings = Settings()
    assert settings.deadline("describe_collection") == METADATA_DEADLINE == 20
    assert settings.deadline("get_load_state", ("t",)) == METADATA_DEADLINE
    assert settings.deadline("create_index") == HEAVY_DEADLINE == 3600
    assert settings.deadline("load_collection") == HEAVY_DEADLINE
    assert settings.deadline("insert", ("t", [{}] * 5000)) == DATA_DEADLINE + 5
    assert settings.deadline("search", ("t", [[0.0]] * 100), {"limit": 100}) == DATA_DEADLINE + 10
    assert settings.deadline("query", ("t",), {"limit": 16384}) == DATA_DEADLINE + 16.384
    assert settings.deadline("query_iterator", ("t",), {"limit": -1}) == DATA_DEADLINE
    settings.set("timeout", 7)  # SET timeout overrides every default
    assert settings.deadline("create_index") == settings.deadline("describe_collection") == 7
    settings.set("timeout", None)
    assert settings.deadline("create_index") == HEAVY_DEADLINE
    assert dict((r[0], r[1]) for r in settings.table().rows)["timeout"] == "NULL"


class Recorder:
    """The real client, recording the timeout each call was given."""

    def __init__(self, client: Any) -> None:
        self.client = client
        self.timeouts: dict[str, set[float | None]] = {}

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self.client, name)
        if not callable(attribute) or name.startswith("_"):
            return attribute

        def call(*args: Any, **kwargs: Any) -> Any:
            self.timeouts.setdefault(name, set()).add(kwargs.get("timeout"))
            return attribute(*args, **kwargs)

        return call


def test_every_call_gets_its_deadline(tmp_path: Path) -> None:
    session = Session(workdir=tmp_path, environ={})
    try:
        for statement in parse_cell("SHOW TABLES;"):
            session.execute(statement)
        connection = session.catalog().connection
        recorder = Recorder(connection.client)
        connection.client = recorder
        cell = (
            "CREATE TABLE d (id INT64 PRIMARY KEY, vector FLOAT_VECTOR(2));"
            "INSERT INTO d (id, vector) VALUES (1, [1.0, 0.0]), (2, [0.0, 1.0]);"
            "CREATE INDEX ON d (vector) USING FLAT WITH (metric_type = 'L2');"
            "SELECT * FROM d LIMIT 5; SHOW TABLES;"
        )
        for statement in parse_cell(cell):
            session.execute(statement)
        seen = recorder.timeouts
        assert seen["list_collections"] == {METADATA_DEADLINE}
        assert seen["create_index"] == {HEAVY_DEADLINE}
        assert seen["insert"] == {DATA_DEADLINE + 2 / 1000}
        assert DATA_DEADLINE + 5 / 1000 in seen["query"]  # SELECT ... LIMIT 5
        assert min(seen["query"]) >= DATA_DEADLINE
        unbounded = [name for name, given in seen.items() if None in given]
        assert unbounded == ["prepare_index_params"], seen  # builds a value, no RPC
        for statement in parse_cell("SET timeout = 9; SELECT * FROM d LIMIT 5;"):
            session.execute(statement)
        assert 9 in seen["query"]
    finally:
        session.close()


def test_keepalive_options_reach_the_channel(lite_tcp_server: LiteServer, tmp_path: Path) -> None:
    """Pings no more often than gRPC servers allow by default (5 min), none on an idle channel."""
    assert KEEPALIVE_TIME >= 300
    assert GRPC_OPTIONS["grpc.keepalive_time_ms"] >= 300_000
    assert GRPC_OPTIONS["grpc.keepalive_permit_without_calls"] == 0
    session = Session(workdir=tmp_path, environ={})
    try:
        for statement in parse_cell(f"CONNECT '{lite_tcp_server.uri}';"):
            session.execute(statement)
        used = session.catalog().connection.client._handler._grpc_options
        assert {k: used.get(k) for k in GRPC_OPTIONS} == GRPC_OPTIONS
    finally:
        session.close()


# A client that pings every second, even idle, with no limit: the server's policy (gRPC's
# default, 5 minutes) closes its channel with GOAWAY too_many_pings within seconds.
_EAGER_PINGER = """
import sys, time
from pymilvus import MilvusClient
options = {"grpc.keepalive_time_ms": 1000, "grpc.keepalive_permit_without_calls": 1,
           "grpc.http2.max_pings_without_data": 0}
client = MilvusClient(sys.argv[1], grpc_options=options, dedicated=True)
client.list_collections()
time.sleep(float(sys.argv[2]))
"""
IDLE = 30.0


def test_idle_kernel_gets_no_goaway(tmp_path: Path, lite_tcp_server: LiteServer) -> None:
    """Two kernels idle side by side: one on the Lite server over TCP, one on the embedded Lite
    (a gRPC server inside the kernel process); neither logs a GOAWAY, and both carry on."""
    uri = lite_tcp_server.uri
    tcp_log, embedded_log = tmp_path / "tcp-kernel.log", tmp_path / "embedded-kernel.log"
    pinger_log, embedded_dir = tmp_path / "pinger.log", tmp_path / "embedded"
    embedded_dir.mkdir()
    create = "CREATE TABLE idle (id INT64 PRIMARY KEY, vector FLOAT_VECTOR(2));"
    insert = "INSERT INTO idle (id, vector) VALUES (1, [1.0, 0.0]), (2, [0.0, 1.0]);"
    with (
        kernel_with_log(tmp_path, tcp_log) as (_, tcp),
        kernel_with_log(embedded_dir, embedded_log) as (_, embedded),
    ):
        run_ok(tcp, f"CONNECT '{uri}'; SET consistency_level = 'Strong';")
        for kc in (tcp, embedded):
            run_ok(kc, create)
            run_ok(kc, insert)
        with open(pinger_log, "wb") as err:
            pinger = subprocess.Popen(
                [sys.executable, "-c", _EAGER_PINGER, uri, str(IDLE)], stderr=err
            )
        start = time.monotonic()
        pinger.wait(timeout=IDLE + 60)
        time.sleep(max(0.0, IDLE - (time.monotonic() - start)))
        idle = time.monotonic() - start
        for kc in (tcp, embedded):
            texts = run_ok(kc, "SELECT COUNT(*) FROM idle;")
            assert re.search(r"-+\n\s*2\s*\n", texts[-1]), texts
    print(f"kernels idle {idle:.0f} s; the eager pinger: {goaway_lines(pinger_log)[:1]}")
    assert goaway_lines(pinger_log), "the server should refuse a client pinging every second"
    assert goaway_lines(tcp_log) == [], tcp_log.read_text()
    assert goaway_lines(embedded_log) == [], embedded_log.read_text()


def test_frozen_server_fails_within_the_deadline(tmp_path: Path, lite_tcp_server: LiteServer):
    server, uri = lite_tcp_server, lite_tcp_server.uri
    kernel_log = tmp_path / "kernel.log"
    assert server.process is not None
    values = ", ".join(f"({i}, [{i}.0, 1.0])" for i in range(ROWS))
    with kernel_with_log(tmp_path, kernel_log) as (km, kc):
        run_ok(kc, f"CONNECT '{uri}'; SET consistency_level = 'Strong';")
        run_ok(kc, "CREATE TABLE frozen (id INT64 PRIMARY KEY, vector FLOAT_VECTOR(2));")
        run_ok(kc, f"INSERT INTO frozen (id, vector) VALUES {values};")
        run_ok(kc, "SEARCH frozen FOR [3.0, 1.0] LIMIT 2;")
        os.kill(server.process.pid, signal.SIGSTOP)
        timings = []
        try:
            run_ok(kc, "SET timeout = 2;")  # the setting overrides the defaults
            timings.append(fails_within(kc, "SHOW TABLES;", uri, 2))
            run_ok(kc, "SET timeout = NULL;")
            # gRPC closes a transport whose pings go unanswered (about a minute after a
            # deadline passed): a call then fails before its deadline, when pymilvus's
            # reconnect gives up, and the message says how long the statement waited
            for code in (
                "SELECT * FROM frozen;",
                "SEARCH frozen FOR [3.0, 1.0] LIMIT 2;",
                "SHOW TABLES;",
            ):
                timings.append(fails_within(kc, code, uri, None))
            assert km.is_alive()
        finally:
            os.kill(server.process.pid, signal.SIGCONT)
        texts = run_ok(kc, "SELECT COUNT(*) FROM frozen;")  # same kernel, no CONNECT
        found = re.search(r"-+\n\s*(\d+)\s*\n", texts[-1])
        assert found and int(found.group(1)) == raw_count(uri, "frozen") == ROWS, texts
        assert "frozen" in run_ok(kc, "SHOW TABLES;")[-1]
    print("frozen server: statements failed in " + ", ".join(f"{t:.1f}" for t in timings) + " s")
    assert goaway_lines(kernel_log) == [], kernel_log.read_text()


def fails_within(kc: Any, code: str, uri: str, deadline: float | None) -> float:
    """Run `code` on the frozen server: one line saying it did not answer in `deadline` s (or,
    with None, in about the time the statement took)."""
    start = time.monotonic()
    reply, outputs = execute(kc, code, timeout=FROZEN_BOUND + 60)
    elapsed = time.monotonic() - start
    assert reply["status"] == "error", reply
    assert elapsed < FROZEN_BOUND, f"{code} took {elapsed:.1f} s"
    assert reply["ename"] == "ConnectionError", reply
    shown = NO_ANSWER.match(reply["evalue"])
    assert shown, reply["evalue"]
    seconds = float(shown["seconds"])
    assert shown["uri"] == uri, reply["evalue"]
    if deadline is not None:
        assert seconds == deadline, reply["evalue"]
    assert elapsed - 5 <= seconds <= elapsed + 1, (reply["evalue"], elapsed)
    assert "illegal connection params" not in reply["evalue"]
    assert [m for m in outputs if m["msg_type"] == "error"], outputs
    assert not [m for m in outputs if m["msg_type"] == "stream"], outputs
    return elapsed


def test_connect_to_a_frozen_server_says_it_did_not_answer(
    tmp_path: Path, lite_tcp_server: LiteServer
) -> None:
    """The port is open but nothing answers: not "cannot reach ... illegal connection params"."""
    server = lite_tcp_server
    assert server.process is not None
    session = Session(workdir=tmp_path, environ={})
    os.kill(server.process.pid, signal.SIGSTOP)
    try:
        for statement in parse_cell("SET timeout = 3;"):
            session.execute(statement)
        start = time.monotonic()
        try:
            session.execute(parse_cell(f"CONNECT '{server.uri}';")[0])
        except ConnectionFailure as error:
            said = error.message
        else:
            raise AssertionError("CONNECT to a frozen server succeeded")
        elapsed = time.monotonic() - start
    finally:
        os.kill(server.process.pid, signal.SIGCONT)
    print(f"CONNECT to a frozen server failed in {elapsed:.1f} s")
    assert said == (
        f"Milvus at {server.uri} did not answer in 3 s (SET timeout = <seconds> allows longer)"
    )
    assert elapsed < FROZEN_BOUND
    session.execute(parse_cell(f"CONNECT '{server.uri}';")[0])  # resumed: it answers
    assert session.execute(parse_cell("SHOW TABLES;")[0]).rows == []
    session.close()


@pytest.fixture
def frozen_standalone(
    tmp_path_factory: pytest.TempPathFactory, milvus_binaries: Path
) -> Iterator[StandaloneServer]:
    """A standalone server of this test's own, to freeze."""
    yield from standalone(tmp_path_factory, milvus_binaries, authentication=False)


def test_frozen_standalone_server(tmp_path: Path, frozen_standalone: StandaloneServer) -> None:
    """The same on Milvus 2.3.5 (frozen a few seconds only: its etcd session lasts 10 s)."""
    server, uri = frozen_standalone, frozen_standalone.uri
    assert server.process is not None
    kernel_log = tmp_path / "kernel.log"
    values = ", ".join(f"({i}, [{i}.0, 1.0])" for i in range(ROWS))
    with kernel_with_log(tmp_path, kernel_log) as (km, kc):
        run_ok(kc, f"CONNECT '{uri}'; SET consistency_level = 'Strong';")
        run_ok(
            kc,
            "CREATE TABLE frozen (id INT64 PRIMARY KEY, vector FLOAT_VECTOR(2))"
            " WITH (consistency_level = 'Strong');",
        )
        run_ok(kc, "CREATE INDEX ON frozen (vector) USING FLAT WITH (metric_type = 'L2');")
        run_ok(kc, f"INSERT INTO frozen (id, vector) VALUES {values};")
        run_ok(kc, "SEARCH frozen FOR [3.0, 1.0] LIMIT 2; SET timeout = 3;")
        os.kill(server.process.pid, signal.SIGSTOP)
        try:
            elapsed = fails_within(kc, "SEARCH frozen FOR [3.0, 1.0] LIMIT 2;", uri, 3)
            assert km.is_alive()
        finally:
            os.kill(server.process.pid, signal.SIGCONT)
        run_ok(kc, "SET timeout = NULL;")
        texts = run_ok(kc, "SELECT COUNT(*) FROM frozen;")
        found = re.search(r"-+\n\s*(\d+)\s*\n", texts[-1])
        assert found and int(found.group(1)) == raw_count(uri, "frozen") == ROWS, texts
    print(f"frozen standalone: SEARCH failed in {elapsed:.1f} s")
    assert goaway_lines(kernel_log) == [], kernel_log.read_text()
