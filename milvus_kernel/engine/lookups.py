"""Answers for the front end while a person types: collection and field names, a schema.

They never connect and never raise, and they never make the person wait on a stale list: the
names are listed in the background when a connection opens and renewed behind a stale list.
"""

from __future__ import annotations

import contextlib
import threading
from typing import Any

from milvus_kernel.engine.catalog import NAMES_TTL, Catalog
from milvus_kernel.engine.results import Table
from milvus_kernel.engine.schema import describe_table

# Seconds allowed to the calls behind completion and inspection (they must stay snappy).
QUICK_TIMEOUT = 2.0


class Lookups:
    """Completion and inspection helpers of `Session` (which owns `_catalog`)."""

    _catalog: Catalog | None
    _refreshing: threading.Lock

    def collection_names(self) -> list[str]:
        """Names for completion: never connects, never raises, never waits on a stale list.

        A listing older than its time to live is returned at once and refreshed in the
        background, so Tab stays fast with thousands of collections.
        """
        if self._catalog is None:
            return []
        cached = self._catalog.cached_names()
        if cached is None and self._refreshing.acquire(timeout=QUICK_TIMEOUT):
            self._refreshing.release()  # a listing under way has finished: use it, not a second
            cached = self._catalog.cached_names()
        if cached is not None:
            names, age = cached
            if age > NAMES_TTL:
                self._refresh_names()
            return sorted(names)
        try:
            return sorted(self._catalog.names(timeout=QUICK_TIMEOUT))
        except Exception:
            return []

    def _refresh_names(self) -> None:
        catalog = self._catalog
        if catalog is None or self._refreshing.locked():
            return

        def refresh() -> None:
            # a lost server shows up on the next statement instead
            with self._refreshing, contextlib.suppress(Exception):
                catalog.names(max_age=0, timeout=QUICK_TIMEOUT)

        threading.Thread(target=refresh, name="milvus-names", daemon=True).start()

    def field_names(self, table: str) -> list[str]:
        info = self._info_quietly(table)
        return info.names if info is not None else []

    def describe_for_inspect(self, name: str) -> Table | None:
        info = self._info_quietly(name)
        return describe_table(info) if info is not None else None

    def _info_quietly(self, table: str) -> Any:
        if self._catalog is None:
            return None
        try:
            cached = self._catalog.cached(table)
            if cached is not None:
                return cached
            if table not in self._catalog.names(timeout=QUICK_TIMEOUT):
                return None
            return self._catalog.require(table)
        except Exception:
            return None
