"""The JupyterLab extension (labextension/) ships prebuilt in the wheel: the wheel holds
share/jupyter/labextensions/milvus-sql-jupyterlab with its remote entry and the grammar's
keywords, and JupyterLab in this environment (an editable install puts the same shared-data
in the prefix) lists it as enabled."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from milvus_kernel.frontends.pygments_lexer import grammar_keywords

ROOT = Path(__file__).resolve().parents[1]
NAME = "milvus-sql-jupyterlab"
SHARE = f"share/jupyter/labextensions/{NAME}"


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> zipfile.ZipFile:
    pytest.importorskip("hatch_jupyter_builder")
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
