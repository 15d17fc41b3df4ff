"""Protocol conformance with jupyter_kernel_test: every message the kernel sends is checked
against the Jupyter messaging spec, for kernel info, execution, errors, completion,
inspection, is_complete and history."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import jupyter_kernel_test as jkt
from kernel_harness import execute, start_kernel, stop_kernel

from milvus_kernel.display import render
from milvus_kernel.engine.session import Session
from milvus_kernel.frontends.runner import run_cell

SETUP = (
    "CREATE TABLE kt_docs (id INT64 PRIMARY KEY, label VARCHAR(20), vector FLOAT_VECTOR(2));\n"
    "INSERT INTO kt_docs VALUES (1, 'red', [0.1, 0.2]), (2, 'blue', [0.3, 0.4])"
)
SAMPLE = "SHOW TABLES"


def expected_plain(code: str) -> str:
    """What the one pipeline renders for `code` after SETUP, run in-process on its own Lite file."""
    workdir = Path(tempfile.mkdtemp(prefix="milvus-kernel-expected-"))
    session = Session(workdir=workdir)
    try:
        list(run_cell(session, SETUP))
        last = list(run_cell(session, code))[-1]
        return render(last, session.settings.display_limit)["text/plain"]
    finally:
        session.close()
        shutil.rmtree(workdir, ignore_errors=True)


class MilvusKernelTests(jkt.KernelTests):
    kernel_name = "milvus"
    language_name = "sql"
    file_extension = ".sql"

    # no statement writes to stdout or stderr, and there is no pager
    code_hello_world = ""
    code_stderr = ""
    code_page_something = ""

    completion_samples = [  # noqa: RUF012
        {"text": "SEL", "matches": {"SELECT"}},
        {"text": "sel", "matches": {"SELECT"}},
        {"text": "SELECT * FROM kt_", "matches": {"kt_docs"}},
        {"text": "SELECT * FROM kt_docs WHERE lab", "matches": {"label"}},
    ]
    complete_code_samples = [  # noqa: RUF012
        "SHOW TABLES;",
        "SHOW TABLES",
        "SELECT * FROM kt_docs WHERE label = 'red' LIMIT 2;",
        "SHOW TABLES; DESCRIBE kt_docs",
        "",
    ]
    incomplete_code_samples = [  # noqa: RUF012
        "SELECT * FROM",
        "SELECT * FROM kt_docs WHERE",
        "CREATE TABLE t (id INT64 PRIMARY KEY,",
        "SHOW TABLES; SEARCH kt_docs FOR",
    ]
    invalid_code_samples = ["SELEKT 1", "SELECT * FROM kt_docs LIMIT 'x'"]  # noqa: RUF012
    code_generate_error = "SELEKT 1"
    code_inspect_sample = "kt_docs"
    code_history_pattern = "SHOW*"
    supported_history_operations = ("tail", "range", "search")

    @classmethod
    def setUpClass(cls) -> None:
        cls.workdir = tempfile.mkdtemp(prefix="milvus-kernel-protocol-")
        cls.km, cls.kc = start_kernel(cls.workdir)
        # The first statement's notice (where the kernel connected) comes out here, so each
        # sample below shows exactly its own results.
        reply, _ = execute(cls.kc, SETUP)
        assert reply["status"] == "ok", reply
        cls.code_execute_result = [{"code": SAMPLE, "result": expected_plain(SAMPLE)}]

    @classmethod
    def tearDownClass(cls) -> None:
        stop_kernel(cls.km, cls.kc)
        shutil.rmtree(cls.workdir, ignore_errors=True)

    def test_kernel_info_names(self) -> None:
        self.flush_channels()
        msg_id = self.kc.kernel_info()
        reply = self.kc.get_shell_msg(timeout=jkt.TIMEOUT)
        self.assertEqual(reply["parent_header"]["msg_id"], msg_id)
        content = reply["content"]
        info = content["language_info"]
        self.assertEqual(info["mimetype"], "text/x-sql")
        # the labextension's mode by name; without it, JupyterLab falls back to SQL by mime
        self.assertEqual(info["codemirror_mode"], {"name": "milvus-sql", "mime": "text/x-sql"})
        self.assertEqual(info["pygments_lexer"], "milvus-sql")
        self.assertEqual(content["implementation"], "milvus_kernel")
        self.assertIn("Milvus SQL", content["banner"])
        self.assertEqual(content["supported_features"], [])

    def test_execute_result_mime_types(self) -> None:
        self.flush_channels()
        reply, outputs = self.execute_helper("SELECT * FROM kt_docs")
        self.assertEqual(reply["content"]["status"], "ok")
        self.assertEqual([m["msg_type"] for m in outputs], ["execute_result"])
        data = outputs[0]["content"]["data"]
        for mime in ("text/plain", "text/html", "application/vnd.dataresource+json"):
            self.assertIn(mime, data)
