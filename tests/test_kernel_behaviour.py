"""The kernel as a notebook sees it, through jupyter_client against real kernels on embedded
Milvus Lite: each statement's result is shown, failures name their statement and keep earlier
results, no Python tracebacks, interrupts and errors leave the kernel alive, and shutdown frees
the Lite database for another process."""

from __future__ import annotations

import json
import random
import subprocess
import sys
import time
from queue import Empty

import pytest
from kernel_harness import collect, execute, plain_texts, running_kernel

DOCS = (
    "CREATE TABLE docs (id INT64 PRIMARY KEY, label VARCHAR(20), vector FLOAT_VECTOR(2));\n"
    "INSERT INTO docs VALUES\n"
    "  (1, 'red', [0.1, 0.2]), (2, 'blue', [0.3, 0.4]), (3, 'red', [0.5, 0.6]);\n"
    "SELECT COUNT(*) FROM docs"
)


@pytest.fixture(scope="module")
def kernel(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("kernel")
    with running_kernel(workdir) as (_km, kc):
        kc.workdir = workdir
        yield kc


@pytest.fixture(scope="module")
def docs(kernel):
    reply, outputs = execute(kernel, DOCS)
    assert reply["status"] == "ok", reply
    return outputs


def results(outputs):
    return [m for m in outputs if m["msg_type"] == "execute_result"]


def errors(outputs):
    return [m for m in outputs if m["msg_type"] == "error"]


def test_first_cell_says_where_it_connected_and_shows_each_result(kernel, docs):
    texts = plain_texts(docs)
    assert "Milvus Lite" in texts[0] and str(kernel.workdir / "milvus_kernel.db") in texts[0]
    assert len(results(docs)) == 4  # the notice, then one result per statement
    assert "docs" in texts[1]
    assert "3" in texts[2]
    assert "3" in texts[3].splitlines()[-2]
    assert all(
        m["content"]["execution_count"] == docs[0]["content"]["execution_count"] for m in docs
    )
    assert (kernel.workdir / "milvus_kernel.db").is_dir()


def test_each_statement_result_is_shown(kernel, docs):
    reply, outputs = execute(kernel, "SHOW TABLES; SELECT COUNT(*) FROM docs; DESCRIBE docs")
    assert reply["status"] == "ok"
    shown = results(outputs)
    assert len(shown) == 3
    for message in shown:
        assert {"text/plain", "text/html"} <= set(message["content"]["data"])
    assert "application/vnd.dataresource+json" in shown[0]["content"]["data"]
    assert "label" in shown[2]["content"]["data"]["text/plain"]


def test_failure_in_statement_two_keeps_statement_one(kernel, docs):
    reply, outputs = execute(
        kernel, "SELECT COUNT(*) FROM docs;\nSELECT * FROM no_such_table;\nSHOW TABLES"
    )
    assert reply["status"] == "error"
    assert "statement 2" in reply["evalue"]
    assert "no_such_table" in reply["evalue"]
    assert [m["msg_type"] for m in outputs] == ["execute_result", "error"]
    assert "Traceback" not in "\n".join(reply["traceback"])
    error = errors(outputs)[0]["content"]
    assert (error["ename"], error["evalue"]) == (reply["ename"], reply["evalue"])


def test_syntax_error_is_short_and_runs_nothing(kernel, docs):
    reply, outputs = execute(kernel, "INSERT INTO docs VALUES (9, 'x', [0.0, 0.0]);\nSELEKT 1")
    assert reply["status"] == "error"
    assert reply["ename"] == "SyntaxError"
    report = "\n".join(reply["traceback"])
    assert "statement 2" in report and "line 2" in report and "^" in report
    assert "Traceback" not in report and 'File "' not in report
    assert [m["msg_type"] for m in outputs] == ["error"]
    _, outputs = execute(kernel, "SELECT COUNT(*) FROM docs")
    assert "3" in plain_texts(outputs)[-1]  # the INSERT of the malformed cell did not run


def test_kernel_alive_after_errors(kernel, docs):
    for bad in ("SELEKT", "DROP TABLE no_such_table", "SELECT * FROM docs WHERE", "`"):
        reply, _ = execute(kernel, bad)
        assert reply["status"] == "error"
    reply, outputs = execute(kernel, "SHOW TABLES")
    assert reply["status"] == "ok" and "docs" in plain_texts(outputs)[-1]


def test_silent_cell_shows_nothing(kernel, docs):
    reply, outputs = execute(kernel, "SHOW TABLES", silent=True)
    assert reply["status"] == "ok" and outputs == []
    reply, outputs = execute(kernel, "DROP TABLE no_such_table", silent=True)
    assert reply["status"] == "error" and outputs == []


def test_store_history(kernel, docs):
    execute(kernel, "SHOW TABLES -- kept")
    execute(kernel, "SHOW TABLES -- not kept", store_history=False)
    msg_id = kernel.history(hist_access_type="tail", n=50, output=False, raw=True)
    reply, _ = collect(kernel, msg_id)
    sources = [row[2] for row in reply["history"]]
    assert "SHOW TABLES -- kept" in sources
    assert "SHOW TABLES -- not kept" not in sources


def request(kernel, method, *args, **kwargs):
    msg_id = getattr(kernel, method)(*args, **kwargs)
    reply, _ = collect(kernel, msg_id)
    return reply


def test_complete_collection_and_field_names(kernel, docs):
    reply = request(kernel, "complete", "SELECT * FROM do")
    assert reply["matches"] == ["docs"]
    assert (reply["cursor_start"], reply["cursor_end"]) == (14, 16)
    reply = request(kernel, "complete", "SELECT * FROM docs WHERE la")
    assert "label" in reply["matches"]
    reply = request(kernel, "complete", "sel")
    assert reply["matches"] == ["SELECT"]


def test_inspect_collection_and_keyword(kernel, docs):
    reply = request(kernel, "inspect", "DESCRIBE docs", 13)
    assert reply["found"]
    assert "label" in reply["data"]["text/plain"] and "VARCHAR(20)" in reply["data"]["text/plain"]
    reply = request(kernel, "inspect", "SEARCH", 3)
    assert reply["found"] and reply["data"]["text/plain"].startswith("SEARCH")
    reply = request(kernel, "inspect", "SELECT * FROM unknown_thing", 20)
    assert not reply["found"]


def test_is_complete(kernel):
    assert request(kernel, "is_complete", "SHOW TABLES;")["status"] == "complete"
    reply = request(kernel, "is_complete", "SELECT * FROM docs WHERE")
    assert reply == {"status": "incomplete", "indent": ""}
    assert request(kernel, "is_complete", "SELEKT 1")["status"] == "invalid"


def random_vectors(count, dim, seed):
    rng = random.Random(seed)
    return [[round(rng.random(), 3) for _ in range(dim)] for _ in range(count)]


def test_interrupt_during_a_long_statement(tmp_path):
    rows = ", ".join(f"({i}, {v})" for i, v in enumerate(random_vectors(40000, 8, 1)))
    queries = json.dumps(random_vectors(2000, 8, 2))
    with running_kernel(tmp_path) as (km, kc):
        setup = (
            "CREATE TABLE big (id INT64 PRIMARY KEY, vector FLOAT_VECTOR(8));\n"
            f"INSERT INTO big VALUES {rows};\n"
            "CREATE INDEX ON big (vector) USING FLAT WITH (metric_type = 'L2'); LOAD big"
        )
        reply, _ = execute(kc, setup, timeout=300)
        assert reply["status"] == "ok", reply

        msg_id = kc.execute(f"SELECT COUNT(*) FROM big;\nSEARCH big FOR {queries} LIMIT 50")
        deadline = time.monotonic() + 120
        while True:  # statement 1 has shown its result: statement 2, the search, is running
            msg = kc.get_iopub_msg(timeout=max(deadline - time.monotonic(), 0.1))
            if msg["parent_header"].get("msg_id") == msg_id and msg["msg_type"] == "execute_result":
                break
        time.sleep(0.5)
        km.interrupt_kernel()
        reply, outputs = collect(kc, msg_id, timeout=120)
        assert reply["status"] == "error"
        assert reply["ename"] == "Interrupted"
        assert "statement 2" in reply["evalue"]
        assert "Traceback" not in "\n".join(reply["traceback"])
        assert [m["msg_type"] for m in outputs] == ["error"]

        reply, outputs = execute(kc, "SELECT COUNT(*) FROM big")
        assert reply["status"] == "ok"
        assert "40000" in plain_texts(outputs)[-1].replace(",", "")
        assert km.is_alive()


def open_lite_elsewhere(db):
    """Open the Lite database from another process; returns (ok, output)."""
    code = (
        "import sys\nfrom pymilvus import MilvusClient\n"
        "client = MilvusClient(sys.argv[1])\nprint(client.list_collections())\nclient.close()"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(db)], capture_output=True, text=True, timeout=120
    )
    return done.returncode == 0, done.stdout + done.stderr


def test_shutdown_releases_the_lite_database(tmp_path):
    with running_kernel(tmp_path) as (km, kc):
        reply, _ = execute(kc, "CREATE TABLE kept (id INT64 PRIMARY KEY, vector FLOAT_VECTOR(2))")
        assert reply["status"] == "ok"
        ok, output = open_lite_elsewhere(tmp_path / "milvus_kernel.db")
        assert not ok, "the running kernel holds the database"
        km.shutdown_kernel(now=False)
        assert not km.is_alive()
    ok, output = open_lite_elsewhere(tmp_path / "milvus_kernel.db")
    assert ok, output
    assert "kept" in output


def test_restart_reopens_the_same_database(tmp_path):
    with running_kernel(tmp_path) as (km, kc):
        assert (
            execute(kc, "CREATE TABLE again (id INT64 PRIMARY KEY, v FLOAT_VECTOR(2))")[0]["status"]
            == "ok"
        )
        km.restart_kernel(now=False)
        kc.wait_for_ready(timeout=90)
        try:
            while True:
                kc.get_iopub_msg(timeout=0.5)
        except Empty:
            pass
        reply, outputs = execute(kc, "SHOW TABLES")
        assert reply["status"] == "ok", reply
        assert "again" in plain_texts(outputs)[-1]
