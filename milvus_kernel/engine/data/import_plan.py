"""Before an import writes anything: its options, and which file column fills which field.

`plan_import` matches the file's columns to the collection's fields by name and finds, before a
single row is sent, what would make every row fail: a required field with no column, a column
for an AUTO_ID key (INSERT) or a BM25 output, a column the collection does not have (unless it
has a dynamic field), a `.npy` file whose vectors have the wrong width. JSON Lines has no header:
its columns are only known row by row, so there these problems make the rows that hit them bad.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from milvus_kernel.engine.data.file_readers import Source
from milvus_kernel.engine.embeddings.binding import bindings
from milvus_kernel.engine.schema.fields import CollectionInfo, FieldInfo
from milvus_kernel.errors import ExecutionError
from milvus_kernel.language.statements import ImportFile

#: Rows per batch when batch_size is not given, unless the rows are wide (see `default_batch`).
BATCH_ROWS = 10_000
BATCH_BYTES = 16 * 1024 * 1024
ON_ERROR = ("stop", "skip")
OPTIONS = ("batch_size", "on_error", "format", "delimiter")


@dataclass(frozen=True)
class ImportOptions:
    batch_size: int | None = None
    on_error: str = "stop"
    format: str | None = None
    delimiter: str | None = None


@dataclass
class Plan:
    """Field (or None: a dynamic key) per file column, and columns whose values may not go in."""

    info: CollectionInfo
    targets: dict[str, FieldInfo | None] = field(default_factory=dict)
    problems: dict[str, str] = field(default_factory=dict)

    def problem(self, name: str) -> str | None:
        """Why a value in column `name` may not be written, or None."""
        if name in self.problems:
            return self.problems[name]
        if name in self.targets or self.info.dynamic:
            return None
        return self.info.no_field(name).message

    def problems_of(self, names: Any) -> dict[str, str]:
        found = {name: self.problem(name) for name in names}
        return {name: why for name, why in found.items() if why}


def import_options(given: dict[str, Any]) -> ImportOptions:
    values: dict[str, Any] = {}
    for key, value in given.items():
        name = key.lower()
        if name not in OPTIONS:
            raise ExecutionError(f"unknown import option '{key}'; options: {', '.join(OPTIONS)}")
        values[name] = value
    size = values.get("batch_size")
    if size is not None and (isinstance(size, bool) or not isinstance(size, int) or size < 1):
        raise ExecutionError(f"batch_size must be a whole number of rows, 1 or more, not {size!r}")
    on_error = str(values.get("on_error", "stop")).lower()
    if on_error not in ON_ERROR:
        raise ExecutionError(f"on_error must be 'stop' or 'skip', not {values['on_error']!r}")
    delimiter = values.get("delimiter")
    if delimiter is not None and (not isinstance(delimiter, str) or len(delimiter) != 1):
        raise ExecutionError(f"delimiter must be one character, not {delimiter!r}")
    return ImportOptions(size, on_error, values.get("format"), delimiter)


def default_batch(info: CollectionInfo) -> int:
    """Rows per batch: BATCH_ROWS, fewer when rows are wide (keeps a batch near BATCH_BYTES)."""
    width = 64
    for f in info.fields:
        if f.is_dense and f.dim:
            width += f.dim * 32  # as Python floats in a list, then packed
        elif f.type in ("VARCHAR", "JSON", "ARRAY", "SPARSE_FLOAT_VECTOR"):
            width += min(f.max_length or 256, 4096)
        else:
            width += 16
    return max(100, min(BATCH_ROWS, BATCH_BYTES // width))


def npy_field(info: CollectionInfo, statement: ImportFile) -> FieldInfo:
    """The vector field a `.npy` file fills; every other field must fill itself."""
    dense = [f for f in info.vector_fields if f.is_dense]
    if len(dense) != 1:
        names = ", ".join(f.name for f in info.vector_fields) or "none"
        raise ExecutionError(
            f"a .npy file holds vectors for one vector field; {info.name} has {names}"
        )
    vector = dense[0]
    for f in info.fields:
        if f is vector or f.generated or f.nullable or f.has_default:
            continue
        if f.is_primary and f.auto_id and not statement.upsert:
            continue
        raise ExecutionError(
            f"a .npy file holds only vectors, but field {f.name} of {info.name} needs a value "
            f"({f.type_text}{', an UPSERT key' if f.is_primary else ', NOT NULL, no DEFAULT'}): "
            "import a Parquet, CSV or JSON Lines file with that column instead"
        )
    return vector


def plan_import(info: CollectionInfo, statement: ImportFile, source: Source) -> Plan:
    plan = Plan(info)
    if source.kind == "npy":
        vector = npy_field(info, statement)
        if source.dims != vector.dim:
            raise ExecutionError(
                f"'{statement.path}' holds vectors of {source.dims} dims, field {vector.name} "
                f"of {info.name} expects {vector.dim}; nothing was written"
            )
        plan.targets[vector.name] = vector
        return plan
    writable = {f.name: f for f in info.insertable}
    if statement.upsert and info.primary.auto_id:
        writable[info.primary.name] = info.primary
    for f in info.fields:
        if f.name in writable:
            plan.targets[f.name] = f
        elif f.generated:
            plan.problems[f.name] = (
                f"column {f.name} is generated by BM25({info.bm25_source(f.name)}): "
                "leave it out of the file"
            )
        else:
            plan.problems[f.name] = (
                f"column {f.name} is an AUTO_ID primary key, Milvus generates it: "
                "leave it out of the file, or UPSERT to keep the file's keys"
            )
    fills = [
        (binding, writable[binding.field].dim)
        for binding in bindings(info.properties).values()
        if binding.field in writable and binding.field not in (source.columns or ())
    ]
    source.options["embed"] = fills  # EMBED fields: computed chunk by chunk from their texts
    if source.columns is None:  # JSON Lines: known row by row
        return plan
    for name in source.columns:
        why = plan.problem(name)
        if why:
            raise ExecutionError(f"{why}; nothing was written")
        plan.targets.setdefault(name, None)
    embedded = {b.field for b, _ in fills if b.source in source.columns}
    missing = [
        f
        for name, f in writable.items()
        if name not in source.columns and name not in embedded and _required(f)
    ]
    if missing:
        names = ", ".join(f"{f.name} ({f.type_text})" for f in missing)
        raise ExecutionError(
            f"'{statement.path}' has no column for {names}, which "
            f"{'needs' if len(missing) == 1 else 'need'} a value; its columns: "
            f"{', '.join(source.columns)}; nothing was written"
        )
    for name in list(plan.targets):  # only the file's columns are read (and EMBED fields)
        if name not in source.columns and name not in embedded:
            del plan.targets[name]
    return plan


def _required(f: FieldInfo) -> bool:
    return not (f.nullable or f.has_default)
