"""Progress: the reporter's rate limit and final state, its rendering, and through real kernels
one display per import (display_data, then update_display_data with the same display_id) and an
interrupted import that says exactly how many rows it wrote."""

from __future__ import annotations

import re
import time

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from kernel_harness import collect, execute, plain_texts, running_kernel

from milvus_kernel.display import render_progress
from milvus_kernel.engine.progress import Progress, Reporter, reporting_to, timed


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_reporter_limits_its_rate_and_always_shows_first_and_last():
    clock, seen = Clock(), []
    reporter = Reporter("import t", total=100, sink=seen.append, clock=clock).start()
    for done in range(1, 101):
        clock.now += 0.01  # 100 updates in one second
        reporter.update(done)
    reporter.finish()
    assert seen[0].done == 0 and not seen[0].finished
    assert 4 <= len(seen) <= 7, [p.done for p in seen]
    last = seen[-1]
    assert last == Progress(seen[0].key, "import t", 100, 100, "rows", last.elapsed, finished=True)
    assert last.elapsed == pytest.approx(1.0) and last.rate == pytest.approx(100.0)
    assert len({p.key for p in seen}) == 1


def test_reporter_finds_the_sink_of_the_statement_and_survives_a_broken_one():
    seen = []
    with reporting_to(seen.append):
        Reporter("a").start().finish()
    Reporter("b").start().finish()  # outside: nowhere
    assert [p.label for p in seen] == ["a", "a"] and seen[-1].total == 0

    def broken(progress):
        raise RuntimeError("display gone")

    reporter = Reporter("c", sink=broken).start()
    reporter.advance(5)
    reporter.finish()  # no exception: a display never breaks a statement
    assert reporter.done == 5


def test_timed_redraws_while_a_call_runs():
    seen = []
    with reporting_to(seen.append), timed("create index on t(v)"):
        time.sleep(0.8)
    assert seen[0].done == 0 and seen[-1].finished and len(seen) >= 3
    assert seen[-1].elapsed >= 0.8
    plain = render_progress(0, None, "", seen[-1].label, seen[-1].elapsed)["text/plain"]
    assert re.fullmatch(r"create index on t\(v\): 0\.[89] s", plain), plain


def test_render_progress_with_rate_and_time():
    bundle = render_progress(5000, 10000, "rows", "insert", 0.5)
    assert bundle["text/plain"] == (
        "insert: [" + "#" * 15 + " " * 15 + "] 5,000 / 10,000 rows (50%) · 10,000 rows/s · 0.5 s"
    )
    assert "10,000 rows/s" in bundle["text/html"]
    assert render_progress(7, None, "rows", "x", 125.0)["text/plain"] == (
        "x: 7 rows · 0 rows/s · 2 min 05 s"
    )


# --- through a real kernel ---------------------------------------------------------------------


def write_vectors(path, rows: int, dim: int) -> None:
    rng = np.random.default_rng(5)
    vectors = rng.random((rows, dim), dtype=np.float32)
    table = pa.table(
        {
            "id": np.arange(rows, dtype=np.int64),
            "vector": pa.FixedSizeListArray.from_arrays(pa.array(vectors.ravel()), dim),
        }
    )
    pq.write_table(table, path, row_group_size=10_000)


@pytest.fixture(scope="module")
def kernel(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("progress")
    write_vectors(workdir / "many.parquet", 60_000, 64)
    write_vectors(workdir / "more.parquet", 400_000, 32)
    with running_kernel(workdir) as (km, kc):
        yield km, kc


def test_an_import_shows_one_progress_display_updated_in_place(kernel):
    _, kc = kernel
    reply, outputs = execute(
        kc,
        "CREATE TABLE many (id INT64 PRIMARY KEY, vector VECTOR(64));\n"
        "INSERT INTO many FROM 'many.parquet' WITH (batch_size = 2000)",
        timeout=300,
    )
    assert reply["status"] == "ok", reply
    kinds = [m["msg_type"] for m in outputs]
    assert kinds.count("display_data") == 1, kinds
    first = kinds.index("display_data")
    updates = [m for m in outputs if m["msg_type"] == "update_display_data"]
    assert len(updates) >= 2, kinds
    assert all(kinds.index("update_display_data") > first for _ in updates)
    display_id = outputs[first]["content"]["transient"]["display_id"]
    assert {m["content"]["transient"]["display_id"] for m in updates} == {display_id}
    assert outputs[first]["content"]["data"]["text/plain"].startswith(
        "insert into many from 'many.parquet': [" + " " * 30 + "] 0 / 60,000 rows (0%)"
    )
    final = updates[-1]["content"]["data"]["text/plain"]
    assert "] 60,000 / 60,000 rows (100%) · " in final and "rows/s" in final, final
    assert "<progress" in updates[-1]["content"]["data"]["text/html"]
    assert plain_texts(outputs)[-1] == "inserted 60000 rows into many from 'many.parquet'"
    assert kinds[-1] == "execute_result"


def test_an_export_and_an_index_build_show_progress_too(kernel):
    _, kc = kernel
    reply, outputs = execute(
        kc,
        "CREATE INDEX ON many (vector) USING FLAT WITH (metric_type = 'L2');\n"
        "EXPORT (SELECT id FROM many) TO 'ids.csv'",
        timeout=300,
    )
    assert reply["status"] == "ok", reply
    displays = [m for m in outputs if m["msg_type"] == "display_data"]
    labels = [m["content"]["data"]["text/plain"].split(":")[0] for m in displays]
    assert labels == ["create index on many(vector)", "export to 'ids.csv'"]
    export_id = displays[1]["content"]["transient"]["display_id"]
    last = [
        m
        for m in outputs
        if m["msg_type"] == "update_display_data"
        and m["content"]["transient"]["display_id"] == export_id
    ][-1]
    assert "60,000 / 60,000 rows (100%)" in last["content"]["data"]["text/plain"]
    assert plain_texts(outputs)[-1] == "exported 60000 rows to 'ids.csv'"


def test_an_interrupted_import_says_exactly_how_many_rows_it_wrote(kernel):
    km, kc = kernel
    reply, _ = execute(kc, "CREATE TABLE more (id INT64 PRIMARY KEY, vector VECTOR(32))")
    assert reply["status"] == "ok"
    msg_id = kc.execute("INSERT INTO more FROM 'more.parquet' WITH (batch_size = 1000)")
    deadline = time.monotonic() + 120
    updates = 0
    while updates < 3:  # the import is under way
        msg = kc.get_iopub_msg(timeout=max(deadline - time.monotonic(), 0.1))
        if msg["parent_header"].get("msg_id") == msg_id:
            updates += msg["msg_type"] == "update_display_data"
    km.interrupt_kernel()
    reply, _ = collect(kc, msg_id, timeout=120)
    assert reply["status"] == "error" and reply["ename"] == "Interrupted", reply
    found = re.search(r"interrupted: (\d+) rows had been inserted into more", reply["evalue"])
    assert found, reply["evalue"]
    written = int(found[1])
    assert 0 < written < 400_000 and written % 1000 == 0
    reply, outputs = execute(kc, "SELECT COUNT(*) FROM more")
    assert reply["status"] == "ok"
    assert re.search(rf"\b{written}\b", plain_texts(outputs)[-1]), plain_texts(outputs)
    assert km.is_alive()
