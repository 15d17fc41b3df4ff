"""The JupyterLab extension (labextension/) ships prebuilt in the wheel: the wheel holds
share/jupyter/labextensions/milvus-sql-jupyterlab with its remote entry and the grammar's
keywords, and JupyterLab in this environment (an editable install puts the same shared-data
in the prefix) lists it as enabled; the schema browser's comm answers through a real kernel."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
import uuid
import zipfile
from pathlib import Path
from typing import Any

import pymilvus
import pytest
from kernel_harness import execute, running_kernel

from milvus_kernel.frontends.pygments_lexer import grammar_keywords

ROOT = Path(__file__).resolve().parents[1]
NAME = "milvus-sql-jupyterlab"
SHARE = f"share/jupyter/labextensions/{NAME}"


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> zipfile.ZipFile:
    pytest.importorskip("hatch_jupyter_builder")
    if not (ROOT / "labextension" / "node_modules").is_dir():  # tests download nothing
        pytest.skip("labextension/node_modules is made by the first build: pip install -e .")
    out = tmp_path_factory.mktemp("wheel")
    command = [sys.executable, "-m", "hatchling", "build", "-t", "wheel", "-d", str(out)]
    subprocess.run(command, cwd=ROOT, check=True, capture_output=True, timeout=600)
    (path,) = out.glob("*.whl")
    return zipfile.ZipFile(path)


def shared(wheel: zipfile.ZipFile) -> dict[str, str]:
    prefix = re.compile(rf"^[^/]+\.data/data/{SHARE}/")
    return {prefix.sub("", n): n for n in wheel.namelist() if prefix.match(n)}


def test_wheel_contains_the_prebuilt_labextension(wheel: zipfile.ZipFile):
    files = shared(wheel)
    assert {"package.json", "install.json", "static/style.js"} <= set(files), sorted(files)
    package = json.loads(wheel.read(files["package.json"]))
    assert package["name"] == NAME
    assert package["jupyterlab"]["_build"]["load"].startswith("static/remoteEntry.")
    assert json.loads(wheel.read(files["install.json"]))["packageName"] == "milvus-sql-kernel"


def test_bundle_holds_every_keyword_of_the_grammar(wheel: zipfile.ZipFile):
    files = shared(wheel)
    bundle = "".join(
        wheel.read(name).decode("utf-8") for key, name in files.items() if key.endswith(".js")
    )
    assert "text/x-milvus-sql" in bundle and "milvus_kernel.schema" in bundle
    missing = [word for word in grammar_keywords() if f'"{word}"' not in bundle]
    assert not missing, missing


def test_jupyter_labextension_list_shows_it_enabled(tmp_path: Path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("JUPYTER")}
    env["JUPYTER_CONFIG_DIR"] = str(tmp_path / "config")
    command = [sys.executable, "-c", "from jupyterlab.labextensions import main; main()", "list"]
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
    listing = re.sub(r"\x1b\[[0-9;]*m", "", done.stdout + done.stderr)
    line = next((line for line in listing.splitlines() if NAME in line), "")
    assert "enabled" in line and "OK" in line, listing


def comm_reply(kc: Any, comm_id: str, kind: str, data: dict[str, Any]) -> dict[str, Any]:
    """Send comm_open / comm_msg on the shell channel; the kernel's comm_msg answer's data."""
    content: dict[str, Any] = {"comm_id": comm_id, "data": data}
    if kind == "comm_open":
        content["target_name"] = "milvus_kernel.schema"
    kc.shell_channel.send(kc.session.msg(kind, content))
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        msg = kc.get_iopub_msg(timeout=60)
        if msg["msg_type"] == "comm_msg" and msg["content"]["comm_id"] == comm_id:
            return msg["content"]["data"]
    raise TimeoutError("no answer from the schema comm")


def test_schema_comm_answers_from_the_kernels_connection(tmp_path: Path):
    """The panel's comm through a real kernel: nothing before a connection, then the
    collection a cell created, with what pymilvus says of it."""
    with running_kernel(tmp_path) as (_, kc):
        comm_id = uuid.uuid4().hex
        before = comm_reply(kc, comm_id, "comm_open", {"request": "schema"})
        assert before == {"connected": False, "databases": [], "collections": []}
        code = (
            "CONNECT './schema.db';\n"
            "CREATE TABLE docs (id INT64 PRIMARY KEY, title VARCHAR(40), v FLOAT_VECTOR(3));\n"
            "INSERT INTO docs VALUES (1, 'a', [1, 0, 0]), (2, 'b', [0, 1, 0]);\n"
            "CREATE INDEX ON docs (v) USING FLAT WITH (metric_type = 'L2');\n"
            "LOAD docs;\n"
            "CREATE DATABASE archive; USE archive;\n"
            "CREATE TABLE old_docs (key VARCHAR(8) PRIMARY KEY, v FLOAT_VECTOR(2));\n"
            "INSERT INTO old_docs VALUES ('x', [1, 0]), ('y', [0, 1]), ('z', [1, 1]);\n"
            "USE default;"
        )
        reply, _ = execute(kc, code)
        assert reply["status"] == "ok", reply
        tree = comm_reply(kc, comm_id, "comm_msg", {"request": "schema"})
        # reading the other database left the kernel in its own: a statement still sees docs
        reply, outputs = execute(kc, "SHOW TABLES;")
        assert reply["status"] == "ok" and "docs" in str(outputs) and "old_docs" not in str(outputs)
    # the kernel has ended (Milvus Lite locks its file): pymilvus reads the same database
    client = pymilvus.MilvusClient(str(tmp_path / "schema.db"))
    try:
        rows = client.get_collection_stats("docs")["row_count"]
        client.use_database("archive")
        archived = client.get_collection_stats("old_docs")["row_count"]
        archived_state = client.get_load_state("old_docs")["state"].name
    finally:
        client.close()
    (old_docs,) = tree["elsewhere"]["archive"]
    assert (old_docs["name"], old_docs["rows"], old_docs["load_state"]) == (
        "old_docs",
        archived,
        archived_state,
    )
    assert archived == 3
    assert old_docs["fields"] == [
        {"name": "key", "type": "VARCHAR(8)", "primary": True, "dim": None, "index": None},
        {"name": "v", "type": "FLOAT_VECTOR(2)", "primary": False, "dim": 2, "index": None},
    ]
    assert set(tree["databases"]) == {"default", "archive"}
    assert tree["connected"] and tree["uri"] == str(tmp_path / "schema.db")
    assert tree["database"] == "default" and "default" in tree["databases"]
    (docs,) = tree["collections"]
    assert (docs["name"], docs["rows"], docs["load_state"]) == ("docs", rows, "Loaded")
    assert rows == 2
    assert docs["fields"] == [
        {"name": "id", "type": "INT64", "primary": True, "dim": None, "index": None},
        {"name": "title", "type": "VARCHAR(40)", "primary": False, "dim": None, "index": None},
        {"name": "v", "type": "FLOAT_VECTOR(3)", "primary": False, "dim": 3, "index": "FLAT"},
    ]
    assert not {"password", "token", "user"} & set(tree), "no credentials"
