"""Session settings: what SET changes and SHOW SETTINGS lists.

`display_limit` (rows shown per result, 0 = all), `timeout` (seconds per Milvus call, None = no
limit) and `consistency_level` (for reads and searches, None = the collection's own).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from milvus_kernel.engine.results import Column, Table
from milvus_kernel.errors import KernelError

CONSISTENCY_LEVELS = ("Strong", "Bounded", "Session", "Eventually")

_DESCRIPTIONS = {
    "display_limit": "rows shown per result (0 = all)",
    "timeout": "seconds allowed per Milvus call (NULL = no limit)",
    "consistency_level": "consistency of reads and searches (NULL = the collection's own)",
}


@dataclass
class Settings:
    """The session's current settings."""

    display_limit: int = 10
    timeout: float | None = None
    consistency_level: str | None = None

    def set(self, name: str, value: Any) -> str:
        """Change one setting from a statement's value; returns the value as shown."""
        key = name.strip().lower()
        setter = _SETTERS.get(key)
        if setter is None:
            valid = ", ".join(_DESCRIPTIONS)
            raise KernelError(f"unknown setting '{name}'; settings are: {valid}")
        setter(self, value)
        return _show(getattr(self, key))

    def table(self) -> Table:
        rows = [(name, _show(getattr(self, name)), text) for name, text in _DESCRIPTIONS.items()]
        columns = (Column("name", "str"), Column("value", "str"), Column("description", "str"))
        return Table(columns=columns, rows=rows, title="settings")


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
    if value < 0:
        raise KernelError("timeout must be a positive number of seconds (or NULL)")
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


_SETTERS = {
    "display_limit": _set_display_limit,
    "timeout": _set_timeout,
    "consistency_level": _set_consistency_level,
}
