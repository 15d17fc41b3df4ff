"""Sending the batches of one write (INSERT / UPSERT ... VALUES, or FROM a file), counted exactly.

`BatchWriter.send(rows)` writes one batch and keeps the tally the statement reports:

- each insert call runs in a worker thread while the statement's thread waits in short slices,
  so an interrupt (SIGINT) is taken within a fraction of a second even when the server is frozen.
  The call in flight then gets `GRACE` seconds to answer: answered, its rows count (or do not);
  unanswered, its rows are `unknown` ("may or may not have been written"), never guessed;
- only rows the server acknowledged are counted; a failure that leaves a batch's fate open (the
  server is gone, a deadline passed) also makes that batch `unknown`;
- duplicate primary keys: Milvus Lite keeps one row per key (the last of a batch; an INSERT of an
  existing key overwrites it), a Milvus server keeps every copy. Before each batch one query
  (`pk in [...]`) finds the keys the collection already holds, so the summary says how many rows
  landed, how many keys repeated within a batch and how many already existed (possibly written
  by an earlier batch of the same statement). An UPSERT replaces by design: only its repeated keys
  are reported.
"""

from __future__ import annotations

import contextvars
import threading
import time
from collections import Counter
from collections.abc import Callable
from typing import Any

from milvus_kernel.engine.catalog import Catalog
from milvus_kernel.engine.connection.capabilities import WINDOW, is_lite
from milvus_kernel.engine.schema.fields import CollectionInfo
from milvus_kernel.errors import ConnectionFailure, ExecutionError, KernelError
from milvus_kernel.language.filters import render_value

SLICE = 0.1  # seconds between looks at the call in flight (an interrupt is taken in between)
GRACE = 2.0  # seconds an interrupted write waits for the answer to the batch in flight
SHOWN_KEYS = 3
CHECK_LIMIT = WINDOW  # the most rows one query returns
_UNKNOWN_FATE = ("deadline", "did not answer", "timed out", "timeout")


class CallInterrupted(Exception):
    """An interrupt arrived while a call was in flight; what became of the call, if known."""

    def __init__(self, answered: bool, value: Any = None, error: BaseException | None = None):
        super().__init__("interrupted")
        self.answered = answered
        self.value = value
        self.error = error


def call_in_worker(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """`fn(*args, **kwargs)` run in a worker thread; an interrupt while waiting waits GRACE more
    seconds for the answer, then raises `CallInterrupted` saying whether it came."""
    box: dict[str, Any] = {}
    done = threading.Event()
    context = contextvars.copy_context()  # the statement's context (progress sink, ...) goes along

    def work() -> None:
        try:
            box["value"] = context.run(fn, *args, **kwargs)
        except BaseException as error:  # handed to the waiting thread
            box["error"] = error
        finally:
            done.set()

    try:  # an interrupt may come while the thread starts
        threading.Thread(target=work, name="milvus-write", daemon=True).start()
        while not done.wait(SLICE):
            pass
    except KeyboardInterrupt:
        deadline = time.monotonic() + GRACE
        try:
            while not done.is_set() and time.monotonic() < deadline:
                done.wait(SLICE)
        except KeyboardInterrupt:  # a second interrupt: stop waiting at once
            pass
        answered = done.is_set()
        raise CallInterrupted(answered, box.get("value"), box.get("error")) from None
    if "error" in box:
        raise box["error"]
    return box["value"]


def acknowledged(write: Callable[[], Any], in_doubt: Callable[[], None]) -> tuple[Any, bool]:
    """`write()` (one batch) in a worker thread: its result, and whether an interrupt came while
    it was in flight (the batch was written all the same: count it, then stop). A batch whose
    fate is unknown (no answer, or a lost connection) calls `in_doubt()` before the error or the
    `KeyboardInterrupt` goes on."""
    try:
        return call_in_worker(write), False
    except CallInterrupted as stop:
        if stop.answered and stop.error is None:
            return stop.value, True
        if not stop.answered or fate_unknown(stop.error):  # type: ignore[arg-type]
            in_doubt()
        raise KeyboardInterrupt from None
    except (KernelError, KeyboardInterrupt) as error:
        if fate_unknown(error):
            in_doubt()
        raise


def fate_unknown(error: BaseException) -> bool:
    """True when a failed write may still have landed (no answer: server gone, deadline)."""
    if isinstance(error, KeyboardInterrupt):
        return True
    if isinstance(error, ConnectionFailure):
        return True
    text = getattr(error, "message", str(error)).lower()
    return not isinstance(error, KernelError) or any(word in text for word in _UNKNOWN_FATE)


def with_counts(error: KernelError, text: str) -> KernelError:
    """`error` (same type, so a lost server is still handled as one) with `text` added."""
    try:
        return type(error)(f"{error.message}; {text}")
    except Exception:
        return ExecutionError(f"{error.message}; {text}")


def plural(count: int, word: str = "row") -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def shown_keys(keys: list[Any]) -> str:
    """The first SHOWN_KEYS keys (strings quoted), and "…" when there are more."""
    shown = ", ".join(repr(k) if isinstance(k, str) else str(k) for k in keys[:SHOWN_KEYS])
    return shown + (", …" if len(keys) > SHOWN_KEYS else "")


class BatchWriter:
    """The batches of one INSERT or UPSERT into one collection, and what became of them."""

    def __init__(
        self, catalog: Catalog, info: CollectionInfo, upsert: bool, partition: str | None
    ) -> None:
        self.catalog = catalog
        self.info = info
        self.table = info.name
        self.upsert = upsert
        self.verb, self.method = ("upserted", "upsert") if upsert else ("inserted", "insert")
        self.kwargs: dict[str, Any] = {"partition_name": partition} if partition else {}
        key = info.primary
        self.key = key.name
        self.keyed = upsert or not key.auto_id  # the rows carry their keys
        self.lite = is_lite(catalog) if self.keyed else False
        self.checking = not upsert and not key.auto_id  # an UPSERT replaces by design
        self.unchecked = ""  # why the keys could not be checked against the collection's rows
        self.written = 0  # rows that landed (acknowledged; on Lite one per distinct key)
        self.given = 0  # rows of acknowledged batches, as sent
        self.repeated: list[Any] = []  # keys given more than once within one batch
        self.repeated_keys = 0
        self.existing: list[Any] = []  # keys the collection held when their batch was sent
        self.existing_count = 0
        self.unknown = 0  # rows of a batch sent whose answer never came
        self.interrupted = False  # an interrupt came while the last batch (written) was in flight
        self.ids: list[Any] = []
        self.id_count = 0

    def send(self, rows: list[dict[str, Any]]) -> None:
        """Write one batch; `KeyboardInterrupt` or a `KernelError` when it does not complete.
        An interrupt during a batch that is then written sets `interrupted` instead: the caller
        records the batch as written, then stops."""
        held = self._held(rows)
        result, self.interrupted = acknowledged(
            lambda: self.insert(rows), lambda: setattr(self, "unknown", len(rows))
        )
        self.count(rows, result, held)

    def insert(self, rows: list[dict[str, Any]]) -> Any:
        """The insert (or upsert) call of one batch, in the calling thread."""
        return self.catalog.call(self.method, self.table, rows, table=self.table, **self.kwargs)

    def keys_of(self, rows: list[dict[str, Any]]) -> set[Any]:
        """The keys `rows` carry, when they are checked against the collection's (else none)."""
        if not self.checking:
            return set()
        return {row[self.key] for row in rows if row.get(self.key) is not None}

    def _held(self, rows: list[dict[str, Any]]) -> set[Any]:
        if not self.checking:
            return set()
        try:
            return call_in_worker(self.held_keys, rows)
        except CallInterrupted:
            raise KeyboardInterrupt from None

    def held_keys(self, rows: list[dict[str, Any]]) -> set[Any]:
        """The keys of `rows` the collection already holds (one query, in the calling thread),
        when that can be known."""
        keys = list(self.keys_of(rows))
        if not keys:
            return set()
        try:
            found = self._query_keys(keys)
        except ExecutionError as error:  # e.g. a server collection without an index: no load
            self.checking = False
            self.unchecked = error.message
            return set()
        return {row[self.key] for row in found}

    def _query_keys(self, keys: list[Any]) -> list[dict[str, Any]]:
        if self.lite:
            self.catalog.ensure_loaded(self.table)  # cheap, and Lite forgets its load state
        elif not self.catalog.is_loaded(self.table):
            # A server collection is not loaded just to check keys (its memory is the user's
            # to spend), and one without an index cannot be: its keys go unchecked, silently.
            self.checking = False
            return []
        return self.catalog.fetch(
            "query",
            self.table,
            filter=f"{self.key} in {render_value(keys)}",
            output_fields=[self.key],
            limit=CHECK_LIMIT,
            consistency_level="Strong",
            table=self.table,
        )

    def count(self, rows: list[dict[str, Any]], result: Any, held: set[Any]) -> None:
        """Count an acknowledged batch (`result`: the server's answer; `held`: its keys that
        already existed)."""
        result = dict(result or {})
        acknowledged = int(result.get(f"{self.method}_count", len(rows)))
        self.given += acknowledged
        if not self.keyed:
            self.written += acknowledged
            ids = list(result.get("ids") or [])
            self.id_count += len(ids)
            self.ids.extend(ids[: SHOWN_KEYS + 1 - len(self.ids)])
            return
        counts = Counter(row.get(self.key) for row in rows)
        twice = [k for k, n in counts.items() if n > 1]
        extra = sum(counts[k] - 1 for k in twice)
        self.repeated.extend(twice[: SHOWN_KEYS + 1 - len(self.repeated)])
        self.repeated_keys += len(twice)
        self.written += acknowledged - extra if self.lite else acknowledged
        self.existing_count += len(held)
        self.existing.extend(sorted(held, key=str)[: SHOWN_KEYS + 1 - len(self.existing)])

    # --- what to say -------------------------------------------------------------------------

    def done(self) -> str:
        """`N rows had been inserted`, for an error or an interrupt."""
        return f"{plural(self.written)} had been {self.verb}"

    def in_flight(self, rows: str = "") -> str:
        """What is known of the batch in flight (`rows`: which ones), or "" when nothing is."""
        if not self.unknown:
            return ""
        which = f" ({rows})" if rows else ""
        return (
            f"; a batch of {plural(self.unknown)}{which} was in flight and may or may not have "
            "been written (its answer never came: check with SELECT COUNT(*))"
        )

    def notes(self) -> str:
        """What the summary adds about duplicate and existing keys ("" when there were none)."""
        text = ""
        if self.repeated_keys:
            keys = f"{plural(self.repeated_keys, 'duplicate key')} ({shown_keys(self.repeated)})"
            if self.lite:
                text += (
                    f" ({self.given} rows given: {keys} in this write collapsed into 1 row"
                    f"{' each' if self.repeated_keys > 1 else ''}, the last one kept)"
                )
            else:
                text += f" ({keys} in this write: a Milvus server keeps every copy as its own row)"
        if self.existing_count:
            text += "; " + self._existing_note()
        if self.unchecked:
            text += (
                f"; keys not checked against the rows already in {self.table} ({self.unchecked})"
            )
        return text

    def _existing_note(self) -> str:
        n = self.existing_count
        keys = f"{plural(n, 'key')} ({shown_keys(self.existing)}) already existed"
        if self.lite:
            return (
                f"{keys}: Milvus Lite overwrote {'it' if n == 1 else 'them'}, so {self.table} "
                f"has {plural(self.written - n) + ' more' if self.written > n else 'no more rows'}"
                "; a Milvus server keeps both rows — use UPSERT to replace"
            )
        return (
            f"{keys}: a Milvus server keeps both rows, the old and the new — use UPSERT to replace"
        )
