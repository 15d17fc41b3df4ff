"""`SET import_parallelism = N`: INSERT ... FROM with several insert calls in flight, counted
exactly. Ground truth is raw pymilvus (COUNT(*) and every id) on the same Milvus Lite server.

- with 1, 2 and 4 calls in flight (through a real kernel) the collection holds exactly the file;
- a batch that fails in the middle (injected into the session's client) stops the import; the
  message names its first row and the rows that landed, batches in flight after it included,
  and those are exactly the rows the server holds; two failing batches: the first in the file's
  order is the one named, even when the later one fails first;
- an interrupt while a batch hangs returns within seconds, counts every answered batch and
  names the batch in doubt;
- keys repeated across batches are reported as a sequential import reports them;
- the default (NULL): 1 call at a time on Milvus Lite, 2 on a Milvus server (the standalone).
"""

from __future__ import annotations

import os
import re
import signal
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from kernel_harness import execute, plain_texts, running_kernel
from pymilvus import MilvusClient
from pymilvus.exceptions import MilvusException
from servers import LiteServer

from milvus_kernel.engine.connection.clients import GRPC_OPTIONS
from milvus_kernel.engine.session import Session
from milvus_kernel.errors import ExecutionError, Interrupted, KernelError
from milvus_kernel.frontends.runner import run_cell

ROWS = 6000
BATCH = 500
SCHEMA = "id INT64 PRIMARY KEY, vector FLOAT_VECTOR(4)"


@pytest.fixture(scope="module")
def lite_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """This module's own Milvus Lite server over TCP. The session's shared one has served other
    modules' raw pymilvus clients, whose idle pings (pymilvus's default: every 10 s) it answers
    with GOAWAY "too_many_pings" — in CI that once failed a fresh client of this module."""
    server = LiteServer(tmp_path_factory.mktemp("parallel-lite") / "data")
    try:
        server.start(timeout=30)
        yield server.uri
    finally:
        server.stop()


def write_file(path: Path, ids: Any) -> None:
    ids = np.asarray(ids, dtype=np.int64)
    vectors = np.random.default_rng(11).random((len(ids), 4), dtype=np.float32)
    flat = pa.array(vectors.ravel())
    pq.write_table(
        pa.table({"id": ids, "vector": pa.FixedSizeListArray.from_arrays(flat, 4)}), path
    )


def stored_ids(uri: str, table: str) -> list[int]:
    """Every id the server holds for `table`, read by raw pymilvus (with the kernel's keepalive
    options: pymilvus's own ping an idle channel every 10 s, and a `milvus-lite server` answers
    that with GOAWAY "too_many_pings", failing the next client on the same address)."""
    client = MilvusClient(uri=uri, grpc_options=dict(GRPC_OPTIONS))
    try:
        client.load_collection(table)
        iterator = client.query_iterator(
            table, batch_size=4000, filter="", output_fields=["id"], consistency_level="Strong"
        )
        ids: list[int] = []
        while batch := iterator.next():
            ids.extend(int(row["id"]) for row in batch)
        iterator.close()
        count = client.query(table, output_fields=["count(*)"], consistency_level="Strong")
        assert int(count[0]["count(*)"]) == len(ids)
        return sorted(ids)
    finally:
        client.close()


def rows_of(spans: str) -> list[int]:
    """The ids of file rows named "1-1000, 2001-2500" (row n holds id n - 1)."""
    ids: list[int] = []
    for span in spans.split(","):
        first, last = (int(x) for x in span.strip().split("-"))
        ids.extend(range(first - 1, last))
    return ids


def run(session: Session, code: str) -> Any:
    return list(run_cell(session, code))[-1]


@pytest.fixture
def table(lite_server: str, tmp_path: Path, unique_name: str) -> Any:
    """A session on the Lite server, a new collection and a file of ROWS rows (ids 0..ROWS-1)."""
    session = Session(workdir=tmp_path, environ={"MILVUS_URI": lite_server})
    run(session, f"CREATE TABLE {unique_name} ({SCHEMA}); SET consistency_level = 'Strong'")
    write_file(tmp_path / "rows.parquet", np.arange(ROWS))
    yield session, unique_name, lite_server
    session.close()


def wrap_insert(session: Session, each: Any) -> None:
    """`each(first_id, rows)` runs before every insert call the session's client makes."""
    client = session.catalog().client
    real = client.insert

    def insert(name: str, data: list[dict[str, Any]], *args: Any, **kwargs: Any) -> Any:
        each(int(data[0]["id"]), data)
        return real(name, data, *args, **kwargs)

    client.insert = insert


def count_in_flight(session: Session) -> dict[str, int]:
    """From now on, the most insert calls of the session's client in flight at once ("most");
    each call takes 0.2 s longer, so the next one can start beside it."""
    peak = {"now": 0, "most": 0}
    lock = threading.Lock()
    client = session.catalog().client
    real = client.insert

    def counted(name: str, data: list[dict[str, Any]], *args: Any, **kwargs: Any) -> Any:
        with lock:
            peak["now"] += 1
            peak["most"] = max(peak["most"], peak["now"])
        try:
            time.sleep(0.2)
            return real(name, data, *args, **kwargs)
        finally:
            with lock:
                peak["now"] -= 1

    client.insert = counted
    return peak


@pytest.mark.parametrize(("setting", "most"), [("NULL", 1), ("3", 3)])
def test_milvus_lite_gets_one_call_at_a_time_unless_set(
    table: Any, setting: str, most: int
) -> None:
    session, name, uri = table
    run(session, f"SET import_parallelism = {setting}")
    peak = count_in_flight(session)
    text = run(session, f"INSERT INTO {name} FROM 'rows.parquet' WITH (batch_size = 1000)")
    assert text.text == f"inserted {ROWS} rows into {name} from 'rows.parquet'"
    assert peak["most"] == most
    assert stored_ids(uri, name) == list(range(ROWS))


def test_the_setting_is_shown_and_checked(lite_server: str, tmp_path: Path) -> None:
    session = Session(workdir=tmp_path, environ={"MILVUS_URI": lite_server})
    try:
        shown = {row[0]: row[1] for row in run(session, "SHOW SETTINGS").rows}
        assert shown["import_parallelism"] == "NULL"  # 2 on a server, 1 on Milvus Lite
        assert run(session, "SET import_parallelism = 4").text == "import_parallelism = 4"
        for bad in ("0", "17", "1.5", "'two'"):
            with pytest.raises(KernelError, match="import_parallelism must be"):
                run(session, f"SET import_parallelism = {bad}")
        assert session.catalog().settings.import_parallelism == 4
        assert run(session, "SET import_parallelism = NULL").text == "import_parallelism = NULL"
        assert session.catalog().settings.import_parallelism is None
    finally:
        session.close()


def test_every_parallelism_stores_exactly_the_file(lite_server: str, tmp_path: Path) -> None:
    """Through a real kernel: 1, 2 and 4 calls in flight, each into a new collection."""
    write_file(tmp_path / "rows.parquet", np.arange(ROWS))
    with running_kernel(tmp_path) as (_, kc):
        for n in (1, 2, 4):
            code = (
                f"CONNECT '{lite_server}'; SET import_parallelism = {n}; "
                f"CREATE TABLE par{n} ({SCHEMA}); "
                f"INSERT INTO par{n} FROM 'rows.parquet' WITH (batch_size = {BATCH});"
            )
            reply, outputs = execute(kc, code, timeout=120)
            assert reply["status"] == "ok", reply.get("evalue")
            assert (
                plain_texts(outputs)[-1] == f"inserted {ROWS} rows into par{n} from 'rows.parquet'"
            )
            assert stored_ids(lite_server, f"par{n}") == list(range(ROWS))


@pytest.mark.parametrize("parallelism", [1, 2, 4])
def test_a_failing_batch_reports_exactly_what_landed(table: Any, parallelism: int) -> None:
    session, name, uri = table
    run(session, f"SET import_parallelism = {parallelism}")
    failing = 5 * BATCH  # the 6th batch: rows 2501-3000

    def fail(first_id: int, rows: Any) -> None:
        if first_id == failing:
            time.sleep(0.3)  # the batches after it are in flight meanwhile
            raise MilvusException(message="injected failure")

    wrap_insert(session, fail)
    with pytest.raises(ExecutionError) as raised:
        run(session, f"INSERT INTO {name} FROM 'rows.parquet' WITH (batch_size = {BATCH})")
    message = raised.value.message
    print(message)
    assert "injected failure" in message
    found = re.search(
        r"(\d+) rows had been inserted into \w+ before row (\d+)( and rows ([\d, -]+))?;", message
    )
    assert found, message
    said, first = int(found[1]), int(found[2])
    assert first == failing + 1
    claimed = list(range(failing)) + (rows_of(found[4]) if found[4] else [])
    assert stored_ids(uri, name) == claimed
    assert said == len(claimed)
    if parallelism == 1:
        assert message.endswith(f"; the rows from row {first} on were not"), message
        assert said == failing


def test_the_first_failing_batch_in_the_file_is_named(table: Any) -> None:
    """Batches 3 and 5 fail; 5 fails first (3 waits): the error names row 1001 and counts
    every batch that landed."""
    session, name, uri = table
    run(session, "SET import_parallelism = 4")

    def fail(first_id: int, rows: Any) -> None:
        if first_id == 2 * BATCH:
            time.sleep(0.5)
            raise MilvusException(message="third batch refused")
        if first_id == 4 * BATCH:
            raise MilvusException(message="fifth batch refused")

    wrap_insert(session, fail)
    with pytest.raises(ExecutionError) as raised:
        run(session, f"INSERT INTO {name} FROM 'rows.parquet' WITH (batch_size = {BATCH})")
    message = raised.value.message
    assert "third batch refused" in message and "fifth" not in message, message
    found = re.search(
        r"(\d+) rows had been inserted into \w+ before row 1001( and rows ([\d, -]+))?;", message
    )
    assert found, message
    claimed = list(range(2 * BATCH)) + (rows_of(found[3]) if found[3] else [])
    assert stored_ids(uri, name) == claimed
    assert int(found[1]) == len(claimed)


def test_an_interrupt_while_a_batch_hangs(table: Any) -> None:
    """The 4th batch never answers (a frozen server, as far as the kernel can tell); SIGINT
    once it is sent: the statement returns within seconds, every answered batch counts and the
    4th is named as in doubt; the server holds exactly the rows said written."""
    session, name, uri = table
    run(session, "SET import_parallelism = 2")
    release = threading.Event()
    hung = threading.Event()

    def hang(first_id: int, rows: Any) -> None:
        if first_id == 3 * BATCH:
            hung.set()
            release.wait(60)
            raise MilvusException(message="released")

    wrap_insert(session, hang)
    timer = threading.Thread(
        target=lambda: hung.wait(60) and (time.sleep(0.3), os.kill(os.getpid(), signal.SIGINT))
    )
    timer.start()
    started = time.monotonic()
    try:
        with pytest.raises(Interrupted) as raised:
            run(session, f"INSERT INTO {name} FROM 'rows.parquet' WITH (batch_size = {BATCH})")
        took = time.monotonic() - started
    finally:
        release.set()
        timer.join()
    message = raised.value.message
    print(f"interrupt with a hung batch answered after {took:.2f} s: {message}")
    assert took < 20
    found = re.search(
        r"interrupted: (\d+) rows had been inserted into \w+ from 'rows.parquet' "
        r"\(rows ([\d, -]+)\)",
        message,
    )
    assert found, message
    assert "a batch of 500 rows (rows 1501-2000) was in flight and may or may not" in message
    claimed = rows_of(found[2])
    assert found[2].startswith("1-1500")
    assert stored_ids(uri, name) == claimed
    assert int(found[1]) == len(claimed)


@pytest.mark.parametrize("parallelism", [2, 4])
def test_keys_repeated_across_batches_are_reported_as_one_at_a_time(
    lite_server: str, tmp_path: Path, unique_name: str, parallelism: int
) -> None:
    """The file holds ids 0..1499 twice (batches of 500): the summary is the sequential one."""
    write_file(tmp_path / "twice.parquet", np.concatenate([np.arange(1500), np.arange(1500)]))
    messages = []
    for n in (1, parallelism):
        session = Session(workdir=tmp_path, environ={"MILVUS_URI": lite_server})
        try:
            table = f"{unique_name}_{n}"
            run(session, f"CREATE TABLE {table} ({SCHEMA}); SET import_parallelism = {n}")
            text = run(session, f"INSERT INTO {table} FROM 'twice.parquet' WITH (batch_size = 500)")
            messages.append(text.text.replace(table, "t"))
            assert stored_ids(lite_server, table) == list(range(1500))
        finally:
            session.close()
    assert messages[0] == messages[1]
    assert "1500 keys (0, 1, 10, …) already existed" in messages[0], messages[0]


def test_a_milvus_server_gets_two_calls_in_flight_by_default(
    tmp_path: Path, milvus_server: Any
) -> None:
    """On the 2.3.5 standalone the default (NULL) keeps 2 insert calls in flight (never more),
    and the file lands exactly."""
    write_file(tmp_path / "rows.parquet", np.arange(ROWS))
    session = Session(workdir=tmp_path, environ={"MILVUS_URI": milvus_server.uri})
    try:
        peak = count_in_flight(session)
        run(session, f"CREATE TABLE par_server ({SCHEMA})")
        run(session, "CREATE INDEX ON par_server (vector) USING FLAT WITH (metric_type = 'L2')")
        text = run(
            session, f"INSERT INTO par_server FROM 'rows.parquet' WITH (batch_size = {BATCH})"
        )
        assert text.text == f"inserted {ROWS} rows into par_server from 'rows.parquet'"
        assert peak["most"] == 2
        assert stored_ids(milvus_server.uri, "par_server") == list(range(ROWS))
    finally:
        session.close()
