"""MilvusKernel's protocol logic in-process, with a scripted stand-in for the Milvus session:
what is published for each result, error and interrupt reports, internal errors, history,
completion, inspection, is_complete and shutdown. (The real pipeline runs in the other
test_kernel_* files, through real kernels.)"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from typing import Any

import pytest

from milvus_kernel.errors import ExecutionError
from milvus_kernel.frontends.kernel import MilvusKernel
from milvus_kernel.results import Column, Message, Table


@dataclass
class Settings:
    display_limit: int = 10


@dataclass
class FakeSession:
    """Runs any statement; those naming `nope` fail as Milvus would, `crash` hits a bug in the
    engine, and `slow` is a long statement the user interrupts."""

    settings: Settings = field(default_factory=Settings)
    notices: list[str] = field(default_factory=list)
    executed: list[str] = field(default_factory=list)
    closed: bool = False
    tables: dict[str, list[str]] = field(
        default_factory=lambda: {"docs": ["id", "label", "vector"]}
    )

    def execute(self, statement: Any) -> Any:
        text = statement.text.strip().rstrip(";")
        self.executed.append(text)
        name = text.split()[-1]
        if name == "nope":
            raise ExecutionError("collection not found: nope")
        if name == "crash":
            raise ZeroDivisionError("division by zero")
        if name == "slow":
            raise KeyboardInterrupt
        return Message(f"ran {text}")

    def take_notices(self) -> list[str]:
        notices, self.notices = self.notices, []
        return notices

    def collection_names(self) -> list[str]:
        return list(self.tables)

    def field_names(self, table: str) -> list[str]:
        return list(self.tables[table])

    def describe_for_inspect(self, name: str) -> Table | None:
        if name not in self.tables:
            return None
        return Table((Column("field", "str"),), [(f,) for f in self.tables[name]], title=name)

    def close(self) -> None:
        self.closed = True


@pytest.fixture
def kernel():
    k = MilvusKernel()
    k.log = logging.getLogger("milvus_kernel.test")
    k.sent = []
    k.send_response = lambda stream, kind, content, **kw: k.sent.append((kind, content))
    k._milvus = FakeSession()
    yield k


def run(coro):
    return asyncio.run(coro)


def execute(kernel, code, **kw):
    kernel.execution_count += 1
    kernel.sent.clear()
    return run(kernel.do_execute(code, kw.pop("silent", False), **kw))


def test_each_result_is_an_execute_result(kernel):
    kernel._milvus.notices.append("connected to Milvus Lite ./milvus_kernel.db")
    reply = execute(kernel, "SHOW TABLES; SHOW SETTINGS")
    assert reply["status"] == "ok"
    assert reply["execution_count"] == kernel.execution_count
    kinds = [kind for kind, _ in kernel.sent]
    assert kinds == ["execute_result"] * 3
    texts = [content["data"]["text/plain"] for _, content in kernel.sent]
    assert "connected to Milvus Lite" in texts[0]
    assert "SHOW TABLES" in texts[1] and "SHOW SETTINGS" in texts[2]
    assert all(c["execution_count"] == kernel.execution_count for _, c in kernel.sent)


def test_failure_keeps_earlier_results(kernel):
    reply = execute(kernel, "SHOW TABLES; DROP TABLE nope; SHOW SETTINGS")
    assert reply["status"] == "error"
    assert [kind for kind, _ in kernel.sent] == ["execute_result", "error"]
    assert "statement 2" in reply["evalue"]
    assert "collection not found" in reply["evalue"]
    assert not any("Traceback" in line for line in reply["traceback"])
    assert kernel._milvus.executed == ["SHOW TABLES", "DROP TABLE nope"]
    assert kernel.sent[1][1]["ename"] == reply["ename"]


def test_syntax_error_runs_nothing(kernel):
    reply = execute(kernel, "SHOW TABLES; SELEKT 1")
    assert reply["status"] == "error"
    assert reply["ename"] == "SyntaxError"
    assert kernel._milvus.executed == []
    assert [kind for kind, _ in kernel.sent] == ["error"]
    assert "Traceback" not in "\n".join(reply["traceback"])


def test_internal_error_is_one_line_and_logged(kernel, caplog):
    reply = execute(kernel, "SHOW TABLES; DESCRIBE crash")
    assert reply["status"] == "error"
    assert reply["ename"] == "InternalError"
    assert "ZeroDivisionError" in reply["evalue"] and "statement 2" in reply["evalue"]
    assert "Traceback" not in "\n".join(reply["traceback"])
    assert [kind for kind, _ in kernel.sent] == ["execute_result", "error"]
    assert "ZeroDivisionError" in caplog.text  # the traceback goes to the kernel log
    assert execute(kernel, "SHOW TABLES")["status"] == "ok"


def test_interrupt_says_what_was_done(kernel):
    reply = execute(kernel, "SHOW TABLES; SHOW SETTINGS; DESCRIBE slow; SHOW TABLES")
    assert reply["status"] == "error"
    assert reply["ename"] == "Interrupted"
    assert "interrupted during statement 3" in reply["evalue"]
    assert "statements 1-2 were completed" in reply["evalue"]
    assert [kind for kind, _ in kernel.sent] == ["execute_result"] * 2 + ["error"]
    reply = execute(kernel, "DESCRIBE slow")
    assert "no statement was completed" in reply["evalue"]
    assert execute(kernel, "SHOW TABLES")["status"] == "ok"


def test_silent_publishes_nothing(kernel):
    assert execute(kernel, "SHOW TABLES", silent=True, store_history=False)["status"] == "ok"
    reply = execute(kernel, "DROP TABLE nope", silent=True, store_history=False)
    assert reply["status"] == "error"
    assert kernel.sent == []


def test_empty_cell(kernel):
    assert execute(kernel, "  \n")["status"] == "ok"
    assert kernel.sent == []


def test_history_honours_store_history(kernel):
    execute(kernel, "SHOW TABLES")
    execute(kernel, "SHOW SETTINGS", store_history=False)
    execute(kernel, "SHOW TABLES")
    tail = run(kernel.do_history("tail", output=False, raw=True, n=10))["history"]
    assert [row[2] for row in tail] == ["SHOW TABLES", "SHOW TABLES"]
    found = run(kernel.do_history("search", output=True, raw=True, pattern="SHOW*", unique=True))
    assert len(found["history"]) == 1
    source, output = found["history"][0][2]
    assert source == "SHOW TABLES" and "SHOW TABLES" in output
    line = tail[0][1]
    ranged = run(kernel.do_history("range", False, True, session=0, start=line, stop=line + 1))
    assert [row[1] for row in ranged["history"]] == [line]


def test_complete_keywords_and_names(kernel):
    reply = run(kernel.do_complete("sel", 3))
    assert reply["matches"] == ["SELECT"]
    assert (reply["cursor_start"], reply["cursor_end"]) == (0, 3)
    reply = run(kernel.do_complete("SELECT * FROM do", 16))
    assert "docs" in reply["matches"]
    assert reply["cursor_start"] == 14
    reply = run(kernel.do_complete("SELECT * FROM docs WHERE la", 27))
    assert "label" in reply["matches"]
    kinds = {t["text"]: t["type"] for t in reply["metadata"]["_jupyter_types_experimental"]}
    assert kinds["label"] == "field"


def test_complete_quotes_odd_names(kernel):
    kernel._milvus.tables["my-coll"] = ["id"]
    reply = run(kernel.do_complete("SELECT * FROM my", 16))
    assert "`my-coll`" in reply["matches"]


def test_inspect(kernel):
    reply = run(kernel.do_inspect("SELECT * FROM docs", 16))
    assert reply["found"] and "label" in reply["data"]["text/plain"]
    reply = run(kernel.do_inspect("search", 3))
    assert reply["found"] and reply["data"]["text/plain"].startswith("SEARCH")
    assert "\n" not in reply["data"]["text/plain"]
    assert not run(kernel.do_inspect("SELECT * FROM nothing_here", 20))["found"]
    assert not run(kernel.do_inspect("", 0))["found"]


def test_is_complete(kernel):
    assert run(kernel.do_is_complete("SHOW TABLES;")) == {"status": "complete"}
    assert run(kernel.do_is_complete("SELECT * FROM")) == {"status": "incomplete", "indent": ""}
    assert run(kernel.do_is_complete("SELEKT 1")) == {"status": "invalid"}


def test_shutdown_closes_the_session(kernel):
    session = kernel._milvus
    assert run(kernel.do_shutdown(False)) == {"status": "ok", "restart": False}
    assert session.closed


def test_kernel_info_names():
    info = MilvusKernel.language_info
    assert info["name"] == "sql"
    assert info["file_extension"] == ".sql"
    assert info["mimetype"] == "text/x-sql"
    assert info["codemirror_mode"] == {"name": "milvus-sql", "mime": "text/x-sql"}
    assert info["pygments_lexer"] == "milvus-sql"
