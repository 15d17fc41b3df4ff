"""What executing a statement produces: a short message, a table or a picture, for any renderer.

These are plain data (no pymilvus types leak out): the display layer turns them into mime bundles,
the IPython magic into a DataFrame, the tests into assertions.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

Kind = Literal["int", "float", "str", "bool", "json", "array", "vector", "sparse", "bytes", "any"]
"""How a column's values look, so renderers can abbreviate vectors and type the data resource."""


@dataclass(frozen=True)
class Column:
    name: str
    kind: Kind = "any"


@dataclass(frozen=True)
class Message:
    """A short plain statement of what happened: "created collection docs"."""

    text: str


@dataclass(frozen=True)
class Table:
    """Rows with named columns.

    `rows` holds the rows fetched for display (at least `display_limit` of them when there are
    that many). `total` is the number of rows the statement matched, when known; when it is larger
    than `len(rows)` the renderer says "showing N of total rows". `all_rows`, when set, streams
    every row (for export and the DataFrame of the magic) without holding them all at once.
    """

    columns: tuple[Column, ...]
    rows: Sequence[tuple[Any, ...]]
    total: int | None = None
    title: str | None = None
    note: str | None = None
    all_rows: Callable[[], Iterator[tuple[Any, ...]]] | None = field(default=None, compare=False)

    @property
    def row_count(self) -> int:
        return self.total if self.total is not None else len(self.rows)


@dataclass(frozen=True)
class Image:
    """A picture (PLOT): the PNG, a plain description of what it shows, and the data drawn."""

    png: bytes
    description: str
    data: Table | None = field(default=None, compare=False)


Result = Message | Table | Image
