"""The kernel's input history, kept in memory for the life of the kernel process.

Serves the protocol's `history_request` (tail, range and glob search, as IPython does), so that
consoles can recall earlier cells with the up arrow. Nothing is written to disk, and passwords and
tokens are masked before a cell is kept.
"""

from __future__ import annotations

from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import Any

from milvus_kernel.language.secrets import mask_secrets

SESSION = 1
"""The only history session: this kernel process."""


@dataclass
class Entry:
    line: int
    source: str
    output: str | None = None


class History:
    """Cells run with `store_history`, numbered by their execution count."""

    def __init__(self) -> None:
        self.entries: list[Entry] = []

    def add(self, line: int, source: str) -> Entry:
        entry = Entry(line, mask_secrets(source))
        self.entries.append(entry)
        return entry

    def query(
        self,
        hist_access_type: str,
        output: bool = False,
        raw: bool = True,
        session: int | None = None,
        start: int | None = None,
        stop: int | None = None,
        n: int | None = None,
        pattern: str | None = None,
        unique: bool = False,
        **_: Any,
    ) -> list[tuple[Any, ...]]:
        """Rows `(session, line, input)`; with `output`, `(session, line, (input, output))`."""
        chosen = list(self.entries)
        if hist_access_type == "range":
            if session not in (None, 0, SESSION) and not (isinstance(session, int) and session < 0):
                return []
            low = start or 0
            chosen = [e for e in chosen if e.line >= low and (stop is None or e.line < stop)]
        elif hist_access_type == "search":
            chosen = [e for e in chosen if fnmatchcase(e.source, pattern or "*")]
            if unique:
                seen: set[str] = set()
                kept = []
                for entry in reversed(chosen):
                    if entry.source not in seen:
                        seen.add(entry.source)
                        kept.append(entry)
                chosen = kept[::-1]
            if n:
                chosen = chosen[-n:]
        elif hist_access_type == "tail":
            chosen = chosen[-n:] if n else chosen
        else:
            return []
        if output:
            return [(SESSION, e.line, (e.source, e.output)) for e in chosen]
        return [(SESSION, e.line, e.source) for e in chosen]
