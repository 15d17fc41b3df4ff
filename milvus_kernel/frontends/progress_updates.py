"""Progress of a cell's long statements in the notebook: one display each, updated in place."""

from __future__ import annotations

import uuid

from ipykernel.kernelbase import Kernel

from milvus_kernel.display import render_progress
from milvus_kernel.engine.progress import Progress


class ProgressDisplay:
    """Progress of a cell's long statements: one `display_data` per operation (with a display
    id), then `update_display_data` messages that redraw it in place."""

    def __init__(self, kernel: Kernel) -> None:
        self._kernel = kernel
        self._ids: dict[int, str] = {}

    def show(self, progress: Progress) -> None:
        bundle = render_progress(
            progress.done, progress.total, progress.unit, progress.label, progress.elapsed
        )
        display_id = self._ids.get(progress.key)
        kind = "update_display_data"
        if display_id is None:
            display_id = self._ids[progress.key] = uuid.uuid4().hex
            kind = "display_data"
        content = {"data": bundle, "metadata": {}, "transient": {"display_id": display_id}}
        self._kernel.send_response(self._kernel.iopub_socket, kind, content)
