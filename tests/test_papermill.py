"""Headless notebook runs: papermill (its command line, as a scheduler would call it) on the
`milvus` kernel.

- docs/quickstart.ipynb runs top to bottom without an error, in a copy of docs/ (so nothing is
  written into the checkout), and its search still matches a NumPy brute force. Every other
  notebook of docs/ must be run by some test module (tests/test_notebooks.py runs them).
- A notebook with a failing statement stops papermill with a non-zero exit status, and the
  report it gives is the kernel's short error, not a Python traceback.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from kernel_harness import install_kernelspec, kernel_env

nbformat = pytest.importorskip("nbformat")
pytest.importorskip("papermill")

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"


def docs_notebooks() -> list[Path]:
    return sorted(p for p in DOCS.rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)


def papermill(notebook: Path, output: Path, data_dir: str) -> subprocess.CompletedProcess[str]:
    """`papermill NOTEBOOK OUTPUT -k milvus` in the notebook's directory."""
    command = [sys.executable, "-m", "papermill", str(notebook), str(output)]
    command += ["-k", "milvus", "--cwd", str(notebook.parent), "--no-progress-bar"]
    return subprocess.run(
        command,
        env=kernel_env({"JUPYTER_PATH": data_dir}),
        capture_output=True,
        text=True,
        timeout=600,
    )


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> str:
    return install_kernelspec(tmp_path_factory.mktemp("prefix"))


def test_quickstart_runs_under_papermill(data_dir: str, tmp_path: Path):
    docs = tmp_path / "docs"
    shutil.copytree(DOCS, docs, ignore=shutil.ignore_patterns("*.db", ".ipynb_checkpoints"))
    output = tmp_path / "executed.ipynb"
    run = papermill(docs / "quickstart.ipynb", output, data_dir)
    assert run.returncode == 0, run.stderr[-3000:]
    nb = nbformat.read(output, as_version=4)
    errors = [
        out
        for cell in nb.cells
        if cell.cell_type == "code"
        for out in cell.get("outputs", [])
        if out.output_type == "error"
    ]
    assert not errors, errors
    from test_docs import brute_force_top, code_cell, hit_table, notebook_data

    rows, query = notebook_data(nb)
    hits = hit_table(code_cell(nb, "SEARCH"))
    assert [int(h["id"]) for h in hits] == brute_force_top(rows, query, 8)


def test_every_docs_notebook_is_executed_by_a_test():
    """Each notebook in docs/ is named by a test module that runs it (nbclient or papermill)."""
    tests = [p.read_text(encoding="utf-8") for p in Path(__file__).parent.glob("test_*.py")]
    runners = [t for t in tests if any(w in t for w in ("run_docs_notebook", "papermill"))]
    for notebook in docs_notebooks():
        assert nbformat.read(notebook, as_version=4).metadata.get("kernelspec"), notebook.name
        assert any(notebook.stem in text for text in runners), f"no test runs docs/{notebook.name}"


def test_failing_statement_stops_papermill_with_the_short_report(data_dir: str, tmp_path: Path):
    nb = nbformat.v4.new_notebook()
    nb.metadata.kernelspec = {"name": "milvus", "display_name": "Milvus SQL", "language": "sql"}
    nb.cells = [
        nbformat.v4.new_code_cell("CREATE TABLE pm (id INT64 PRIMARY KEY, v FLOAT_VECTOR(2));"),
        nbformat.v4.new_code_cell("SELECT * FROM pm;\nSELEC * FROM pm;"),
        nbformat.v4.new_code_cell("DROP TABLE pm;"),
    ]
    source = tmp_path / "failing.ipynb"
    nbformat.write(nb, source)
    run = papermill(source, tmp_path / "out.ipynb", data_dir)
    assert run.returncode != 0
    assert "Syntax error in statement 2, line 2, column 1" in run.stderr, run.stderr[-3000:]
    assert "Traceback" not in run.stderr.split("Syntax error", 1)[1]
    executed = nbformat.read(tmp_path / "out.ipynb", as_version=4)
    code = {c.source: c for c in executed.cells if c.cell_type == "code"}
    assert code[nb.cells[1].source].outputs[-1].output_type == "error"
    assert not code[nb.cells[2].source].get("outputs"), "papermill stopped at the failing cell"
