"""`read_ahead`: a generator run one item ahead in a background thread.

An import reads and converts the next chunk of its file while the current one is being written
(the insert call waits on the network and releases the GIL), so reading costs next to no time.
Items and the producer's exceptions arrive in order; when the consumer stops early (a bad row,
an error, an interrupt) the producer stops after the item it is working on, and the generator is
closed in its own thread (its files are closed). The producer runs in a copy of the consumer's
context (the statement's progress sink); a long step of it checks `stopping()` between its parts.
"""

from __future__ import annotations

import contextvars
import queue
import threading
from collections.abc import Iterator
from typing import Any, TypeVar

T = TypeVar("T")
_END = object()
_worker = threading.local()


def stopping() -> bool:
    """Whether the consumer of the read-ahead this thread produces for has stopped."""
    stop = getattr(_worker, "stop", None)
    return stop is not None and stop.is_set()


def read_ahead(items: Iterator[T], depth: int = 1) -> Iterator[T]:
    """The items of `items`, produced up to `depth` ahead of the consumer."""
    ready: queue.Queue[tuple[str, Any]] = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def put(entry: tuple[str, Any]) -> bool:
        while not stop.is_set():
            try:
                ready.put(entry, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        _worker.stop = stop
        try:
            for item in items:
                if not put(("item", item)):
                    return
            put(("end", _END))
        except BaseException as error:  # handed to the consumer, in order
            put(("error", error))
        finally:
            close = getattr(items, "close", None)
            if close is not None:
                close()

    worker = threading.Thread(
        target=contextvars.copy_context().run,
        args=(produce,),
        name="milvus-read-ahead",
        daemon=True,
    )
    worker.start()
    try:
        while True:
            kind, value = ready.get()
            if kind == "end":
                return
            if kind == "error":
                raise value
            yield value
    finally:
        stop.set()
        worker.join()
