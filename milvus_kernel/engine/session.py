"""The public face of the engine: a `Session` runs statements and answers the front end's questions.

A session is lazy: it connects on the first statement that needs Milvus, to MILVUS_URI or to the
embedded Milvus Lite file `milvus_kernel.db` in its working directory, and says which once (see
`take_notices`). A server that stops answering fails the statement at once ("cannot reach Milvus
at ..."); the next statement reconnects to the same target, without a new CONNECT. After a CONNECT
that failed, statements that need Milvus say so until a CONNECT succeeds or DISCONNECT (which goes
back to the default): they never run quietly on the embedded file or the previous connection.
Statements are dispatched by type to one handler each. The helpers for completion and inspection
(`collection_names`, `field_names`, `describe_for_inspect`) never connect and never raise.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from milvus_kernel.engine import registry
from milvus_kernel.engine.catalog import Catalog
from milvus_kernel.engine.connection.clients import Connection, lost, open_connection
from milvus_kernel.engine.connection.settings import Settings
from milvus_kernel.engine.connection.targets import (
    Target,
    default_target,
    named_target,
    resolve_uri,
    tls_options,
)
from milvus_kernel.engine.context import HandlerContext
from milvus_kernel.engine.lookups import Lookups
from milvus_kernel.engine.milvus_errors import Unreachable
from milvus_kernel.engine.progress import ProgressSink, reporting_to
from milvus_kernel.engine.tools import explain, help
from milvus_kernel.errors import ConnectionFailure, KernelError, NotSupported
from milvus_kernel.language.statements import (
    Connect,
    Disconnect,
    Help,
    SetOption,
    ShowConnection,
    ShowSettings,
    Statement,
)
from milvus_kernel.results import Column, Message, Result, Table

Handler = Callable[[Any], Result]


class Session(Lookups):
    """One kernel's connection, settings and statement handlers."""

    def __init__(
        self, workdir: Path | None = None, environ: Mapping[str, str] | None = None
    ) -> None:
        self.workdir = Path(workdir) if workdir is not None else Path.cwd()
        self.environ: Mapping[str, str] = dict(os.environ if environ is None else environ)
        self.settings = Settings()
        self._notices: list[str] = []
        self._catalog: Catalog | None = None
        self._named: dict[str, Connection] = {}  # connections opened with AS name, kept open
        #: Where long statements report their progress (the kernel shows it); None: nowhere.
        self.progress: ProgressSink | None = None
        self._refreshing = threading.Lock()  # one background refresh of the names at a time
        #: why the last CONNECT failed, until a CONNECT succeeds or DISCONNECT (see `catalog`)
        self._failed_connect: str | None = None
        self._handlers: dict[type[Statement], Handler] = {
            Connect: self._connect,
            Disconnect: self._disconnect,
            ShowConnection: self._show_connection,
            SetOption: self._set_option,
            ShowSettings: lambda statement: self.settings.table(),
            Help: lambda statement: help.help_statement(None, statement),  # never connects
        }
        for kind, handler in {**registry.HANDLERS, **explain.HANDLERS}.items():
            self._handlers[kind] = self._in_context(handler)

    # --- running statements -----------------------------------------------------------------

    def execute(self, statement: Statement) -> Result:
        """Run one statement; failures come out as `KernelError`s with Milvus's reason."""
        handler = self._handlers.get(type(statement))
        if handler is None:
            raise NotSupported(f"{type(statement).__name__} is not supported by this kernel yet")
        started = time.monotonic()
        self.wait_for_listing()  # a listing for Tab never runs beside a statement
        try:
            with reporting_to(self.progress):
                return handler(statement)
        except Unreachable as error:
            raise self._lost(error, time.monotonic() - started) from None
        # any other exception is a bug: the runner logs it and reports an InternalError

    def _lost(self, error: Unreachable, waited: float) -> KernelError:
        """The server stopped answering: say where, and reconnect on the next statement."""
        if self._catalog is None or self._catalog.connection.target.embedded:
            return error
        connection = self._catalog.connection
        connection.lost = True
        return lost(connection.target, error.message, waited)

    def take_notices(self) -> list[str]:
        """Notices to show before the next result (where the kernel connected), then cleared."""
        notices = list(self._notices)
        self._notices.clear()  # the same list: the catalog keeps appending to it
        return notices

    def _in_context(self, handler: registry.Handler) -> Handler:
        return lambda statement: handler(self.context(), statement)

    def context(self) -> HandlerContext:
        """What a handler gets: the catalog (connecting on first use), settings, files, progress."""
        return HandlerContext(self._statement_catalog(), self.workdir, self.execute, self.progress)

    def catalog(self) -> Catalog:
        """The open connection's catalog, connecting to the default target on first use."""
        if self._catalog is None:
            target = default_target(self.environ, self.workdir)
            self._activate(open_connection(target, self.settings.timeout))
            self._notices.append(_announce(target))
        elif self._catalog.connection.lost:  # the server stopped answering: try it again
            self._catalog.connection.reopen(self.settings.timeout)
            self._catalog.forget()
        return self._catalog  # type: ignore[return-value]

    def _statement_catalog(self) -> Catalog:
        """The catalog for a statement; none after a failed CONNECT (never carry on elsewhere)."""
        if self._failed_connect is not None:
            raise ConnectionFailure(self._failed_connect)
        return self.catalog()

    def _activate(self, connection: Connection) -> None:
        self._catalog = Catalog(connection, self.settings, self._notices.append)
        # Listed now, not beside the statement that connected: Milvus Lite 3.2.2 opens a collection
        # on first use without a lock, and two first uses at once leave a load it never finishes.
        self.list_names_now()

    # --- connection statements --------------------------------------------------------------

    def _connect(self, statement: Connect) -> Result:
        """CONNECT; when it fails, no statement runs until a CONNECT succeeds or DISCONNECT."""
        try:
            result = self._open(statement)
        except ConnectionFailure as error:
            self._failed_connect = (
                "the last CONNECT failed: CONNECT again, or DISCONNECT to use the default, "
                f"{self._default_shown()}\n({error.message})"
            )
            raise
        self._failed_connect = None
        return result

    def _open(self, statement: Connect) -> Result:
        name = statement.target
        if statement.is_name and name in self._named and not _has_credentials(statement):
            connection = self._named[name]
            self._retire_active(keep=connection)
            self._activate(connection)
            return Message(f"switched to connection {name} ({connection.target.shown_uri})")
        if statement.is_name:
            base = named_target(statement.target, self.environ, self.workdir)
        else:
            base = Target(uri=resolve_uri(statement.target, self.workdir))
        target = Target(
            uri=base.uri,
            user=statement.user or base.user,
            password=statement.password or base.password,
            token=statement.token or base.token,
            database=statement.database or base.database,
            alias=statement.alias or base.alias,
            source=base.source,
            tls=tls_options(statement.tls, base.uri, self.workdir) or base.tls,
        )
        if target.tls and target.embedded:
            raise ConnectionFailure("TLS options (WITH ...) are for a server URI, not a Lite file")
        self._close_same_lite(target)
        connection = open_connection(target, self.settings.timeout)
        self._retire_active(keep=None)
        if target.alias:
            old = self._named.pop(target.alias, None)
            if old is not None and old is not connection:
                old.close()
            self._named[target.alias] = connection
        self._activate(connection)
        return Message(_describe_target("connected to", target))

    def _close_same_lite(self, target: Target) -> None:
        """A Lite file is served once per process: close our connection to it before reopening."""
        if not target.embedded:
            return
        if self._catalog and self._catalog.connection.target.uri == target.uri:
            self._catalog.connection.close()
            self._forget_connection(self._catalog.connection)
            self._catalog = None
        for name, connection in list(self._named.items()):
            if connection.target.uri == target.uri:
                connection.close()
                del self._named[name]

    def _retire_active(self, keep: Connection | None) -> None:
        """Leave the active connection: close it unless it is named (kept for CONNECT name)."""
        if self._catalog is None:
            return
        active = self._catalog.connection
        if active is not keep and active not in self._named.values():
            active.close()
        self._catalog = None

    def _forget_connection(self, connection: Connection) -> None:
        for name, other in list(self._named.items()):
            if other is connection:
                del self._named[name]

    def _disconnect(self, statement: Disconnect) -> Result:
        failed, self._failed_connect = self._failed_connect, None
        if self._catalog is None and failed:
            return Message(f"not connected; the next statement uses {self._default_shown()}")
        if self._catalog is None:
            return Message("not connected")
        connection = self._catalog.connection
        connection.close()
        self._forget_connection(connection)
        self._catalog = None
        return Message(_describe_target("disconnected from", connection.target))

    def _default_shown(self) -> str:
        """The default target, as in "embedded Milvus Lite at /path/milvus_kernel.db"."""
        try:
            return _describe_target("", default_target(self.environ, self.workdir)).strip()
        except ConnectionFailure:  # a MILVUS_URI that is not one
            return "the default connection"

    def _show_connection(self, statement: ShowConnection) -> Result:
        catalog = self._statement_catalog()
        target = catalog.connection.target
        version = catalog.call("get_server_version")
        rows = [
            ("uri", target.shown_uri),
            ("server version", str(version)),
            ("embedded", "Milvus Lite (in this process)" if target.embedded else "no"),
            ("database", target.database or "default"),
            ("user", target.shown_user or ""),
        ]
        if target.alias:
            rows.append(("name", target.alias))
        rows += [
            (f"tls {key}", str(value).lower() if key == "secure" else str(value))
            for key, value in target.tls
        ]
        if target.source and target.source != "default":
            rows.append(("from", target.source))
        return Table(
            columns=(Column("property", "str"), Column("value", "str")),
            rows=rows,
            title="connection",
        )

    def _set_option(self, statement: SetOption) -> Result:
        shown = self.settings.set(statement.name, statement.value)
        return Message(f"{statement.name.lower()} = {shown}")

    def close(self) -> None:
        """Close every connection (and free Milvus Lite's file lock)."""
        if self._catalog is not None:
            self._catalog.connection.close()
            self._catalog = None
        for connection in self._named.values():
            connection.close()
        self._named.clear()


def _has_credentials(statement: Connect) -> bool:
    given = (statement.user, statement.password, statement.token, statement.database, statement.tls)
    return any(given)


def _describe_target(verb: str, target: Target, source: bool = False) -> str:
    if target.embedded:
        return f"{verb} embedded Milvus Lite at {target.uri}"
    details = []
    if target.user or target.token:  # a user inside the URI is already shown (masked) there
        details.append(f"user {target.shown_user}")
    if target.database:
        details.append(f"database {target.database}")
    if target.alias:
        details.append(f"as {target.alias}")
    if source and target.source == "MILVUS_URI":
        details.append("from MILVUS_URI")
    return f"{verb} {target.shown_uri}" + (f" ({', '.join(details)})" if details else "")


def _announce(target: Target) -> str:
    return _describe_target("connected to", target, source=True)
