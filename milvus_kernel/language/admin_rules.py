"""Administration rules: databases, collection maintenance, aliases, users, roles and privileges."""

from __future__ import annotations

from typing import Any

from lark import Token, Transformer, v_args

from milvus_kernel.language import statements as s
from milvus_kernel.language.clauses import Clause


def _names(items: tuple[Any, ...]) -> list[str]:
    return [str(item) for item in items if isinstance(item, Token)]


def _flag(items: tuple[Any, ...], key: str) -> bool:
    return any(isinstance(item, Clause) and item.key == key for item in items)


@v_args(inline=True)
class AdminRules(Transformer):
    """Administration rules → statements of `statements.admin`."""

    # ---- databases -----------------------------------------------------------------------
    def create_database(self, *items: Any) -> s.CreateDatabase:
        return s.CreateDatabase(_names(items)[-1], if_not_exists=_flag(items, "if_not_exists"))

    def drop_database(self, *items: Any) -> s.DropDatabase:
        return s.DropDatabase(_names(items)[-1], if_exists=_flag(items, "if_exists"))

    def use_database(self, name: Token) -> s.UseDatabase:
        return s.UseDatabase(str(name))

    def show_databases(self) -> s.ShowDatabases:
        return s.ShowDatabases()

    # ---- collection maintenance ----------------------------------------------------------
    def show_create_table(self, name: Token) -> s.ShowCreateTable:
        return s.ShowCreateTable(str(name))

    def rename_table(self, name: Token, new_name: Token) -> s.RenameTable:
        return s.RenameTable(str(name), str(new_name))

    def alter_table_set(self, name: Token, options: dict[str, Any]) -> s.AlterTableSet:
        return s.AlterTableSet(str(name), options)

    def truncate_table(self, name: Token) -> s.TruncateTable:
        return s.TruncateTable(str(name))

    def show_stats(self, name: Token) -> s.ShowStats:
        return s.ShowStats(str(name))

    def show_load_state(self, name: Token) -> s.ShowLoadState:
        return s.ShowLoadState(str(name))

    def flush(self, *names: Token) -> s.Flush:
        return s.Flush(tuple(str(n) for n in names))

    def compact(self, name: Token) -> s.Compact:
        return s.Compact(str(name))

    def load_partitions(self, *names: Token) -> s.LoadPartitions:
        return s.LoadPartitions(tuple(str(n) for n in names[:-1]), str(names[-1]))

    def release_partitions(self, *names: Token) -> s.ReleasePartitions:
        return s.ReleasePartitions(tuple(str(n) for n in names[:-1]), str(names[-1]))

    # ---- aliases -------------------------------------------------------------------------
    def create_alias(self, alias: Token, table: Token) -> s.CreateAlias:
        return s.CreateAlias(str(alias), str(table))

    def alter_alias(self, alias: Token, table: Token) -> s.AlterAlias:
        return s.AlterAlias(str(alias), str(table))

    def drop_alias(self, alias: Token) -> s.DropAlias:
        return s.DropAlias(str(alias))

    def show_aliases(self, table: Token | None = None) -> s.ShowAliases:
        return s.ShowAliases(str(table) if table is not None else None)

    # ---- users, roles, privileges --------------------------------------------------------
    def create_user(self, name: Token, password: str) -> s.CreateUser:
        return s.CreateUser(str(name), password)

    def alter_user(self, name: Token, password: str, old: str | None = None) -> s.AlterUser:
        return s.AlterUser(str(name), password, old)

    def drop_user(self, name: Token) -> s.DropUser:
        return s.DropUser(str(name))

    def show_users(self) -> s.ShowUsers:
        return s.ShowUsers()

    def create_role(self, name: Token) -> s.CreateRole:
        return s.CreateRole(str(name))

    def drop_role(self, name: Token) -> s.DropRole:
        return s.DropRole(str(name))

    def show_roles(self) -> s.ShowRoles:
        return s.ShowRoles()

    def grant_role(self, role: Token, user: Token) -> s.GrantRole:
        return s.GrantRole(str(role), str(user))

    def revoke_role(self, role: Token, user: Token) -> s.RevokeRole:
        return s.RevokeRole(str(role), str(user))

    def grant_object(self, target: Token) -> tuple[str, str]:
        return ("", "*") if target.type == "STAR" else ("", str(target))

    def global_object(self) -> tuple[str, str]:
        return ("Global", "*")

    def grant_privilege(
        self, privilege: Token, target: tuple[str, str], role: Token
    ) -> s.GrantPrivilege:
        object_type, object_name = target
        return s.GrantPrivilege(str(privilege), object_name, str(role), object_type)

    def revoke_privilege(
        self, privilege: Token, target: tuple[str, str], role: Token
    ) -> s.RevokePrivilege:
        object_type, object_name = target
        return s.RevokePrivilege(str(privilege), object_name, str(role), object_type)

    def show_grants(self, role: Token) -> s.ShowGrants:
        return s.ShowGrants(str(role))

    # ---- statements about statements -----------------------------------------------------
    def explain(self, statement: s.Statement) -> s.Explain:
        return s.Explain(statement)

    def help(self, topic: Token | None = None) -> s.Help:
        return s.Help(" ".join(str(topic).split()) if topic is not None else None)
