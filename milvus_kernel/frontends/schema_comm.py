"""The comm target `milvus_kernel.schema`: the JupyterLab schema browser (labextension/) asks
through it for what the kernel's open connection holds, and gets `Session.schema_tree()`:
the connection's URI without password or token, its databases, and the current database's
collections with their fields. The panel never connects to Milvus itself.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ipykernel.comm import CommManager
from ipykernel.kernelbase import Kernel

if TYPE_CHECKING:  # the engine is imported on first use
    from milvus_kernel.engine.session import Session

TARGET = "milvus_kernel.schema"


def register_schema_target(kernel: Kernel, session: Callable[[], Session]) -> CommManager:
    """Give `kernel` a comm manager (a plain ipykernel `Kernel` has none) with the schema target;
    every open or message of the panel is answered with one schema tree."""
    manager = CommManager(kernel=kernel)
    for msg_type in ("comm_open", "comm_msg", "comm_close"):
        kernel.shell_handlers[msg_type] = getattr(manager, msg_type)

    def answer(comm: Any, msg: dict[str, Any]) -> None:
        try:
            comm.send(session().schema_tree())
        except Exception:  # the panel shows "not connected" rather than the kernel failing
            kernel.log.exception("the schema browser's request failed")
            comm.send({"connected": False, "databases": [], "collections": []})

    def opened(comm: Any, msg: dict[str, Any]) -> None:
        comm.on_msg(lambda message: answer(comm, message))
        answer(comm, msg)

    manager.register_target(TARGET, opened)
    return manager
