"""IMPORT INTO / SHOW IMPORT JOBS / SHOW IMPORT JOB: the kernel sends the same RESTful v2
requests (URL, JSON body, token header) as pymilvus.bulk_writer's own functions called with the
arguments EXPLAIN prints, to a local HTTP endpoint that records them (WITH (url = ...), as for
Zilliz Cloud); a 2.3.5 server (no v2 import endpoint) and Milvus Lite say so in one line."""

from __future__ import annotations

import importlib.util
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

import pymilvus
import pytest
from admin_helpers import fails, run, server_session, text
from explained_code import calls

from milvus_kernel.engine.session import Session

ANSWERS = {
    "/v2/vectordb/jobs/import/create": {"jobId": "4571"},
    "/v2/vectordb/jobs/import/describe": {
        "jobId": "4571",
        "collectionName": "bi_docs",
        "state": "Importing",
        "progress": 50,
        "importedRows": 10,
        "totalRows": 20,
        "details": [{"fileName": "bulk/part-0.parquet", "state": "Completed"}],
    },
    "/v2/vectordb/jobs/import/list": {
        "records": [
            {"jobId": "4571", "collectionName": "bi_docs", "state": "Completed", "progress": 100}
        ]
    },
}


class Recording(BaseHTTPRequestHandler):
    """Answers like Milvus's import endpoints; keeps (path, authorization, db, body) of each."""

    seen: ClassVar[list[tuple[str, str, str, Any]]] = []

    def do_POST(self) -> None:  # http.server's name
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        auth, db = self.headers.get("Authorization", ""), self.headers.get("DB-Name", "")
        self.seen.append((self.path, auth, db, body))
        answer = json.dumps({"code": 0, "data": ANSWERS[self.path]}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def endpoint() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Recording)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def bulk_writer() -> Any:
    """pymilvus.bulk_writer's bulk_import.py itself (its package needs the bulk_writer extra)."""
    path = Path(pymilvus.__file__).parent / "bulk_writer" / "bulk_import.py"
    spec = importlib.util.spec_from_file_location("pymilvus_bulk_import", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def server(milvus_server_auth: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Session]:
    with server_session(milvus_server_auth, tmp_path_factory.mktemp("bulk")) as session:
        run(session, "DROP TABLE IF EXISTS bi_docs; CREATE TABLE bi_docs WITH (dimension = 2)")
        yield session


def test_the_requests_are_pymilvus_bulk_writers(
    server: Session, endpoint: str, milvus_server_auth: Any
):
    token = milvus_server_auth.token
    cell = (
        "IMPORT INTO bi_docs PARTITION _default FROM 'bulk/part-0.parquet', 'bulk/part-1.parquet' "
        f"WITH (url = '{endpoint}', timeout = '300s', skip_disk_quota_check = true)"
    )
    script = text(server, f"EXPLAIN {cell}")
    assert token not in script and "api_key='***'" in script
    [(target, method, _args, kwargs)] = calls(script)
    assert (target, method) == ("bulk_writer", "bulk_import")
    assert kwargs["files"] == [["bulk/part-0.parquet"], ["bulk/part-1.parquet"]]
    assert kwargs["options"] == {"timeout": "300s", "skip_disk_quota_check": "true"}
    Recording.seen.clear()
    assert text(server, cell).startswith("import job 4571 started: 2 files into bi_docs")
    bulk_writer().bulk_import(**{**kwargs, "api_key": token})
    kernel, pymilvus_sent = Recording.seen
    assert kernel == pymilvus_sent
    assert kernel[1] == f"Bearer {token}"


def test_jobs_and_progress(server: Session, endpoint: str, milvus_server_auth: Any):
    """SHOW IMPORT JOB(S) read the endpoint of the connection: here a second session whose
    MILVUS_URI is the recording endpoint cannot check the collection, so the calls are compared
    by EXPLAIN's code run through pymilvus.bulk_writer against what the kernel's RestJobs sends."""
    from milvus_kernel.engine.admin.bulk_import import RestJobs

    target = server.catalog().connection.target
    jobs = RestJobs(target)
    module = bulk_writer()
    for cell, method in (
        ("SHOW IMPORT JOBS ON bi_docs", "list_import_jobs"),
        ("SHOW IMPORT JOB '4571'", "get_import_progress"),
    ):
        [(_t, name, _a, kwargs)] = calls(text(server, f"EXPLAIN {cell}"))
        assert name == method and kwargs["url"] == target.uri
        Recording.seen.clear()
        sent = {**kwargs, "url": endpoint}
        got = getattr(jobs, method)(**sent)
        getattr(module, method)(**{**sent, "api_key": milvus_server_auth.token})
        kernel, pymilvus_sent = Recording.seen
        assert kernel == pymilvus_sent
        assert got == ANSWERS[kernel[0]]


def test_a_2_3_server_and_lite_say_they_have_no_bulk_import(server: Session, session: Session):
    version = str(server.catalog().client.get_server_version())
    for cell in (
        "IMPORT INTO bi_docs FROM 'bulk/part-0.parquet'",
        "SHOW IMPORT JOBS",
        "SHOW IMPORT JOB '1'",
    ):
        report = fails(server, cell)
        assert report.count("\n") == 0 and f"not supported by Milvus {version}" in report, report
    run(session, "DROP TABLE IF EXISTS bi_docs; CREATE TABLE bi_docs WITH (dimension = 2)")
    for cell in ("IMPORT INTO bi_docs FROM 'a.parquet'", "SHOW IMPORT JOBS", "SHOW IMPORT JOB '1'"):
        report = fails(session, cell)
        assert report.count("\n") == 0 and "not supported by Milvus Lite" in report, report
        assert calls(text(session, f"EXPLAIN {cell}"))[0][0] == "bulk_writer"
    assert "does not exist" in fails(session, "IMPORT INTO nowhere FROM 'a.parquet'")
