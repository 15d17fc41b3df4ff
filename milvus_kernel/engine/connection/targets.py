"""Where the kernel connects: targets, the default connection, named connections.

A `Target` says what to open (a Milvus Lite file or a server URI, with credentials that never
appear in its repr); `resolve_uri` reads what CONNECT names; `default_target` picks MILVUS_URI or
the embedded Lite file; `named_target` reads `connections.toml`; `tls_options` checks CONNECT's
WITH (secure = true, ca_pem_path = '...', ...) and makes its paths absolute (relative ones are of
the working directory; only paths are kept, never key material). Opening one is `clients.py`.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from milvus_kernel.engine.milvus_errors import (
    mask_uri_credentials,
    scrub,
)
from milvus_kernel.errors import ConnectionFailure

DEFAULT_LITE_FILE = "milvus_kernel.db"
CONNECTIONS_FILE = Path(".config") / "milvus-kernel" / "connections.toml"
_ENTRY_KEYS = {"uri", "token", "user", "password", "database", "db_name"}
_SERVER_SCHEMES = ("http://", "https://", "tcp://", "unix:", "grpc://")
_HOST_PORT = re.compile(r"^[A-Za-z0-9_.-]+:\d+$")
#: MilvusClient's TLS arguments: files (one-way TLS: server_pem_path or ca_pem_path; two-way:
#: ca_pem_path, client_pem_path and client_key_path), the name the certificate was issued to.
TLS_FILES = ("ca_pem_path", "client_pem_path", "client_key_path", "server_pem_path")
TLS_OPTIONS = (*TLS_FILES, "server_name", "secure")


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
    tls: tuple[tuple[str, Any], ...] = ()  # MilvusClient's TLS arguments (see `tls_options`)

    def __repr__(self) -> str:  # the URI may carry a password: show it masked
        return (
            f"Target(uri={self.shown_uri!r}, user={self.shown_user!r}, "
            f"database={self.database!r}, alias={self.alias!r}, source={self.source!r})"
        )

    @property
    def embedded(self) -> bool:
        """A Milvus Lite file, served in this process (not a server URI)."""
        return not self.uri.startswith(_SERVER_SCHEMES)

    @property
    def secrets(self) -> tuple[str, ...]:
        """Every secret of this target: password, token (and its password part), the URI's."""
        found = [s for s in (self.password, self.token, uri_credentials(self.uri)[1]) if s]
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
        return uri_credentials(self.uri)[0]


def uri_credentials(uri: str) -> tuple[str | None, str | None]:
    """The user and the password written inside a server URI (`http://user:pw@host:port`)."""
    try:
        parts = urlsplit(uri)
    except ValueError:  # not a URI urllib can read: it holds no credentials we can use
        return None, None
    return parts.username, parts.password


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


def tls_options(given: Mapping[str, Any], uri: str, workdir: Path) -> tuple[tuple[str, Any], ...]:
    """CONNECT's WITH (...) as MilvusClient arguments: known names only, files that exist (made
    absolute), `secure` a boolean (true whenever a file is given or the URI is https)."""
    options: dict[str, Any] = {}
    for key, value in given.items():
        name = key.lower()
        if name not in TLS_OPTIONS:
            raise ConnectionFailure(
                f"unknown CONNECT option '{key}'; options: {', '.join(TLS_OPTIONS)}"
            )
        if name == "secure":
            if not isinstance(value, bool):
                raise ConnectionFailure(f"secure is true or false, not {value!r}")
            options[name] = value
            continue
        if not isinstance(value, str) or not value:
            raise ConnectionFailure(f"{name} is a string, not {value!r}")
        if name in TLS_FILES:
            path = Path(os.path.expanduser(value))
            path = (path if path.is_absolute() else workdir / path).resolve()
            if not path.is_file():
                raise ConnectionFailure(f"{name}: {path} does not exist")
            value = str(path)
        options[name] = value
    if not options:
        return ()
    if options.get("secure") is False and set(options) & set(TLS_FILES):
        raise ConnectionFailure("certificate files need secure = true (or leave secure out)")
    if uri.startswith("https://") or set(options) & set(TLS_FILES):
        options.setdefault("secure", True)
    return tuple(options.items())


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
    unknown = sorted(set(entry) - _ENTRY_KEYS - set(TLS_OPTIONS))
    wrong = sorted(k for k in _ENTRY_KEYS & set(entry) if not isinstance(entry[k], str))
    if unknown or wrong:
        problem = f"unknown key '{unknown[0]}'" if unknown else f"'{wrong[0]}' must be a string"
        keys = ", ".join(sorted(_ENTRY_KEYS - {"db_name"}) + list(TLS_OPTIONS))
        raise ConnectionFailure(f"[{name}] in {path}: {problem} (keys: {keys})")
    uri = resolve_uri(entry["uri"], workdir)
    tls = {k: v for k, v in entry.items() if k in TLS_OPTIONS}
    return Target(
        uri=uri,
        user=entry.get("user"),
        password=entry.get("password"),
        token=entry.get("token"),
        database=entry.get("database") or entry.get("db_name"),
        alias=name,
        source="connections file",
        tls=tls_options(tls, uri, workdir),  # paths relative to the working directory
    )
