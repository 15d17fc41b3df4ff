"""Real kernels over the Jupyter protocol (jupyter_client): the installed Milvus SQL kernel and
ipykernel's `python3`, both in this Python, and timing a request until the kernel is idle."""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Mapping
from pathlib import Path
from queue import Empty
from typing import Any

from jupyter_client.blocking.client import BlockingKernelClient
from jupyter_client.manager import KernelManager

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
import kernel_harness

Kernel = tuple[KernelManager, BlockingKernelClient]


def milvus_manager(uri: str, database: str | None = None) -> tuple[KernelManager, dict[str, str]]:
    """A manager for the `milvus` kernel (spec installed into a temporary prefix) and its env:
    MILVUS_URI (and MILVUS_DB) point it at the benchmark server."""
    manager = KernelManager(kernel_name="milvus", kernel_spec_manager=kernel_harness.spec_manager())
    extra = {"MILVUS_URI": uri}
    if database:
        extra["MILVUS_DB"] = database
    return manager, kernel_harness.kernel_env(extra)


def python_manager() -> tuple[KernelManager, dict[str, str]]:
    """A manager for ipykernel's `python3` kernel."""
    return KernelManager(kernel_name="python3"), kernel_harness.kernel_env()


def start(manager: KernelManager, env: Mapping[str, str], workdir: Path) -> BlockingKernelClient:
    """Start the kernel in `workdir` and wait until it answers kernel_info."""
    manager.start_kernel(cwd=str(workdir), env=dict(env))
    client = manager.client()
    client.start_channels()
    client.wait_for_ready(timeout=120)
    return client


def stop(kernel: Kernel) -> None:
    manager, client = kernel
    client.stop_channels()
    if manager.has_kernel:
        manager.shutdown_kernel(now=True)


def run(client: BlockingKernelClient, code: str, timeout: float = 300) -> list[dict[str, Any]]:
    """Execute `code` until the kernel is idle; its iopub outputs. An error output raises."""
    reply, outputs = kernel_harness.execute(client, code, timeout=timeout)
    if reply["status"] != "ok":
        raise RuntimeError(f"cell failed: {reply.get('evalue')!r}\n{code[:200]}")
    return outputs


def timed_run(client: BlockingKernelClient, code: str) -> tuple[float, float, int]:
    """(seconds to idle, seconds to the first execute_result, bytes of iopub output content)."""
    start = time.perf_counter()
    msg_id = client.execute(code)
    first = None
    size = 0
    while True:
        message = client.get_iopub_msg(timeout=300)
        if message["parent_header"].get("msg_id") != msg_id:
            continue
        kind = message["msg_type"]
        if kind == "execute_result" and first is None:
            first = time.perf_counter() - start
        if kind == "error":
            raise RuntimeError(f"cell failed: {message['content'].get('evalue')!r}")
        if kind not in ("status", "execute_input"):
            size += len(json.dumps(message["content"]))
        if kind == "status" and message["content"]["execution_state"] == "idle":
            elapsed = time.perf_counter() - start
            break
    _drain_reply(client, msg_id)
    return elapsed, first if first is not None else elapsed, size


def timed_complete(client: BlockingKernelClient, code: str) -> tuple[float, int]:
    """(seconds from complete_request to its reply, number of matches)."""
    start = time.perf_counter()
    msg_id = client.complete(code, len(code))
    while True:
        message = client.get_shell_msg(timeout=60)
        if message["parent_header"].get("msg_id") == msg_id:
            return time.perf_counter() - start, len(message["content"]["matches"])


def _drain_reply(client: BlockingKernelClient, msg_id: str) -> None:
    while True:
        try:
            message = client.get_shell_msg(timeout=30)
        except Empty:
            return
        if message["parent_header"].get("msg_id") == msg_id:
            return
