"""What the connected server can do: Milvus Lite (a file, or `milvus-lite server` over TCP) lacks
users and roles and partition-level load/release; an older server (the 2.3 standalone) lacks
some RPCs newer pymilvus calls (DescribeDatabase, TruncateCollection, ...).

`require_full_milvus(catalog, what)` stops a statement Lite cannot run before anything is sent,
saying "<what> is not supported by Milvus Lite" in one line. `unimplemented(error)` spots the
"this server has no such method" failures, so a handler can fall back to an older way.
"""

from __future__ import annotations

import weakref
from typing import Any

from milvus_kernel.engine.catalog import Catalog
from milvus_kernel.errors import KernelError, NotSupported

_LITE_VERSION_PREFIX = "milvus_lite"
# Connection → is it Milvus Lite (asked once per client: a server's kind does not change).
_known: weakref.WeakKeyDictionary[Any, tuple[int, bool]] = weakref.WeakKeyDictionary()
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
