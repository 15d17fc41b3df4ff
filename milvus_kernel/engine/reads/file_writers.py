"""Writing result rows to a file batch by batch: Parquet, CSV or JSON Lines.

Each writer takes the result's columns once and then batches of row tuples, so an export of any
size holds one batch at a time. The files read back through `file_readers` into the same values:

- Parquet keeps types: integers, floats, booleans, strings, float vectors as `list<float32>`
  (Milvus stores float32, so nothing is rounded), arrays as lists; JSON and sparse vectors as
  JSON text.
- CSV has a header; vectors, arrays, JSON and sparse vectors are JSON text (`"[0.1, 0.2]"`);
  NULL is an empty field, an empty string is `""`.
- JSON Lines: one object per row, values as JSON.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from milvus_kernel.engine.context import require
from milvus_kernel.results import Column, unique_names

#: Column kinds written as JSON text in CSV (and, for json and sparse, in Parquet too).
_NESTED = ("vector", "array", "json", "sparse", "any")


class Writer:
    """Writes batches of rows (tuples in `columns` order) to one file."""

    def __init__(self, path: Path, columns: Sequence[Column]) -> None:
        self.path = path
        self.columns = list(columns)
        self.names = unique_names([c.name for c in columns])

    def write(self, rows: Sequence[tuple[Any, ...]]) -> None:
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError


class JsonLinesWriter(Writer):
    def __init__(self, path: Path, columns: Sequence[Column]) -> None:
        super().__init__(path, columns)
        self._file = path.open("w", encoding="utf-8")

    def write(self, rows: Sequence[tuple[Any, ...]]) -> None:
        lines = [
            json.dumps(dict(zip(self.names, row, strict=True)), ensure_ascii=False, default=_text)
            for row in rows
        ]
        if lines:
            self._file.write("\n".join(lines) + "\n")

    def close(self) -> None:
        self._file.close()


class ArrowWriter(Writer):
    """Parquet and CSV: each batch becomes an Arrow table of fixed column types."""

    def __init__(self, path: Path, columns: Sequence[Column], kind: str) -> None:
        super().__init__(path, columns)
        self.pa = require("pyarrow", "EXPORT")
        self.kind = kind
        self._writer: Any = None
        self._types: list[Any] | None = None

    def _type(self, column: Column, values: list[Any]) -> Any:
        pa = self.pa
        simple = {"int": pa.int64(), "float": pa.float64(), "str": pa.string(), "bool": pa.bool_()}
        if column.kind in simple:
            return simple[column.kind]
        if column.kind == "bytes":
            return pa.binary()
        if self.kind == "csv" or column.kind in ("json", "sparse"):
            return pa.string()
        if column.kind == "vector":
            return pa.list_(pa.float32())
        try:  # arrays, and dynamic fields (kind "any") when their values agree on a type
            inferred = pa.array(values).type
        except (pa.ArrowInvalid, pa.ArrowTypeError):
            return pa.string()
        if inferred == pa.null() or pa.types.is_struct(inferred):
            return pa.string()
        return inferred

    def _array(self, column: Column, arrow_type: Any, values: list[Any]) -> Any:
        if arrow_type == self.pa.string() and column.kind in _NESTED:
            keep = column.kind == "any"  # a dynamic field's text stays text
            values = [
                v if v is None or (keep and isinstance(v, str)) else _json_text(v) for v in values
            ]
        return self.pa.array(values, type=arrow_type)

    def write(self, rows: Sequence[tuple[Any, ...]]) -> None:
        if not rows and self._writer is not None:
            return
        data = [list(values) for values in zip(*rows, strict=True)] if rows else []
        if not data:
            data = [[] for _ in self.columns]
        if self._types is None:
            self._types = [self._type(c, v) for c, v in zip(self.columns, data, strict=True)]
        arrays = [
            self._array(c, t, v) for c, t, v in zip(self.columns, self._types, data, strict=True)
        ]
        table = self.pa.Table.from_arrays(arrays, names=self.names)
        if self._writer is None:
            self._writer = self._open(table.schema)
        self._writer.write_table(table)

    def _open(self, schema: Any) -> Any:
        if self.kind == "parquet":
            pq = require("pyarrow.parquet", "EXPORT")
            return pq.ParquetWriter(self.path, schema)
        csv = require("pyarrow.csv", "EXPORT")
        return csv.CSVWriter(self.path, schema)

    def close(self) -> None:
        if self._writer is None:
            self.write([])
        self._writer.close()


def open_writer(path: Path, kind: str, columns: Sequence[Column]) -> Writer:
    if kind == "jsonl":
        return JsonLinesWriter(path, columns)
    return ArrowWriter(path, columns, kind)


def _json_text(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, default=_text)


def _text(value: Any) -> Any:
    if isinstance(value, bytes):
        return value.hex()
    return str(value)
