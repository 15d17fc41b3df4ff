"""Starting real Milvus SQL kernels in tests: the kernel spec installed into a temporary prefix,
kernels started through jupyter_client in a temporary working directory (so `milvus_kernel.db`
lands there), and a helper that runs a cell and collects its reply and outputs.

Nothing here changes `os.environ`: the kernel spec is found through an explicit
KernelSpecManager, and kernels get an environment without the user's `MILVUS_*` variables.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from queue import Empty
from typing import Any

from jupyter_client.blocking.client import BlockingKernelClient
from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.manager import KernelManager

from milvus_kernel.install import KERNEL_NAME, install

_shared_data_dir: str | None = None


def install_kernelspec(directory: Path | str | None = None) -> str:
    """Install the `milvus` spec under `directory` (used as a --prefix) and return the Jupyter
    data directory (`<prefix>/share/jupyter`, a value for JUPYTER_PATH).

    Without a directory the spec is installed once per test process into a temporary prefix.
    """
    global _shared_data_dir
    if directory is None:
        if _shared_data_dir is None:
            prefix = tempfile.mkdtemp(prefix="milvus-kernelspec-")
            atexit.register(shutil.rmtree, prefix, ignore_errors=True)
            _shared_data_dir = install_kernelspec(prefix)
        return _shared_data_dir
    install(prefix=str(directory))
    return str(Path(directory) / "share" / "jupyter")


def kernel_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """This environment minus `MILVUS_*` (so the kernel uses embedded Lite), plus `extra`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("MILVUS_")}
    env.update(extra or {})
    return env


def spec_manager(data_dir: str | None = None) -> KernelSpecManager:
    """A KernelSpecManager that sees only the kernel specs under `data_dir`."""
    data_dir = data_dir or install_kernelspec()
    return KernelSpecManager(kernel_dirs=[str(Path(data_dir) / "kernels")])


def start_kernel(
    workdir: Path | str,
    env: Mapping[str, str] | None = None,
    data_dir: str | None = None,
    startup_timeout: float = 90,
) -> tuple[KernelManager, BlockingKernelClient]:
    """Start the installed `milvus` kernel in `workdir`; returns the manager and a ready client."""
    km = KernelManager(kernel_name=KERNEL_NAME, kernel_spec_manager=spec_manager(data_dir))
    km.start_kernel(cwd=str(workdir), env=kernel_env(env))
    kc = km.client()
    kc.start_channels()
    try:
        kc.wait_for_ready(timeout=startup_timeout)
    except RuntimeError:
        kc.stop_channels()
        km.shutdown_kernel(now=True)
        raise
    return km, kc


def stop_kernel(km: KernelManager, kc: BlockingKernelClient) -> None:
    """Stop the client and, unless a test already did, shut the kernel down cleanly."""
    kc.stop_channels()
    if km.has_kernel and km.is_alive():
        km.shutdown_kernel(now=False)


@contextmanager
def running_kernel(
    workdir: Path | str, env: Mapping[str, str] | None = None, data_dir: str | None = None
) -> Iterator[tuple[KernelManager, BlockingKernelClient]]:
    km, kc = start_kernel(workdir, env, data_dir)
    try:
        yield km, kc
    finally:
        stop_kernel(km, kc)


def execute(
    kc: BlockingKernelClient, code: str, timeout: float = 120, **options: Any
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Run a cell; returns the execute_reply content and the cell's iopub output messages
    (everything but status and execute_input), in order."""
    msg_id = kc.execute(code, **options)
    return collect(kc, msg_id, timeout)


def collect(
    kc: BlockingKernelClient, msg_id: str, timeout: float = 120
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The reply to request `msg_id` and its iopub outputs, once the kernel is idle again."""
    deadline = time.monotonic() + timeout
    reply = None
    while reply is None:
        msg = kc.get_shell_msg(timeout=max(deadline - time.monotonic(), 0.1))
        if msg["parent_header"].get("msg_id") == msg_id:
            reply = msg["content"]
    outputs: list[dict[str, Any]] = []
    while True:
        try:
            msg = kc.get_iopub_msg(timeout=max(deadline - time.monotonic(), 0.1))
        except Empty as error:
            raise TimeoutError(f"no idle status for {msg_id} within {timeout}s") from error
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        kind = msg["msg_type"]
        if kind == "status" and msg["content"]["execution_state"] == "idle":
            return reply, outputs
        if kind not in ("status", "execute_input"):
            outputs.append(msg)


def plain_texts(outputs: list[dict[str, Any]]) -> list[str]:
    """The text/plain of each execute_result / display_data output."""
    return [
        m["content"]["data"].get("text/plain", "")
        for m in outputs
        if m["msg_type"] in ("execute_result", "display_data")
    ]


DOCS = Path(__file__).resolve().parent.parent / "docs"


def run_docs_notebook(name: str, data_dir: str, workdir: Path) -> Any:
    """Run docs/<name> top to bottom with nbclient on the installed kernel, in `workdir` (a copy
    of docs/ is made there), without the user's MILVUS_* variables. nbclient's default
    allow_errors=False, as Run All: only a cell tagged `raises-exception` may fail (its error
    stays in the outputs); any other error raises nbclient's CellExecutionError.

    With MILVUS_DOCS_WRITE_OUTPUTS=1 the executed notebook is written back to docs/, the
    temporary directory shown as ".".
    """
    import nbclient
    import nbformat
    from jupyter_client.manager import AsyncKernelManager

    shutil.copytree(DOCS, workdir, dirs_exist_ok=True, ignore=shutil.ignore_patterns("*.db"))
    nb = nbformat.read(workdir / name, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    nbclient.NotebookClient(
        nb,
        km=AsyncKernelManager(kernel_name=KERNEL_NAME, kernel_spec_manager=spec_manager(data_dir)),
        timeout=300,
        startup_timeout=120,
        record_timing=False,
        resources={"metadata": {"path": str(workdir)}},
    ).execute(env={k: v for k, v in os.environ.items() if not k.startswith("MILVUS_")})
    if os.environ.get("MILVUS_DOCS_WRITE_OUTPUTS") == "1":
        text = nbformat.writes(nb).replace(str(workdir.resolve()), ".").replace(str(workdir), ".")
        nbformat.write(nbformat.reads(text, as_version=4), DOCS / name)
    return nb


def notebook_cell(nb: Any, prefix: str) -> Any:
    """The one code cell whose source starts with `prefix` (case-insensitive)."""
    start = prefix.upper()
    found = [
        c for c in nb.cells if c.cell_type == "code" and c.source.lstrip().upper().startswith(start)
    ]
    assert len(found) == 1, f"expected one cell starting with {prefix!r}, found {len(found)}"
    return found[0]
