"""What the connected server can do: Milvus Lite (a file, or `milvus-lite server` over TCP) lacks
users and roles and partition-level load/release; an older server (the 2.3 standalone) lacks
some RPCs newer pymilvus calls (DescribeDatabase, TruncateCollection, ...).

`require_full_milvus(catalog, what)` stops a statement Lite cannot run before anything is sent,
saying "<what> is not supported by Milvus Lite" in one line; `require_version` also stops it on a
server older than the feature, naming the server (`server_name`: "Milvus v2.3.5").
`unimplemented(error)` spots the "this server has no such method" failures, so a handler can
fall back to an older way, and `server_call` turns them into that one line.
"""

from __future__ import annotations

import re
import weakref
from typing import Any

from milvus_kernel.engine.catalog import Catalog
from milvus_kernel.errors import ExecutionError, KernelError, NotSupported

_LITE_VERSION_PREFIX = "milvus_lite"
# Connection → is it Milvus Lite (asked once per client: a server's kind does not change).
_known: weakref.WeakKeyDictionary[Any, tuple[int, bool]] = weakref.WeakKeyDictionary()
#: Milvus answers one query or search with at most offset + limit = 16384 rows or hits.
WINDOW = 16384
_VERSION = re.compile(r"(\d+)\.(\d+)")
_UNIMPLEMENTED = ("unknown method", "method not implemented", "unimplemented")


def is_lite(catalog: Catalog) -> bool:
    """True for Milvus Lite: an embedded `.db` file, or a `milvus-lite server` over TCP."""
    connection = catalog.connection
    if connection.target.embedded:
        return True
    cached = _known.get(connection)
    if cached is not None and cached[0] == id(connection.client):
        return cached[1]
    try:
        version = str(catalog.call("get_server_version"))
    except KernelError:
        return False
    lite = version.lower().startswith(_LITE_VERSION_PREFIX)
    _known[connection] = (id(connection.client), lite)
    return lite


def require_full_milvus(catalog: Catalog, what: str) -> None:
    """Raise `NotSupported("<what> is not supported by Milvus Lite")` when connected to Lite."""
    if is_lite(catalog):
        raise NotSupported(f"{what} is not supported by Milvus Lite")


def unimplemented(error: KernelError) -> bool:
    """True when the server has no such RPC (older Milvus, or Lite), judged by its reason."""
    text = error.message.lower()
    return any(marker in text for marker in _UNIMPLEMENTED)


def server_version(catalog: Catalog) -> str:
    """The connected server's version text ("v2.3.5"), or "unknown" when it does not say."""
    try:
        return str(catalog.call("get_server_version"))
    except KernelError:
        return "unknown"


def version_numbers(version: str) -> tuple[int, int] | None:
    """(major, minor) of a version text, or None for a build without a plain version."""
    found = _VERSION.search(version)
    return (int(found[1]), int(found[2])) if found else None


def older_than(catalog: Catalog, wanted: tuple[int, int]) -> bool:
    """True for a full Milvus server whose version is known and below `wanted`."""
    if is_lite(catalog):
        return False
    numbers = version_numbers(server_version(catalog))
    return numbers is not None and numbers < wanted


def server_name(catalog: Catalog) -> str:
    """ "Milvus Lite", "Milvus v2.3.5", or "this Milvus server" when it gives no version."""
    if is_lite(catalog):
        return "Milvus Lite"
    version = server_version(catalog)
    return "this Milvus server" if version == "unknown" else f"Milvus {version}"


def refuse_on_lite(catalog: Catalog, what: str) -> None:
    """Stop `what` on Milvus Lite before anything is sent (never under EXPLAIN)."""
    if not catalog.explaining and is_lite(catalog):
        raise NotSupported(f"{what} is not supported by Milvus Lite")


def require_version(catalog: Catalog, what: str, wanted: tuple[int, int], why: str) -> None:
    """Refuse `what` on Milvus Lite and on a server older than `wanted` (one that would ignore
    it: `why`), in one line naming the server; under EXPLAIN nothing is refused."""
    if catalog.explaining:
        return
    refuse_on_lite(catalog, what)
    if older_than(catalog, wanted):
        needed = ".".join(str(n) for n in wanted)
        raise NotSupported(f"{what} is not supported by {server_name(catalog)} ({needed}+: {why})")


def server_call(catalog: Catalog, what: str, method: str, *args: Any, **kwargs: Any) -> Any:
    """`catalog.call(method, ...)`; a server without the RPC: "<what> is not supported by ..."."""
    try:
        return catalog.call(method, *args, **kwargs)
    except ExecutionError as error:
        if not unimplemented(error):
            raise
        if catalog.explaining:
            return None
        raise NotSupported(f"{what} is not supported by {server_name(catalog)}") from None
