"""The part of a table that is shown: at most `display_limit` rows, their cells, and the footer.

`take_window` reads only the rows it shows (a result may hold a huge, lazily fetched sequence),
formats each cell once, and settles each column's type, so the plain, HTML and data resource
renderings are cut from the same cloth. The footer counts the rows and, for search hits, names
the metric: "3 rows, metric COSINE".
"""

from __future__ import annotations

from collections.abc import Iterator, Sized
from dataclasses import dataclass
from itertools import islice
from typing import Any

from milvus_kernel.display.cells import Shown, column_type, show
from milvus_kernel.results import Table


@dataclass(frozen=True)
class ShownColumn:
    name: str
    kind: str
    #: Table Schema type of the column in the data resource.
    type: str
    #: True when the data resource carries this column's shown text rather than typed values.
    textual: bool

    @property
    def numeric(self) -> bool:
        return self.type in ("integer", "number")


@dataclass(frozen=True)
class Window:
    columns: tuple[ShownColumn, ...]
    rows: tuple[tuple[Shown, ...], ...]
    #: How many rows the statement matched (at least as many as are shown); None when more
    #: rows follow but nobody counted them (rows given as a bare iterator).
    total: int | None
    title: str | None = None
    note: str | None = None
    #: The metric of search hits ("COSINE"), shown after the row count.
    metric: str | None = None

    @property
    def shown(self) -> int:
        return len(self.rows)

    @property
    def footer(self) -> str:
        counted = footer_text(self.shown, self.total)
        return f"{counted}, metric {self.metric}" if self.metric else counted


def footer_text(shown: int, total: int | None) -> str:
    """ "showing 10 of 12,345 rows" when some are left out, else "3 rows" / "1 row"."""
    if total is None:
        return f"showing the first {shown:,} rows"
    if total > shown:
        return f"showing {shown:,} of {total:,} rows"
    return f"{total:,} row" + ("" if total == 1 else "s")


def take_window(table: Table, display_limit: int = 10) -> Window:
    """The first `display_limit` rows of `table` (all when 0), formatted; nothing else is read.

    `table.rows` is normally a sequence (its length is asked only when the window is full); a
    bare iterator works too: one row past the window is then read to know whether more follow.
    """
    limit = display_limit if display_limit and display_limit > 0 else None
    kinds = [column.kind for column in table.columns]
    width = len(kinds)
    source = iter(table.rows)
    rows: list[tuple[Shown, ...]] = []
    for row in islice(source, limit):
        cells = [show(value, kind) for value, kind in zip(row, kinds, strict=False)]
        cells += [show(None)] * (width - len(cells))  # a short row: the rest is NULL
        rows.append(tuple(cells))
    columns = tuple(
        ShownColumn(str(column.name), column.kind, *column_type(column.kind, (r[i] for r in rows)))
        for i, column in enumerate(table.columns)
    )
    total = _total(table, source, len(rows), full=limit is not None and len(rows) == limit)
    return Window(columns, tuple(rows), total, table.title, table.note, table.metric)


def _total(table: Table, source: Iterator[Any], shown: int, full: bool) -> int | None:
    known = [shown]
    if table.total is not None:
        known.append(table.total)
    if full:  # only asked when the window is full: the rows may be many
        if isinstance(table.rows, Sized):
            known.append(len(table.rows))
        elif table.total is None and next(source, _END) is not _END:
            return None
    return max(known)


_END = object()
