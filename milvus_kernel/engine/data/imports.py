"""INSERT | UPSERT INTO t [PARTITION p] FROM 'file' [WITH (batch_size, on_error, ...)].

The file is read in chunks (see `file_readers`), each chunk checked and converted (`columns`) and
written in one insert call, with progress reported as rows go. Nothing is lost and nothing is
counted twice:

- a bad row stops the import: the rows before it are written, and the error says "row N: reason"
  and exactly how many rows were written (what COUNT(*) shows afterwards);
- with on_error = 'skip' bad rows are set aside in `<file>.rejected.jsonl` (row number, reason,
  values) and the summary counts both;
- the insert calls go through a `Pipeline` of `BatchWriter` calls, up to `SET
  import_parallelism` of them in flight at once: an interrupt is taken at once even when the
  server is frozen, and says exactly how many rows the server had acknowledged (and, when the
  answers to the batches in flight never came, that these may or may not have been written); a
  lost server or any other failure says the same, naming the rows that landed after a batch that
  did not; duplicate and existing keys are reported.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TextIO

from milvus_kernel.engine.context import HandlerContext
from milvus_kernel.engine.data.batch_writer import BatchWriter, plural, with_counts
from milvus_kernel.engine.data.columns import Converted, convert_chunk, original
from milvus_kernel.engine.data.file_readers import Chunk, kind_of, object_source, open_source
from milvus_kernel.engine.data.import_plan import (
    default_batch,
    import_options,
    npy_field,
    plan_import,
)
from milvus_kernel.engine.data.in_flight import Batch, Pipeline, WriteFailed, depth_for
from milvus_kernel.engine.data.read_ahead import read_ahead
from milvus_kernel.engine.data.writes import abbreviate_ids, require_partition
from milvus_kernel.engine.progress import Reporter
from milvus_kernel.errors import ExecutionError, Interrupted, KernelError
from milvus_kernel.language.statements import ImportFile
from milvus_kernel.results import Message, Result

REJECTED_SUFFIX = ".rejected.jsonl"


class Importer:
    """One run of one import statement."""

    def __init__(self, context: HandlerContext, statement: ImportFile) -> None:
        self.catalog = context.catalog
        self.statement = statement
        self.table = statement.table
        self.info = self.catalog.require(self.table)
        require_partition(self.catalog, self.table, statement.partition)
        self.options = import_options(statement.options)
        self.path = context.path(statement.path.lstrip(":"))
        kind = (
            "object" if statement.data is not None else kind_of(statement.path, self.options.format)
        )
        extra: dict[str, Any] = {"delimiter": self.options.delimiter}
        if kind == "npy":
            extra["column"] = npy_field(self.info, statement).name
        batch = self.options.batch_size or default_batch(self.info)
        if statement.data is not None:  # FROM :df — the same pipeline, an object source
            self.source = object_source(statement.data, statement.path, batch)
        else:
            self.source = open_source(self.path, statement.path, kind, batch, **extra)
        self.plan = plan_import(self.info, statement, self.source)
        self.writer = BatchWriter(self.catalog, self.info, statement.upsert, statement.partition)
        depth = depth_for(self.catalog, context.settings.import_parallelism)
        self.pipeline = Pipeline(self.writer, depth, self._finished)
        self.verb, self.method = self.writer.verb, self.writer.method
        self.rejected = 0
        self.position = 0  # the last row of the rows from row 1 on whose fate is known
        self.reporter: Reporter | None = None
        self._rejects: TextIO | None = None

    @property
    def shown(self) -> str:
        path = self.statement.path
        return path if self.statement.data is not None else f"'{path}'"

    @property
    def rejects_path(self) -> Path:
        return self.path.with_name(self.path.name + REJECTED_SUFFIX)

    def into(self) -> str:
        partition = f" (partition {self.statement.partition})" if self.statement.partition else ""
        return f"into {self.table}{partition}"

    def run(self) -> Result:
        label = f"{self.method} {self.into()} from {self.shown}"
        self.reporter = reporter = Reporter(label, total=self.source.total).start()
        if self.options.on_error == "skip" and self.rejects_path.exists():
            self.rejects_path.unlink()  # this import's rejects only
        try:
            try:
                for chunk, converted in self._chunks():
                    self._import(chunk, converted)
                self.pipeline.finish()
            except KeyboardInterrupt:
                self.pipeline.interrupt()
                spans = ", ".join([f"1-{self.position}", *self.pipeline.later(self.position)])
                raise Interrupted(
                    f"interrupted: {self._count()} {self.into()} from {self.shown} "
                    f"(rows {spans}{self._aside()}){self.pipeline.in_flight()}; the rest were not"
                ) from None
        except WriteFailed as failed:
            raise self._failure(failed.batch) from None
        finally:
            reporter.update(self.position)
            reporter.finish(self.position if reporter.total is None else None)
            if self._rejects is not None:
                self._rejects.close()
        return Message(self._summary())

    @property
    def written(self) -> int:
        return self.writer.written

    def _count(self) -> str:
        return self.writer.done()

    def _aside(self) -> str:
        if not self.rejected:
            return ""
        return f" ({plural(self.rejected)} set aside in '{self.rejects_path.name}')"

    def _summary(self) -> str:
        text = f"{self.verb} {plural(self.written)} {self.into()} from {self.shown}"
        text += self.writer.notes()
        if self.rejected:
            text += (
                f"; {plural(self.rejected)} rejected, written to "
                f"'{self.statement.path.lstrip(':')}{REJECTED_SUFFIX}'"
            )
        if self.writer.ids:
            text += f"; ids {abbreviate_ids(self.writer.ids, self.writer.id_count)}"
        return text

    def _chunks(self) -> Iterator[tuple[Chunk, Converted]]:
        """The file's chunks, converted, read ahead while the previous one is written; a read
        failure says how far the import got."""
        chunks = read_ahead(self._converted())
        while True:
            try:
                yield next(chunks)
            except StopIteration:
                return
            except (KernelError, KeyboardInterrupt):
                raise
            except Exception as error:
                self.pipeline.finish()  # the rows before it: written, or an earlier failure
                raise ExecutionError(
                    f"cannot read {self.shown} after row {self.position}: {error}; {self._count()} "
                    f"{self.into()}{self._aside()}{self.pipeline.in_flight()}, the rest were not"
                ) from None

    def _converted(self) -> Iterator[tuple[Chunk, Converted]]:
        for chunk in self.source.chunks():
            problems: dict[str, str] = {}
            if self.source.columns is None and self.source.kind == "jsonl":
                for name in self.plan.targets:  # a field no row of the chunk has: NULL for each
                    chunk.columns.setdefault(name, [None] * chunk.size)
                problems = self.plan.problems_of(chunk.columns)
            yield chunk, convert_chunk(chunk, self.plan.targets, problems)

    def _import(self, chunk: Chunk, converted: Converted) -> None:
        if converted.bad and self.options.on_error == "stop":
            first = min(converted.bad)
            pairs = zip(converted.rows, converted.indexes, strict=True)
            before = [row for row, index in pairs if index < first]
            self.pipeline.submit(Batch(before, chunk.first, chunk.first + first - 1))
            self.pipeline.finish()  # every row before it written, or an earlier failure
            raise ExecutionError(
                f"row {chunk.first + first}: {converted.bad[first]}. The import stopped there: "
                f"{plural(self.written)} (every row before it) had been {self.verb} "
                f"{self.into()}{self.pipeline.in_flight()}, row {chunk.first + first} and the "
                "rest were not "
                f"(WITH (on_error = 'skip') sets bad rows aside and goes on)"
            )
        bad = sorted(converted.bad.items())
        last = chunk.first + chunk.size - 1
        self.pipeline.submit(Batch(converted.rows, chunk.first, last, (chunk, bad)))

    def _finished(self, batch: Batch) -> None:
        """A batch written (or with no good rows): its bad rows set aside, progress reported."""
        if batch.extra is not None:
            self._set_aside(*batch.extra)
        if batch.first == self.position + 1:
            self.position = batch.last
        if self.reporter is not None:
            self.reporter.update(self.position)

    def _failure(self, batch: Batch) -> BaseException:
        """The error of the first batch that failed, with what had been written."""
        error = batch.error
        if not isinstance(error, KernelError):
            return error  # type: ignore[return-value]
        later = self.pipeline.later(batch.first)
        also = f" and rows {', '.join(later)}" if later else ""
        rest = (
            "the rest" if later or self.pipeline.doubtful else f"the rows from row {batch.first} on"
        )
        return with_counts(
            error,
            f"{self._count()} {self.into()} before row {batch.first}{also}{self._aside()}"
            f"{self.pipeline.in_flight()}; {rest} were not",
        )

    def _set_aside(self, chunk: Chunk | None, bad: list[tuple[int, str]]) -> None:
        for index, reason in bad:
            self._reject(chunk, index, reason)  # type: ignore[arg-type]

    def _reject(self, chunk: Chunk, index: int, reason: str) -> None:
        if self._rejects is None:
            self._rejects = self.rejects_path.open("w", encoding="utf-8")
        entry: dict[str, Any] = {"row": chunk.first + index, "reason": reason}
        if index in chunk.broken:
            entry["line"] = chunk.broken[index][1]
        else:
            entry["values"] = {
                name: _jsonable(original(column, index)) for name, column in chunk.columns.items()
            }
        self._rejects.write(json.dumps(entry, ensure_ascii=False, default=str) + "\n")
        self.rejected += 1


def _jsonable(value: Any) -> Any:
    """`value` with NaN and infinities as text, so every line of the file is strict JSON."""
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, bytes):
        return value.hex()
    return value


def import_file(context: HandlerContext, statement: ImportFile) -> Result:
    return Importer(context, statement).run()


HANDLERS = {ImportFile: import_file}
