"""Full-text search details shared by SELECT, SEARCH and hybrid SEARCH.

BM25 scores are shown as Milvus servers report them: positive, higher is better (Milvus Lite
reports them negated, as distances). A filter function the server does not have (Milvus Lite has
TEXT_MATCH but not PHRASE_MATCH) fails with one plain line naming the function and the server,
instead of the server's parser dump.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from milvus_kernel.engine.catalog import Catalog
from milvus_kernel.engine.connection.capabilities import server_name
from milvus_kernel.errors import ExecutionError, NotSupported

_UNKNOWN_FUNCTION = re.compile(r"unknown function '(?P<name>\w+)'", re.IGNORECASE)


def bm25_score(distance: Any) -> Any:
    """A BM25 hit's score, positive whatever the server's sign convention."""
    return abs(distance) if isinstance(distance, (int, float)) else distance


@contextmanager
def server_functions(catalog: Catalog) -> Iterator[None]:
    """Turn "unknown function 'PHRASE_MATCH'" into "PHRASE_MATCH is not supported by ..."."""
    try:
        yield
    except ExecutionError as error:
        match = _UNKNOWN_FUNCTION.search(error.message)
        if match is None:
            raise
        name = match["name"].upper()
        raise NotSupported(f"{name} is not supported by {server_name(catalog)}") from None
