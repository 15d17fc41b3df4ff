"""Progress of long statements (imports, exports, index builds), reported to whoever listens.

The engine never knows how progress is shown. A statement makes a `Reporter` ("import docs",
total rows when known) and tells it how far it got; the reporter passes `Progress` values, at most
`RATE` a second plus the first and the last, to the sink of the statement being run. The session
sets that sink (`Session.progress`) around each statement with `reporting_to`; the Jupyter kernel
turns the values into one display updated in place, the tests collect them in a list. Without a
sink, reporting costs next to nothing.
"""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

#: Updates per second a reporter passes on, at most (the first and the last always go).
RATE = 4.0


@dataclass(frozen=True)
class Progress:
    """How far one operation got. `key` tells operations apart (one display each)."""

    key: int
    label: str
    done: int
    total: int | None
    unit: str
    elapsed: float
    finished: bool = False

    @property
    def rate(self) -> float | None:
        """Units per second so far, when there is a meaningful time to divide by."""
        return self.done / self.elapsed if self.elapsed > 0 else None


ProgressSink = Callable[[Progress], None]

_sink: ContextVar[ProgressSink | None] = ContextVar("milvus_progress_sink", default=None)
_keys = itertools.count(1)


@contextmanager
def reporting_to(sink: ProgressSink | None) -> Iterator[None]:
    """Send the progress of everything run inside the block to `sink` (None: nowhere)."""
    token = _sink.set(sink)
    try:
        yield
    finally:
        _sink.reset(token)


class Reporter:
    """Progress of one operation: `advance(n)` as units are done, `finish()` at the end."""

    def __init__(
        self,
        label: str,
        total: int | None = None,
        unit: str = "rows",
        sink: ProgressSink | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.label = label
        self.total = total
        self.unit = unit
        self.done = 0
        self._sink = sink if sink is not None else _sink.get()
        self._clock = clock
        self._start = clock()
        self._last: float | None = None
        self._key = next(_keys)
        self._finished = False
        self._lock = threading.Lock()

    @property
    def elapsed(self) -> float:
        return self._clock() - self._start

    def start(self) -> Reporter:
        """Show the operation at once (0 done), before the first unit is done."""
        self._emit(force=True)
        return self

    def advance(self, count: int) -> None:
        self.done += count
        self._emit(force=False)

    def update(self, done: int, total: int | None = None) -> None:
        self.done = done
        if total is not None:
            self.total = total
        self._emit(force=False)

    def finish(self, total: int | None = None) -> None:
        """The final state; `total` defaults to what was done (a count that is now known)."""
        if self._finished:
            return
        self._finished = True
        self.total = total if total is not None else (self.total or self.done)
        self._emit(force=True)

    def _emit(self, force: bool) -> None:
        if self._sink is None:
            return
        with self._lock:
            now = self._clock()
            if not force and self._last is not None and now - self._last < 1.0 / RATE:
                return
            self._last = now
            progress = Progress(
                key=self._key,
                label=self.label,
                done=self.done,
                total=self.total,
                unit=self.unit,
                elapsed=now - self._start,
                finished=self._finished,
            )
            try:
                if self._sink is not None:
                    self._sink(progress)
            except Exception:  # a broken display must never break the statement
                self._sink = None


@contextmanager
def timed(label: str) -> Iterator[Reporter]:
    """Progress of a call that reports nothing itself (an index build): the time it has taken,
    redrawn from a background thread while the block runs."""
    reporter = Reporter(label, unit="").start()
    if reporter._sink is None:
        yield reporter
        return
    stop = threading.Event()

    def tick() -> None:
        while not stop.wait(1.0 / RATE):
            reporter._emit(force=False)

    ticker = threading.Thread(target=tick, name="milvus-progress", daemon=True)
    ticker.start()
    try:
        yield reporter
    finally:
        stop.set()
        ticker.join()
        reporter.finish(0)
