"""docs/python/visualize-from-numpy.ipynb: the classic t-SNE notebook as a Python notebook.

Run by papermill on the ordinary Python kernel (`-k python3`, this environment's ipykernel) in
a copy of docs/: its NumPy cell draws the classic seed-42 data (the test runs that cell's code
itself and compares it with tests/classic_data.py), one `%milvus INSERT INTO ... FROM :df` puts
the 45 rows in (COUNT(*) is 45), its SEARCH finds the NumPy brute-force top 8 of those vectors,
and the t-SNE PLOT names exactly those hits. MILVUS_DOCS_WRITE_OUTPUTS=1 writes the executed
notebook back (the temporary directory shown as ".").
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import numpy as np
import pytest
from classic_data import classic_data
from kernel_harness import kernel_env

pytest.importorskip("papermill")
pytest.importorskip("pandas")

DOCS = Path(__file__).resolve().parents[1] / "docs"
NOTEBOOK = DOCS / "python" / "visualize-from-numpy.ipynb"
DATARESOURCE = "application/vnd.dataresource+json"


@pytest.fixture(scope="module")
def executed(tmp_path_factory: pytest.TempPathFactory):
    docs = tmp_path_factory.mktemp("numpy-docs") / "docs"
    shutil.copytree(DOCS, docs, ignore=shutil.ignore_patterns("*.db", ".ipynb_checkpoints"))
    source, output = docs / "python" / NOTEBOOK.name, docs / "python" / "executed.ipynb"
    command = [sys.executable, "-m", "papermill", str(source), str(output), "-k", "python3"]
    command += ["--cwd", str(source.parent), "--no-progress-bar"]
    run = subprocess.run(command, env=kernel_env(), capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr[-3000:]
    nb = nbformat.read(output, as_version=4)
    if os.environ.get("MILVUS_DOCS_WRITE_OUTPUTS") == "1":
        for cell in nb.cells:  # papermill's own bookkeeping stays out of the docs
            cell.metadata.pop("papermill", None)
            cell.metadata.pop("execution", None)
            if not cell.metadata.get("tags"):
                cell.metadata.pop("tags", None)
        nb.metadata.pop("papermill", None)
        text = nbformat.writes(nb).replace(str(source.parent.resolve()), ".")
        NOTEBOOK.write_text(text, encoding="utf-8")
    return nb


def cell(nb, start: str):
    found = [c for c in nb.cells if c.cell_type == "code" and c.source.startswith(start)]
    assert len(found) == 1, start
    return found[0]


def texts(c) -> list[str]:
    return [o.data["text/plain"] for o in c.outputs if "data" in o and "text/plain" in o.data]


def drawn(nb) -> dict:
    """The variables of the notebook's NumPy cell, run here."""
    namespace: dict = {}
    exec(cell(nb, "import numpy as np").source, namespace)
    return namespace


def test_the_numpy_cell_draws_the_classic_data(executed):
    values = drawn(executed)
    rows, query = classic_data()
    assert [round(float(x), 4) for x in values["query_vector"]] == query
    frame = values["df"]
    assert frame["id"].tolist() == [i for i, _, _ in rows]
    assert frame["label"].tolist() == [label for _, label, _ in rows]
    rounded = [[round(float(x), 4) for x in v] for v in values["X"].astype(np.float64)]
    assert np.allclose(rounded, [v for _, _, v in rows], atol=1e-4)


def test_one_insert_from_the_frame_and_the_search_finds_the_brute_force_hits(executed):
    errors = [o for c in executed.cells if c.cell_type == "code" for o in c.outputs
              if o.output_type == "error"]  # fmt: skip
    assert not errors, errors
    insert = cell(executed, "%milvus INSERT INTO demo_manual_vectors_tsne FROM :df")
    assert texts(insert) == ["inserted 45 rows into demo_manual_vectors_tsne from :df"]
    count = cell(executed, "%%milvus\nCREATE INDEX")
    assert texts(count)[-1].split()[2] == "45"
    values = drawn(executed)
    distances = ((values["X"] - values["query_vector"].astype(np.float32)) ** 2).sum(axis=1)
    expected = [int(i) for i in np.argsort(distances, kind="stable")[:8]]
    search = cell(executed, "hits = %milvus SEARCH")
    resource = next(
        o.data[DATARESOURCE] for o in search.outputs if DATARESOURCE in o.get("data", {})
    )
    assert [int(row["id"]) for row in resource["data"]] == expected
    assert all(row["label"] == "green" for row in resource["data"])
    plot = cell(executed, "%%milvus\nPLOT")
    picture = next(o for o in plot.outputs if "image/png" in o.get("data", {}))
    assert f"ids {', '.join(str(i) for i in expected)}" in picture.data["text/plain"]
