"""Several insert calls of one import in flight at once (`SET import_parallelism`), counted exactly.

`Pipeline.submit(batch)` starts a batch's write in a thread of its own and returns at once while
fewer than `depth` batches are in flight; otherwise it first waits (in short slices, so an
interrupt is taken at once) for the oldest. Batches are finished in the order they were read, so
the counts, the progress and the rows set aside are those of the sequential path (depth 1):

- a batch counts only when the server acknowledged it;
- the first batch that fails stops the import: no further batch is sent, the batches already in
  flight are waited for and each counts if it was written, so the count is exact even when a
  later batch landed and an earlier one did not (`landed` names the rows that did);
- an interrupt stops sending at once; the batches in flight get `GRACE` seconds to answer, and
  those that do not are `doubtful` ("may or may not have been written"), never guessed;
- keys: before a batch is sent its keys are checked against the collection (as on the sequential
  path) and against the keys of the batches still in flight, which a sequential import would
  have written first.
"""

from __future__ import annotations

import contextvars
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from milvus_kernel.engine.catalog import Catalog
from milvus_kernel.engine.connection.capabilities import is_lite
from milvus_kernel.engine.data.batch_writer import GRACE, SLICE, BatchWriter, fate_unknown, plural

#: Insert calls in flight when `import_parallelism` is NULL: on a Milvus server, and on Milvus
#: Lite — one Python process, no faster with more, and (measured: tests/test_write_faults.py)
#: concurrent inserts there lost acknowledged rows when its process was killed.
SERVER_DEPTH = 2
LITE_DEPTH = 1


def depth_for(catalog: Catalog, setting: int | None) -> int:
    """The insert calls an import keeps in flight: the setting, or the server's default."""
    if setting is not None:
        return setting
    return LITE_DEPTH if is_lite(catalog) else SERVER_DEPTH


@dataclass(eq=False)
class Batch:
    """The good rows of rows first..last of the file, and what became of their write."""

    rows: list[dict[str, Any]]
    first: int
    last: int
    extra: Any = None  # the caller's (the chunk and its bad rows, to set aside when finished)
    keys: set[Any] = field(default_factory=set)
    done: threading.Event = field(default_factory=threading.Event)
    sent: bool = False  # the insert call was made: without an answer its fate is open
    skipped: bool = False  # stopped before it was sent
    held: set[Any] = field(default_factory=set)
    result: Any = None
    error: BaseException | None = None

    @property
    def span(self) -> str:
        return f"rows {self.first}-{self.last}"


class WriteFailed(Exception):
    """The first batch (in the file's order) that failed; the pipeline has settled."""

    def __init__(self, batch: Batch) -> None:
        super().__init__(str(batch.error))
        self.batch = batch


class Pipeline:
    """Up to `depth` batches of one writer in flight; `finished(batch)` for each written or empty
    batch, in order."""

    def __init__(self, writer: BatchWriter, depth: int, finished: Callable[[Batch], None]):
        self.writer = writer
        self.depth = max(1, depth)
        self.finished = finished
        self.waiting: deque[Batch] = deque()  # submitted, not yet accounted for, in order
        self.lock = threading.Lock()
        self.stopped = False
        self.landed: list[tuple[int, int]] = []  # first..last of each batch written
        self.doubtful: list[Batch] = []
        self.failed: Batch | None = None

    def submit(self, batch: Batch) -> None:
        """Send `batch` once fewer than `depth` are in flight; `WriteFailed` if one failed."""
        while len(self.waiting) >= self.depth:
            self._finish_oldest()
        if any(b.error is not None for b in self.waiting if b.done.is_set()):
            self.finish(stop=True)  # a later batch failed first: send nothing more
        if not batch.rows:
            batch.done.set()
            self.waiting.append(batch)
            return
        batch.keys = self.writer.keys_of(batch.rows)
        ahead = [b.keys for b in self.waiting if b.keys and not b.done.is_set()]
        in_flight = set().union(*ahead) if ahead and batch.keys else set()
        self.waiting.append(batch)  # before the thread starts: an interrupt then still sees it
        context = contextvars.copy_context()  # the statement's context (progress sink, ...)
        worker = threading.Thread(
            target=context.run, args=(self._work, batch, in_flight), name="milvus-write"
        )
        worker.daemon = True
        worker.start()

    def finish(self, stop: bool = False) -> None:
        """Wait for every batch in flight (`stop`: sending no more of them); `WriteFailed` if
        one failed."""
        self._settle(grace=False, stop=stop)
        if self.failed is not None:
            raise WriteFailed(self.failed)

    def interrupt(self) -> None:
        """An interrupt: send nothing more, give the batches in flight GRACE seconds."""
        self._settle(grace=True, stop=True)

    def _work(self, batch: Batch, in_flight: set[Any]) -> None:
        try:
            batch.held = self.writer.held_keys(batch.rows) | (batch.keys & in_flight)
            with self.lock:
                if self.stopped:
                    batch.skipped = True
                    return
                batch.sent = True
            batch.result = self.writer.insert(batch.rows)
        except BaseException as error:  # handed to the statement's thread
            batch.error = error
        finally:
            batch.done.set()

    def _finish_oldest(self) -> None:
        batch = self.waiting[0]
        while not batch.done.wait(SLICE):
            pass
        if batch.error is not None:
            self.finish(stop=True)  # accounts for it and every batch in flight, then raises
        self.waiting.popleft()
        self._account(batch)

    def _settle(self, grace: bool, stop: bool) -> None:
        """Wait for the batches in flight (each until it answers, or GRACE seconds after an
        interrupt; a second interrupt stops waiting) and account for each; `stop`: the ones not
        sent yet never are."""
        with self.lock:
            self.stopped = stop
        deadline = time.monotonic() + GRACE if grace else None
        while self.waiting:
            batch = self.waiting[0]
            try:
                while not batch.done.is_set() and (deadline is None or time.monotonic() < deadline):
                    batch.done.wait(SLICE)
                self.waiting.popleft()
                self._account(batch)
            except KeyboardInterrupt:
                with self.lock:
                    self.stopped = True
                now = time.monotonic()
                deadline = now + GRACE if deadline is None else now

    def _account(self, batch: Batch) -> None:
        with self.lock:  # a batch not done by now is either sent or never will be
            sent, done = batch.sent, batch.done.is_set()
        if done and batch.error is None:
            if batch.skipped:
                return
            if batch.rows:
                self.writer.count(batch.rows, batch.result, batch.held)
                self.landed.append((batch.first, batch.last))
            self.finished(batch)
            return
        if done and self.failed is None:
            self.failed = batch
        if sent and (not done or fate_unknown(batch.error)):  # type: ignore[arg-type]
            self.doubtful.append(batch)

    # --- what to say -------------------------------------------------------------------------

    def later(self, after: int) -> list[str]:
        """The spans of rows written after row `after` (past a batch that was not), merged."""
        spans: list[list[int]] = []
        for first, last in sorted(s for s in self.landed if s[0] > after):
            if spans and first == spans[-1][1] + 1:
                spans[-1][1] = last
            else:
                spans.append([first, last])
        return [f"{first}-{last}" for first, last in spans]

    def in_flight(self) -> str:
        """What is known of the batches whose answers never came ("" when there were none)."""
        if not self.doubtful:
            return ""
        rows = plural(sum(len(b.rows) for b in self.doubtful))
        if len(self.doubtful) == 1:
            return (
                f"; a batch of {rows} ({self.doubtful[0].span}) was in flight and may or may not "
                "have been written (its answer never came: check with SELECT COUNT(*))"
            )
        spans = ", ".join(b.span for b in self.doubtful)
        return (
            f"; {len(self.doubtful)} batches of {rows} in all ({spans}) were in flight and may "
            "or may not have been written (their answers never came: check with SELECT COUNT(*))"
        )
