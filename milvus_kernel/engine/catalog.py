"""The connected database as the statement handlers see it: calls, schemas, load state.

A `Catalog` wraps one open `Connection`. Handlers call Milvus through `call()` (which applies the
call's deadline and translates failures), read schemas through `require()` and make sure a
collection is loaded before reading it (again, when a restarted server has forgotten it).

What a catalog knows of a collection (its schema, that it is loaded, remembered facts such as an
index's metric) is kept per connection target object (`Knowledge`), so EXPLAIN's recording
catalog on the same connection sees what the session knows and prints the calls a statement
really makes.
It is forgotten after DDL (`forget`) and when Milvus says it is stale: `fresh()` runs a read
again, once, after an error saying the collection or a field does not exist (another client
dropped or recreated it), so a warm read is the page (and its count) only.
"""

from __future__ import annotations

import time
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from milvus_kernel.engine.connection.clients import Connection
from milvus_kernel.engine.connection.settings import Settings
from milvus_kernel.engine.connection.targets import Target
from milvus_kernel.engine.milvus_errors import not_loaded, translating
from milvus_kernel.engine.schema.fields import CollectionInfo, collection_info
from milvus_kernel.errors import ExecutionError, KernelError

SCHEMA_TTL = 30.0  # remembered facts (an index's metric) are asked again after this
NAMES_TTL = 3.0
#: Words of an error that says what a catalog knew of a collection is out of date.
STALE_WORDS = ("not exist", "not found", "has no field", "unknown field", "schema")


def stale(error: BaseException) -> bool:
    """True when `error` says a collection or field the kernel knew of is gone or changed."""
    text = getattr(error, "message", str(error)).lower()
    return isinstance(error, KernelError) and any(word in text for word in STALE_WORDS)


@dataclass
class Knowledge:
    """What is known of the collections of one connection target (see the module's docstring)."""

    schemas: dict[str, CollectionInfo] = field(default_factory=dict)
    loaded: set[str] = field(default_factory=set)
    facts: dict[tuple[str, str], tuple[float, Any]] = field(default_factory=dict)


#: Knowledge by the identity of its target object: EXPLAIN's catalog reuses the session's target
#: object; a new CONNECT (even to the same URI) makes a new one, and starts knowing nothing.
_KNOWLEDGE: dict[int, Knowledge] = {}


def knowledge_of(target: Target) -> Knowledge:
    """The `Knowledge` shared by every catalog on this very `target` object."""
    known = _KNOWLEDGE.get(id(target))
    if known is None:
        known = _KNOWLEDGE[id(target)] = Knowledge()
        weakref.finalize(target, _KNOWLEDGE.pop, id(target), None)
    return known


class Catalog:
    """Access to the collections of one connection, for statement handlers."""

    def __init__(self, connection: Connection, settings: Settings, notify: Callable[[str], None]):
        self.connection = connection
        self.settings = settings
        self.notify = notify
        known = knowledge_of(connection.target)
        self._schemas = known.schemas
        self._loaded = known.loaded
        self._facts = known.facts
        self._names: tuple[float, list[str]] | None = None

    @property
    def client(self) -> Any:
        return self.connection.client

    @property
    def explaining(self) -> bool:
        """True on EXPLAIN's catalog, whose client records the calls instead of sending them:
        a handler then shows the code any server would run and refuses nothing."""
        return getattr(type(self.client), "records_calls", False) is True

    @contextmanager
    def in_database(self, name: str) -> Iterator[None]:
        """Calls inside go to the database `name`, then to the current one again. pymilvus sends
        its client's database with every request (no per-call choice in 3.0.2); nothing this
        catalog keeps, which is of the current database, is read or changed."""
        config = self.client._config
        current = config.db_name
        config.db_name = name
        try:
            yield
        finally:
            config.db_name = current

    def call(
        self,
        method: str,
        *args: Any,
        table: str | None = None,
        field: str | None = None,
        action: str | None = None,
        **kwargs: Any,
    ) -> Any:
        """`client.<method>(*args, **kwargs)` with a deadline (`Settings.deadline`); failures
        translated."""
        kwargs.setdefault("timeout", self.settings.deadline(method, args, kwargs))
        target = self.connection.target
        with translating(
            table=table,
            field=field,
            action=action,
            secrets=target.secrets,
            server=target.shown_uri,
            deadline=kwargs["timeout"],
        ):
            try:
                return getattr(self.client, method)(*args, **kwargs)
            except Exception as error:
                if table not in self._loaded or not not_loaded(error):
                    raise
            # we had loaded it, but a restarted server has not: load again, then retry once
            self._loaded.discard(table)
            self.ensure_loaded(table)
            return getattr(self.client, method)(*args, **kwargs)

    def fetch(self, method: str, *args: Any, table: str | None = None, **kwargs: Any) -> list[Any]:
        """Like `call`, for reads: the rows are materialized (pymilvus decodes them lazily)
        inside the translation, as plain dicts."""
        with translating(table=table, secrets=self.connection.target.secrets):
            return [dict(row) for row in self.call(method, *args, table=table, **kwargs)]

    def read_options(self) -> dict[str, Any]:
        """Keyword arguments every read and search takes from the settings."""
        level = self.settings.consistency_level
        return {"consistency_level": level} if level else {}

    # --- names and schemas ------------------------------------------------------------------

    def names(self, max_age: float = NAMES_TTL, timeout: float | None = None) -> list[str]:
        now = time.monotonic()
        if self._names is None or now - self._names[0] > max_age:
            kwargs = {"timeout": timeout} if timeout is not None else {}
            self._names = (now, list(self.call("list_collections", **kwargs)))
        return list(self._names[1])

    def cached_names(self) -> tuple[list[str], float] | None:
        """The last listing and its age in seconds, without calling Milvus (None: none yet)."""
        if self._names is None:
            return None
        return list(self._names[1]), time.monotonic() - self._names[0]

    def exists(self, name: str) -> bool:
        return bool(self.call("has_collection", name, table=name))

    def require(self, name: str) -> CollectionInfo:
        """The schema of `name` (one `describe_collection`, then known until DDL or a stale
        error); a clear error if there is no such collection."""
        known = self._schemas.get(name)
        if known is not None:
            return known
        try:
            raw = self.call("describe_collection", name, table=name)
        except ExecutionError as error:
            if not stale(error):
                raise
            self.forget(name)
            raise ExecutionError(f"collection '{name}' does not exist") from None
        info = collection_info(name, raw)
        self._schemas[name] = info
        return info

    def fresh(self, name: str, read: Callable[[], Any]) -> Any:
        """`read()`; when it fails saying what was known of `name` is stale (dropped or recreated
        by another client), forget it and run `read()` once more."""
        if name not in self._schemas and name not in self._loaded:
            return read()
        try:
            return read()
        except KernelError as error:
            if not stale(error):
                raise
        self.forget(name)
        return read()

    def cached(self, name: str) -> CollectionInfo | None:
        """The schema of `name` if it is known (never calls Milvus)."""
        return self._schemas.get(name)

    def remembered(self, name: str, key: str, compute: Callable[[], Any]) -> Any:
        """`compute()`, cached like the schema of collection `name` (for SCHEMA_TTL seconds,
        forgotten with it after DDL): facts such as an index's metric that every search needs."""
        entry = self._facts.get((name, key))
        if entry and time.monotonic() - entry[0] < SCHEMA_TTL:
            return entry[1]
        value = compute()
        self._facts[(name, key)] = (time.monotonic(), value)
        return value

    def forget(self, name: str | None = None) -> None:
        """Drop cached knowledge after DDL on `name` (or on everything)."""
        self._names = None
        if name is None:
            self._schemas.clear()
            self._loaded.clear()
            self._facts.clear()
        else:
            self._schemas.pop(name, None)
            self._loaded.discard(name)
            for key in [k for k in self._facts if k[0] == name]:
                del self._facts[key]

    # --- load state -------------------------------------------------------------------------

    def load_state(self, name: str) -> str:
        state = self.call("get_load_state", name, table=name).get("state")
        return str(getattr(state, "name", state))

    def is_loaded(self, name: str) -> bool:
        return self.load_state(name) == "Loaded"

    def ensure_loaded(self, name: str) -> None:
        """Load `name` if it is not loaded (Milvus Lite forgets load state across restarts)."""
        if name in self._loaded:
            return
        if not self.is_loaded(name):
            self.call("load_collection", name, table=name, action="loading")
        self._loaded.add(name)

    def mark_released(self, name: str) -> None:
        self._loaded.discard(name)
