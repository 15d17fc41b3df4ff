"""The IPython magic: `%milvus` (one line) and `%%milvus` (a cell) in a Python notebook.

`%load_ext milvus_kernel` registers it. The text runs through the kernel's own pipeline
(`run_cell` → `render`), on one `Session` per IPython shell, so `CONNECT` in one cell holds for
the next. `:name` binds the Python variable `name` (a list or numpy vector, a string, a
number): the parser looks up only the names the statements use, in a read-only view of the
caller's namespace. `INSERT INTO t FROM :df` takes a whole object (a DataFrame, an Arrow table,
a list of dicts, a dict of columns) as the source of a file import.

What comes back:
- every statement's result but the last is displayed with the kernel's mime bundle;
- a last result that is a table is returned as a `MilvusFrame` (a pandas DataFrame holding
  every row) that displays exactly like the kernel's table, so `%milvus SELECT ...` shows it
  once and `df = %milvus SELECT ...` shows nothing, as Python assignment does;
- a last result that is a message is displayed, and the magic returns None.

A failure shows the kernel's short report (statement number, line, column, Milvus's reason),
never a Python traceback: the magic raises `MilvusMagicError`, which IPython renders through
its `_render_traceback_`. The cell fails, so nbclient and papermill stop there, and Python code
can catch it.
"""

from __future__ import annotations

import atexit
import contextlib
from collections import ChainMap
from collections.abc import Callable, Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Any

from IPython.core.error import UsageError
from IPython.core.magic import (
    Magics,
    line_cell_magic,
    magics_class,
    needs_local_scope,
    no_var_expand,
)
from IPython.display import display

from milvus_kernel.display import render, render_error
from milvus_kernel.engine.session import Session
from milvus_kernel.errors import Interrupted, KernelError
from milvus_kernel.frontends.runner import run_cell
from milvus_kernel.results import Result, Table


class MilvusMagicError(Exception):
    """A statement of a `%milvus` cell failed; shown as the kernel's report, no traceback."""

    def __init__(self, error: KernelError, source: str = "") -> None:
        super().__init__("\n".join(render_error(error, color=False, source=source)[2]))
        self.error = error
        self.source = source  # the cell, whose secrets the report masks

    def _render_traceback_(self) -> list[str]:
        """IPython shows these lines instead of a Python traceback."""
        return render_error(self.error, source=self.source)[2]


def run_magic(
    session: Session,
    code: str,
    params: Mapping[str, Any] | None = None,
    show: Callable[[dict[str, Any]], None] | None = None,
) -> Any:
    """Run `code`; show each result but the last, and return the last (see the module doc).

    `show` receives mime bundles (by default IPython's `display`). Raises `MilvusMagicError`.
    """
    show = show or _display_bundle
    last: Result | None = None
    try:
        for result in run_cell(session, code, params):
            if last is not None:
                show(render(last, session.settings.display_limit))
            last = result
    except KernelError as error:
        if last is not None:
            show(render(last, session.settings.display_limit))
        raise MilvusMagicError(error, code) from None
    except KeyboardInterrupt:
        if last is not None:
            show(render(last, session.settings.display_limit))
        interrupted = Interrupted("interrupted; the results shown above were completed")
        raise MilvusMagicError(interrupted) from None
    if last is None:
        return None
    if isinstance(last, Table):
        try:
            from milvus_kernel.frontends.frame import to_frame
        except ImportError:  # pandas is not installed: show the table, return nothing
            show(render(last, session.settings.display_limit))
            return None
        return to_frame(last, session.settings.display_limit)
    show(render(last, session.settings.display_limit))
    return None


def _display_bundle(bundle: dict[str, Any]) -> None:
    display(bundle, raw=True)


@magics_class
class MilvusMagics(Magics):
    """`%milvus` / `%%milvus`, with the shell's own Milvus session."""

    def __init__(self, shell: Any) -> None:
        super().__init__(shell)
        self._session: Session | None = None

    @property
    def session(self) -> Session:
        """The shell's Milvus session, created on first use in the current directory."""
        if self._session is None:
            self._session = Session(workdir=Path.cwd())
        return self._session

    def close(self) -> None:
        """Close the session (releases a Milvus Lite database); a later cell opens a new one."""
        session, self._session = self._session, None
        if session is not None:
            with contextlib.suppress(Exception):  # closing is best effort
                session.close()

    @no_var_expand
    @needs_local_scope
    @line_cell_magic
    def milvus(self, line: str, cell: str | None = None, local_ns: Any = None) -> Any:
        """Run Milvus SQL statements: `%milvus SELECT ...` or a `%%milvus` cell.

        `:name` in a statement is the Python variable `name`. The last statement's table is
        returned as a pandas DataFrame; every other result is displayed. See docs/magic.md.
        """
        if cell is not None and line.strip():
            raise UsageError("%%milvus takes no options: put the statements in the cell")
        if not (line if cell is None else cell).strip():
            print(USAGE)  # a bare `%milvus` (or an empty `%%milvus` cell): how to use it
            return None
        # In a `%%milvus` cell the statements start on the cell's second line: count from there.
        code = line if cell is None else "\n" + cell
        namespace: Mapping[str, Any] = self.shell.user_ns
        if local_ns is not None and local_ns is not namespace:
            namespace = ChainMap(local_ns, namespace)
        return run_magic(self.session, code, MappingProxyType(namespace))


USAGE = """\
%milvus runs Milvus SQL statements from Python (the Milvus kernel's language):
  %milvus STATEMENT        one statement on the line; a table comes back as a pandas DataFrame
  %%milvus                 as a cell's first line: the cell's statements, separated by ;
  :name                    in a statement, the Python variable name (a number, string, list or
                           numpy vector)
  INSERT INTO t FROM :df   writes a DataFrame, Arrow table, list of dicts or dict of columns
The session lasts across cells; before any CONNECT it uses MILVUS_URI, else an embedded
Milvus Lite file milvus_kernel.db in the current directory.
Examples:
  %milvus CONNECT 'http://localhost:19530'
  %milvus SHOW TABLES
  df = %milvus SELECT * FROM docs WHERE label = :label LIMIT 10
  %milvus SEARCH docs FOR :query LIMIT 5
  %milvus HELP SEARCH
`%milvus HELP` lists every statement."""


_registered: MilvusMagics | None = None


def load_ipython_extension(shell: Any) -> None:
    """`%load_ext milvus_kernel`: register the magics (once per shell)."""
    global _registered
    magics = MilvusMagics(shell)
    shell.register_magics(magics)
    if _registered is None:
        atexit.register(_close_registered)
    _registered = magics


def unload_ipython_extension(shell: Any) -> None:
    """`%unload_ext milvus_kernel`: close the session."""
    _close_registered()


def _close_registered() -> None:
    if _registered is not None:
        _registered.close()
