"""Opening a client for a target: `open_connection` and the `Connection` it returns.

`open_connection` opens a dedicated `MilvusClient` (with `GRPC_OPTIONS`: keepalive pings no server
refuses) and detects a Lite file locked by another process, and a server that accepts connections
but does not answer. `Connection` closes the client *and* releases the Lite server (pymilvus's
`close()` keeps the lock); after a lost server it is marked `lost` and `reopen()` makes a fresh
client on the same target.
"""

from __future__ import annotations

import contextlib
import os
import re
import socket
from pathlib import Path
from typing import Any

from milvus_kernel.engine.connection.targets import Target
from milvus_kernel.engine.milvus_errors import (
    NoAnswer,
    auth_failure,
    is_milvus_error,
    is_unreachable,
    no_answer,
    reason,
    scrub,
)
from milvus_kernel.errors import ConnectionFailure

DEFAULT_CONNECT_TIMEOUT = 10.0
#: Seconds between keepalive pings. A gRPC server refuses pings more often than every 5 minutes
#: unless configured otherwise (Milvus allows every 5 s; `milvus-lite server` keeps gRPC's
#: default) and closes the channel with GOAWAY "too_many_pings": never ping more often.
KEEPALIVE_TIME = 300.0
#: Seconds a keepalive ping may go unanswered before the channel counts as dead.
KEEPALIVE_TIMEOUT = 20.0
GRPC_OPTIONS = {
    # Each client gets its own gRPC subchannels: a server that comes back is reached at once,
    # not after the reconnect backoff (up to minutes) that a shared subchannel has accumulated.
    "grpc.use_local_subchannel_pool": 1,
    # Keepalive finds a dead network during a long call (index build, load); the call's deadline
    # (`Settings.deadline`) bounds every call. No pings on an idle channel: a server without
    # `permit_without_calls` (gRPC's default) counts each one as abuse.
    "grpc.keepalive_time_ms": int(KEEPALIVE_TIME * 1000),
    "grpc.keepalive_timeout_ms": int(KEEPALIVE_TIMEOUT * 1000),
    "grpc.keepalive_permit_without_calls": 0,
}


def lite_in_use(path: str) -> bool:
    """True when another process holds the lock of the Lite directory `path`."""
    lock = Path(path) / "LOCK"
    if not lock.exists():
        return False
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows
        return False
    try:
        fd = os.open(lock, os.O_RDWR)
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return True
    else:
        fcntl.flock(fd, fcntl.LOCK_UN)
        return False
    finally:
        os.close(fd)


class Connection:
    """An open `MilvusClient` and the target it came from."""

    def __init__(self, client: Any, target: Target) -> None:
        self.client = client
        self.target = target
        #: set when the server stopped answering; the next statement calls `reopen()`
        self.lost = False

    def reopen(self, timeout: float | None = None) -> None:
        """Replace the client by a fresh one on the same target (after a lost server)."""
        fresh = open_connection(self.target, timeout)
        old, self.client = self.client, fresh.client
        self.lost = False
        if old is not None:
            with contextlib.suppress(Exception):
                old.close()

    def close(self) -> None:
        """Close the client; for Lite also stop the in-process server and free the file lock."""
        client, self.client = self.client, None
        if client is not None:
            with contextlib.suppress(Exception):  # closing must never fail the kernel
                client.close()
        if self.target.embedded:
            try:
                from milvus_lite.server_manager import server_manager_instance

                server_manager_instance.release_server(self.target.uri)
            except Exception:
                pass


def open_connection(target: Target, timeout: float | None = None) -> Connection:
    """Open a dedicated client for `target`, raising `ConnectionFailure` with a clear reason."""
    from pymilvus import MilvusClient

    from milvus_kernel.engine.library_logs import quiet_library_logs

    quiet_library_logs(kernel=False)  # the one log policy, once pymilvus is imported
    if target.embedded:
        parent = Path(target.uri).parent
        if not parent.is_dir():
            raise ConnectionFailure(
                f"cannot open Milvus Lite file {target.uri}: directory {parent} does not exist"
            )
        if lite_in_use(target.uri):
            raise ConnectionFailure(_in_use(target.uri))
    kwargs: dict[str, Any] = {"dedicated": True}
    if target.token:
        kwargs["token"] = target.token
    elif target.user:
        kwargs["user"] = target.user
        kwargs["password"] = target.password or ""
    if target.database:
        kwargs["db_name"] = target.database
    kwargs.update(target.tls)  # secure, ca_pem_path, ...: paths only, read by grpc
    kwargs["grpc_options"] = dict(GRPC_OPTIONS)
    timeout = timeout if timeout else DEFAULT_CONNECT_TIMEOUT
    try:
        client = MilvusClient(target.uri, timeout=timeout, **kwargs)
    except Exception as error:
        if target.embedded and lite_in_use(target.uri):
            raise ConnectionFailure(_in_use(target.uri)) from None
        if not (is_milvus_error(error) or isinstance(error, OSError)):
            raise  # a bug, not a connection failure: the runner reports it as one
        raise ConnectionFailure(_why_not(target, error, timeout)) from None
    connection = Connection(client, target)
    if target.database and not target.embedded:
        try:  # the client connects lazily to a database: check it exists now
            client.list_collections(timeout=timeout)
        except Exception as error:
            connection.close()
            if not is_milvus_error(error):
                raise
            raise ConnectionFailure(
                f"cannot use database '{target.database}' on {target.shown_uri}: "
                + scrub(reason(error), target.secrets)
            ) from None
    return connection


def _why_not(target: Target, error: BaseException, timeout: float) -> str:
    """What to say when opening a client on `target` failed with `error`."""
    refused = auth_failure(error)
    if refused is not None:
        return f"cannot connect to {target.shown_uri}: authentication failed: " + scrub(
            refused, target.secrets
        )
    if not target.embedded and is_unreachable(error) and is_silent(target.uri):
        return no_answer(target.shown_uri, timeout)  # the port is open, but nothing answers
    why = scrub(reason(error), target.secrets)
    if is_unreachable(error):
        return unreachable(target, why)
    return f"cannot connect to {target.shown_uri}: {why}"


def is_silent(uri: str, wait: float = 1.0) -> bool:
    """True when the host and port of the server `uri` accept a TCP connection but send nothing
    (a gRPC server sends its settings at once): a frozen server, not a dead one (refused, or a
    relay that closes the connection)."""
    match = re.match(r"^[a-z]+://(?:[^@/]*@)?(\[[^\]]+\]|[^:/]+)(?::(\d+))?", uri)
    if match is None:
        return False
    host = match.group(1).strip("[]")
    port = int(match.group(2) or (443 if uri.startswith("https") else 19530))
    try:
        with socket.create_connection((host, port), timeout=wait) as probe:
            probe.recv(1)
    except TimeoutError:
        return True
    except OSError:
        return False
    return False


def lost(target: Target, why: str, waited: float) -> ConnectionFailure:
    """The error for a server lost during a statement that waited `waited` s: one that keeps its
    port open but sends nothing did not answer (frozen); any other cannot be reached."""
    if not target.embedded and is_silent(target.uri):
        return NoAnswer(no_answer(target.shown_uri, max(1, round(waited))))
    return ConnectionFailure(unreachable(target, f"{why}; the next statement reconnects"))


def unreachable(target: Target, why: str) -> str:
    """The message for a server that does not answer (credentials masked); pymilvus's words,
    which blame the parameters for a server that is down, say "server" only."""
    why = why.replace("illegal connection params or server", "server")
    return f"cannot reach Milvus at {target.shown_uri}: {why}"


def _in_use(path: str) -> str:
    return (
        f"{path} is in use by another process (Milvus Lite allows one process per file): "
        "close the other notebook or kernel, or CONNECT to another .db file"
    )
