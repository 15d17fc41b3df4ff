"""The `application/vnd.dataresource+json` rendering: the Table Schema resource of the rows shown.

`{"schema": {"fields": [{"name", "type"}, ...]}, "data": [{name: value}, ...]}` as pandas
(`pd.read_json(..., orient="table")`) and nteract read it. Values are the shown ones, typed:
numbers as numbers, JSON as objects; abbreviated vectors, sparse vectors and bytes as their short
text (type string), so the cell output stays small. Duplicate column names get a suffix
(`id`, `id_2`) because a row is an object: `results.unique_names`, the same names an EXPORT writes.
"""

from __future__ import annotations

from typing import Any

from milvus_kernel.display.window import Window
from milvus_kernel.results import unique_names


def data_resource(window: Window) -> dict[str, Any]:
    names = unique_names([column.name for column in window.columns])
    fields = [
        {"name": name, "type": column.type}
        for name, column in zip(names, window.columns, strict=True)
    ]
    data = [
        {
            name: (cell.text if column.textual and not cell.is_null else cell.data)
            for name, column, cell in zip(names, window.columns, row, strict=True)
        }
        for row in window.rows
    ]
    return {"schema": {"fields": fields}, "data": data}
