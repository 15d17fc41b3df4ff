"""Where the kernel connects and how: targets, the default connection, masking, opening a client.

A `Target` says what to open (a Milvus Lite file or a server URI, with credentials that never
appear in its repr); `default_target` picks MILVUS_URI or the embedded Lite file; `open_connection`
opens a dedicated `MilvusClient` (with `GRPC_OPTIONS`: keepalive pings no server refuses) and
detects a Lite file locked by another process, and a server that accepts connections but does not
answer. `Connection` closes the client *and* releases the Lite server (pymilvus's `close()` keeps
the lock); after a lost server it is marked `lost` and `reopen()` makes a fresh client on the same
target.
"""

from __future__ import annotations

import contextlib
import os
import re
import socket
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from milvus_kernel.engine.milvus_errors import (
    NoAnswer,
    auth_failure,
    is_milvus_error,
    is_unreachable,
    mask_uri_credentials,
    no_answer,
    reason,
    scrub,
)
from milvus_kernel.errors import ConnectionFailure

DEFAULT_LITE_FILE = "milvus_kernel.db"
CONNECTIONS_FILE = Path(".config") / "milvus-kernel" / "connections.toml"
_ENTRY_KEYS = {"uri", "token", "user", "password", "database", "db_name"}
_SERVER_SCHEMES = ("http://", "https://", "tcp://", "unix:", "grpc://")
_HOST_PORT = re.compile(r"^[A-Za-z0-9_.-]+:\d+$")
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


@dataclass(frozen=True)
class Target:
    """What to connect to. `uri` is a server URI or the absolute path of a Lite `.db` directory."""

    uri: str
    user: str | None = None
    password: str | None = field(default=None, repr=False)
    token: str | None = field(default=None, repr=False)
    database: str | None = None
    alias: str | None = None
    source: str | None = None  # "MILVUS_URI", "connections file", ... for the announcement

    def __repr__(self) -> str:  # the URI may carry a password: show it masked
        return (
            f"Target(uri={self.shown_uri!r}, user={self.shown_user!r}, "
            f"database={self.database!r}, alias={self.alias!r}, source={self.source!r})"
        )

    @property
    def is_lite(self) -> bool:
        return not self.uri.startswith(_SERVER_SCHEMES)

    @property
    def secrets(self) -> tuple[str, ...]:
        found = [s for s in (self.password, self.token) if s]
        if self.token and ":" in self.token:
            found.append(self.token.split(":", 1)[1])
        return tuple(found)

    @property
    def shown_uri(self) -> str:
        """The URI with any credentials masked, safe to print."""
        return scrub(self.uri, self.secrets)

    @property
    def shown_user(self) -> str | None:
        if self.user:
            return self.user
        if self.token and ":" in self.token:
            return self.token.split(":", 1)[0]
        match = re.match(r"^[A-Za-z][A-Za-z0-9+.-]*://([^:/@]+)(?::[^/@]*)?@", self.uri)
        return match.group(1) if match else None


def resolve_uri(text: str, workdir: Path) -> str:
    """A server URI as given (bare `host:port` gets `http://`), or a Lite file's absolute path."""
    text = text.strip()
    if text.startswith(_SERVER_SCHEMES):
        return _checked_server_uri(text)
    if "://" in text:
        scheme = text.split("://", 1)[0]
        raise ConnectionFailure(
            f"unsupported URI scheme '{scheme}': use http://, https://, tcp:// or unix:, "
            "or a Milvus Lite file ending in .db"
        )
    if _HOST_PORT.match(text) and not text.endswith(".db"):
        return "http://" + text
    path = Path(os.path.expanduser(text))
    if not path.is_absolute():
        path = workdir / path
    if path.suffix != ".db":
        raise ConnectionFailure(
            f"'{text}' is not a Milvus Lite file: its name must end in .db "
            f"(e.g. CONNECT '{path.name}.db'), or give a server URI such as 'http://localhost:19530'"
        )
    return str(path.resolve())


def _checked_server_uri(uri: str) -> str:
    """`uri` if urllib can read its host and port; else a clear error that shows no secret."""
    try:
        urlsplit(uri).port  # noqa: B018 - reading it checks the port
    except ValueError:
        raise ConnectionFailure(
            f"{mask_uri_credentials(uri)} is not a server URI Milvus can use: write it as "
            "scheme://host:port; a user name or password inside it must be percent-encoded "
            "(or given with USER '...' PASSWORD '...')"
        ) from None
    return uri


def default_target(environ: Mapping[str, str], workdir: Path) -> Target:
    """MILVUS_URI (with MILVUS_TOKEN / MILVUS_USER + MILVUS_PASSWORD / MILVUS_DB), else Lite."""
    uri = environ.get("MILVUS_URI", "").strip()
    if uri:
        return Target(
            uri=resolve_uri(uri, workdir),
            user=environ.get("MILVUS_USER") or None,
            password=environ.get("MILVUS_PASSWORD") or None,
            token=environ.get("MILVUS_TOKEN") or None,
            database=environ.get("MILVUS_DB") or None,
            source="MILVUS_URI",
        )
    return Target(uri=str((workdir / DEFAULT_LITE_FILE).resolve()), source="default")


def connections_file(environ: Mapping[str, str]) -> Path:
    """The connections file: in MILVUS_KERNEL_CONFIG_DIR, else $XDG_CONFIG_HOME/milvus-kernel,
    else ~/.config/milvus-kernel (`connections.toml`)."""
    if environ.get("MILVUS_KERNEL_CONFIG_DIR"):
        return Path(os.path.expanduser(environ["MILVUS_KERNEL_CONFIG_DIR"])) / CONNECTIONS_FILE.name
    if environ.get("XDG_CONFIG_HOME"):
        return Path(os.path.expanduser(environ["XDG_CONFIG_HOME"])) / CONNECTIONS_FILE.relative_to(
            ".config"
        )
    return Path(environ.get("HOME") or Path.home()) / CONNECTIONS_FILE


def named_target(name: str, environ: Mapping[str, str], workdir: Path) -> Target:
    """The entry `[name]` of the connections file (see `connections_file`)."""
    path = connections_file(environ)
    if not path.is_file():
        raise ConnectionFailure(f"no connection named '{name}': {path} does not exist")
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - Python 3.10
        try:
            import tomli as tomllib
        except ImportError as error:
            raise ConnectionFailure("reading the connections file needs 'tomli' on 3.10") from error
    try:
        entries: dict[str, Any] = tomllib.loads(path.read_text(encoding="utf-8"))
    except ValueError as error:  # TOMLDecodeError: its message ends "(at line L, column C)"
        raise ConnectionFailure(f"{path} is not valid TOML: {error}") from None
    except OSError as error:
        raise ConnectionFailure(f"cannot read {path}: {error.strerror or error}") from None
    entry = entries.get(name)
    if not isinstance(entry, dict) or not entry.get("uri"):
        known = ", ".join(sorted(k for k, v in entries.items() if isinstance(v, dict))) or "none"
        raise ConnectionFailure(f"no connection named '{name}' in {path} (known: {known})")
    unknown = sorted(set(entry) - _ENTRY_KEYS)
    wrong = sorted(k for k in _ENTRY_KEYS & set(entry) if not isinstance(entry[k], str))
    if unknown or wrong:
        problem = f"unknown key '{unknown[0]}'" if unknown else f"'{wrong[0]}' must be a string"
        keys = ", ".join(sorted(_ENTRY_KEYS - {"db_name"}))
        raise ConnectionFailure(f"[{name}] in {path}: {problem} (keys: {keys})")
    return Target(
        uri=resolve_uri(entry["uri"], workdir),
        user=entry.get("user"),
        password=entry.get("password"),
        token=entry.get("token"),
        database=entry.get("database") or entry.get("db_name"),
        alias=name,
        source="connections file",
    )


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
        if self.target.is_lite:
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
    if target.is_lite:
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
    kwargs["grpc_options"] = dict(GRPC_OPTIONS)
    timeout = timeout if timeout else DEFAULT_CONNECT_TIMEOUT
    try:
        client = MilvusClient(target.uri, timeout=timeout, **kwargs)
    except Exception as error:
        if target.is_lite and lite_in_use(target.uri):
            raise ConnectionFailure(_in_use(target.uri)) from None
        if not (is_milvus_error(error) or isinstance(error, OSError)):
            raise  # a bug, not a connection failure: the runner reports it as one
        raise ConnectionFailure(_why_not(target, error, timeout)) from None
    connection = Connection(client, target)
    if target.database and not target.is_lite:
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
    if not target.is_lite and is_unreachable(error) and is_silent(target.uri):
        return no_answer(target.shown_uri, timeout)  # the port is open, but nothing answers
    why = scrub(reason(error), target.secrets)
    if is_unreachable(error):  # pymilvus's words blame the parameters for a server that is down
        return unreachable(target, why.replace("illegal connection params or server", "server"))
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
    if not target.is_lite and is_silent(target.uri):
        return NoAnswer(no_answer(target.shown_uri, max(1, round(waited))))
    return ConnectionFailure(unreachable(target, f"{why}; the next statement reconnects"))


def unreachable(target: Target, why: str) -> str:
    """The message for a server that does not answer (credentials masked)."""
    return f"cannot reach Milvus at {target.shown_uri}: {why}"


def _in_use(path: str) -> str:
    return (
        f"{path} is in use by another process (Milvus Lite allows one process per file): "
        "close the other notebook or kernel, or CONNECT to another .db file"
    )
