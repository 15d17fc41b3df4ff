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
    `metric`, for search hits, names the metric the distances are in ("COSINE"; a hybrid
    search's "L2 + BM25, fused by RRF"): the renderers show it in the footer.
    """

    columns: tuple[Column, ...]
    rows: Sequence[tuple[Any, ...]]
    total: int | None = None
    title: str | None = None
    note: str | None = None
    all_rows: Callable[[], Iterator[tuple[Any, ...]]] | None = field(default=None, compare=False)
    metric: str | None = None

    @property
    def row_count(self) -> int:
        return self.total if self.total is not None else len(self.rows)


@dataclass(frozen=True)
class Image:
    """A picture (PLOT, EVALUATE): the PNG, a plain description of what it shows, the data
    drawn, and optionally the same picture as an interactive plotly figure (its JSON: `data`
    and `layout`, plain lists and numbers) for front ends that draw one."""

    png: bytes
    description: str
    data: Table | None = field(default=None, compare=False)
    figure: dict[str, Any] | None = field(default=None, compare=False)


def unique_names(names: list[str]) -> list[str]:
    """`names` with repeats made distinct by a numeric suffix: a, a → a, a_2 (a, a, a_2 → a,
    a_3, a_2: a suffix never takes a name already there). One rule for every place a row
    becomes an object or a file: the data resource, EXPORT to CSV, Parquet and JSON lines."""
    originals = set(names)
    used: set[str] = set()
    result: list[str] = []
    for name in names:
        candidate, n = name, 1
        while candidate in used or (candidate != name and candidate in originals):
            n += 1
            candidate = f"{name}_{n}"
        used.add(candidate)
        result.append(candidate)
    return result


Result = Message | Table | Image
