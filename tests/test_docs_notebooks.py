"""The file and picture notebooks of docs/ run on the installed kernel, checked against the truth.

- docs/visualize-vectors.ipynb: its INSERT cell holds the classic seed-42 data; its SEARCH finds
  the NumPy brute-force top 8 (all green); its t-SNE PLOT is a PNG whose description names
  exactly those 8 hits.
- docs/import-export.ipynb: the counts after each import match the files in docs/data (read
  with pyarrow), the bad row stops the import at row 2 with 1 row written, the skip run sets 2
  rows aside, and the exported and re-imported copy holds the same rows.
- docs/tune-an-index.ipynb: recall grows with nprobe and ef, exact at nprobe = nlist.
- every docs/*.ipynb runs clean as Run All does (nbclient's default allow_errors=False): only
  a cell tagged `raises-exception` fails, and each such cell does fail.

Both run in a temporary copy of docs/ through nbclient on the kernelspec "milvus" installed into
a temporary prefix. MILVUS_DOCS_WRITE_OUTPUTS=1 writes the executed notebooks back to docs/
(the temporary directory shown as ".").
"""

from __future__ import annotations

import base64
import json
import re
from pathlib import Path

import nbformat
import numpy as np
import pytest
from classic_data import classic_data
from kernel_harness import install_kernelspec, notebook_cell, run_docs_notebook

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
ROW = re.compile(r"\(\s*(\d+)\s*,\s*'(\w+)'\s*,\s*\[([^\]]*)\]\s*\)")
DATARESOURCE = "application/vnd.dataresource+json"


#: Notebooks executed in this test process, by name (each runs once for all the tests here).
EXECUTED: dict[str, object] = {}


def execute_notebook(name: str, tmp_path_factory) -> object:
    """docs/<name> run as Run All would (nbclient's defaults: a failing cell stops the run unless
    it is tagged raises-exception)."""
    pytest.importorskip("nbclient")
    if name not in EXECUTED:
        data_dir = install_kernelspec(tmp_path_factory.mktemp("prefix"))
        workdir = tmp_path_factory.mktemp("docs")
        nb = run_docs_notebook(name, data_dir, workdir)
        nb.workdir = workdir  # type: ignore[attr-defined]
        EXECUTED[name] = nb
    return EXECUTED[name]


code_cell = notebook_cell


def texts(cell) -> list[str]:
    """The text of each result (progress displays aside)."""
    return [
        out.data.get("text/plain", "")
        for out in cell.outputs
        if out.output_type == "execute_result"
    ]


def progress(cell) -> list[str]:
    """The final text of each progress display (nbclient applies the updates in place)."""
    return [out.data["text/plain"] for out in cell.outputs if out.output_type == "display_data"]


def errors(cell) -> list[str]:
    """The whole report of each error (evalue is cut to 200 characters)."""
    return [
        re.sub(r"\x1b\[[0-9;]*m", "", "\n".join(out.traceback))
        for out in cell.outputs
        if out.output_type == "error"
    ]


def counts(cell) -> list[int]:
    found = []
    for out in cell.outputs:
        if out.output_type == "execute_result" and DATARESOURCE in out.data:
            resource = out.data[DATARESOURCE]
            resource = json.loads(resource) if isinstance(resource, str) else resource
            if [f["name"] for f in resource["schema"]["fields"]] == ["count(*)"]:
                found.append(int(resource["data"][0]["count(*)"]))
    return found


def code_errors(nb) -> list[str]:
    return [
        f"{cell.source}\n--> {message}"
        for cell in nb.cells
        if cell.cell_type == "code"
        for message in errors(cell)
    ]


# --- the visualization notebook -----------------------------------------------------------------


@pytest.fixture(scope="module")
def visualize(tmp_path_factory):
    return execute_notebook("visualize-vectors.ipynb", tmp_path_factory)


def test_visualize_notebook_holds_the_classic_data(visualize):
    rows = [
        (int(i), label, [float(x) for x in v.split(",")])
        for i, label, v in ROW.findall(code_cell(visualize, "INSERT").source)
    ]
    expected_rows, query = classic_data()
    assert rows == expected_rows
    for cell in (
        code_cell(visualize, "SEARCH"),
        code_cell(visualize, "PLOT demo_manual_vectors_tsne\n"),
    ):
        assert str(query) in cell.source


def top8():
    rows, query = classic_data()
    vectors = np.array([v for _, _, v in rows])
    order = np.argsort(((vectors - np.array(query)) ** 2).sum(axis=1), kind="stable")
    return [rows[i][0] for i in order[:8]], rows


def test_visualize_notebook_runs_and_plots_the_hits(visualize):
    assert not code_errors(visualize), "\n\n".join(code_errors(visualize))
    hits, rows = top8()
    assert all(rows[i][1] == "green" for i in hits)
    search = code_cell(visualize, "SEARCH")
    resource = next(
        out.data[DATARESOURCE] for out in search.outputs if out.output_type == "execute_result"
    )
    assert [int(r["id"]) for r in resource["data"]] == hits
    for prefix, method in (
        ("PLOT demo_manual_vectors_tsne\n", "TSNE"),
        ("PLOT demo_manual_vectors_tsne COLOR", "PCA"),
    ):
        cell = code_cell(visualize, prefix)
        (picture,) = [o for o in cell.outputs if o.output_type == "execute_result"]
        png = base64.b64decode(picture.data["image/png"])
        assert png.startswith(b"\x89PNG") and len(png) > 10_000
        assert picture.data["text/plain"] == (
            f"PLOT of 45 vectors of demo_manual_vectors_tsne.vector by {method}, colored by "
            f"label; 8 highlighted hits: ids {', '.join(map(str, hits))}; the query vector marked ★"
        )


# --- the import/export notebook -----------------------------------------------------------------


@pytest.fixture(scope="module")
def import_export(tmp_path_factory):
    return execute_notebook("import-export.ipynb", tmp_path_factory)


def test_import_export_notebook_counts_match_the_files(import_export):
    pq = pytest.importorskip("pyarrow.parquet")
    nb = import_export
    products = pq.read_table(DOCS / "data" / "products.parquet")
    assert products.num_rows == 300
    assert len((DOCS / "data" / "products.jsonl").read_text().splitlines()) == 300
    first = code_cell(nb, "DROP TABLE IF EXISTS products;")
    assert texts(first)[-1] == "inserted 300 rows into products from 'data/products.parquet'"
    assert progress(first)[0].startswith(
        "insert into products from 'data/products.parquet': ["
        + "#" * 30
        + "] 300 / 300 rows (100%)"
    )
    assert counts(code_cell(nb, "CREATE INDEX")) == [300]
    upserts = code_cell(nb, "UPSERT INTO products FROM 'data/products.csv'")
    assert texts(upserts)[:2] == [
        "upserted 300 rows into products from 'data/products.csv'",
        "upserted 300 rows into products from 'data/products.jsonl'",
    ]
    assert counts(upserts) == [300]


def test_import_export_notebook_bad_rows(import_export):
    nb = import_export
    (message,) = errors(code_cell(nb, "INSERT INTO products FROM 'data/more-products.csv'"))
    assert "row 2: vector has 3 dims, field vector expects 4" in message
    assert "1 row (every row before it) had been inserted into products" in message
    assert counts(code_cell(nb, "SELECT COUNT(*) FROM products;")) == [301]
    skip = code_cell(nb, "UPSERT INTO products FROM 'data/more-products.csv'")
    assert texts(skip)[0] == (
        "upserted 3 rows into products from 'data/more-products.csv'; 2 rows rejected, "
        "written to 'data/more-products.csv.rejected.jsonl'"
    )
    assert counts(skip) == [303]
    rejected = nb.workdir / "data" / "more-products.csv.rejected.jsonl"
    assert [json.loads(line)["row"] for line in rejected.read_text().splitlines()] == [2, 4]


def test_import_export_notebook_round_trip(import_export):
    pq = pytest.importorskip("pyarrow.parquet")
    nb = import_export
    exports = code_cell(nb, "EXPORT")
    assert texts(exports)[0] == "exported 303 rows to 'products-export.parquet'"
    exported = pq.read_table(nb.workdir / "products-export.parquet")
    ids = sorted(exported.column("id").to_pylist())
    assert exported.num_rows == 303 and ids == [*range(1, 301), 301, 303, 305]
    source = pq.read_table(DOCS / "data" / "products.parquet").to_pylist()
    by_id = {row["id"]: row for row in exported.to_pylist()}
    for row in source:
        got = by_id[row["id"]]
        assert got["name"] == row["name"] and got["color"] == row["color"]
        assert np.float32(got["price"]) == np.float32(row["price"])
        assert np.array_equal(np.float32(got["vector"]), np.float32(row["vector"]))
    copy = code_cell(nb, "DROP TABLE IF EXISTS products_copy")
    assert counts(copy) == [303]
    searches = code_cell(nb, "SEARCH products FOR")
    resources = [
        out.data[DATARESOURCE] for out in searches.outputs if out.output_type == "execute_result"
    ]
    assert len(resources) == 2 and resources[0]["data"] == resources[1]["data"]
    assert texts(code_cell(nb, "DROP TABLE IF EXISTS bare_vectors"))[-1].startswith(
        "inserted 200 rows into bare_vectors from 'data/vectors.npy'; ids "
    )
    assert not code_errors(nb)[1:], "only the bad-row import fails"


# --- every notebook, as Run All ---------------------------------------------------------------


def tagged(cell) -> bool:
    return "raises-exception" in cell.metadata.get("tags", [])


@pytest.mark.parametrize("name", sorted(p.name for p in DOCS.glob("*.ipynb")))
def test_every_docs_notebook_runs_clean_as_run_all(name: str, tmp_path_factory):
    """nbclient with its default settings raises at the first failing untagged cell; a tagged
    cell must really fail (a deliberate error that stopped failing is a stale tag)."""
    nb = execute_notebook(name, tmp_path_factory)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(c.execution_count for c in code), "every code cell ran"
    untagged = [c.source for c in code if errors(c) and not tagged(c)]
    assert not untagged, untagged
    assert all(errors(c) for c in code if tagged(c)), "a tagged cell no longer fails"
    source = nbformat.read(DOCS / name, as_version=4)
    assert [tagged(c) for c in source.cells] == [tagged(c) for c in nb.cells]


# --- the index-tuning notebook --------------------------------------------------------------


def recall_column(cell) -> list[tuple[float, float]]:
    """(value, recall@k) of each row of the EVALUATE table in `cell`'s result."""
    table = texts(cell)[-1]
    rows = re.findall(r"^\s*(\d+(?:\.\d+)?)\s+([01]\.\d+)\s", table, re.M)
    return [(float(value), float(recall)) for value, recall in rows]


def test_tune_notebook_recall_grows_to_exact(tmp_path_factory):
    """docs/tune-an-index.ipynb: IVF_FLAT's recall never falls as nprobe grows and is exact at
    nprobe = nlist (32); HNSW's recall at the largest ef is above its recall at the smallest."""
    nb = execute_notebook("tune-an-index.ipynb", tmp_path_factory)
    ivf = recall_column(code_cell(nb, "EVALUATE SEARCH tune_ivf"))
    assert [value for value, _ in ivf] == [1, 2, 4, 8, 16, 32], ivf
    recalls = [recall for _, recall in ivf]
    assert recalls == sorted(recalls) and recalls[-1] == 1.0, ivf
    hnsw = recall_column(code_cell(nb, "EVALUATE SEARCH tune_hnsw"))
    assert [value for value, _ in hnsw] == [10, 20, 40, 80, 160], hnsw
    assert hnsw[-1][1] > hnsw[0][1], hnsw
