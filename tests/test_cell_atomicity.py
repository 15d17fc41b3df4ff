"""A syntax error anywhere in a cell runs nothing, and the error says so.

Through a real Milvus SQL kernel on embedded Milvus Lite: a cell `CREATE TABLE …; INSERT …;
SELEC …` reports statement 3 and "nothing in this cell ran", and leaves no table behind. The
ground truth is raw pymilvus on the same Lite database once the kernel has shut down (a second
process cannot open it while the kernel holds it), next to a table a valid cell did create.
"""

from __future__ import annotations

from pathlib import Path

from kernel_harness import execute, plain_texts, running_kernel
from pymilvus import MilvusClient

CREATE = "CREATE TABLE {name} (id INT64 PRIMARY KEY, v FLOAT_VECTOR(2))"
INSERT = "INSERT INTO {name} VALUES (1, [0.1, 0.2]), (2, [0.3, 0.4])"
BROKEN_CELLS = {
    # the cell → (statement, line, column) of its syntax error
    f"{CREATE.format(name='atom1')};\n{INSERT.format(name='atom1')};\nSELEC * FROM atom1": (
        3,
        3,
        1,
    ),
    f"{CREATE.format(name='atom2')}; {INSERT.format(name='atom2')}; SELECT * FROM atom2 WHERE": (
        3,
        1,
        147,
    ),
    f"{CREATE.format(name='atom3')};\nINSERT INTO atom3 VALUES (1, [0.1, 1e999])": (2, 2, 36),
    f"{CREATE.format(name='atom4')};\nDROP TABLE IF EXISTS kept;\nSELECT * FROM t WHERE x IN "
    + "[" * 10_000: (3, 3, 128),
}


def test_a_syntax_error_anywhere_runs_nothing(tmp_path: Path) -> None:
    with running_kernel(tmp_path) as (_km, kc):
        valid = f"{CREATE.format(name='kept')}; {INSERT.format(name='kept')}; FLUSH kept"
        reply, _ = execute(kc, valid)
        assert reply["status"] == "ok", reply.get("evalue")
        for cell, (statement, line, column) in BROKEN_CELLS.items():
            reply, outputs = execute(kc, cell)
            assert reply["status"] == "error" and reply["ename"] == "SyntaxError", cell[:80]
            report = "\n".join(reply["traceback"])
            where = f"Syntax error in statement {statement}, line {line}, column {column}: "
            assert where in report, report[:300]
            assert "nothing in this cell ran" in report
            assert "nothing in this cell ran" in reply["evalue"]
            assert not plain_texts(outputs), "no statement of the cell showed a result"
        reply, outputs = execute(kc, "SHOW TABLES")
        assert reply["status"] == "ok"
        listed = "\n".join(plain_texts(outputs))
        assert "kept" in listed and "atom" not in listed
    client = MilvusClient(str(tmp_path / "milvus_kernel.db"))
    try:
        assert client.list_collections() == ["kept"]
        assert client.query("kept", filter="id >= 0", output_fields=["count(*)"]) == [
            {"count(*)": 2}
        ]
    finally:
        client.close()


def test_a_single_statement_says_nothing_about_the_rest(tmp_path: Path) -> None:
    """A cell of one statement has nothing else that could have run: the report stays short."""
    with running_kernel(tmp_path) as (_km, kc):
        reply, _ = execute(kc, "SELEC 1")
        assert reply["ename"] == "SyntaxError"
        assert "nothing in this cell ran" not in "\n".join(reply["traceback"])
