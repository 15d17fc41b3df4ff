"""Whether the connected server has partial upserts (`upsert(..., partial_update=True)`: only the
fields given change): Milvus Lite and Milvus 2.6 or later do. Older servers would take a partial
row for a whole one, so UPSERT ... WITH (partial = true) is refused there in one line, and UPDATE
rewrites whole rows instead.
"""

from __future__ import annotations

import re

from milvus_kernel.engine.catalog import Catalog
from milvus_kernel.engine.connection.capabilities import is_lite
from milvus_kernel.errors import KernelError, NotSupported

PARTIAL_SINCE = (2, 6)  # the first Milvus with partial upserts
_VERSION = re.compile(r"v?(\d+)\.(\d+)")


def server_version(catalog: Catalog) -> str:
    try:
        return str(catalog.call("get_server_version"))
    except KernelError:
        return "unknown"


def partial_updates(catalog: Catalog) -> bool:
    """True when the server upserts the named fields only (Milvus Lite, Milvus 2.6 and later)."""
    if is_lite(catalog):
        return True
    found = _VERSION.match(server_version(catalog))
    return found is None or (int(found[1]), int(found[2])) >= PARTIAL_SINCE


def require_partial(catalog: Catalog) -> None:
    """Refuse a partial upsert on a server that would read it as whole rows."""
    if not partial_updates(catalog):
        raise NotSupported(
            "UPSERT ... WITH (partial = true) is not supported by this server "
            f"(Milvus {server_version(catalog)}; partial upserts need Milvus 2.6)"
        )
