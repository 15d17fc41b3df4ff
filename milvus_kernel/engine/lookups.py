"""Answers for the front end while a person types: collection and field names, a schema, and
the fixed words of a place in a statement (index types, metrics, column types, option names).

They never connect and never raise, and they never make the person wait on a stale list: the
names are listed when a connection opens and renewed in the background behind a stale list, a
renewal a statement waits for (on Milvus Lite, two calls at once can leave a load unfinished).
"""

from __future__ import annotations

import contextlib
import threading
from typing import Any

from milvus_kernel.engine.catalog import NAMES_TTL, Catalog
from milvus_kernel.engine.data.import_plan import OPTIONS as IMPORT_OPTIONS
from milvus_kernel.engine.schema.definition import QUICK_OPTIONS, TABLE_OPTIONS, describe_table
from milvus_kernel.engine.schema.fields import CollectionInfo, collection_info
from milvus_kernel.engine.tools.help_topics import INDEX_TYPES, METRICS
from milvus_kernel.language.completion_places import Vocabulary
from milvus_kernel.language.rules.chain import CHAIN_FUNCTIONS
from milvus_kernel.language.rules.columns import TYPE_NAMES
from milvus_kernel.results import Table

# Seconds allowed to the calls behind completion and inspection (they must stay snappy).
QUICK_TIMEOUT = 2.0
#: search options that are not an index's search parameter (see `search.split_params`)
SEARCH_OPTIONS = ("metric_type", "radius", "range_filter", "consistency_level", "round_decimal")
EXPORT_OPTIONS = ("format",)
#: what follows RERANK (see engine/search/rankers.py)
RANKER_NAMES = ("RRF", "WEIGHTED", "DECAY", "BOOST", "MODEL")


def _parameters(text: str) -> list[str]:
    """`"M, efConstruction"` → M, efConstruction (the help table's parameter column)."""
    return [p.strip() for p in text.split(",") if p.strip().isidentifier()]


def vocabulary_words(vocabulary: Vocabulary) -> list[tuple[str, str]]:
    """The words a place in a statement takes, each with its kind, from the engine's own lists:
    the index and metric tables of `help -index` / `help -metric`, the parser's column types,
    and the options CREATE TABLE, CREATE INDEX, searches, imports and exports accept.
    """
    kind = vocabulary.kind
    if kind == "index_type":
        words, label = [row[0] for row in INDEX_TYPES], "index type"
    elif kind == "metric_type":
        words, label = [row[0] for row in METRICS], "metric"
    elif kind == "ranker":
        first = vocabulary.statement == "first"  # RERANK CHAIN (...) is a whole rerank
        words, label = [*RANKER_NAMES, *(["CHAIN"] if first else [])], "ranker"
    elif kind == "chain_function":  # a step of RERANK CHAIN (see engine/search/chains.py)
        words, label = list(CHAIN_FUNCTIONS), "chain function"
    elif kind == "column_type":
        words, label = list(dict.fromkeys([*TYPE_NAMES.values(), *TYPE_NAMES])), "type"
    else:
        words, label = option_names(vocabulary.statement, vocabulary.index_type), "option"
    if vocabulary.quote:
        return [(f"'{word}'", label) for word in words]
    return [(word, label) for word in words]


def completion_words(vocabulary: Vocabulary | None, prefix: str) -> list[tuple[str, str]]:
    """Words of `vocabulary` (see `vocabulary_words`) that start with `prefix`, any case."""
    if vocabulary is None:
        return []
    wanted = prefix.strip("'\"").casefold()
    return [
        (word, kind)
        for word, kind in vocabulary_words(vocabulary)
        if word.strip("'").casefold().startswith(wanted)
    ]


def option_names(statement: str | None, index_type: str | None = None) -> list[str]:
    """The WITH (...) option names of a statement (of CREATE INDEX: of its index type)."""
    if statement == "create_index":
        rows = [r for r in INDEX_TYPES if index_type in (None, r[0])] or list(INDEX_TYPES)
        return ["metric_type", *dict.fromkeys(p for r in rows for p in _parameters(r[2]))]
    if statement == "search":
        searched = dict.fromkeys(p for r in INDEX_TYPES for p in _parameters(r[3]))
        return [*searched, *SEARCH_OPTIONS]
    if statement == "create_table":
        return list(TABLE_OPTIONS)
    if statement == "quick_table":
        return list(QUICK_OPTIONS)
    if statement == "import":
        return list(IMPORT_OPTIONS)
    if statement == "export":
        return list(EXPORT_OPTIONS)
    return []


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

    def list_names_now(self) -> None:
        """List the collection names (for Tab) now, quietly; a failure shows on the next
        statement instead."""
        catalog = self._catalog
        if catalog is not None:
            with self._refreshing, contextlib.suppress(Exception):
                catalog.names(max_age=0, timeout=QUICK_TIMEOUT)

    def wait_for_listing(self) -> None:
        """Wait (at most QUICK_TIMEOUT seconds) for a background listing to finish."""
        if self._refreshing.acquire(timeout=QUICK_TIMEOUT):
            self._refreshing.release()

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

    def schema_tree(self) -> dict[str, Any]:
        """What the schema browser shows of the open connection: its URI as SHOW CONNECTION
        shows it (no password, no token), its databases, the current database's collections
        (rows, load state, indexes, fields) and, under `elsewhere`, those of every other
        database. Never connects; an answer the server refuses is left out rather than raised.
        """
        catalog = self._catalog
        if catalog is None:
            return {"connected": False, "databases": [], "collections": []}
        target = catalog.connection.target
        current = target.database or "default"
        try:
            databases = [str(name) for name in catalog.call("list_databases", timeout=5.0)]
        except Exception:  # Milvus Lite before 2.4.5 and users without the privilege
            databases = [current]
        collections = []
        for name in self.collection_names():
            with contextlib.suppress(Exception):
                collections.append(_collection_entry(catalog, catalog.require(name)))
        elsewhere = {}
        for database in databases:
            if database != current:
                with contextlib.suppress(Exception):
                    elsewhere[database] = self._other_database(catalog, database)
        return {
            "connected": True,
            "uri": target.shown_uri,
            "database": current,
            "databases": databases,
            "collections": collections,
            "elsewhere": elsewhere,
        }

    def _other_database(self, catalog: Catalog, database: str) -> list[dict[str, Any]]:
        """The collections of `database`, read there without the catalog's caches (they hold
        the current database); no background listing of names runs meanwhile."""
        entries = []
        with self._refreshing, catalog.in_database(database):
            for name in sorted(catalog.call("list_collections", timeout=5.0)):
                with contextlib.suppress(Exception):
                    raw = catalog.call("describe_collection", name, timeout=5.0)
                    entries.append(_collection_entry(catalog, collection_info(name, raw)))
        return entries


def _collection_entry(catalog: Catalog, info: CollectionInfo) -> dict[str, Any]:
    name = info.name
    stats = dict(catalog.call("get_collection_stats", name, timeout=5.0) or {})
    indexes = {}
    for index in catalog.call("list_indexes", name, timeout=5.0):
        described = catalog.call("describe_index", name, index, timeout=5.0) or {}
        indexes[described.get("field_name", index)] = described.get("index_type", "")
    return {
        "name": name,
        "rows": int(stats.get("row_count", 0)),
        "load_state": catalog.load_state(name),
        "fields": [
            {
                "name": field.name,
                "type": field.type_text,
                "primary": field.is_primary,
                "dim": field.dim,
                "index": indexes.get(field.name),
            }
            for field in info.fields
        ],
    }
