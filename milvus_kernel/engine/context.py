"""What a statement handler gets besides its statement: one explicit `HandlerContext`.

The catalog (the connected database: calls, schemas, load state), the session's settings, the
working directory that file names in statements are relative to, the sink that long operations
report progress to, and a way to run a statement a statement holds (EXPORT's query, PLOT's
HIGHLIGHT search) exactly as the session would run it on its own.
"""

from __future__ import annotations

import functools
import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

from milvus_kernel.engine.catalog import Catalog
from milvus_kernel.engine.connection.settings import Settings
from milvus_kernel.engine.progress import ProgressSink
from milvus_kernel.errors import NotSupported
from milvus_kernel.language.statements import Statement
from milvus_kernel.results import Result

#: The install extra that brings the file and picture libraries.
DATA_EXTRA = "data"
PACKAGE = "milvus-sql-kernel"


@dataclass(frozen=True)
class HandlerContext:
    """Everything a handler may use, made by the session for each statement."""

    catalog: Catalog
    workdir: Path
    execute: Callable[[Statement], Result]
    progress: ProgressSink | None = None

    @property
    def settings(self) -> Settings:
        """The session's settings (SET), shared with the catalog."""
        return self.catalog.settings

    def path(self, given: str) -> Path:
        """`given` as a path: `~` expanded, relative to the session's working directory."""
        path = Path(given).expanduser()
        return path if path.is_absolute() else self.workdir / path


def require(module: str, what: str) -> ModuleType:
    """Import `module`, or say which extra to install for `what` (a statement's name)."""
    try:
        return importlib.import_module(module)
    except ImportError:
        top = module.split(".")[0]
        wheel = {"sklearn": "scikit-learn"}.get(top, top)
        raise NotSupported(
            f"{what} needs the Python package {wheel}, which is not installed: "
            f"pip install '{PACKAGE}[{DATA_EXTRA}]' (pyarrow, matplotlib, scikit-learn), "
            "then restart the kernel"
        ) from None


def require_all(modules: tuple[str, ...], what: str) -> list[Any]:
    return [require(module, what) for module in modules]


def using_catalog(handlers: Mapping[type[Statement], Callable[[Catalog, Any], Result]]) -> dict:
    """Handlers that need only the catalog, each made to take a `HandlerContext`."""
    return {kind: _on_catalog(run) for kind, run in handlers.items()}


def _on_catalog(run: Callable[[Catalog, Any], Result]) -> Callable[[HandlerContext, Any], Result]:
    @functools.wraps(run)
    def handler(context: HandlerContext, statement: Any) -> Result:
        return run(context.catalog, statement)

    return handler
