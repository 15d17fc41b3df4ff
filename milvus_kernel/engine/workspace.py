"""What the file statements (INSERT ... FROM, EXPORT, PLOT) get from the session.

Besides the catalog they need the session's working directory (file paths are relative to it) and
a way to run the statement they hold (EXPORT's query, PLOT's HIGHLIGHT search) exactly as the
session would run it on its own.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

from milvus_kernel.engine.catalog import Catalog
from milvus_kernel.engine.results import Result
from milvus_kernel.errors import NotSupported
from milvus_kernel.language.statements import Statement

#: The install extra that brings the file and picture libraries.
DATA_EXTRA = "data"
PACKAGE = "milvus-sql-kernel"


@dataclass(frozen=True)
class Workspace:
    catalog: Catalog
    workdir: Path
    execute: Callable[[Statement], Result]

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
