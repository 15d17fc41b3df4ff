"""Session settings: what SET changes and SHOW SETTINGS lists.

`display_limit` (rows shown per result, 0 = all), `timeout` (seconds per Milvus call, None = the
default deadline that fits the call, see `call_deadline`), `consistency_level` (for reads and
searches, None = the collection's own), `import_parallelism` (insert calls an import keeps in
flight at once; 1 = one after the other; None = 2 on a Milvus server, 1 on Milvus Lite) and
`timezone` (an IANA name: the zone TIMESTAMPTZ values are shown in).

Every Milvus call has a deadline, so a server that stops answering never blocks a statement for
ever: short for metadata (`METADATA_DEADLINE`), longer for reads and writes (growing with the rows
or vectors the call carries), generous for index builds, loads, flushes and compactions.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from milvus_kernel.engine.schema.timestamps import BadText, zone
from milvus_kernel.errors import KernelError
from milvus_kernel.results import Column, Table

CONSISTENCY_LEVELS = ("Strong", "Bounded", "Session", "Eventually")

#: seconds for calls that only read or change metadata (describe, list, has, load state, ...)
METADATA_DEADLINE = 20.0
#: seconds for reads, writes and DDL, plus `ROWS_PER_SECOND` for the rows a call carries
DATA_DEADLINE = 45.0
ROWS_PER_SECOND = 1000
#: seconds for the calls that wait for the server to do heavy work
HEAVY_DEADLINE = 3600.0
_METADATA_CALLS = frozenset(
    [
        "describe_collection",
        "has_collection",
        "list_collections",
        "get_load_state",
        "list_indexes",
        "describe_index",
        "list_partitions",
        "has_partition",
        "get_collection_stats",
        "get_partition_stats",
        "get_server_version",
        "get_server_type",
        "list_aliases",
        "describe_alias",
        "list_users",
        "describe_user",
        "list_roles",
        "describe_role",
        "list_databases",
        "describe_database",
        "get_compaction_state",
        "get_compaction_plans",
        "list_privilege_groups",
        "describe_replica",
    ]
)
_HEAVY_CALLS = frozenset(
    [
        "create_index",
        "load_collection",
        "load_partitions",
        "refresh_load",
        "flush",
        "compact",
        "truncate_collection",
        "release_collection",
        "release_partitions",
        "drop_index",
    ]
)
_WRITE_CALLS = frozenset(("insert", "upsert"))
_SEARCH_CALLS = frozenset(("search", "hybrid_search", "search_iterator"))

_DESCRIPTIONS = {
    "display_limit": "rows shown per result (0 = all)",
    "timeout": "seconds allowed per Milvus call (NULL = a default that fits the call)",
    "consistency_level": "consistency of reads and searches (NULL = the collection's own)",
    "import_parallelism": "insert calls an import keeps in flight (NULL = 2; 1 on Milvus Lite)",
    "timezone": "time zone TIMESTAMPTZ values are shown in (an IANA name, e.g. 'Asia/Shanghai')",
}


@dataclass
class Settings:
    """The session's current settings."""

    display_limit: int = 10
    timeout: float | None = None
    consistency_level: str | None = None
    import_parallelism: int | None = None
    timezone: str = "UTC"

    def set(self, name: str, value: Any) -> str:
        """Change one setting from a statement's value; returns the value as shown."""
        key = name.strip().lower()
        setter = _SETTERS.get(key)
        if setter is None:
            valid = ", ".join(_DESCRIPTIONS)
            raise KernelError(f"unknown setting '{name}'; settings are: {valid}")
        setter(self, value)
        return _show(getattr(self, key))

    def deadline(
        self, method: str, args: Sequence[Any] = (), kwargs: Mapping[str, Any] | None = None
    ) -> float:
        """Seconds allowed for `client.<method>(*args, **kwargs)`: the `timeout` setting if set,
        else `call_deadline`."""
        if self.timeout is not None:
            return self.timeout
        return call_deadline(method, args, kwargs or {})

    def table(self) -> Table:
        rows = [(name, _show(getattr(self, name)), text) for name, text in _DESCRIPTIONS.items()]
        columns = (Column("name", "str"), Column("value", "str"), Column("description", "str"))
        return Table(columns=columns, rows=rows, title="settings")


#: The longest `SET timeout` allowed: a week.
MAX_TIMEOUT = 7 * 24 * 3600


def call_deadline(method: str, args: Sequence[Any], kwargs: Mapping[str, Any]) -> float:
    """The default deadline of one MilvusClient call, from its kind and the rows it carries."""
    if method in _METADATA_CALLS:
        return METADATA_DEADLINE
    if method in _HEAVY_CALLS:
        return HEAVY_DEADLINE
    rows = 0
    if method in _WRITE_CALLS:
        rows = _length(kwargs.get("data", args[1] if len(args) > 1 else None))
    elif method in _SEARCH_CALLS:
        queries = _length(kwargs.get("data", args[1] if len(args) > 1 else None))
        rows = max(queries, 1) * int(kwargs.get("limit") or 10)
    elif method == "query":
        rows = max(int(kwargs.get("limit") or 0), 0)
    return DATA_DEADLINE + rows / ROWS_PER_SECOND


def _length(data: Any) -> int:
    try:
        return len(data)
    except TypeError:  # a generator or a single row
        return 1


def _show(value: Any) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _set_display_limit(settings: Settings, value: Any) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value != int(value):
        raise KernelError(f"display_limit must be a whole number of rows (0 = all), not {value!r}")
    if value < 0:
        raise KernelError("display_limit must be 0 (all rows) or more")
    settings.display_limit = int(value)


def _set_timeout(settings: Settings, value: Any) -> None:
    if value is None or (isinstance(value, str) and value.strip().lower() in ("none", "null", "")):
        settings.timeout = None
        return
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise KernelError(f"timeout must be a number of seconds (or NULL), not {value!r}")
    if not value >= 0:  # negative, or NaN
        raise KernelError("timeout must be a positive number of seconds (or NULL)")
    if value > MAX_TIMEOUT:  # gRPC's deadline arithmetic overflows on huge values
        raise KernelError(f"timeout must be at most {MAX_TIMEOUT} seconds (a week), not {value!r}")
    settings.timeout = float(value) if value > 0 else None


def _set_consistency_level(settings: Settings, value: Any) -> None:
    if value is None or (isinstance(value, str) and value.strip().lower() in ("none", "null", "")):
        settings.consistency_level = None
        return
    wanted = str(value).strip().lower()
    for level in CONSISTENCY_LEVELS:
        if level.lower() == wanted:
            settings.consistency_level = level
            return
    raise KernelError(
        f"consistency_level must be one of {', '.join(CONSISTENCY_LEVELS)} (or NULL), not {value!r}"
    )


#: The most insert calls one import may keep in flight (each holds a batch of ~16 MB).
MAX_IMPORT_PARALLELISM = 16


def _set_import_parallelism(settings: Settings, value: Any) -> None:
    if value is None or (isinstance(value, str) and value.strip().lower() in ("none", "null", "")):
        settings.import_parallelism = None
        return
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value != int(value):
        raise KernelError(
            f"import_parallelism must be a whole number of calls (or NULL), not {value!r}"
        )
    if not 1 <= value <= MAX_IMPORT_PARALLELISM:
        raise KernelError(
            f"import_parallelism must be from 1 (one call at a time) to {MAX_IMPORT_PARALLELISM}, "
            f"not {value!r}"
        )
    settings.import_parallelism = int(value)


def _set_timezone(settings: Settings, value: Any) -> None:
    if not isinstance(value, str) or not value.strip():
        raise KernelError(f"timezone must be an IANA time zone name such as 'UTC', not {value!r}")
    try:
        zone(value.strip())
    except BadText as error:
        raise KernelError(str(error)) from None
    settings.timezone = "UTC" if value.strip().upper() == "UTC" else value.strip()


_SETTERS = {
    "display_limit": _set_display_limit,
    "timeout": _set_timeout,
    "consistency_level": _set_consistency_level,
    "import_parallelism": _set_import_parallelism,
    "timezone": _set_timezone,
}
