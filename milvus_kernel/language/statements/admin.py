"""Administration statements: databases, aliases, collection maintenance, users and roles."""

from __future__ import annotations

from dataclasses import dataclass, field

from milvus_kernel.language.statements.base import Statement, Value

# --- databases --------------------------------------------------------------------------------


@dataclass(frozen=True)
class CreateDatabase(Statement):
    name: str
    if_not_exists: bool = False
    properties: dict[str, Value] = field(default_factory=dict)  # WITH (key = value, ...)


@dataclass(frozen=True)
class AlterDatabaseSet(Statement):
    """ALTER DATABASE d SET (database.max.collections = 10, ...)."""

    name: str
    properties: dict[str, Value] = field(default_factory=dict)


@dataclass(frozen=True)
class DropDatabaseProperties(Statement):
    """ALTER DATABASE d DROP PROPERTIES ('database.max.collections', ...)."""

    name: str
    keys: tuple[str, ...]


@dataclass(frozen=True)
class DescribeDatabase(Statement):
    name: str


@dataclass(frozen=True)
class DropDatabase(Statement):
    name: str
    if_exists: bool = False


@dataclass(frozen=True)
class UseDatabase(Statement):
    name: str


@dataclass(frozen=True)
class ShowDatabases(Statement):
    pass


# --- collection maintenance -------------------------------------------------------------------


@dataclass(frozen=True)
class ShowCreateTable(Statement):
    name: str


@dataclass(frozen=True)
class RenameTable(Statement):
    name: str
    new_name: str


@dataclass(frozen=True)
class AlterTableSet(Statement):
    """ALTER TABLE t SET (collection.ttl.seconds = 3600, ...)."""

    name: str
    properties: dict[str, Value] = field(default_factory=dict)


@dataclass(frozen=True)
class TruncateTable(Statement):
    name: str


@dataclass(frozen=True)
class ShowStats(Statement):
    name: str


@dataclass(frozen=True)
class ShowLoadState(Statement):
    name: str


@dataclass(frozen=True)
class Flush(Statement):
    tables: tuple[str, ...]


@dataclass(frozen=True)
class Compact(Statement):
    name: str


@dataclass(frozen=True)
class LoadPartitions(Statement):
    names: tuple[str, ...]
    table: str


@dataclass(frozen=True)
class ReleasePartitions(Statement):
    names: tuple[str, ...]
    table: str


# --- aliases ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class CreateAlias(Statement):
    alias: str
    table: str


@dataclass(frozen=True)
class AlterAlias(Statement):
    alias: str
    table: str


@dataclass(frozen=True)
class DropAlias(Statement):
    alias: str


@dataclass(frozen=True)
class ShowAliases(Statement):
    table: str | None = None


# --- users and roles --------------------------------------------------------------------------


@dataclass(frozen=True)
class CreateUser(Statement):
    name: str
    password: str = field(repr=False)


@dataclass(frozen=True)
class AlterUser(Statement):
    """ALTER USER u PASSWORD 'new' [OLD PASSWORD 'old'] (servers need the old one for non-root)."""

    name: str
    password: str = field(repr=False)
    old_password: str | None = field(default=None, repr=False)


@dataclass(frozen=True)
class DropUser(Statement):
    name: str


@dataclass(frozen=True)
class ShowUsers(Statement):
    pass


@dataclass(frozen=True)
class CreateRole(Statement):
    name: str


@dataclass(frozen=True)
class DropRole(Statement):
    name: str


@dataclass(frozen=True)
class ShowRoles(Statement):
    pass


@dataclass(frozen=True)
class GrantRole(Statement):
    role: str
    user: str


@dataclass(frozen=True)
class RevokeRole(Statement):
    role: str
    user: str


@dataclass(frozen=True)
class GrantPrivilege(Statement):
    """GRANT Search ON docs TO r (`object_name` '*' means every object of its type).

    `object_type` (Collection, Global, User) is inferred from the privilege when empty.
    """

    privilege: str
    object_name: str
    role: str
    object_type: str = ""


@dataclass(frozen=True)
class RevokePrivilege(Statement):
    privilege: str
    object_name: str
    role: str
    object_type: str = ""


@dataclass(frozen=True)
class ShowGrants(Statement):
    role: str
