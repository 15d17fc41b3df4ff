"""EXPLAIN <statement>: the pymilvus code the kernel runs for a statement, without running it.

One source of truth: the statement's own handler runs, on a catalog whose client is a `Recorder`.
The recorder passes read-only metadata calls (describe_*, list_*, has_*, get_*, and a count(*)
query, whose answer steers what follows) to the real client; `get` also runs (FOR ID needs the
stored vectors) and is shown. Every other call (search, query, insert, create_*, drop_*, load,
...) is recorded, not executed, and answers with an empty placeholder. The recorded calls are
printed as a Python script: `from pymilvus import MilvusClient`, the client (credentials masked:
`token="***"`), then the calls with their exact arguments. Metadata checks are listed in a comment.
"""

from __future__ import annotations

import textwrap
from dataclasses import replace
from typing import Any

from milvus_kernel.engine import registry
from milvus_kernel.engine.catalog import Catalog
from milvus_kernel.engine.connection.clients import Connection
from milvus_kernel.engine.connection.targets import Target
from milvus_kernel.engine.context import HandlerContext
from milvus_kernel.engine.embeddings.explained import EmbeddedRows
from milvus_kernel.engine.embeddings.filling import filled
from milvus_kernel.engine.search.query_sources import FOUND
from milvus_kernel.engine.tools.python_code import Call, CodeWriter
from milvus_kernel.language.statements import Evaluate, Explain, Export, ImportFile, Insert, Plot
from milvus_kernel.results import Message, Result, Table

_METADATA_PREFIXES = ("describe_", "list_", "has_", "get_")
_LOCAL = ("prepare_index_params", "create_schema")
_READS = {"search": "result", "hybrid_search": "result", "query": "result", "get": FOUND}
_ITERATORS = ("query_iterator", "search_iterator")
#: Recorded and also run: `get` (FOR ID needs the stored vectors) and `load_collection` (reads,
#: even the metadata ones that run, need the collection loaded; loading changes no data).
_RUN = ("get", "load_collection")

#: Statements whose work is files and pictures, done by the kernel rather than by MilvusClient.
FILE_STATEMENTS = (ImportFile, Export, Plot, Evaluate)


class _EmptyIterator:
    def next(self) -> list[Any]:
        return []

    def close(self) -> None:
        pass


class Recorder:
    """Stands in for a MilvusClient: metadata calls pass through, the others are recorded."""

    records_calls = True  # how a handler knows it is being explained (Catalog.explaining)

    def __init__(self, client: Any, target: str = "client", calls: list[Call] | None = None):
        self._client = client
        self._target = target
        self.calls: list[Call] = [] if calls is None else calls
        self.checks: list[str] = []
        self.comment: str | None = None

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        if name in _LOCAL:
            return getattr(self._client, name)
        if name.startswith(_METADATA_PREFIXES) and self._client is not None:
            real = getattr(self._client, name)

            def check(*args: Any, **kwargs: Any) -> Any:
                if name not in self.checks:
                    self.checks.append(name)
                return real(*args, **kwargs)

            return check

        def record(*args: Any, **kwargs: Any) -> Any:
            return self._record(name, args, kwargs)

        return record

    def explain_python(self, code: str) -> None:
        """The kernel's own work after the calls (ORDER BY, GROUP BY), as the Python it is."""
        self.calls.append(Call("", (), {}, code=code))

    def _record(self, name: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        if name == "_get_connection":  # a call the pymilvus client has no public form of
            return Recorder(None, f"{self._target}._get_connection()", self.calls)
        if name == "bulk_writer":  # IMPORT INTO: pymilvus.bulk_writer's functions, not a client's
            return Recorder(None, "bulk_writer", self.calls)
        counting = name == "query" and kwargs.get("output_fields") == ["count(*)"]
        assign = "iterator" if name in _ITERATORS else _READS.get(name)
        self.calls.append(Call(name, args, kwargs, self._target, assign, self.comment))
        self.comment = None
        if name in _RUN or counting:
            return getattr(self._client, name)(*args, **kwargs)
        if name in ("search", "hybrid_search", "query"):
            return []
        if name in _ITERATORS:
            return _EmptyIterator()
        if name in ("insert", "upsert", "delete"):
            return {}
        return None


def client_line(target: Target) -> str:
    """`client = MilvusClient(...)` for `target`, with every secret masked."""
    args = [f"uri={target.shown_uri!r}"]
    if target.token:
        args.append('token="***"')
    elif target.user:
        args += [f"user={target.user!r}", 'password="***"']
    if target.database:
        args.append(f"db_name={target.database!r}")
    args += [f"{key}={value!r}" for key, value in target.tls]  # paths, never key material
    return f"client = MilvusClient({', '.join(args)})"


TOP_LEVEL = "from pymilvus import "  # merged into one line (a submodule's import stays its own)


def script(target: Target, recorder: Recorder) -> str:
    """The recorded calls as a Python script."""
    writer = CodeWriter()
    for call in recorder.calls:
        writer.call(call)
    imports = ["from pymilvus import MilvusClient"]
    pymilvus_names = sorted(
        i.removeprefix(TOP_LEVEL) for i in writer.imports if i.startswith(TOP_LEVEL)
    )
    if pymilvus_names:
        imports = [f"from pymilvus import {', '.join(['MilvusClient', *pymilvus_names])}"]
    imports = sorted(i for i in writer.imports if not i.startswith(TOP_LEVEL)) + imports
    if any(call.target == "bulk_writer" for call in recorder.calls):
        imports.append("from pymilvus import bulk_writer  # pip install 'pymilvus[bulk_writer]'")
    lines = [*imports, "", client_line(target), ""]
    if recorder.checks:
        checked = f"checked first: {', '.join(recorder.checks)}"
        lines += textwrap.wrap(checked, width=98, initial_indent="# ", subsequent_indent="#   ")
    if not recorder.calls:
        lines.append("# (no other call)")
    return "\n".join(lines + writer.lines)


def embedding_steps(catalog: Catalog, statement: Insert, calls: list[Call]) -> None:
    """An INSERT into EMBED fields: its rows print how the kernel computed their vectors."""
    fills = filled(catalog.require(statement.table), statement)
    for call in calls if fills else ():
        if call.method in ("insert", "upsert"):
            call.args = tuple(
                EmbeddedRows(arg, fills) if isinstance(arg, list) else arg for arg in call.args
            )


def explain(context: HandlerContext, statement: Explain) -> Result:
    inner = statement.statement
    name = (inner.text.split() or [type(inner).__name__])[0].upper()
    if isinstance(inner, Explain):
        return Message("EXPLAIN EXPLAIN: EXPLAIN runs no Milvus call")
    handler = registry.handler_for(type(inner))
    if isinstance(inner, FILE_STATEMENTS):
        return Message(
            "EXPLAIN does not cover file statements yet (INSERT ... FROM, EXPORT, PLOT, EVALUATE)"
        )
    if handler is None:
        return Message(f"{name} is handled by the kernel itself: it makes no MilvusClient call")
    catalog = context.catalog
    target = catalog.connection.target
    recorder = Recorder(catalog.client)
    shadow = Catalog(Connection(recorder, target), catalog.settings, lambda _text: None)
    result = handler(replace(context, catalog=shadow, progress=None), inner)
    if isinstance(inner, Insert):
        embedding_steps(shadow, inner, recorder.calls)
    if catalog.settings.timeout is None:  # the default deadlines are the kernel's, not a choice
        for call in recorder.calls:
            call.kwargs.pop("timeout", None)
    if isinstance(result, Table) and result.all_rows is not None and result.total:
        recorder.comment = "every row, when all are read (EXPORT, a DataFrame):"
        for _ in result.all_rows():
            pass
    return Message(script(target, recorder))


HANDLERS = {Explain: explain}
