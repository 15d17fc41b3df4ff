"""Reading a data file in chunks: Parquet, CSV, JSON Lines and NumPy `.npy`, never all at once.

`open_source(path, kind, batch_size)` gives a `Source`: the file's column names (when the format
has a header), its row count (when known without reading it all) and `chunks()`, an iterator of
`Chunk`s of at most `batch_size` rows. A chunk holds its columns as pyarrow arrays (Parquet, CSV
— as text to parse, since CSV has no types), Python lists (JSON Lines) or a 2-D NumPy array
(`.npy`, read through a memory map). Rows are numbered from 1 in file order (a CSV header is not
a row), so an error can say "row 17". `object_source` reads a bound Python object (`FROM :df`)
the same way, in slices, so one import pipeline serves files and objects.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from milvus_kernel.engine.context import require
from milvus_kernel.engine.embeddings.filling import fill_chunk
from milvus_kernel.errors import ExecutionError, KernelError

KINDS = {
    ".parquet": "parquet",
    ".pq": "parquet",
    ".csv": "csv",
    ".tsv": "csv",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "jsonl",
    ".npy": "npy",
}
NAMES = {"parquet": "Parquet", "csv": "CSV", "jsonl": "JSON Lines", "npy": "NumPy .npy"}
#: Bytes Parquet reads ahead: with pre-buffering off, memory stays near one batch per column.
PARQUET_BUFFER = 1 << 20
CSV_BLOCK = 1 << 20


@dataclass
class Chunk:
    """Up to `batch_size` consecutive rows, the first of them row `first` of the file."""

    first: int
    size: int
    columns: dict[str, Any]
    #: the values are CSV text, to be parsed for their fields
    text: bool = False
    #: rows that could not be read at all (a line that is not JSON): index -> (reason, raw text)
    broken: dict[int, tuple[str, str]] = field(default_factory=dict)


@dataclass
class Source:
    path: Path
    kind: str
    batch_size: int
    columns: list[str] | None = None
    total: int | None = None
    #: the width of the vectors of a `.npy` file
    dims: int | None = None
    options: dict[str, Any] = field(default_factory=dict)

    def chunks(self) -> Iterator[Chunk]:
        fills = self.options.get("embed")
        if not fills:
            return _READERS[self.kind](self)
        return (fill_chunk(chunk, fills) for chunk in _READERS[self.kind](self))


def kind_of(path: str, given: Any = None) -> str:
    """The file's format: `format = '...'` when given, else its extension."""
    if given is not None:
        wanted = str(given).lower().lstrip(".")
        wanted = {"json": "jsonl", "ndjson": "jsonl", "pq": "parquet"}.get(wanted, wanted)
        if wanted not in NAMES:
            raise ExecutionError(f"unknown format '{given}'; formats: {', '.join(NAMES)}")
        return wanted
    suffix = Path(path).suffix.lower()
    if suffix not in KINDS:
        raise ExecutionError(
            f"cannot tell the format of '{path}' from its extension: use .parquet, .csv, "
            ".jsonl or .npy, or say WITH (format = 'csv')"
        )
    return KINDS[suffix]


def open_source(path: Path, shown: str, kind: str, batch_size: int, **options: Any) -> Source:
    """The file at `path` (`shown` as the user wrote it) ready to read; clear errors otherwise."""
    if not path.exists():
        raise ExecutionError(f"file '{shown}' not found (looked for {path})")
    if path.is_dir():
        raise ExecutionError(f"'{shown}' is a directory, not a file")
    source = Source(path=path, kind=kind, batch_size=batch_size, options=options)
    try:
        _OPENERS[kind](source)
    except KernelError:
        raise
    except Exception as error:
        raise ExecutionError(f"cannot read '{shown}' as {NAMES[kind]}: {error}") from None
    return source


# --- Parquet ------------------------------------------------------------------------------------


def _open_parquet(source: Source) -> None:
    pq = require("pyarrow.parquet", "reading Parquet")
    with pq.ParquetFile(source.path) as parquet:
        source.columns = list(parquet.schema_arrow.names)
        source.total = parquet.metadata.num_rows


def _read_parquet(source: Source) -> Iterator[Chunk]:
    pq = require("pyarrow.parquet", "reading Parquet")
    with pq.ParquetFile(source.path, buffer_size=PARQUET_BUFFER, pre_buffer=False) as parquet:
        first = 1
        for batch in parquet.iter_batches(batch_size=source.batch_size):
            columns = dict(zip(batch.schema.names, batch.columns, strict=True))
            yield Chunk(first=first, size=batch.num_rows, columns=columns)
            first += batch.num_rows


# --- CSV ----------------------------------------------------------------------------------------


def _csv_options(source: Source, names: list[str] | None) -> dict[str, Any]:
    csv = require("pyarrow.csv", "reading CSV")
    pa = require("pyarrow", "reading CSV")
    delimiter = str(
        source.options.get("delimiter") or ("\t" if source.path.suffix == ".tsv" else ",")
    )
    convert = csv.ConvertOptions(
        # everything as text: the fields' types decide how to read it, row by row
        column_types={name: pa.string() for name in names or []},
        strings_can_be_null=True,
        quoted_strings_can_be_null=False,  # "" is an empty string, an empty field is NULL
        null_values=[""],
    )
    return {
        "read_options": csv.ReadOptions(block_size=CSV_BLOCK),
        "parse_options": csv.ParseOptions(delimiter=delimiter, newlines_in_values=True),
        "convert_options": convert,
    }


def _open_csv(source: Source) -> None:
    csv = require("pyarrow.csv", "reading CSV")
    reader = csv.open_csv(source.path, **_csv_options(source, None))
    try:
        source.columns = list(reader.schema.names)
    finally:
        reader.close()


def _read_csv(source: Source) -> Iterator[Chunk]:
    csv = require("pyarrow.csv", "reading CSV")
    pa = require("pyarrow", "reading CSV")
    reader = csv.open_csv(source.path, **_csv_options(source, source.columns))
    first = 1
    pending: list[Any] = []
    size = 0
    try:
        for batch in reader:
            pending.append(batch)
            size += batch.num_rows
            while size >= source.batch_size:
                table = pa.Table.from_batches(pending)
                yield _csv_chunk(table.slice(0, source.batch_size), first)
                first += source.batch_size
                rest = table.slice(source.batch_size)
                pending, size = rest.to_batches(), rest.num_rows
        if size:
            yield _csv_chunk(pa.Table.from_batches(pending), first)
    finally:
        reader.close()


def _csv_chunk(table: Any, first: int) -> Chunk:
    columns = {name: table.column(name).combine_chunks() for name in table.column_names}
    return Chunk(first=first, size=table.num_rows, columns=columns, text=True)


# --- JSON Lines ---------------------------------------------------------------------------------


def _open_jsonl(source: Source) -> None:
    with source.path.open("rb") as handle:
        handle.read(1)


def _read_jsonl(source: Source) -> Iterator[Chunk]:
    with source.path.open("r", encoding="utf-8", errors="replace", newline="\n") as handle:
        first = 1
        objects: list[dict[str, Any] | None] = []
        broken: dict[int, tuple[str, str]] = {}
        for line in handle:
            if not line.strip():
                continue  # blank lines are not rows
            try:
                value = json.loads(line)
                if not isinstance(value, dict):
                    raise ValueError(f"a line holds {type(value).__name__}, not an object")
            except ValueError as error:
                broken[len(objects)] = (f"not a JSON object ({error})", line.rstrip("\n"))
                value = None
            objects.append(value)
            if len(objects) >= source.batch_size:
                yield _json_chunk(objects, first, broken)
                first += len(objects)
                objects, broken = [], {}
        if objects:
            yield _json_chunk(objects, first, broken)


def _json_chunk(objects: list[dict[str, Any] | None], first: int, broken: dict) -> Chunk:
    names: dict[str, None] = {}
    for item in objects:
        if item:
            names.update(dict.fromkeys(item))
    columns = {name: [item.get(name) if item else None for item in objects] for name in names}
    return Chunk(first=first, size=len(objects), columns=columns, broken=dict(broken))


# --- NumPy .npy ---------------------------------------------------------------------------------


def _open_npy(source: Source) -> None:
    np = require("numpy", "reading .npy files")
    array = np.load(source.path, mmap_mode="r", allow_pickle=False)
    if array.ndim not in (1, 2) or array.dtype.kind not in "fiub":
        raise ExecutionError(
            f"a .npy file to import holds vectors: a 2-D array of numbers (rows × dims), "
            f"not {array.ndim}-D {array.dtype}"
        )
    source.total = 1 if array.ndim == 1 else int(array.shape[0])
    source.dims = int(array.shape[-1])


def _read_npy(source: Source) -> Iterator[Chunk]:
    np = require("numpy", "reading .npy files")
    array = np.load(source.path, mmap_mode="r", allow_pickle=False)
    if array.ndim == 1:
        array = array.reshape(1, -1)
    name = source.options["column"]
    for start in range(0, array.shape[0], source.batch_size):
        part = np.asarray(array[start : start + source.batch_size])
        yield Chunk(first=start + 1, size=part.shape[0], columns={name: part})


# --- Python objects (FROM :df in the magic) ------------------------------------------------------


def object_source(data: Any, shown: str, batch_size: int) -> Source:
    """A bound Python object read like a file: a pandas DataFrame, a pyarrow Table or
    RecordBatch, a list of dicts, or a dict of columns (lists, Series, 1-D or 2-D numpy arrays;
    a 2-D array is a column of vectors). Chunks are slices: at most one batch is copied."""
    source = Source(path=Path(shown.lstrip(":")), kind="object", batch_size=batch_size)
    source.options["data"] = data
    if isinstance(data, list):
        names: dict[str, None] = {}
        for row in data:
            if not isinstance(row, dict):
                raise ExecutionError(f"{shown} is a list of rows: each must be a dict, not {row!r}")
            names.update(dict.fromkeys(row))
        source.columns, source.total = [str(name) for name in names], len(data)
        return source
    if isinstance(data, dict):
        lengths = {str(name): len(column) for name, column in data.items()}
        if len(set(lengths.values())) > 1:
            sizes = ", ".join(f"{name} {n}" for name, n in lengths.items())
            raise ExecutionError(f"the columns of {shown} have different lengths: {sizes}")
        source.columns, source.total = list(lengths), next(iter(lengths.values()), 0)
        return source
    source.columns = [str(name) for name in data.columns] if hasattr(data, "iloc") else None
    if source.columns is None:  # pyarrow
        source.columns = list(data.schema.names)
    source.total = len(data)
    return source


def _read_object(source: Source) -> Iterator[Chunk]:
    data, size = source.options["data"], source.batch_size
    for start in range(0, source.total or 0, size):
        stop = min(start + size, source.total or 0)
        if isinstance(data, list):
            rows = data[start:stop]
            columns = {name: [row.get(name) for row in rows] for name in source.columns or []}
        elif isinstance(data, dict):
            columns = {str(k): _column_slice(v, start, stop) for k, v in data.items()}
        elif hasattr(data, "iloc"):  # pandas
            part = data.iloc[start:stop]
            columns = {str(k): _column_slice(part[k], 0, stop - start) for k in part.columns}
        else:  # a pyarrow Table or RecordBatch: a zero-copy slice
            part = data.slice(start, stop - start)
            columns = {
                name: getattr(column, "combine_chunks", lambda c=column: c)()
                for name, column in zip(part.schema.names, part.columns, strict=True)
            }
        yield Chunk(first=start + 1, size=stop - start, columns=columns)


def _column_slice(column: Any, start: int, stop: int) -> Any:
    """One column's rows start..stop as an Arrow array (numbers, strings), a 2-D numpy array
    (vectors) or a list (anything else)."""
    np = require("numpy", "importing Python objects")
    if hasattr(column, "iloc"):  # a pandas Series
        column = column.iloc[start:stop]
        values = column.to_numpy()
        if values.dtype.kind == "O" and len(values) and isinstance(values[0], np.ndarray):
            try:
                return np.stack(values)  # vectors: one matrix for the chunk
            except ValueError:
                return [value.tolist() for value in values]
        start, stop = 0, len(values)
        column = values if values.dtype.kind != "O" else column.tolist()
    if isinstance(column, np.ndarray):
        part = column[start:stop]
        if part.ndim == 2:
            return part
        if part.dtype.kind in "biuf":
            pa = require("pyarrow", "importing Python objects")
            return pa.array(part)
        return part.tolist()
    if hasattr(column, "slice") and hasattr(column, "type"):  # a pyarrow array
        part = column.slice(start, stop - start)
        return getattr(part, "combine_chunks", lambda: part)()
    return list(column[start:stop])


_OPENERS = {"parquet": _open_parquet, "csv": _open_csv, "jsonl": _open_jsonl, "npy": _open_npy}
_READERS = {
    "parquet": _read_parquet,
    "csv": _read_csv,
    "jsonl": _read_jsonl,
    "npy": _read_npy,
    "object": _read_object,
}
