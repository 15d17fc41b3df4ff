"""Whether the connected server has partial upserts (`upsert(..., partial_update=True)`: only the
fields given change): Milvus Lite and Milvus 2.6 or later do. Older servers would take a partial
row for a whole one, so UPSERT ... WITH (partial = true) is refused there in one line, and UPDATE
rewrites whole rows instead.
"""

from __future__ import annotations

from milvus_kernel.engine.catalog import Catalog
from milvus_kernel.engine.connection.capabilities import older_than, server_name
from milvus_kernel.errors import NotSupported

PARTIAL_SINCE = (2, 6)  # the first Milvus with partial upserts


def partial_updates(catalog: Catalog) -> bool:
    """True when the server upserts the named fields only (Milvus Lite, Milvus 2.6 and later)."""
    return not older_than(catalog, PARTIAL_SINCE)


def require_partial(catalog: Catalog) -> None:
    """Refuse a partial upsert on a server that would read it as whole rows."""
    if not partial_updates(catalog):
        raise NotSupported(
            f"UPSERT ... WITH (partial = true) is not supported by {server_name(catalog)} "
            "(partial upserts need Milvus 2.6)"
        )
