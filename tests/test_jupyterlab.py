"""JupyterLab in headless Chromium: a notebook on the Milvus kernel, run as a person runs it.

`jupyter lab` serves a temporary directory on 127.0.0.1 (random token, free port, its own
config, settings and runtime directories); Selenium drives Debian's Chromium through
/usr/bin/chromedriver (no browser is ever downloaded). The test opens the notebook, waits for
the kernel, runs every cell from the Run menu, and finds the search result as an HTML table
(`table.milvus-table`) with the hits a NumPy brute force expects, the highlighting of the
labextension's Milvus SQL language (SEARCH, USING, RERANK in the keyword color; a Python notebook
keeps Python's), and its schema browser listing the collection the notebook created. A
screenshot goes to the test's temporary directory; MILVUS_DOCS_WRITE_SCREENSHOT=1 also writes
it to docs/images/jupyterlab.png (the README's picture).

Skips, with one line, when Chromium or chromedriver is not installed (.ci/run installs them
with apt-get when it can).
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from kernel_harness import install_kernelspec, kernel_env

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
if not (CHROMIUM.exists() and CHROMEDRIVER.exists()):
    pytest.skip("needs /usr/bin/chromium and /usr/bin/chromedriver", allow_module_level=True)
nbformat = pytest.importorskip("nbformat")
pytest.importorskip("jupyterlab")
webdriver = pytest.importorskip("selenium.webdriver")
from selenium.common.exceptions import TimeoutException  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.common.keys import Keys  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SCREENSHOT = ROOT / "docs" / "images" / "jupyterlab.png"
WAIT = 120  # seconds allowed to each step (the first kernel start imports pymilvus)

POINTS = {
    1: ("red", [0.9, 0.1, 0.1, 0.0]),
    2: ("red", [0.8, 0.2, 0.1, 0.1]),
    3: ("green", [0.1, 0.9, 0.2, 0.0]),
    4: ("green", [0.2, 0.8, 0.1, 0.1]),
    5: ("blue", [0.0, 0.1, 0.9, 0.3]),
    6: ("blue", [0.1, 0.2, 0.8, 0.4]),
}
QUERY = [0.12, 0.88, 0.18, 0.02]
VALUES = ",\n  ".join(f"({i}, '{label}', {vector})" for i, (label, vector) in POINTS.items())
CELLS = [
    ("markdown", "# Milvus SQL in JupyterLab\nEmbedded Milvus Lite: no server to start."),
    (
        "code",
        "CONNECT './colors.db';\n"
        "CREATE TABLE colors (id INT64 PRIMARY KEY, label VARCHAR(20), vector FLOAT_VECTOR(4));\n"
        f"INSERT INTO colors VALUES\n  {VALUES};\n"
        "CREATE INDEX ON colors (vector) USING FLAT WITH (metric_type = 'L2');\n"
        "LOAD colors;\n"
        "CREATE DATABASE archive; USE archive;\n"
        "CREATE TABLE old_colors (id INT64 PRIMARY KEY, vector FLOAT_VECTOR(2)); USE default;",
    ),
    ("code", f"SEARCH colors FOR {QUERY}\n  WHERE label <> 'blue'\n  RETURN label LIMIT 3;"),
    ("code", "SELECT id, label FROM colors WHERE label IN ('red', 'green') LIMIT 4;"),
    (
        "code",
        f"SEARCH colors USING vector FOR {QUERY} LIMIT 3,\n"
        f"  USING vector FOR {POINTS[5][1]} LIMIT 3\n"
        "  RERANK RRF RETURN label LIMIT 3;",
    ),
]
#: A Python notebook with the same words: Python keeps its own highlighting.
PYTHON_CELL = "SEARCH = RERANK = 'a name, not a keyword'"


#: User settings: no news or update checks (no network, no pop-ups); every cell kept in the
#: page (JupyterLab 4 otherwise leaves cells out of view out of the DOM).
SETTINGS = {
    "@jupyterlab/apputils-extension/notification": {"fetchNews": "false", "checkForUpdates": False},
    "@jupyterlab/notebook-extension/tracker": {"windowingMode": "none"},
}


def brute_force(k: int) -> list[int]:
    allowed = [(i, v) for i, (label, v) in POINTS.items() if label != "blue"]
    distances = sorted(
        (sum((a - b) ** 2 for a, b in zip(v, QUERY, strict=True)), i) for i, v in allowed
    )
    return [i for _, i in distances[:k]]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def write_notebook(path: Path) -> None:
    nb = nbformat.v4.new_notebook()
    nb.metadata.kernelspec = {"name": "milvus", "display_name": "Milvus SQL", "language": "sql"}
    make = {"code": nbformat.v4.new_code_cell, "markdown": nbformat.v4.new_markdown_cell}
    nb.cells = [make[kind](source) for kind, source in CELLS]
    nbformat.write(nb, path)
    python = nbformat.v4.new_notebook()
    python.metadata.kernelspec = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    python.metadata.language_info = {"name": "python", "codemirror_mode": {"name": "ipython"}}
    python.cells = [nbformat.v4.new_code_cell(PYTHON_CELL)]
    nbformat.write(python, path.with_name("python.ipynb"))


def wait_for_server(url: str, proc: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"jupyter lab exited ({proc.returncode}):\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(url, timeout=5) as reply:
                if reply.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    pytest.fail(f"jupyter lab did not answer within {WAIT}s:\n{log.read_text()[-3000:]}")


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """A JupyterLab server on 127.0.0.1 serving a directory with demo.ipynb."""
    base = tmp_path_factory.mktemp("lab")
    notebooks = base / "notebooks"
    notebooks.mkdir()
    write_notebook(notebooks / "demo.ipynb")
    for plugin, values in SETTINGS.items():
        path = base / "settings" / f"{plugin}.jupyterlab-settings"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values))
    port, token = free_port(), secrets.token_hex(16)
    env = kernel_env(
        {
            "JUPYTER_PATH": install_kernelspec(base / "prefix"),
            "JUPYTER_CONFIG_DIR": str(base / "config"),
            "JUPYTER_RUNTIME_DIR": str(base / "runtime"),
            "JUPYTERLAB_SETTINGS_DIR": str(base / "settings"),
            "JUPYTERLAB_WORKSPACES_DIR": str(base / "workspaces"),
        }
    )
    log = base / "lab.log"
    command = [sys.executable, "-m", "jupyterlab", "--no-browser", "--ip=127.0.0.1"]
    command += [f"--port={port}", f"--ServerApp.token={token}", "--allow-root"]
    command += [
        "--ServerApp.port_retries=0",
        "--LabApp.news_url=",
        "--ServerApp.open_browser=False",
    ]
    with log.open("wb") as out:
        proc = subprocess.Popen(
            command, cwd=notebooks, env=env, stdout=out, stderr=subprocess.STDOUT
        )
    try:
        wait_for_server(f"http://127.0.0.1:{port}/api/status?token={token}", proc, log)
        yield {"url": f"http://127.0.0.1:{port}", "token": token, "dir": notebooks, "log": log}
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    profile = tempfile.mkdtemp(prefix="chromium-profile-")
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-quic",
        "--disable-dev-shm-usage",
        f"--user-data-dir={profile}",
        "--window-size=1280,1350",
    ):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def wait_until(driver: Any, step: str, condition: Any) -> Any:
    """Wait for `condition`; on timeout fail naming the step, with the status bar's text."""
    try:
        return WebDriverWait(driver, WAIT).until(condition)
    except TimeoutException:
        shot = Path(tempfile.mkdtemp(prefix="jupyterlab-failure-")) / "screen.png"
        driver.save_screenshot(str(shot))
        pytest.fail(f"JupyterLab: {step} within {WAIT}s; status {status_text(driver)!r}; {shot}")


def status_text(driver: Any) -> str:
    return driver.execute_script(
        "const bar = document.querySelector('#jp-main-statusbar');return bar ? bar.innerText : '';"
    )


def click_menu(driver: Any, menu: str, item: str) -> None:
    xpath = f"//li[contains(@class, 'lm-MenuBar-item')][.//div[text()='{menu}']]"
    wait_until(driver, f"menu {menu}", lambda d: d.find_element(By.XPATH, xpath)).click()
    entry = f"//li[contains(@class, 'lm-Menu-item')][.//div[text()='{item}']]"
    wait_until(driver, f"menu item {item}", lambda d: d.find_element(By.XPATH, entry)).click()


@pytest.fixture(scope="module")
def ran(lab: dict[str, Any], browser: Any) -> Any:
    """The notebook opened in JupyterLab, the kernel idle, then Run > Run All Cells done."""
    browser.get(f"{lab['url']}/lab/tree/demo.ipynb?token={lab['token']}")
    cells = ".jp-Notebook .jp-Cell .cm-content"
    wait_until(browser, "the notebook opens", lambda d: d.find_elements(By.CSS_SELECTOR, cells))
    wait_until(browser, "the kernel starts", lambda d: "Idle" in status_text(d))
    # Collapse the file browser: more room for the notebook in the screenshot.
    browser.find_element(By.CSS_SELECTOR, "li[data-id='filebrowser']").click()
    click_menu(browser, "Run", "Run All Cells")
    tables = "table.milvus-table"
    wait_until(browser, "3 tables", lambda d: len(d.find_elements(By.CSS_SELECTOR, tables)) > 2)
    wait_until(browser, "the kernel is idle", lambda d: "Idle" in status_text(d))
    return browser


def test_search_result_is_an_html_table(ran: Any):
    tables = ran.find_elements(By.CSS_SELECTOR, ".jp-OutputArea table.milvus-table")
    hits = tables[0]
    header = [th.text for th in hits.find_elements(By.CSS_SELECTOR, "thead th")]
    assert header == ["rank", "id", "distance", "label"]
    rows = [
        [td.text for td in tr.find_elements(By.CSS_SELECTOR, "td")]
        for tr in hits.find_elements(By.CSS_SELECTOR, "tbody tr")
    ]
    assert [int(r[1]) for r in rows] == brute_force(3)
    assert [r[3] for r in rows] == [POINTS[i][0] for i in brute_force(3)]
    align = [
        td.value_of_css_property("text-align") for td in hits.find_elements(By.CSS_SELECTOR, "td")
    ][:4]
    assert align == ["right", "right", "right", "left"], "numbers right, text left"
    messages = ran.find_element(By.CSS_SELECTOR, ".jp-Notebook").text
    assert "inserted 6 rows into colors" in messages
    assert "Traceback" not in messages


def test_sql_keywords_are_highlighted(ran: Any):
    # CodeMirror 6 wraps each highlighted token in a span; keywords get a color of their own.
    colors = ran.execute_script(
        "const line = document.querySelectorAll('.jp-CodeCell .cm-content .cm-line')[1];"
        "const spans = Array.from(line.querySelectorAll('span'));"
        "const color = e => getComputedStyle(e).color;"
        "return {plain: color(line),"
        " tokens: Object.fromEntries(spans.map(s => [s.textContent, color(s)]))};"
    )
    tokens = colors["tokens"]
    assert "CREATE" in tokens and "TABLE" in tokens, colors
    assert tokens["CREATE"] != colors["plain"], colors
    assert tokens["CREATE"] == tokens["TABLE"], "keywords share one color"


def token_colors(driver: Any, cell: int) -> dict[str, Any]:
    """The color of every highlighted word of code cell `cell`, and of its plain text."""
    return driver.execute_script(
        "const shown = '.jp-NotebookPanel:not(.lm-mod-hidden) .jp-CodeCell .cm-content';"
        "const cell = document.querySelectorAll(shown)[arguments[0]];"
        "const spans = Array.from(cell.querySelectorAll('.cm-line span'));"
        "const color = e => getComputedStyle(e).color;"
        "return {plain: color(cell.querySelector('.cm-line')),"
        " tokens: Object.fromEntries(spans.map(s => [s.textContent, color(s)]))};",
        cell,
    )


def test_dialect_keywords_are_highlighted(ran: Any):
    # SEARCH, RERANK and USING are no keywords of SQL: only the labextension's language has them
    hybrid = token_colors(ran, 3)
    keyword = token_colors(ran, 0)["tokens"]["CREATE"]
    for word in ("SEARCH", "USING", "RERANK", "RETURN", "LIMIT"):
        assert hybrid["tokens"].get(word) == keyword, (word, hybrid)
    assert hybrid["tokens"].get("colors") != keyword, "a name is not a keyword"
    assert hybrid["tokens"]["0.12"] not in (keyword, hybrid["plain"]), "numbers have a color"


#: The panel re-renders on every answer of the kernel: read it in one script, never by element.
PANEL_TEXTS = (
    "const details = document.querySelector('.milvus-schema-collection details');"
    "if (details && !details.open) { details.open = true; }"
    "const texts = css => Array.from(document.querySelectorAll(css)).map(e => e.innerText);"
    "return {names: texts('.milvus-schema-collection-name'),"
    " fields: texts(\".milvus-schema-collection[data-database='default'] .milvus-schema-field\"),"
    " panel: document.querySelector('#milvus-schema').innerText};"
)


def test_schema_panel_lists_the_collection(ran: Any):
    ran.find_element(By.CSS_SELECTOR, "li[data-id='milvus-schema']").click()
    ran.find_element(By.CSS_SELECTOR, ".milvus-schema-refresh").click()
    expected = ["id INT64 · primary key", "label VARCHAR(20)", "vector FLOAT_VECTOR(4) · FLAT"]
    shown = wait_until(
        ran,
        "the schema panel lists colors and its fields",
        lambda d: (t := d.execute_script(PANEL_TEXTS))["fields"] == expected and t,
    )
    assert shown["names"] == ["colors", "old_colors"], shown  # the other database's too
    assert "6 rows · Loaded" in shown["panel"], shown
    archived = ran.execute_script(
        "return document.querySelector(\".milvus-schema-collection[data-database='archive']\")"
        ".innerText;"
    )
    assert archived.startswith("old_colors 0 rows"), archived
    assert "colors.db" in shown["panel"] and "token" not in shown["panel"].casefold()


def test_screenshot(ran: Any, tmp_path_factory: pytest.TempPathFactory):
    ran.find_element(By.CSS_SELECTOR, ".jp-Notebook").send_keys(Keys.ESCAPE)
    path = tmp_path_factory.mktemp("screenshots") / "jupyterlab.png"
    assert ran.save_screenshot(str(path))
    assert path.stat().st_size > 10_000
    if os.environ.get("MILVUS_DOCS_WRITE_SCREENSHOT") == "1":
        SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, SCREENSHOT)


ACTIVE_CELL_TEXT = (
    "const cell = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden) "
    ".jp-Cell.jp-mod-active .cm-content');"
    "return cell ? cell.innerText : null;"
)


def test_double_click_inserts_the_name_at_the_cursor(ran: Any):
    """After the screenshot: the last cell gets the collection's name where its cursor is."""
    from selenium.webdriver.common.action_chains import ActionChains

    editors = ran.find_elements(By.CSS_SELECTOR, ".jp-NotebookPanel .jp-CodeCell .cm-content")
    editors[-1].click()  # the last cell is active, its cursor in it
    ActionChains(ran).key_down(Keys.CONTROL).send_keys(Keys.END).key_up(Keys.CONTROL).perform()
    ActionChains(ran).send_keys("\nDESCRIBE ").perform()
    before = wait_until(
        ran, "the typed text", lambda d: (t := d.execute_script(ACTIVE_CELL_TEXT)) and t
    )
    assert before.rstrip().endswith("DESCRIBE"), before
    ran.execute_script(PANEL_TEXTS)  # opens the collection's details if they are closed
    name = ran.find_element(By.CSS_SELECTOR, ".milvus-schema-collection-name")
    ActionChains(ran).double_click(name).perform()
    after = wait_until(
        ran,
        "the name is inserted",
        lambda d: (t := d.execute_script(ACTIVE_CELL_TEXT)) and "DESCRIBE colors" in t and t,
    )
    assert after.replace("DESCRIBE colors", "DESCRIBE ", 1).rstrip() == before.rstrip(), after


def test_python_cells_keep_python_highlighting(ran: Any, lab: dict[str, Any]):
    milvus_keyword = token_colors(ran, 3)["tokens"]["SEARCH"]
    ran.get(f"{lab['url']}/lab/tree/python.ipynb?token={lab['token']}")
    # the page is rebuilt while it loads: read the lines in one script, never by element
    lines = (
        "return Array.from(document.querySelectorAll("
        "'.jp-NotebookPanel:not(.lm-mod-hidden) .jp-CodeCell .cm-line')).map(e => e.innerText);"
    )
    wait_until(ran, "the Python notebook opens", lambda d: PYTHON_CELL in d.execute_script(lines))
    wait_until(ran, "its kernel starts", lambda d: "Idle" in status_text(d))
    python = token_colors(ran, 0)["tokens"]
    # Python's mode: the string in its color, SEARCH and RERANK plain names (no keyword color)
    assert python.get("'a name, not a keyword'") not in (None, milvus_keyword), python
    assert python.get("SEARCH") != milvus_keyword, python
    assert python.get("RERANK") != milvus_keyword, python
