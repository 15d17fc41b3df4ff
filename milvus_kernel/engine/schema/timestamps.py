"""TIMESTAMPTZ and GEOMETRY values: what the kernel sends, and how it shows what comes back.

A TIMESTAMPTZ value is ISO-8601 text (`'2025-03-01T10:00:00+08:00'`, `'2025-03-01 10:00Z'`,
`'2025-03-01'`) or a datetime (a DataFrame's column); a value without an offset is in the
collection's `timezone` property (as Milvus reads it), or UTC when it has none. It is
sent as ISO text with its offset, and shown in the session's time zone (`SET timezone`): Milvus
Lite 3.2.2 ignores the `timezone` argument of query and search and answers in UTC, so the kernel
converts every value itself, which gives the same text on every server. A GEOMETRY value is WKT
text, `'POINT (13.4 52.5)'`, sent and shown as it is.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

UTC = dt.timezone.utc
_WKT = re.compile(
    r"\s*(POINT|LINESTRING|POLYGON|MULTIPOINT|MULTILINESTRING|MULTIPOLYGON|GEOMETRYCOLLECTION)"
    r"\s*(Z|M|ZM)?\s*(\(|EMPTY\b)",
    re.IGNORECASE,
)


class BadText(ValueError):
    """A value that is not a timestamp (or not WKT); the message says why."""


def zone(name: str) -> dt.tzinfo:
    """The time zone an IANA name stands for (`UTC`, `Asia/Shanghai`), or BadText."""
    if name.upper() == "UTC":
        return UTC
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise BadText(
            f"unknown time zone {name!r}: use an IANA name such as 'UTC', 'Europe/Berlin' or "
            "'Asia/Shanghai'"
        ) from None


def moment(value: Any, what: str = "the value", naive: str | None = None) -> dt.datetime:
    """`value` (ISO text, a datetime, a date, a numpy datetime64) as an aware datetime; one
    without an offset is in the zone `naive` (the collection's `timezone`), else UTC."""
    if hasattr(value, "dtype") and hasattr(value, "astype"):  # numpy.datetime64
        value = value.astype("datetime64[us]").item()
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value.strip())
        except ValueError:
            raise BadText(
                f"{what} expects an ISO-8601 timestamp such as '2025-03-01T10:00:00+08:00', "
                f"got {value[:40]!r}"
            ) from None
    elif isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        value = dt.datetime(value.year, value.month, value.day)
    if not isinstance(value, dt.datetime):
        raise BadText(f"{what} expects a timestamp (ISO-8601 text), got {type(value).__name__}")
    if value.tzinfo is not None:
        return value
    return value.replace(tzinfo=zone(naive) if naive else UTC)


_DATE_START = re.compile(r"\s*[+-]?\d{4,}-\d{2}-\d{2}")


def looks_like_time(text: str) -> bool:
    """Whether `text` starts like an ISO-8601 date (`2025-03-01...`)."""
    return _DATE_START.match(text) is not None


def iso(moment_: dt.datetime) -> str:
    """ISO-8601 text with the offset, `Z` for UTC (as Milvus writes it)."""
    text = moment_.isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def to_milvus(value: Any, what: str = "the value", naive: str | None = None) -> str:
    """The text Milvus gets for a TIMESTAMPTZ value (insert, filter, DEFAULT)."""
    return iso(moment(value, what, naive))


def shown(value: Any, tz: dt.tzinfo) -> Any:
    """A TIMESTAMPTZ value read back, as ISO text in the time zone `tz`."""
    if value is None:
        return None
    try:
        return iso(moment(value).astimezone(tz))
    except BadText:
        return value


def from_micros(micros: int) -> str:
    """A DEFAULT as describe_collection reports it (microseconds since the epoch), as text."""
    return iso(dt.datetime(1970, 1, 1, tzinfo=UTC) + dt.timedelta(microseconds=micros))


def geometry(value: Any, what: str = "the value") -> str:
    """A GEOMETRY value: WKT text, `'POINT (13.4 52.5)'`."""
    if not isinstance(value, str) or _WKT.match(value) is None:
        shown_value = value[:40] if isinstance(value, str) else type(value).__name__
        raise BadText(
            f"{what} expects GEOMETRY as WKT text such as 'POINT (13.4 52.5)' or "
            f"'POLYGON ((0 0, 1 0, 1 1, 0 0))', got {shown_value!r}"
        )
    return value


def typed(kind: str, value: Any, what: str, naive: str | None = None) -> str:
    """The value to send for a TIMESTAMPTZ or GEOMETRY field, or BadText; `naive` is the zone
    of a moment written without an offset (the collection's `timezone` property)."""
    return to_milvus(value, what, naive) if kind == "TIMESTAMPTZ" else geometry(value, what)
