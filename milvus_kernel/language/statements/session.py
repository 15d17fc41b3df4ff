"""Connection and session statements: CONNECT, DISCONNECT, SHOW CONNECTION, SET, SHOW SETTINGS."""

from __future__ import annotations

from dataclasses import dataclass, field

from milvus_kernel.language.secrets import mask_secrets
from milvus_kernel.language.statements.base import Statement, Value


@dataclass(frozen=True, repr=False)
class Connect(Statement):
    """CONNECT 'uri' | CONNECT name, with optional credentials, database and alias."""

    target: str
    is_name: bool = False  # CONNECT prod (a named entry) rather than CONNECT 'uri'
    user: str | None = None
    password: str | None = field(default=None, repr=False)
    token: str | None = field(default=None, repr=False)
    database: str | None = None
    alias: str | None = None

    def __repr__(self) -> str:
        return (
            f"Connect(target={mask_secrets(self.target)!r}, is_name={self.is_name!r},"
            f" user={self.user!r}, database={self.database!r}, alias={self.alias!r})"
        )


@dataclass(frozen=True)
class Disconnect(Statement):
    """DISCONNECT."""


@dataclass(frozen=True)
class ShowConnection(Statement):
    """SHOW CONNECTION."""


@dataclass(frozen=True)
class SetOption(Statement):
    """SET name = value."""

    name: str
    value: Value


@dataclass(frozen=True)
class ShowSettings(Statement):
    """SHOW SETTINGS."""
