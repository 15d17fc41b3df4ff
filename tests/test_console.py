"""`jupyter console --kernel milvus` in a real terminal (a pty driven by pexpect).

The console's prompt appears; Enter on an unfinished statement (`SELECT *`) gives a continuation
prompt (the kernel's is_complete says "incomplete"), and the rest (`FROM t;`) runs it; the table
is printed as plain text; a syntax error prints the short report and no Python traceback; Ctrl-D
ends the console, which shuts the kernel down.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from kernel_harness import install_kernelspec, kernel_env

pexpect = pytest.importorskip("pexpect")
pytest.importorskip("jupyter_console")

#: Terminal control sequences (colors, cursor moves) that prompt_toolkit puts between characters.
ESC = r"(?:\x1b\[[0-9;?]*[A-Za-z])*"
CONTROL = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def prompt(number: int) -> str:
    return rf"In {ESC}\[{ESC}{number}{ESC}\]{ESC}:"


def screen(text: str) -> str:
    """What the terminal shows, without control sequences."""
    return CONTROL.sub("", text).replace("\r", "")


@pytest.fixture
def console(tmp_path: Path) -> Iterator[Any]:
    data_dir = install_kernelspec(tmp_path / "prefix")
    env = kernel_env({"JUPYTER_PATH": data_dir, "TERM": "xterm", "PROMPT_TOOLKIT_NO_CPR": "1"})
    child = pexpect.spawn(
        sys.executable,
        [
            "-m",
            "jupyter_console",
            "--kernel",
            "milvus",
        ],
        env=env,
        cwd=str(tmp_path),
        encoding="utf-8",
        dimensions=(50, 120),
        timeout=120,
    )
    try:
        yield child
    finally:
        if child.isalive():
            child.close(force=True)


def test_console_runs_multi_line_statements_and_prints_tables(console: Any):
    console.expect(prompt(1))
    console.send(
        "CREATE TABLE t (id INT64 PRIMARY KEY, v FLOAT_VECTOR(2)); "
        "INSERT INTO t VALUES (1, [0.5, 0.25]), (2, [1.0, 2.0]);\r"
    )
    console.expect(prompt(2))
    assert "inserted 2 rows into t" in screen(console.before)

    console.send("SELECT *\r")
    console.expect(rf"\.\.\.{ESC}:")  # is_complete: incomplete, so Enter continued the cell
    console.send("FROM t;\r")
    console.expect(prompt(3))
    shown = screen(console.before)
    assert re.search(r"^ id \| v\s*$", shown, re.MULTILINE), shown
    assert re.search(r"^\s+1 \| \[0\.5, 0\.25\]\s*$", shown, re.MULTILINE), shown
    assert re.search(r"^\s+2 \| \[1\.0, 2\.0\]\s*$", shown, re.MULTILINE), shown
    assert "(2 rows)" in shown

    console.send("SELEC * FROM t;\r")
    console.expect(prompt(4))
    shown = screen(console.before)
    assert "Syntax error in statement 1, line 1, column 1" in shown, shown
    assert "did you mean SELECT?" in shown
    assert "Traceback" not in shown

    console.sendcontrol("d")
    if console.expect([pexpect.EOF, r"really want to exit"]) == 1:
        console.send("y\r")
        console.expect(pexpect.EOF)
    console.close()
    assert console.exitstatus == 0
