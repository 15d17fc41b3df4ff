"""Recording which MilvusClient methods a session calls, for the tests that count Milvus calls."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any


def record_calls(session: Any, names: Iterable[str] | None = None) -> list[str]:
    """From now on, append the name of each call the session's client gets to the list returned:
    the methods `names`, or every public method of the client."""
    client = session.catalog().connection.client
    if names is None:
        names = [n for n in dir(type(client)) if not n.startswith("_")]
        names = [n for n in names if callable(getattr(client, n, None))]
    seen: list[str] = []
    for name in names:
        method = getattr(client, name)  # a method named here must exist

        def logged(*args: Any, _name: str = name, _method: Any = method, **kwargs: Any) -> Any:
            seen.append(_name)
            return _method(*args, **kwargs)

        setattr(client, name, logged)
    return seen
