"""Input too big or too deep for Python, through a real Milvus SQL kernel and the parser.

Brackets nested 10,000 deep, a 5,000-digit number, `1e999` and `WHERE [1, {}]` are syntax or
value errors with the statement, line and column: never "internal error", never a Lark
`VisitError` or a `RecursionError`, in `execute` and in `is_complete` alike. Unfinished vectors
are `incomplete`. A 66 MB cell of a million statements with a typo at its end is reported in
seconds, numbered right, and a huge cell can be interrupted while it is being read.
"""

from __future__ import annotations

import time
from typing import Any

import pytest
from kernel_harness import collect, execute, running_kernel

from milvus_kernel.errors import MilvusSyntaxError
from milvus_kernel.language.completion import is_complete
from milvus_kernel.language.parser import parse_cell
from milvus_kernel.language.prechecks import MAX_DEPTH

DEEP = "[" * 10_000
#: cell → (line:column, a fragment of the message)
HOSTILE = {
    "INSERT INTO t VALUES (" + DEEP: ("1:122", "brackets nest more than 100 deep"),
    "SELECT * FROM t WHERE x in " + DEEP: ("1:128", "brackets nest more than 100 deep"),
    "SEARCH t FOR " + DEEP: ("1:114", "brackets nest more than 100 deep"),
    "INSERT INTO t VALUES (" + DEEP[:5000] + "1" + "]" * 5000 + ")": ("1:122", "nest more"),
    "SELECT * FROM t WHERE x = " + "9" * 5000: ("1:27", "has 5000 digits"),
    "INSERT INTO t VALUES (1, " + "9" * 5000 + ")": ("1:26", "has 5000 digits"),
    "SELECT * FROM t LIMIT 3 OFFSET " + "9" * 5000: ("1:32", "has 5000 digits"),
    "CREATE TABLE t (id INT64 PRIMARY KEY, s VARCHAR(" + "9" * 5000 + "))": ("1:41", "too many"),
    "SELECT * FROM t WHERE 1e999": ("1:23", "the number 1e999 is out of range"),
    "SHOW TABLES;\nSELECT * FROM t WHERE [1, {}]": ("2:1", "WHERE needs a condition"),
    "SELECT * FROM t WHERE " + "NOT " * 5000 + "a = 1": ("1:1", "nests too deeply"),
    "SELECT * FROM t WHERE " + " AND ".join(["a = 1"] * 5000): ("1:1", "nests too deeply"),
}
NOT_OURS = ("internal error", "VisitError", "RecursionError", "ValueError", "Traceback")
UNFINISHED = (
    "SEARCH t FOR [0.1, 0.2,",
    "SEARCH t FOR [0.1, 0.2",
    "SEARCH t FOR [[0.1, 0.2], [0.3,",
    "SELECT * FROM t ORDER BY v <-> [0.1,",
    "SHOW TABLES;\nSELECT id FROM t ORDER BY v <=> [0.5, -1e-3,\n  0.25,",
    "INSERT INTO t VALUES (1, [0.1,",
)
FINISHED_BUT_WRONG = (
    "SEARCH t FOR [0.1, ; SHOW TABLES",
    "SEARCH t FOR [abc,",
    "SEARCH t FOR [1] LIMIT [",
)


@pytest.fixture(scope="module")
def kernel(tmp_path_factory: pytest.TempPathFactory) -> Any:
    with running_kernel(tmp_path_factory.mktemp("limits")) as (km, kc):
        kc.manager = km
        yield kc


def request(kc: Any, method: str, *args: Any) -> dict[str, Any]:
    reply, _ = collect(kc, getattr(kc, method)(*args))
    return reply


@pytest.mark.parametrize("cell", list(HOSTILE), ids=lambda c: f"{c[:30]}…{len(c)}")
def test_hostile_input_is_a_positioned_error_in_the_parser(cell: str) -> None:
    where, fragment = HOSTILE[cell]
    with pytest.raises(MilvusSyntaxError) as caught:
        parse_cell(cell)
    error = caught.value
    assert f"{error.line}:{error.column}" == where, error.render()[:300]
    assert fragment in error.message
    assert is_complete(cell) == "invalid"


def test_hostile_input_through_the_kernel(kernel: Any) -> None:
    for cell, (where, fragment) in HOSTILE.items():
        line, column = where.split(":")
        reply, outputs = execute(kernel, cell)
        assert reply["status"] == "error", cell[:60]
        assert reply["ename"] == "SyntaxError", (cell[:60], reply["evalue"])
        report = "\n".join(reply["traceback"])
        assert f"line {line}, column {column}: " in report and fragment in report, report[:300]
        for word in NOT_OURS:
            assert word not in report and word not in str(outputs), (cell[:60], word)
        assert request(kernel, "is_complete", cell) == {"status": "invalid"}, cell[:60]
    reply, _ = execute(kernel, "SHOW TABLES")
    assert reply["status"] == "ok", "the kernel carries on"


@pytest.mark.parametrize("cell", UNFINISHED)
def test_unfinished_vectors_are_incomplete(cell: str) -> None:
    assert is_complete(cell) == "incomplete"
    with pytest.raises(MilvusSyntaxError) as caught:
        parse_cell(cell)
    assert caught.value.incomplete
    assert is_complete(cell.rstrip(",") + "] LIMIT 3") in ("complete", "invalid")


@pytest.mark.parametrize("cell", FINISHED_BUT_WRONG)
def test_vectors_that_cannot_go_on_are_invalid(cell: str) -> None:
    assert is_complete(cell) == "invalid"


def test_is_complete_through_the_kernel(kernel: Any) -> None:
    for cell in UNFINISHED:
        assert request(kernel, "is_complete", cell) == {"status": "incomplete", "indent": ""}
    for cell in FINISHED_BUT_WRONG:
        assert request(kernel, "is_complete", cell) == {"status": "invalid"}
    closed = "SEARCH t FOR [0.1, 0.2] LIMIT 3"
    assert request(kernel, "is_complete", closed) == {"status": "complete"}


def test_depth_limit_is_exact() -> None:
    """MAX_DEPTH brackets parse (a row's parenthesis counts as one); one more is refused."""
    inside = MAX_DEPTH - 1  # the row's own parenthesis is the first level
    value = "[" * inside + "1" + "]" * inside
    statement = parse_cell(f"INSERT INTO t VALUES ({value})")[0]
    depth, item = 0, statement.rows[0][0]  # type: ignore[attr-defined]
    while isinstance(item, list):
        depth, item = depth + 1, item[0]
    assert (depth, item) == (inside, 1)
    with pytest.raises(MilvusSyntaxError, match="nest more than 100"):
        parse_cell(f"INSERT INTO t VALUES ([{value}])")


@pytest.mark.parametrize("quote", ["'", '"'])
def test_a_string_of_megabytes(quote: str) -> None:
    """A 20 MB string in a row of VALUES parses whole, in linear time (time printed)."""
    text = "a" * 20_000_000
    started = time.perf_counter()
    statement = parse_cell(f"INSERT INTO t VALUES (1, {quote}{text}{quote})")[0]
    seconds = time.perf_counter() - started
    print(f"a 20 MB {quote}string{quote} parsed in {seconds:.1f} s")
    assert statement.rows == ((1, text),)  # type: ignore[attr-defined]
    assert seconds < 120, "generous: a few seconds on two shared cores"


def million_statements(typo: str) -> str:
    rows = [
        f"INSERT INTO t VALUES ({i}, 'label {i % 7}', [0.{i % 10}, 0.25, 0.5, 0.75]);\n"
        for i in range(1_000_000)
    ]
    return "".join(rows) + typo


@pytest.mark.parametrize(
    ("typo", "column", "fragment"),
    [
        ("SELEC * FROM t;\n", 1, "did you mean SELECT?"),
        ("INSERT INTO t VALUES (1, 'a' [0.1, 0.2]);\n", 30, "in a row of values"),
        ("INSERT INTO t VALUES (1, 'a', [0.1, 1e999]);\n", 37, "1e999 is out of range"),
    ],
    ids=["keyword", "inside-a-row", "value"],
)
def test_typo_at_the_end_of_a_million_statements(typo: str, column: int, fragment: str) -> None:
    cell = million_statements(typo)
    started = time.perf_counter()
    with pytest.raises(MilvusSyntaxError) as caught:
        parse_cell(cell)
    seconds = time.perf_counter() - started
    print(f"{len(cell) / 1e6:.1f} MB, 1,000,001 statements: the typo reported in {seconds:.1f} s")
    error = caught.value
    assert (error.statement_index, error.line, error.column) == (1_000_001, 1_000_001, column)
    assert fragment in error.render() and "nothing in this cell ran" in error.render()
    assert seconds < 120, "generous: about 10 s on two shared cores"


def test_a_huge_cell_can_be_interrupted_while_it_is_read(kernel: Any) -> None:
    """A million statements (no typo) take a minute or more to read whole: interrupt it."""
    cell = "CREATE TABLE never (id INT64 PRIMARY KEY, v FLOAT_VECTOR(4));\n" + million_statements(
        ""
    )
    msg_id = kernel.execute(cell)
    time.sleep(8)
    started = time.perf_counter()
    kernel.manager.interrupt_kernel()
    reply, _ = collect(kernel, msg_id, timeout=120)
    seconds = time.perf_counter() - started
    print(f"interrupt answered in {seconds:.1f} s")
    assert reply["status"] == "error" and reply["ename"] == "Interrupted", reply.get("evalue")
    assert "before any statement ran" in reply["evalue"]
    assert seconds < 60, "generous"
    reply, outputs = execute(kernel, "SHOW TABLES")
    assert reply["status"] == "ok"
    assert "never" not in str(outputs), "nothing of the interrupted cell ran"
