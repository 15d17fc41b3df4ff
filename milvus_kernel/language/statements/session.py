"""Connection and session statements: CONNECT, DISCONNECT, SHOW CONNECTION, SET, SHOW SETTINGS."""

from __future__ import annotations

from dataclasses import dataclass, field

from milvus_kernel.language.secrets import mask_secrets
from milvus_kernel.language.statements.base import Statement, Value


@dataclass(frozen=True, repr=False)
class Connect(Statement):
    """CONNECT 'uri' | CONNECT name, with optional credentials, database, alias and TLS."""

    target: str
    is_name: bool = False  # CONNECT prod (a named entry) rather than CONNECT 'uri'
    user: str | None = None
    password: str | None = field(default=None, repr=False)
    token: str | None = field(default=None, repr=False)
    database: str | None = None
    alias: str | None = None
    #: WITH (secure = true, ca_pem_path = '...', ...): MilvusClient's TLS arguments
    tls: dict[str, Value] = field(default_factory=dict)

    def __repr__(self) -> str:
        return (
            f"Connect(target={mask_secrets(self.target)!r}, is_name={self.is_name!r},"
            f" user={self.user!r}, database={self.database!r}, alias={self.alias!r},"
            f" tls={self.tls!r})"
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
