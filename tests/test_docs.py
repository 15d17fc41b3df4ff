"""The manual cannot go stale: every ```sql example in docs/ parses, and the quickstart runs.

- Every fenced ```sql block of docs/**/*.md is parsed with `parse_cell` (one test per block).
- docs/quickstart.ipynb is executed by nbclient on the installed kernel "milvus", in a temporary
  copy of docs/, and its results are checked against ground truth: the vectors of its INSERT
  cell, searched by a NumPy brute force, must give the same top 8 (all green) as the kernel's
  SEARCH and SQL-form search cells; COUNT(*) must be 45; DESCRIBE INDEX must show nlist 64.

Set MILVUS_DOCS_WRITE_OUTPUTS=1 to write the executed notebook (with its outputs, the temporary
working directory shown as ".") back to docs/quickstart.ipynb, so it reads well on GitHub, and
to rewrite the output samples of the Markdown pages (see `run_page`).
"""

from __future__ import annotations

import itertools
import json
import os
import re
from pathlib import Path

import pytest
from classic_data import classic_data
from kernel_harness import install_kernelspec, notebook_cell, run_docs_notebook

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
NOTEBOOK = DOCS / "quickstart.ipynb"

# --- every ```sql block parses ----------------------------------------------------------------

FENCE = re.compile(r"^```(?P<info>[^\n`]*)\n(?P<body>.*?)^```[ \t]*$", re.MULTILINE | re.DOTALL)


def fenced_blocks(text: str) -> list[tuple[str, int, str]]:
    """(info string, 1-based line of the opening fence, body) of each fenced block."""
    return [
        (m["info"].strip(), text.count("\n", 0, m.start()) + 1, m["body"])
        for m in FENCE.finditer(text)
    ]


def sql_blocks() -> list:
    params = []
    for path in sorted(DOCS.rglob("*.md")):
        rel = path.relative_to(DOCS).as_posix()
        blocks = [
            b
            for b in fenced_blocks(path.read_text(encoding="utf-8"))
            if b[0].split()[:1] == ["sql"]
        ]
        for index, (_, line, body) in enumerate(blocks, start=1):
            params.append(pytest.param(rel, line, body, id=f"{rel}#{index}"))
    return params


SQL_BLOCKS = sql_blocks()


def test_docs_have_sql_examples():
    pages = {p.values[0] for p in SQL_BLOCKS}
    for page in (
        "index.md",
        "reference/connection-and-session.md",
        "reference/collections.md",
        "reference/partitions.md",
        "reference/indexes.md",
        "reference/writing-data.md",
        "reference/reading-and-searching.md",
        "reference/filters.md",
        "reference/output-and-errors.md",
    ):
        assert page in pages, f"docs/{page} has no ```sql example"


@pytest.mark.parametrize(("page", "line", "block"), SQL_BLOCKS)
def test_sql_block_parses(page: str, line: int, block: str):
    from milvus_kernel.errors import MilvusSyntaxError
    from milvus_kernel.language.parser import parse_cell

    try:
        statements = parse_cell(block)
    except MilvusSyntaxError as error:
        pytest.fail(
            f"docs/{page}, block at line {line} does not parse:\n{block}\n{error.render()}",
            pytrace=False,
        )
    assert statements, f"docs/{page}, block at line {line} holds no statement:\n{block}"


def syntax_error_examples() -> list:
    """(page, input, report): a ```text block starting "Syntax error" and the block before it.

    MILVUS_DOCS_WRITE_OUTPUTS=1 rewrites the reports to what the parser says now.
    """
    params = []
    for path in sorted(DOCS.rglob("*.md")):
        rel = path.relative_to(DOCS).as_posix()
        blocks = fenced_blocks(path.read_text(encoding="utf-8"))
        for (_, _, source), (info, line, report) in itertools.pairwise(blocks):
            if info == "text" and report.startswith("Syntax error"):
                params.append(pytest.param(rel, source, report.rstrip("\n"), id=f"{rel}:{line}"))
    return params


@pytest.mark.parametrize(("page", "source", "report"), syntax_error_examples())
def test_syntax_error_example_is_what_the_kernel_says(page: str, source: str, report: str):
    from milvus_kernel.errors import MilvusSyntaxError
    from milvus_kernel.language.parser import parse_cell

    with pytest.raises(MilvusSyntaxError) as raised:
        parse_cell(source)
    actual = raised.value.render()
    if os.environ.get("MILVUS_DOCS_WRITE_OUTPUTS") == "1" and actual != report:
        path = DOCS / page
        path.write_text(path.read_text(encoding="utf-8").replace(report, actual, 1), "utf-8")
        return
    assert actual == report


# Spellings that filters.md promises mean the same thing, and the Milvus filter each one means.
FILTER_SPELLINGS = [
    ("category = 'news'", "category == 'news'"),
    ("category <> 'news'", "category != 'news'"),
    ("a = 1 AND b = 2", "a == 1 && b == 2"),
    ("a = 1 OR b = 2", "a == 1 || b == 2"),
    ("NOT (a = 1)", "not (a == 1)"),
    ("NOT (a = 1)", "! (a == 1)"),
    ("id IN (1, 2, 3)", "id in [1, 2, 3]"),
    ("id NOT IN (1, 2, 3)", "id not in [1, 2, 3]"),
    ("year BETWEEN 2020 AND 2024", "year >= 2020 AND year <= 2024"),
    ('category = "it\'s"', "category = 'it''s'"),
]

# A negated predicate must stay negated (no filter may silently mean its opposite).
NEGATED = [
    ("id NOT IN (1, 2, 3)", "id IN (1, 2, 3)"),
    ("title NOT LIKE '%draft%'", "title LIKE '%draft%'"),
    ("year NOT BETWEEN 2020 AND 2024", "year BETWEEN 2020 AND 2024"),
    ("rating IS NOT NULL", "rating IS NULL"),
]


def where(filter_text: str) -> str:
    from milvus_kernel.language.parser import parse_cell

    return parse_cell(f"SELECT id FROM articles WHERE {filter_text}")[0].where.expression


@pytest.mark.parametrize(("sql", "milvus"), FILTER_SPELLINGS)
def test_filter_spellings_mean_the_same(sql: str, milvus: str):
    assert where(sql) == where(milvus)


@pytest.mark.parametrize(("negated", "plain"), NEGATED)
def test_negated_filters_stay_negated(negated: str, plain: str):
    assert where(negated) != where(plain), f"{negated!r} translates to {where(negated)!r}"


# --- every page runs, and shows the output it says ---------------------------------------------
#
# The ```sql blocks of a page run in order on a fresh Milvus Lite database (in-process, through
# the same `run_cell` as the kernel). ```sql norun blocks (a server, a connections file) are only
# parsed; ```sql error blocks must fail with a Milvus-side error. A ```text block right after a
# ```sql block is that block's output, exactly as the kernel prints it (text/plain), the temporary
# working directory shown as ".". MILVUS_DOCS_WRITE_OUTPUTS=1 rewrites those output blocks.

PAGES = sorted(p.relative_to(DOCS).as_posix() for p in DOCS.rglob("*.md"))
#: Pages that show the default connection themselves (the others connect before their first block).
SHOWS_DEFAULT_CONNECTION = {"reference/connection-and-session.md"}


def run_page(page: str, workdir: Path):
    """Run a page; returns (failures, [(span of an output block's body, actual output)])."""
    from milvus_kernel.display import render
    from milvus_kernel.engine.session import Session
    from milvus_kernel.errors import KernelError, MilvusSyntaxError
    from milvus_kernel.frontends.runner import run_cell

    text = (DOCS / page).read_text(encoding="utf-8")
    matches = list(FENCE.finditer(text))
    session = Session(workdir=workdir, environ={})
    failures, outputs = [], []
    try:
        if page not in SHOWS_DEFAULT_CONNECTION:
            list(run_cell(session, "SHOW TABLES"))
            session.take_notices()
        for match, following in zip(matches, [*matches[1:], None], strict=True):
            words = match["info"].split()
            if words[:1] != ["sql"] or "norun" in words:
                continue
            line = text.count("\n", 0, match.start()) + 1
            shown, error = [], None
            try:
                for result in run_cell(session, match["body"]):
                    bundle = render(result, session.settings.display_limit)
                    shown.append(bundle["text/plain"])
            except MilvusSyntaxError as raised:
                error = raised
                failures.append(f"line {line}: syntax error\n{match['body']}{raised.render()}")
            except KernelError as raised:
                error = raised
                shown.append(raised.render())
                if "error" not in words:
                    failures.append(f"line {line}: fails\n{match['body']}{raised.render()}")
            if "error" in words and error is None:
                failures.append(f"line {line}: should fail but ran\n{match['body']}")
            output = "\n".join(shown).replace(str(workdir), ".")
            if (
                following is not None
                and following["info"].strip() == "text"
                and not text[match.end() : following.start()].strip()
            ):
                outputs.append((following.span("body"), output))
    finally:
        session.close()
    return failures, outputs


@pytest.mark.parametrize("page", PAGES)
def test_page_runs_and_shows_its_output(page: str, tmp_path: Path):
    failures, outputs = run_page(page, tmp_path)
    assert not failures, f"docs/{page}:\n" + "\n\n".join(failures)
    text = (DOCS / page).read_text(encoding="utf-8")
    if os.environ.get("MILVUS_DOCS_WRITE_OUTPUTS") == "1":
        for (start, end), output in reversed(outputs):
            text = text[:start] + output.rstrip("\n") + "\n" + text[end:]
        (DOCS / page).write_text(text, encoding="utf-8")
        return
    stale = [
        f"documented:\n{text[start:end]}\nactual:\n{output}\n"
        for (start, end), output in outputs
        if text[start:end].rstrip("\n") != output.rstrip("\n")
    ]
    assert not stale, (
        f"docs/{page}: outputs differ (MILVUS_DOCS_WRITE_OUTPUTS=1 rewrites them)\n"
        + "\n".join(stale)
    )


def test_reference_links_resolve():
    """Relative links between pages of the manual point at files that exist."""
    link = re.compile(r"\]\((?!https?:|#)([^)#\s]+)(#[^)\s]*)?\)")
    for path in sorted(DOCS.rglob("*.md")):
        for target, _ in link.findall(path.read_text(encoding="utf-8")):
            assert (path.parent / target).exists(), f"{path.relative_to(ROOT)} links to {target}"


# --- the quickstart notebook ------------------------------------------------------------------

ROW = re.compile(r"\(\s*(\d+)\s*,\s*'(\w+)'\s*,\s*\[([^\]]*)\]\s*\)")
DATARESOURCE = "application/vnd.dataresource+json"


code_cell = notebook_cell


def parse_vector(text: str) -> list[float]:
    return [float(x) for x in text.split(",")]


def notebook_data(nb):
    """The rows written in the INSERT cell and the query vector of the SEARCH cell."""
    rows = [
        (int(i), label, parse_vector(v))
        for i, label, v in ROW.findall(code_cell(nb, "INSERT").source)
    ]
    match = re.search(r"\bFOR\s*\[([^\]]*)\]", code_cell(nb, "SEARCH").source)
    assert match, "the SEARCH cell has no FOR [...] vector"
    return rows, parse_vector(match[1])


def brute_force_top(rows, query, k: int) -> list[int]:
    np = pytest.importorskip("numpy")
    vectors = np.array([v for _, _, v in rows])
    distances = ((vectors - np.array(query)) ** 2).sum(axis=1)
    order = np.argsort(distances, kind="stable")
    return [rows[i][0] for i in order[:k]]


def test_quickstart_notebook_shape():
    nbformat = pytest.importorskip("nbformat")
    nb = nbformat.read(NOTEBOOK, as_version=4)
    nbformat.validate(nb)
    assert nb.metadata.kernelspec == {
        "name": "milvus",
        "display_name": "Milvus SQL",
        "language": "sql",
    }
    assert nb.metadata.language_info.name == "sql"
    rows, query = notebook_data(nb)
    assert (rows, query) == classic_data(), "the INSERT cell must hold the seed-42 data, rounded"
    assert brute_force_top(rows, query, 8) and all(
        rows[i][1] == "green" for i in brute_force_top(rows, query, 8)
    )


def test_quickstart_cells_parse():
    nbformat = pytest.importorskip("nbformat")
    from milvus_kernel.language.parser import parse_cell

    nb = nbformat.read(NOTEBOOK, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert parse_cell(cell.source), cell.source


def jupyter_data_dir(directory: Path) -> str:
    """A Jupyter data directory holding the kernelspec "milvus", installed under `directory`."""
    return install_kernelspec(directory)


def outputs_text(cell) -> str:
    parts = []
    for out in cell.outputs:
        if out.output_type == "stream":
            parts.append(out.text)
        elif out.output_type in ("execute_result", "display_data"):
            parts.append(out.data.get("text/plain", ""))
        elif out.output_type == "error":
            parts.append(f"{out.ename}: {out.evalue}")
    return "\n".join(parts)


def tables(cell) -> list[dict]:
    """The data resources (schema + rows) shown by a cell, in order."""
    found = []
    for out in cell.outputs:
        if out.output_type in ("execute_result", "display_data") and DATARESOURCE in out.data:
            resource = out.data[DATARESOURCE]
            found.append(json.loads(resource) if isinstance(resource, str) else resource)
    return found


def hit_table(cell) -> list[dict]:
    """The rows of the search result of a cell: the table that has a `label` column."""
    for resource in tables(cell):
        names = [f["name"] for f in resource["schema"]["fields"]]
        if "label" in names and "distance" in names:
            return resource["data"]
    pytest.fail(f"no search result table in the cell's outputs:\n{outputs_text(cell)}")


@pytest.fixture(scope="module")
def executed_quickstart(tmp_path_factory):
    """The quickstart, run top to bottom by nbclient on the installed kernel in a copy of docs/."""
    pytest.importorskip("nbclient")
    data_dir = jupyter_data_dir(tmp_path_factory.mktemp("prefix"))
    assert (Path(data_dir) / "kernels" / "milvus" / "kernel.json").exists()
    return run_docs_notebook("quickstart.ipynb", data_dir, tmp_path_factory.mktemp("docs"))


def test_quickstart_runs_without_errors(executed_quickstart):
    errors = [
        f"cell {i}:\n{cell.source}\n--> {out.ename}: {out.evalue}"
        for i, cell in enumerate(executed_quickstart.cells)
        if cell.cell_type == "code"
        for out in cell.outputs
        if out.output_type == "error"
    ]
    assert not errors, "\n\n".join(errors)
    for cell in executed_quickstart.cells:
        if cell.cell_type == "code":
            assert cell.outputs, f"cell shows nothing:\n{cell.source}"


def test_quickstart_search_matches_brute_force(executed_quickstart):
    rows, query = notebook_data(executed_quickstart)
    expected = brute_force_top(rows, query, 8)
    hits = hit_table(code_cell(executed_quickstart, "SEARCH"))
    assert [int(h["id"]) for h in hits] == expected, outputs_text(
        code_cell(executed_quickstart, "SEARCH")
    )
    assert [h["label"] for h in hits] == ["green"] * 8
    assert [int(h["rank"]) for h in hits] == list(range(1, 9))
    distances = [float(h["distance"]) for h in hits]
    assert distances == sorted(distances)


def test_quickstart_sql_form_search_matches_brute_force(executed_quickstart):
    rows, query = notebook_data(executed_quickstart)
    cell = code_cell(executed_quickstart, "SELECT id, label, distance")
    hits = hit_table(cell)
    assert [int(h["id"]) for h in hits] == brute_force_top(rows, query, 8), outputs_text(cell)
    assert [h["label"] for h in hits] == ["green"] * 8
    names = [f["name"] for f in tables(cell)[-1]["schema"]["fields"]]
    assert names == ["id", "label", "distance"], "the SQL form shows the columns selected, in order"


def test_quickstart_count_is_45(executed_quickstart):
    cell = code_cell(executed_quickstart, "LOAD")
    counts = [r for t in tables(cell) for r in t["data"]]
    assert len(counts) == 1 and list(counts[0].values()) == [45], outputs_text(cell)
    assert re.search(r"\b45\b", outputs_text(cell))


def test_quickstart_index_has_nlist_64(executed_quickstart):
    cell = code_cell(executed_quickstart, "CREATE INDEX")
    text = outputs_text(cell)
    assert re.search(r"nlist\b[^\n]*?\b64\b", text), text
    assert "IVF_FLAT" in text and "L2" in text, text


def test_quickstart_filtered_query(executed_quickstart):
    cell = code_cell(executed_quickstart, "SELECT id, label FROM")
    rows = [r for t in tables(cell) for r in t["data"]]
    assert len(rows) == 5 and all(r["label"] == "green" for r in rows), outputs_text(cell)
    assert all(15 <= int(r["id"]) <= 29 for r in rows)


def test_quickstart_cleans_up(executed_quickstart):
    cell = code_cell(executed_quickstart, "DROP TABLE demo_manual_vectors")
    assert "demo_manual_vectors" in outputs_text(cell)
