"""The kernel's side run in this process: a `Session` on the benchmark server, each cell parsed,
executed and rendered exactly as the Jupyter kernel does, with its Milvus calls counted."""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import wraps
from typing import Any

from milvus_kernel.display import render
from milvus_kernel.engine.session import Session
from milvus_kernel.frontends.runner import run_cell


class CallLog:
    """Counts the MilvusClient calls a session makes and the time spent inside them."""

    def __init__(self) -> None:
        self.calls: list[str] = []
        self.seconds = 0.0

    def reset(self) -> None:
        self.calls.clear()
        self.seconds = 0.0

    def wrap(self, client: Any) -> None:
        """Route the public methods of `client` through this log (on the instance only)."""
        for name in dir(type(client)):
            method = getattr(client, name, None)
            if name.startswith("_") or not callable(method):
                continue
            setattr(client, name, self._logged(name, method))

    def _logged(self, name: str, method: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(method)
        def call(*args: Any, **kwargs: Any) -> Any:
            start = time.perf_counter()
            try:
                return method(*args, **kwargs)
            finally:
                self.seconds += time.perf_counter() - start
                self.calls.append(name)

        return call


class KernelSide:
    """A session on `uri` (and `database`), like the kernel's, for running cells in-process."""

    def __init__(self, uri: str, database: str | None = None) -> None:
        environ = {"MILVUS_URI": uri}
        if database:
            environ["MILVUS_DB"] = database
        self.session = Session(environ=environ)
        self.log = CallLog()
        self.log.wrap(self.session.catalog().connection.client)
        self.session.take_notices()
        self.last_bundles: list[dict[str, Any]] = []

    def run(self, cell: str) -> list[dict[str, Any]]:
        """Parse, execute and render `cell`; returns the mime bundles the kernel would send."""
        limit = self.session.settings.display_limit
        self.last_bundles = [render(r, limit) for r in run_cell(self.session, cell)]
        return self.last_bundles

    def close(self) -> None:
        self.session.close()


def materialize(result: Any) -> Any:
    """What any user of pymilvus does with a result: read every row (pymilvus decodes lazily)."""
    if isinstance(result, list) and result and not isinstance(result[0], dict):
        return [[dict(hit) for hit in hits] for hits in result]  # search: hits per query
    return [dict(row) for row in result]
