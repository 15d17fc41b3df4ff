"""`MilvusFrame`: the pandas DataFrame the IPython magic returns for a table.

It holds every row the statement returned (`Table.all_rows()` when the engine can stream them),
and shows itself as the kernel shows a table (the same mime bundle: abbreviated vectors, at most
`display_limit` rows and the "showing N of M rows" footer), rendered from its current contents
so that a frame changed in place never shows stale rows. Any operation that makes a new frame
(`df.head()`, `df[df.x > 1]`, ...) gives a plain `pandas.DataFrame`, shown the pandas way.
Imports pandas: load it only when a table is returned.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from milvus_kernel.display import render
from milvus_kernel.results import Column, Kind, Table


class MilvusFrame(pd.DataFrame):
    """A DataFrame of a Milvus SQL result that displays like the kernel's tables."""

    _metadata = ["_milvus_kinds", "_milvus_limit"]  # noqa: RUF012 - pandas' subclassing protocol

    def _repr_mimebundle_(
        self, include: Any = None, exclude: Any = None, **kwargs: Any
    ) -> dict[str, Any]:
        return render(self.as_table(), self.display_limit)

    @property
    def display_limit(self) -> int:
        return getattr(self, "_milvus_limit", 10)

    def as_table(self) -> Table:
        """The frame's current contents as a `Table` (only the rows shown are converted)."""
        kinds: Mapping[str, Kind] = getattr(self, "_milvus_kinds", {})
        columns = tuple(Column(str(name), kinds.get(str(name), "any")) for name in self.columns)
        limit = self.display_limit
        shown = self if limit <= 0 else self.head(limit)
        rows = [
            tuple(_plain(value) for value in row)
            for row in shown.itertuples(index=False, name=None)
        ]
        return Table(columns, rows, total=len(self))


def to_frame(table: Table, display_limit: int) -> MilvusFrame:
    """Every row of `table` (streamed from `all_rows` when set) as a `MilvusFrame`."""
    rows = list(table.all_rows()) if table.all_rows is not None else list(table.rows)
    names = [column.name for column in table.columns]
    frame = MilvusFrame(rows if rows else None, columns=names)
    frame._milvus_kinds = {column.name: column.kind for column in table.columns}
    frame._milvus_limit = display_limit
    return frame


def _plain(value: Any) -> Any:
    """pandas's missing values (NaN in a numeric column, NA, NaT) back to the NULL they were."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and value != value:
        return None
    return value
