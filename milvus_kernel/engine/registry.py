"""The one table of the engine: which handler runs each type of statement.

Every statement family (a module of the engine) declares `HANDLERS`, a mapping from statement
type to handler. A handler takes the statement's `HandlerContext` and the statement. The session
dispatches with this table, EXPLAIN runs the same handlers on a recording client, and the HELP
tests check that every statement here has a topic. Statements about the session itself (CONNECT,
SET, ...) and about other statements (EXPLAIN, HELP) sit above this table, in the session.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any

from milvus_kernel.engine.admin import (
    aliases,
    bulk_import,
    databases,
    maintenance,
    privilege_groups,
    resource_groups,
    server_info,
    snapshots,
    users,
)
from milvus_kernel.engine.data import imports, updates, writes
from milvus_kernel.engine.reads import exports
from milvus_kernel.engine.reads import select as reads
from milvus_kernel.engine.schema import (
    alter,
    collections,
    function_fields,
    indexes,
    partitions,
    show_create,
)
from milvus_kernel.engine.schema import functions as server_functions
from milvus_kernel.engine.schema.typed_reads import typed
from milvus_kernel.engine.search import analyzers, hybrid
from milvus_kernel.engine.search import vector as search
from milvus_kernel.engine.tools import evaluate, plot
from milvus_kernel.language.statements import Statement
from milvus_kernel.results import Result

#: A handler: `handler(context, statement)` → the statement's result.
Handler = Callable[[Any, Any], Result]

FAMILIES = (collections, partitions, indexes, databases, aliases, maintenance, show_create)
FAMILIES += (writes, imports, reads, exports, search, hybrid, users, plot, evaluate)
FAMILIES += (updates, alter)
FAMILIES += (analyzers,)
FAMILIES += (server_functions,)
FAMILIES += (function_fields,)
FAMILIES += (privilege_groups, resource_groups, bulk_import, server_info, snapshots)
HANDLERS: Mapping[type[Statement], Handler] = MappingProxyType(
    {kind: typed(handler) for family in FAMILIES for kind, handler in family.HANDLERS.items()}
)


def handler_for(kind: type[Statement]) -> Handler | None:
    """The handler of statements of type `kind`, or None when no family runs them."""
    return HANDLERS.get(kind)
