"""Turning pymilvus and gRPC failures into the kernel's own errors, with names and Milvus's reason.

Handlers call Milvus inside `translating()` (`Catalog.call` does it for them): a `MilvusException`
or a `grpc.RpcError` becomes an `ExecutionError` that names the collection (and field) and quotes
Milvus's own reason; nothing of pymilvus's traceback reaches the user. Any other exception is a
bug of the kernel and passes through untouched (the runner reports it as an internal error, with
its traceback in the kernel log). Secrets are scrubbed from every message. A server that cannot
be reached becomes `Unreachable` (the session then reconnects on the next statement), one that
does not answer before the call's deadline `NoAnswer`; `not_loaded()` spots a collection a
restarted server no longer has loaded. (pymilvus's log noise is kept out of the notebook by
`milvus_kernel.engine.library_logs.quiet_library_logs`, the one log policy.)
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from milvus_kernel.errors import ConnectionFailure, ExecutionError, KernelError
from milvus_kernel.language.secret_uris import mask_uris_in_text

# Codes of MilvusException that mean "the server cannot be reached".
_UNREACHABLE_CODES = {2}
# gRPC status codes (by name) that mean the same when pymilvus lets a raw gRPC error through.
_UNREACHABLE_GRPC = {"UNAVAILABLE"}
# MilvusException code of "collection not loaded" (Milvus 2.3+ and Milvus Lite).
_NOT_LOADED_CODE = 101


class Unreachable(ConnectionFailure):
    """The server stopped answering during a statement; the session reconnects on the next one."""


class NoAnswer(ConnectionFailure):
    """The server took the call but did not answer before its deadline (frozen, or overloaded)."""


def is_milvus_error(error: BaseException) -> bool:
    """True for the exceptions pymilvus and gRPC raise (a `MilvusException` and its subclasses,
    a `grpc.RpcError`, gRPC's wait timeout); anything else is a bug of the kernel."""
    from grpc import FutureTimeoutError, RpcError
    from pymilvus.exceptions import MilvusException

    return isinstance(error, (MilvusException, RpcError, FutureTimeoutError))


def no_answer(server: str, seconds: float | None) -> str:
    """The one line for a server that did not answer in time."""
    waited = f"in {seconds:g} s" if seconds else "in time"
    return f"Milvus at {server} did not answer {waited} (SET timeout = <seconds> allows longer)"


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


def deadline_exceeded(error: BaseException) -> bool:
    """True when `error` (or what it wraps) is gRPC's DEADLINE_EXCEEDED or its wait timeout."""
    for link in _chain(error):
        if _code(link) == "DEADLINE_EXCEEDED" or type(link).__name__ == "FutureTimeoutError":
            return True
    return False


def mask_uri_credentials(text: str) -> str:
    """The password and secret query parameters of any URI in `text` replaced by `***`."""
    return mask_uris_in_text(text)


def scrub(text: str, secrets: Iterable[str | None] = ()) -> str:
    """`text` with every secret replaced by `***` and URI credentials masked.

    A secret of under four characters is replaced only where it stands alone (a password `p`
    must not turn `http://` into `htt***://`).
    """
    for secret in sorted((s for s in secrets if s), key=len, reverse=True):
        if len(secret) >= 4:
            text = text.replace(secret, "***")
        else:
            text = re.sub(rf"(?<![A-Za-z0-9_]){re.escape(secret)}(?![A-Za-z0-9_])", "***", text)
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
    server: str | None = None,
    deadline: float | None = None,
) -> KernelError:
    """The `KernelError` to raise for a pymilvus (or gRPC) failure; `server` (masked) and the
    call's `deadline` name who did not answer in how long."""
    if isinstance(error, KernelError):
        return error
    if deadline_exceeded(error):
        return NoAnswer(no_answer(server or "the server", deadline))
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
    server: str | None = None,
    deadline: float | None = None,
) -> Iterator[None]:
    """Run a block of pymilvus calls, re-raising a pymilvus or gRPC failure as a `KernelError`
    (see `translate`); any other exception is a kernel bug and is left alone."""
    try:
        yield
    except KernelError:
        raise
    except Exception as error:
        if not is_milvus_error(error):
            raise
        raise translate(
            error,
            table=table,
            field=field,
            action=action,
            secrets=secrets,
            server=server,
            deadline=deadline,
        ) from None
