"""The `application/vnd.dataresource+json` rendering: the Table Schema resource of the rows shown.

`{"schema": {"fields": [{"name", "type"}, ...]}, "data": [{name: value}, ...]}` as pandas
(`pd.read_json(..., orient="table")`) and nteract read it. Values are the shown ones, typed:
numbers as numbers, JSON as objects; abbreviated vectors, sparse vectors and bytes as their short
text (type string), so the cell output stays small. Duplicate column names get a suffix
(`id`, `id_2`) because a row is an object.
"""

from __future__ import annotations

from typing import Any

from milvus_kernel.display.window import Window


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


def unique_names(names: list[str]) -> list[str]:
    """`names` with repeats made distinct by a numeric suffix: a, a → a, a_2."""
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
