"""EXPORT (SELECT ... | SEARCH ...) TO 'file.parquet' | '.csv' | '.jsonl' [WITH (format = ...)].

The query runs as it would on its own; its rows are then streamed to the file (past Milvus's
16,384-row window by the query iterator, see `reads`) in batches, with progress, and counted
exactly. The file is written under a temporary name and renamed when complete, so a failed or
interrupted export leaves no partial file behind.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from milvus_kernel.engine.connection.settings import Settings
from milvus_kernel.engine.context import HandlerContext
from milvus_kernel.engine.progress import Reporter
from milvus_kernel.engine.reads.file_writers import open_writer
from milvus_kernel.errors import ExecutionError, Interrupted
from milvus_kernel.language.statements import Export
from milvus_kernel.results import Message, Result, Table

BATCH_ROWS = 5_000
KINDS = {".parquet": "parquet", ".pq": "parquet", ".csv": "csv", ".jsonl": "jsonl"}
KINDS.update({".ndjson": "jsonl", ".json": "jsonl"})
#: Rows a query fetches for display while it is being exported (the rows come from `all_rows`).
SAMPLE_ROWS = 100


def export_kind(path: str, options: dict[str, Any]) -> str:
    for key, value in options.items():
        if key.lower() != "format":
            raise ExecutionError(f"unknown export option '{key}'; options: format")
        wanted = str(value).lower().lstrip(".")
        wanted = {"json": "jsonl", "ndjson": "jsonl", "pq": "parquet"}.get(wanted, wanted)
        if wanted not in ("parquet", "csv", "jsonl"):
            raise ExecutionError(f"EXPORT writes parquet, csv or jsonl, not '{value}'")
        return wanted
    suffix = "." + path.rsplit(".", 1)[-1].lower() if "." in path else ""
    if suffix not in KINDS:
        raise ExecutionError(
            f"cannot tell the format of '{path}' from its extension: use .parquet, .csv or "
            ".jsonl, or say WITH (format = 'csv')"
        )
    return KINDS[suffix]


@contextmanager
def few_display_rows(settings: Settings) -> Iterator[None]:
    """While exporting, a query fetches only a sample for display (never every row at once)."""
    saved = settings.display_limit
    settings.display_limit = SAMPLE_ROWS
    try:
        yield
    finally:
        settings.display_limit = saved


def export(context: HandlerContext, statement: Export) -> Result:
    kind = export_kind(statement.path, statement.options)
    path = context.path(statement.path)
    if not path.parent.is_dir():
        raise ExecutionError(f"cannot write '{statement.path}': no directory {path.parent}")
    with few_display_rows(context.catalog.settings):
        result = context.execute(statement.query)
    if not isinstance(result, Table):
        raise ExecutionError("EXPORT needs a query that returns rows")
    total = result.row_count
    rows = result.all_rows() if result.all_rows is not None else iter(result.rows)
    partial = path.with_name(path.name + ".partial")
    reporter = Reporter(f"export to '{statement.path}'", total=total).start()
    written = 0
    try:
        writer = open_writer(partial, kind, result.columns)
        try:
            while batch := list(itertools.islice(rows, BATCH_ROWS)):
                writer.write(batch)
                written += len(batch)
                reporter.update(written)
        finally:
            writer.close()
        partial.replace(path)
    except KeyboardInterrupt:
        raise Interrupted(
            f"interrupted after {written} of {total} rows: '{statement.path}' was not written"
        ) from None
    except OSError as error:
        raise ExecutionError(
            f"cannot write '{statement.path}': {error.strerror or error}"
        ) from None
    finally:
        partial.unlink(missing_ok=True)
        reporter.finish(written)
    if written != total:  # the collection changed while it was read
        note = f" (the query had matched {total}: rows changed during the export)"
    else:
        note = ""
    return Message(
        f"exported {written} row{'s' if written != 1 else ''} to '{statement.path}'{note}"
    )


HANDLERS = {Export: export}
