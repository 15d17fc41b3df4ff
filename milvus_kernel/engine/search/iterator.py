"""SEARCH past Milvus's window: OFFSET + LIMIT above 16,384 hits, read with `search_iterator`.

One query vector, pages of `BATCH` hits (best first) until OFFSET + LIMIT are read or the
collection runs out; the hits before OFFSET are dropped. Progress counts hits; an interrupt closes
the iterator and says how many hits were read. GROUP BY and RERANK, which Milvus applies to one
window, and several query vectors (an iterator takes one) are refused in one line.
"""

from __future__ import annotations

from typing import Any

from milvus_kernel.engine.catalog import Catalog
from milvus_kernel.engine.connection.capabilities import WINDOW
from milvus_kernel.engine.milvus_errors import translating
from milvus_kernel.engine.progress import Reporter
from milvus_kernel.errors import ExecutionError, Interrupted
from milvus_kernel.language.statements import Search

BATCH = WINDOW  # the largest page Milvus serves


def check_deep(statement: Search, window: int) -> None:
    """What a search past the window (`window` hits per call) cannot have."""
    if statement.limit <= 0 or statement.offset < 0:
        raise ExecutionError("a search needs LIMIT 1 or more and OFFSET 0 or more")
    wanted = statement.offset + statement.limit
    for given, what in ((statement.group_by, "GROUP BY"), (statement.rankers, "RERANK")):
        if given:
            raise ExecutionError(
                f"a search with {what} returns at most {window} hits per query: OFFSET + LIMIT "
                f"= {wanted} is more"
            )


def deep_hits(
    catalog: Catalog,
    statement: Search,
    field: str,
    data: list[Any],
    search_params: dict[str, Any],
    output_fields: list[str],
    options: dict[str, Any],
) -> list[Any]:
    """Hits offset .. offset+limit of one query vector, read page by page."""
    if len(data) != 1:
        raise ExecutionError(
            f"a search past {WINDOW} hits takes one query vector, not {len(data)}: "
            "search them one by one"
        )
    table = statement.table
    wanted = statement.offset + statement.limit
    kwargs = dict(options)
    if statement.where:
        kwargs["filter"] = statement.where.expression
    iterator = catalog.call(
        "search_iterator",
        table,
        data=data,
        batch_size=min(BATCH, wanted),
        limit=wanted,
        output_fields=output_fields,
        search_params=search_params,
        anns_field=field,
        table=table,
        **kwargs,
    )
    hits: list[Any] = []
    progress = Reporter(f"search {table}", total=wanted, unit="hits").start()
    try:
        while len(hits) < wanted:
            with translating(table=table):
                page = list(iterator.next())
            if not page:
                break
            hits += page
            progress.update(min(len(hits), wanted))
    except KeyboardInterrupt:
        raise Interrupted(f"interrupted: {len(hits)} of {wanted} hits read") from None
    finally:
        iterator.close()
    progress.finish(min(len(hits), wanted))
    return hits[statement.offset : wanted]
