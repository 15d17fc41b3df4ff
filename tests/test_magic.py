"""The IPython magic in a real Python kernel (ipykernel, started through jupyter_client).

`%load_ext milvus_kernel`, then `%%milvus` cells and `%milvus` lines on embedded Milvus Lite in
a temporary directory: each result is displayed with the kernel's mime bundle, the last table
comes back as a DataFrame holding every row (checked against the data inserted), `:name` binds
Python values (a numpy query vector's hits match a numpy brute force), one session lasts across
cells, and errors show the kernel's short report with no Python traceback.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.manager import KernelManager
from kernel_harness import execute, kernel_env

np = pytest.importorskip("numpy")
pytest.importorskip("pandas")

DATARESOURCE = "application/vnd.dataresource+json"
ROWS, DIM, SEED = 120, 8, 11
LABELS = ("red", "green", "blue")
#: Python-side tracebacks look like this; the magic's errors must not.
TRACEBACK_MARKS = ("Traceback", 'File "', "---------", "site-packages")


def dataset() -> tuple[Any, list[str]]:
    rng = np.random.default_rng(SEED)
    vectors = rng.normal(size=(ROWS, DIM)).round(4)
    return vectors, [LABELS[i % 3] for i in range(ROWS)]


def python_kernel_dir(directory: Path) -> str:
    """A kernel spec "py" that runs ipykernel on this interpreter (whatever else is installed)."""
    spec = directory / "py"
    spec.mkdir(parents=True)
    argv = [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    (spec / "kernel.json").write_text(
        json.dumps({"argv": argv, "display_name": "Python", "language": "python"})
    )
    return str(directory)


@pytest.fixture(scope="module")
def kc(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    specs = python_kernel_dir(tmp_path_factory.mktemp("specs"))
    workdir = tmp_path_factory.mktemp("magic")
    km = KernelManager(kernel_name="py", kernel_spec_manager=KernelSpecManager(kernel_dirs=[specs]))
    km.start_kernel(cwd=str(workdir), env=kernel_env())
    client = km.client()
    client.start_channels()
    try:
        client.wait_for_ready(timeout=90)
        setup = "import numpy as np\nimport pandas as pd\n%load_ext milvus_kernel\n"
        vectors, labels = dataset()
        setup += f"vectors = np.array({vectors.tolist()!r})\nlabels = {labels!r}\n"
        ok(client, setup)
        yield client
    finally:
        client.stop_channels()
        km.shutdown_kernel(now=False)


def ok(kc: Any, code: str) -> list[dict[str, Any]]:
    reply, outputs = execute(kc, code, timeout=180)
    assert reply["status"] == "ok", (reply.get("ename"), reply.get("evalue"), outputs)
    return outputs


def value(kc: Any, expression: str) -> Any:
    """A Python expression evaluated in the kernel, returned as JSON."""
    outputs = ok(kc, f"import json as _j; print(_j.dumps({expression}))")
    text = "".join(m["content"]["text"] for m in outputs if m["msg_type"] == "stream")
    return json.loads(text)


def shown(outputs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [m for m in outputs if m["msg_type"] in ("display_data", "execute_result")]


def streams(outputs: list[dict[str, Any]]) -> str:
    return "".join(m["content"]["text"] for m in outputs if m["msg_type"] == "stream")


@pytest.fixture(scope="module")
def pts(kc: Any) -> str:
    """Collection `pts`: the dataset, created and indexed (FLAT, L2) by a `%%milvus` cell."""
    ok(
        kc,
        "%%milvus\n"
        f"CREATE TABLE pts (id INT64 PRIMARY KEY, label VARCHAR(10), vector FLOAT_VECTOR({DIM}));\n"
        "CREATE INDEX ON pts (vector) USING FLAT WITH (metric_type = 'L2');\n",
    )
    # One INSERT of every row, its text built in Python and run through the cell magic.
    ok(
        kc,
        "rows = [f'({i}, {labels[i]!r}, {vectors[i].tolist()})' for i in range(len(labels))]\n"
        "insert = 'INSERT INTO pts VALUES ' + ', '.join(rows) + '; LOAD pts'\n"
        "get_ipython().run_cell_magic('milvus', '', insert)",
    )
    return "pts"


def test_cell_displays_each_result_and_returns_the_last_table(kc: Any, pts: str):
    outputs = ok(
        kc,
        "%%milvus\nSHOW TABLES;\nSELECT COUNT(*) FROM pts;\n"
        "SELECT id, label FROM pts WHERE id < 3;",
    )
    results = shown(outputs)
    assert [m["msg_type"] for m in results] == ["display_data"] * 2 + ["execute_result"]
    for message in results:
        data = message["content"]["data"]
        assert {"text/plain", "text/html", DATARESOURCE} <= set(data)
        assert '<table class="milvus-table">' in data["text/html"]
    count = results[1]["content"]["data"][DATARESOURCE]["data"]
    assert list(count[0].values()) == [ROWS]
    last = results[2]["content"]["data"][DATARESOURCE]
    assert [f["name"] for f in last["schema"]["fields"]] == ["id", "label"]
    assert [(r["id"], r["label"]) for r in last["data"]] == [(0, "red"), (1, "green"), (2, "blue")]
    assert not streams(outputs)


def test_dataframe_holds_every_row(kc: Any, pts: str):
    outputs = ok(kc, "df = %milvus SELECT * FROM pts")
    assert not shown(outputs), "an assignment shows nothing"
    assert value(kc, "[type(df).__name__, len(df), list(df.columns)]") == [
        "MilvusFrame",
        ROWS,
        ["id", "label", "vector"],
    ]
    vectors, labels = dataset()
    assert value(kc, "sorted(df['id'].tolist())") == list(range(ROWS))
    rows = value(kc, "df.sort_values('id')[['label', 'vector']].values.tolist()")
    assert [r[0] for r in rows] == labels
    assert np.allclose(np.array([r[1] for r in rows]), vectors, atol=1e-6)
    assert value(kc, "isinstance(df.head(), pd.DataFrame) and type(df.head()) is pd.DataFrame")


def test_dataframe_displays_like_the_kernel(kc: Any, pts: str):
    outputs = ok(kc, "%milvus SELECT * FROM pts")
    (result,) = shown(outputs)
    data = result["content"]["data"]
    assert len(data[DATARESOURCE]["data"]) == 10, "display_limit rows are shown"
    assert f"showing 10 of {ROWS} rows" in data["text/plain"]
    assert "…" not in data["text/plain"] or "dims" in data["text/plain"]


def test_string_and_number_bindings(kc: Any, pts: str):
    ok(kc, "wanted = 'green'\nfirst = 30")
    got = value(
        kc,
        "(lambda f: sorted(f['id'].tolist()))("
        "get_ipython().run_line_magic('milvus', "
        "'SELECT id FROM pts WHERE label = :wanted AND id >= :first'))",
    )
    _, labels = dataset()
    assert got == [i for i in range(30, ROWS) if labels[i] == "green"]
    # No IPython variable expansion: {…} and $ stay in the statement as written.
    ok(
        kc,
        "counted = %milvus SELECT COUNT(*) FROM pts WHERE label = '{wanted}' OR label = '$first'",
    )
    assert value(kc, "int(counted.iloc[0, 0])") == 0


def test_numpy_vector_search_matches_brute_force(kc: Any, pts: str):
    rng = np.random.default_rng(99)
    query = rng.normal(size=DIM).round(4)
    ok(kc, f"q = np.array({query.tolist()!r}, dtype=np.float32)")
    ok(kc, "hits = %milvus SEARCH pts FOR :q RETURN label LIMIT 8")
    hits = value(kc, "hits.to_dict('list')")
    vectors, labels = dataset()
    distances = ((vectors - query) ** 2).sum(axis=1)
    expected = np.argsort(distances, kind="stable")[:8].tolist()
    assert hits["id"] == expected
    assert hits["label"] == [labels[i] for i in expected]
    assert hits["rank"] == list(range(1, 9))
    assert np.allclose(hits["distance"], distances[expected], rtol=1e-4, atol=1e-4)


def test_bindings_in_a_python_loop_and_function(kc: Any, pts: str):
    ok(
        kc,
        "%milvus CREATE TABLE few (id INT64 PRIMARY KEY, vector FLOAT_VECTOR(2))\n"
        "for i in range(3):\n"
        "    v = np.array([i, i + 0.5])\n"
        "    %milvus INSERT INTO few VALUES (:i, :v)\n"
        "def nearest(x):\n"
        "    hit = %milvus SEARCH few FOR :x LIMIT 1\n"
        "    return hit\n",
    )
    ok(kc, "%milvus CREATE INDEX ON few (vector) USING FLAT WITH (metric_type = 'L2'); LOAD few")
    assert value(kc, "int(nearest([2.1, 2.4])['id'][0])") == 2
    ok(kc, "one = %milvus SELECT id, vector FROM few WHERE id = 1")
    assert value(kc, "one.values.tolist()") == [[1, [1.0, 1.5]]]


def test_message_is_displayed_and_returns_none(kc: Any, pts: str):
    outputs = ok(
        kc, "r = %milvus CREATE TABLE IF NOT EXISTS empty_one (id INT64 PRIMARY KEY, v VECTOR(2))"
    )
    (message,) = shown(outputs)
    assert message["msg_type"] == "display_data"
    assert "empty_one" in message["content"]["data"]["text/plain"]
    assert value(kc, "r is None")


def test_one_session_across_cells_and_connect(kc: Any, pts: str, tmp_path: Path):
    ok(kc, "tables = %milvus SHOW TABLES")
    assert "pts" in value(kc, "tables.iloc[:, 0].tolist()")
    other = tmp_path / "other.db"
    outputs = ok(kc, f"%milvus CONNECT '{other}'")
    assert str(other) in json.dumps([m["content"]["data"] for m in shown(outputs)])
    ok(kc, "tables = %milvus SHOW TABLES")
    assert value(kc, "len(tables)") == 0
    ok(kc, "%milvus DISCONNECT")


def error_of(kc: Any, code: str) -> dict[str, Any]:
    reply, outputs = execute(kc, code, timeout=120)
    assert reply["status"] == "error", outputs
    errors = [m["content"] for m in outputs if m["msg_type"] == "error"]
    assert len(errors) == 1, outputs
    report = "\n".join(errors[0]["traceback"])
    for mark in TRACEBACK_MARKS:
        assert mark not in report, report
        assert mark not in streams(outputs), streams(outputs)
    return {"error": errors[0], "report": report, "outputs": outputs}


def test_syntax_error_shows_the_report(kc: Any, pts: str):
    failed = error_of(kc, "%%milvus\nSELECT COUNT(*) FROM pts;\nSELEC * FROM pts;")
    assert failed["error"]["ename"] == "MilvusMagicError"
    assert "Syntax error in statement 2, line 3, column 1" in failed["report"]
    assert "did you mean SELECT?" in failed["report"]
    assert not shown(failed["outputs"]), "a cell with a syntax error runs nothing"


def test_milvus_error_keeps_earlier_results(kc: Any, pts: str):
    failed = error_of(kc, "%%milvus\nSELECT COUNT(*) FROM pts;\nSELECT * FROM no_such_table;")
    assert "statement 2" in failed["report"] and "no_such_table" in failed["report"]
    tables = [m["content"]["data"] for m in shown(failed["outputs"])]
    counts = [t[DATARESOURCE]["data"] for t in tables if DATARESOURCE in t]
    assert [list(c[0].values()) for c in counts] == [[ROWS]], "statement 1's result stays"
    assert value(kc, "1 + 1") == 2, "the kernel carries on"


def test_unbound_name_and_catchable_error(kc: Any, pts: str):
    failed = error_of(kc, "%milvus SEARCH pts FOR :nowhere LIMIT 1")
    assert "no value is bound to :nowhere" in failed["report"]
    ok(
        kc,
        "from milvus_kernel.frontends.magic import MilvusMagicError\n"
        "try:\n    %milvus DROP TABLE no_such_table\n"
        "except MilvusMagicError as e:\n    caught = str(e)\n",
    )
    assert "no_such_table" in value(kc, "caught")


def test_bare_magic_prints_how_to_use_it(kc: Any):
    """`%milvus` alone (and an empty `%%milvus` cell) prints the usage, runs nothing."""
    from milvus_kernel.frontends.magic import USAGE

    for cell in ("%milvus", "%milvus   ", "%%milvus\n\n"):
        outputs = ok(kc, cell)
        assert streams(outputs).strip() == USAGE.strip(), cell
        assert not shown(outputs)
    ok(kc, "returned = %milvus")
    assert value(kc, "returned is None"), "the magic returns nothing"


def test_usage_examples_parse():
    """Every example line of the usage is a statement the language takes (with :names bound)."""
    from milvus_kernel.frontends.magic import USAGE
    from milvus_kernel.language.parser import parse_cell, parse_statement

    prefix = "%milvus "
    examples = [
        line.strip().split(prefix, 1)[1]
        for line in USAGE.split("Examples:")[1].splitlines()
        if line.startswith("  ") and prefix in line
    ]
    assert len(examples) >= 5
    bound = {"label": "red", "query": [0.1, 0.2]}
    for example in examples:
        assert parse_cell(example, bound), example
    assert type(parse_statement("HELP SEARCH")).__name__ == "Help"


def test_input_python_cannot_hold_is_a_syntax_error(kc: Any):
    """Deep brackets, 5,000-digit numbers and 1e999 through the magic: the kernel's report."""
    cases = {
        "%milvus SELECT * FROM t WHERE x IN " + "[" * 10000: "column 128: brackets nest more",
        "%milvus SEARCH t FOR " + "[" * 10000: "column 114: brackets nest more than 100",
        "%milvus SELECT * FROM t WHERE x = " + "9" * 5000: "has 5000 digits",
        "%milvus SELECT * FROM t WHERE 1e999": "column 23: the number 1e999 is out of range",
        "%milvus SELECT * FROM t WHERE [1, {}]": "WHERE needs a condition",
    }
    for cell, fragment in cases.items():
        failed = error_of(kc, cell)
        assert failed["error"]["ename"] == "MilvusMagicError"
        assert fragment in failed["report"], (cell[:60], failed["report"][:300])
        assert "Syntax error in statement 1, line 1" in failed["report"]
        for word in ("internal error", "VisitError", "RecursionError", "ValueError"):
            assert word not in failed["report"]


def test_frame_shows_its_current_contents():
    """In-process: the frame renders what it holds now, the way the kernel renders a table."""
    from milvus_kernel.display import render
    from milvus_kernel.frontends.frame import to_frame
    from milvus_kernel.results import Column, Table

    rows = [(i, f"r{i}", [0.5] * 8) for i in range(25)]
    columns = (Column("id", "int"), Column("name", "str"), Column("vector", "vector"))
    table = Table(columns, rows[:10], total=25, all_rows=lambda: iter(rows))
    frame = to_frame(table, display_limit=10)
    assert len(frame) == 25 and frame["id"].tolist() == list(range(25))
    assert frame._repr_mimebundle_() == render(table, 10), "the same bundle as the kernel's"
    frame["extra"] = [None if i % 2 else i for i in range(25)]  # changed in place
    plain = frame._repr_mimebundle_()["text/plain"]
    assert "extra" in plain and "NULL" in plain and "showing 10 of 25 rows" in plain


def test_the_magic_page_runs(tmp_path: Path):
    """Every ```python block of docs/magic.md (but `norun` ones) runs, in order, in a new kernel."""
    from test_docs import DOCS, fenced_blocks

    blocks = [
        body
        for info, _, body in fenced_blocks((DOCS / "magic.md").read_text(encoding="utf-8"))
        if info.split()[:1] == ["python"] and "norun" not in info.split()
    ]
    assert len(blocks) >= 6
    specs = python_kernel_dir(tmp_path / "specs")
    km = KernelManager(kernel_name="py", kernel_spec_manager=KernelSpecManager(kernel_dirs=[specs]))
    km.start_kernel(cwd=str(tmp_path), env=kernel_env())
    client = km.client()
    client.start_channels()
    try:
        client.wait_for_ready(timeout=90)
        outputs = [ok(client, block) for block in blocks]
        titles = value(client, "list(hits['title'])")
        assert value(client, "float(films['year'].mean())") == (1979 + 1986 + 2001 + 2016) / 4
        assert "no_such_table" in streams(outputs[-2])
    finally:
        client.stop_channels()
        km.shutdown_kernel(now=False)
    films = {
        "Aliens": [0.8, 0.2, 0.3, 0.1],
        "Amelie": [0.1, 0.9, 0.2, 0.6],
        "Arrival": [0.6, 0.3, 0.7, 0.2],
    }  # the films since 1980
    query = np.array([0.85, 0.15, 0.3, 0.15])
    cosine = {t: query @ v / np.linalg.norm(query) / np.linalg.norm(v) for t, v in films.items()}
    assert titles == sorted(cosine, key=cosine.get, reverse=True)[:2]
