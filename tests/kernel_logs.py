"""A real Milvus SQL kernel whose log (its stderr) the test can read.

`kernel_with_log` starts the installed kernel like `kernel_harness.running_kernel`, with its
stderr written to a file: what the kernel logs (internal errors' tracebacks, gRPC's own messages
such as a GOAWAY) is checked there, and what reaches the notebook in the iopub messages.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from jupyter_client.manager import KernelManager
from kernel_harness import kernel_env, spec_manager, stop_kernel

from milvus_kernel.install import KERNEL_NAME

# gRPC's words when a server closes the channel for pinging too often
GOAWAY_WORDS = ("GOAWAY", "too_many_pings", "ENHANCE_YOUR_CALM")


@contextmanager
def kernel_with_log(
    workdir: Path, log: Path, env: Mapping[str, str] | None = None
) -> Iterator[tuple[KernelManager, Any]]:
    """Start the `milvus` kernel in `workdir` with its stderr in `log`; yields (manager, client).
    A kernel that dies before it is ready (its ports were taken meanwhile by another process on
    this machine) is started again, up to three times."""
    for attempt in range(3):
        km = KernelManager(kernel_name=KERNEL_NAME, kernel_spec_manager=spec_manager())
        with open(log, "ab") as stderr:
            km.start_kernel(cwd=str(workdir), env=kernel_env(env), stderr=stderr)
        kc = km.client()
        kc.start_channels()
        try:
            kc.wait_for_ready(timeout=90)
        except RuntimeError:
            stop_kernel(km, kc)
            if attempt == 2 or "Address already in use" not in log.read_text(errors="replace"):
                raise
            continue
        break
    try:
        yield km, kc
    finally:
        stop_kernel(km, kc)


def goaway_lines(log: Path) -> list[str]:
    """The lines of `log` where gRPC reports a GOAWAY (or its too_many_pings reason)."""
    text = log.read_text(errors="replace") if log.exists() else ""
    return [line for line in text.splitlines() if any(w in line for w in GOAWAY_WORDS)]
