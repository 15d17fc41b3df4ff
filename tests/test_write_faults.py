"""Writes under real faults, through a real kernel: an interrupt while the server is frozen
(SIGSTOP of the `milvus-lite server` process) returns within seconds and says exactly how many
rows had been written; a server killed (SIGKILL) mid-import gives the same count. Ground truth is
COUNT(*) read with raw pymilvus after the server restarts on the same data directory.

Timings are printed (`pytest -s`), and only a generous bound is asserted.
"""

from __future__ import annotations

import os
import re
import signal
import time
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from kernel_harness import collect, execute, running_kernel
from pymilvus import MilvusClient
from servers import LiteServer

from milvus_kernel.language.parser import parse_cell

RETURN_WITHIN = 20.0  # seconds an interrupted write may take to answer (the design is ~2-3 s)
ROWS = 60_000
BATCH = 1000
DONE = re.compile(r"(\d+) rows? had been inserted into (\w+)")
FLIGHT = re.compile(  # one batch in doubt, or several (import_parallelism > 1)
    r"(?:a batch of (\d+) rows? \(rows \d+-\d+\) was|\d+ batches of (\d+) rows? in all "
    r"\([^)]*\) were) in flight and may or may not"
)


ANSI = re.compile(r"\x1b\[[0-9;]*m")


def full_message(reply: dict[str, Any]) -> str:
    """The whole error report (evalue is cut to one short line)."""
    return ANSI.sub("", "\n".join(reply["traceback"]))


def run_ok(kc: Any, code: str) -> None:
    reply, _ = execute(kc, code, timeout=120)
    assert reply["status"] == "ok", reply.get("evalue")


def raw_count(uri: str, table: str) -> int:
    """COUNT(*) as pymilvus itself reads it (its own client, Strong consistency)."""
    client = MilvusClient(uri=uri)
    try:
        client.load_collection(table)
        rows = client.query(table, output_fields=["count(*)"], consistency_level="Strong")
        return int(rows[0]["count(*)"])
    finally:
        client.close()


def write_file(path: Path, rows: int = ROWS) -> None:
    vectors = np.random.default_rng(3).random((rows, 8), dtype=np.float32)
    table = pa.table(
        {
            "id": np.arange(rows, dtype=np.int64),
            "vector": pa.FixedSizeListArray.from_arrays(pa.array(vectors.ravel()), 8),
        }
    )
    pq.write_table(table, path)


def wait_for_rows(uri: str, table: str, at_least: int, timeout: float = 60) -> int:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = raw_count(uri, table)
        if found >= at_least:
            return found
        time.sleep(0.1)
    raise AssertionError(f"the import did not reach {at_least} rows in {timeout} s")


def claimed(message: str) -> tuple[int, int]:
    """The rows the kernel says were written, and the rows of a batch it says are in doubt."""
    done = DONE.search(message)
    assert done, message
    flight = FLIGHT.search(message)
    return int(done.group(1)), int(flight.group(1) or flight.group(2)) if flight else 0


def possible(written: int, doubtful: int, batch: int) -> list[int]:
    """The counts the server may hold: what was said, plus any of the batches in doubt."""
    return list(range(written, written + doubtful + 1, max(batch, 1)))


def check_against_restart(
    server: LiteServer, table: str, written: int, doubtful: int, batch: int = BATCH
) -> int:
    """Kill the (frozen or dead) server, start it on the same data: COUNT(*) is what was said."""
    server.kill()
    server.start()
    truth = raw_count(server.uri, table)
    assert truth in possible(written, doubtful, batch), (truth, written, doubtful)
    return truth


def start_import(kc: Any, server: LiteServer, tmp_path: Path) -> str:
    run_ok(kc, f"CONNECT '{server.uri}'; SET consistency_level = 'Strong';")
    run_ok(kc, "CREATE TABLE imp (id INT64 PRIMARY KEY, vector FLOAT_VECTOR(8));")
    write_file(tmp_path / "big.parquet")
    return kc.execute(f"INSERT INTO imp FROM 'big.parquet' WITH (batch_size = {BATCH});")


def test_interrupt_of_an_import_into_a_frozen_server(
    tmp_path: Path, lite_tcp_server: LiteServer
) -> None:
    server = lite_tcp_server
    with running_kernel(tmp_path) as (km, kc):
        msg_id = start_import(kc, server, tmp_path)
        wait_for_rows(server.uri, "imp", 3 * BATCH)
        os.kill(server.process.pid, signal.SIGSTOP)
        try:
            time.sleep(1.0)  # the kernel is now waiting for a server that does not answer
            started = time.monotonic()
            km.interrupt_kernel()
            reply, _ = collect(kc, msg_id, timeout=60)
            took = time.monotonic() - started
        finally:
            os.kill(server.process.pid, signal.SIGCONT)  # then killed below, in its frozen state
        print(f"interrupt of an import into a frozen server answered in {took:.2f} s")
        assert took < RETURN_WITHIN
        assert reply["status"] == "error" and reply["ename"] == "Interrupted", reply
        message = full_message(reply)
        assert message.count("interrupted:") == 1, message
        assert "from 'big.parquet' (rows 1-" in message, message
        written, doubtful = claimed(message)
        assert 3 * BATCH <= written < ROWS and written % BATCH == 0, message
        truth = check_against_restart(server, "imp", written, doubtful)
        print(f"said {written} (+{doubtful} in doubt); COUNT(*) after restart {truth}")
        assert km.is_alive()


def test_server_killed_mid_import(tmp_path: Path, lite_tcp_server: LiteServer) -> None:
    server = lite_tcp_server
    with running_kernel(tmp_path) as (km, kc):
        msg_id = start_import(kc, server, tmp_path)
        wait_for_rows(server.uri, "imp", 3 * BATCH)
        started = time.monotonic()
        server.kill()
        reply, _ = collect(kc, msg_id, timeout=120)
        took = time.monotonic() - started
        print(f"import into a killed server failed after {took:.2f} s: {reply.get('evalue')}")
        assert reply["status"] == "error" and reply["ename"] == "ConnectionError", reply
        message = full_message(reply)
        assert f"cannot reach Milvus at {server.uri}" in message, message
        assert "illegal connection params" not in message, message  # the server died
        assert "(rows 1-" not in message and "before row " in message, message
        written, doubtful = claimed(message)
        assert 3 * BATCH <= written < ROWS, message
        server.start()
        truth = raw_count(server.uri, "imp")
        print(f"said {written} (+{doubtful} in doubt); COUNT(*) after restart {truth}")
        assert truth in possible(written, doubtful, BATCH), message
        assert km.is_alive()


@pytest.mark.parametrize("keyed", [False, True], ids=["auto_id", "keyed"])
def test_interrupt_of_a_big_values_into_a_frozen_server(
    tmp_path: Path, lite_tcp_server: LiteServer, keyed: bool
) -> None:
    """The server is frozen before the INSERT: nothing can be written, and the kernel says so
    (an AUTO_ID table's first batch is in flight, a keyed table's key check never returns)."""
    server = lite_tcp_server
    key = "id INT64 PRIMARY KEY" if keyed else "id INT64 PRIMARY KEY AUTO_ID"
    first = 100 if keyed else None
    rows = 12_000
    values = ", ".join(
        (f"({first + i}, [{i}.0, 1.0])" if keyed else f"([{i}.0, 1.0])") for i in range(rows)
    )
    with running_kernel(tmp_path) as (km, kc):
        run_ok(kc, f"CONNECT '{server.uri}'; SET consistency_level = 'Strong';")
        run_ok(kc, f"CREATE TABLE big ({key}, vector FLOAT_VECTOR(2));")
        run_ok(kc, f"INSERT INTO big VALUES {'(1, [0.0, 0.0])' if keyed else '([0.0, 0.0])'};")
        started = time.monotonic()
        parse_cell(f"INSERT INTO big VALUES {values};")
        parse_time = time.monotonic() - started
        os.kill(server.process.pid, signal.SIGSTOP)
        try:
            msg_id = kc.execute(f"INSERT INTO big VALUES {values};")
            time.sleep(1.0 + 3 * parse_time)  # parsed, and waiting for the frozen server
            started = time.monotonic()
            km.interrupt_kernel()
            reply, _ = collect(kc, msg_id, timeout=60)
            took = time.monotonic() - started
        finally:
            os.kill(server.process.pid, signal.SIGCONT)
        print(
            f"interrupt of INSERT … VALUES ({rows} rows, {key}; parsed in {parse_time:.2f} s) "
            f"answered in {took:.2f} s"
        )
        assert took < RETURN_WITHIN
        assert reply["status"] == "error" and reply["ename"] == "Interrupted", reply
        message = full_message(reply)
        assert "interrupted: 0 rows had been inserted into big" in message, message
        if keyed:  # the check for existing keys never returned: no batch was sent
            assert message.endswith(f"; rows 1-{rows} were not"), message
        else:
            assert FLIGHT.search(message) and "(rows 1-10000)" in message, message
        written, doubtful = claimed(message)
        truth = check_against_restart(server, "big", 1 + written, doubtful, batch=doubtful)
        print(f"said {written} (+{doubtful} in doubt) after the 1 warm-up row; COUNT(*) {truth}")
