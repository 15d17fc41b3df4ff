"""Helpers shared by the administration, SHOW CREATE, legacy-dialect, server-type, PLOT and
EVALUATE tests: run cells through the kernel's own pipeline (`run_cell` + `render`) on a real
Session, and open sessions on the Milvus 2.3.5 standalone server with authentication (Strong
consistency).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from milvus_kernel.display import render
from milvus_kernel.engine.session import Session
from milvus_kernel.errors import KernelError
from milvus_kernel.frontends.runner import run_cell
from milvus_kernel.language.parser import parse_cell
from milvus_kernel.results import Table


def run(session: Session, cell: str) -> list[Any]:
    """The result of each statement of `cell` (notices, such as where the session connected by
    default, come before the result of the statement that caused them and are dropped)."""
    session.take_notices()
    results = list(run_cell(session, cell))
    return results[-len(parse_cell(cell)) :]


def one(session: Session, cell: str) -> Any:
    """The result of the last statement of `cell`."""
    return run(session, cell)[-1]


def text(session: Session, cell: str) -> str:
    """The text/plain of every result of `cell`, one per line."""
    return "\n".join(render(r, 0)["text/plain"] for r in run(session, cell))


def rows(session: Session, cell: str) -> list[tuple[Any, ...]]:
    result = one(session, cell)
    assert isinstance(result, Table), result
    return [tuple(r) for r in result.rows]


def fails(session: Session, cell: str) -> str:
    """The rendered error of a cell that must fail."""
    with pytest.raises(KernelError) as raised:
        run(session, cell)
    return raised.value.render()


@contextmanager
def server_session(server: Any, workdir: Path, **environ: str) -> Iterator[Session]:
    """A Session on the standalone `server` (root credentials when it has authentication)."""
    env = {"MILVUS_URI": server.uri, **environ}
    if server.token and "MILVUS_TOKEN" not in env and "MILVUS_USER" not in env:
        env["MILVUS_TOKEN"] = server.token
    session = Session(workdir=workdir, environ=env)
    session.settings.set("consistency_level", "Strong")
    try:
        yield session
    finally:
        session.close()
