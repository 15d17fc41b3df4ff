"""Turning pymilvus failures into the kernel's own errors, with names and Milvus's reason.

Every call into pymilvus goes through `call()` (or the `translating()` context manager): a
`MilvusException` becomes an `ExecutionError` that names the collection (and field) and quotes
Milvus's own reason; nothing of pymilvus's traceback reaches the user. Secrets are scrubbed from
every message. A server that cannot be reached becomes `Unreachable` (the session then reconnects
on the next statement); `not_loaded()` spots a collection a restarted server no longer has loaded.
`quiet_logs()` keeps pymilvus's and Milvus Lite's log noise out of the notebook.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from milvus_kernel.errors import ConnectionFailure, ExecutionError, KernelError

T = TypeVar("T")

# pymilvus's client loggers, Milvus Lite's, and the gRPC server that Lite runs in this process.
_NOISY_LOGGERS = (
    "pymilvus",
    "pymilvus.decorators",
    "pymilvus.milvus_client",
    "milvus_lite",
    "grpc._server",
)

# Codes of MilvusException that mean "the server cannot be reached".
_UNREACHABLE_CODES = {2}
# gRPC status codes (by name) that mean the same when pymilvus lets a raw gRPC error through.
_UNREACHABLE_GRPC = {"UNAVAILABLE"}
# MilvusException code of "collection not loaded" (Milvus 2.3+ and Milvus Lite).
_NOT_LOADED_CODE = 101


class Unreachable(ConnectionFailure):
    """The server stopped answering during a statement; the session reconnects on the next one."""


def _code(error: BaseException) -> Any:
    """A MilvusException's code, or the name of a gRPC error's status code."""
    code = getattr(error, "code", None)
    if callable(code):  # grpc.RpcError.code() is a method returning a StatusCode
        try:
            status = code()
        except Exception:
            return None
        return getattr(status, "name", status)
    return code


def _chain(error: BaseException) -> list[BaseException]:
    """`error` and the exceptions it was raised from (pymilvus wraps gRPC's)."""
    chain = [error]
    while chain[-1].__cause__ is not None and len(chain) < 10:
        chain.append(chain[-1].__cause__)
    return chain


def auth_failure(error: BaseException) -> str | None:
    """The server's words when `error` is a refused login (wrapped by pymilvus or not)."""
    for link in _chain(error):
        if _code(link) == "UNAUTHENTICATED":
            return reason(link)
    return None


def is_unreachable(error: BaseException) -> bool:
    """True when `error` means the server cannot be reached (refused, reset, gone)."""
    if auth_failure(error) is not None:
        return False
    code = _code(error)
    if code in _UNREACHABLE_CODES or code in _UNREACHABLE_GRPC:
        return True
    return "server unavailable" in reason(error).lower()


def not_loaded(error: BaseException) -> bool:
    """True when `error` says the collection is not loaded (e.g. after a server restart)."""
    why = reason(error).lower()
    return _code(error) == _NOT_LOADED_CODE and ("load" in why or "released" in why)


def quiet_logs() -> None:
    """Silence pymilvus's per-RPC tracebacks and Milvus Lite's log output (call after import)."""
    for name in _NOISY_LOGGERS:
        logger = logging.getLogger(name)
        logger.setLevel(logging.CRITICAL + 1)
        logger.propagate = False
        if not any(isinstance(h, logging.NullHandler) for h in logger.handlers):
            logger.addHandler(logging.NullHandler())


_URI_CREDENTIALS = re.compile(r"(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*://)(?P<cred>[^/@\s]+)@")


def mask_uri_credentials(text: str) -> str:
    """Replace `user:password@` inside any URI of `text` by `user:***@`."""

    def repl(match: re.Match[str]) -> str:
        cred = match.group("cred")
        user = cred.split(":", 1)[0]
        return f"{match.group('scheme')}{user}:***@"

    return _URI_CREDENTIALS.sub(repl, text)


def scrub(text: str, secrets: Iterable[str | None] = ()) -> str:
    """`text` with every secret replaced by `***` and URI credentials masked."""
    for secret in sorted((s for s in secrets if s), key=len, reverse=True):
        text = text.replace(secret, "***")
    return mask_uri_credentials(text)


def reason(error: BaseException) -> str:
    """Milvus's own words for `error`, without the `<MilvusException: (code=...)>` wrapper."""
    message = getattr(error, "message", None)
    details = getattr(error, "details", None)
    if not message and callable(details):  # a raw grpc.RpcError: its details, not its repr
        try:
            message = details()
        except Exception:
            message = None
    text = str(message) if message else str(error)
    return text.strip() or type(error).__name__


def translate(
    error: BaseException,
    *,
    table: str | None = None,
    field: str | None = None,
    action: str | None = None,
    secrets: Iterable[str | None] = (),
) -> KernelError:
    """The `KernelError` to raise for a pymilvus (or gRPC) failure."""
    if isinstance(error, KernelError):
        return error
    why = reason(error)
    where = ""
    if table and field:
        where = f"{table}.{field}"
    elif table:
        where = table
    prefix = ""
    if action and where:
        prefix = f"{action} {where} failed: "
    elif action:
        prefix = f"{action} failed: "
    elif where and where not in why:
        prefix = f"{where}: "
    text = scrub(prefix + why, secrets)
    if is_unreachable(error):
        return Unreachable(scrub(why, secrets))
    return ExecutionError(text)


@contextmanager
def translating(
    *,
    table: str | None = None,
    field: str | None = None,
    action: str | None = None,
    secrets: Iterable[str | None] = (),
) -> Iterator[None]:
    """Run a block of pymilvus calls, re-raising any failure as a `KernelError`."""
    try:
        yield
    except KernelError:
        raise
    except Exception as error:  # pymilvus raises many types; all are reported the same way
        raise translate(error, table=table, field=field, action=action, secrets=secrets) from None


def call(fn: Callable[..., T], *args: Any, table: str | None = None, **kwargs: Any) -> T:
    """`fn(*args, **kwargs)`, with failures translated (naming `table`)."""
    with translating(table=table):
        return fn(*args, **kwargs)
