"""Rules that only pass their names and values to a statement, listed in one table.

`DESCRIBE docs` → `DescribeTable("docs")`, `GRANT ROLE r TO u` → `GrantRole("r", "u")`: the rule's
children, names turned into strings, are the statement's fields in order.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from lark import Token, Transformer, v_args

from milvus_kernel.language import statements as s

SIMPLE_RULES: dict[str, type[s.Statement]] = {
    # connection and session
    "disconnect": s.Disconnect,
    "show_connection": s.ShowConnection,
    "show_settings": s.ShowSettings,
    # collections, partitions, indexes
    "show_tables": s.ShowTables,
    "list_tables": s.ShowTables,
    "describe_table": s.DescribeTable,
    "load_table": s.LoadTable,
    "release_table": s.ReleaseTable,
    "show_partitions": s.ShowPartitions,
    "list_partitions": s.ShowPartitions,
    "drop_index": s.DropIndex,
    "show_indexes": s.ShowIndexes,
    "describe_index": s.DescribeIndex,
    # administration
    "use_database": s.UseDatabase,
    "show_databases": s.ShowDatabases,
    "describe_database": s.DescribeDatabase,
    "show_create_table": s.ShowCreateTable,
    "rename_table": s.RenameTable,
    "alter_table_set": s.AlterTableSet,
    "truncate_table": s.TruncateTable,
    "show_stats": s.ShowStats,
    "legacy_stats": s.ShowStats,
    "show_load_state": s.ShowLoadState,
    "compact": s.Compact,
    "create_alias": s.CreateAlias,
    "alter_alias": s.AlterAlias,
    "drop_alias": s.DropAlias,
    "show_aliases": s.ShowAliases,
    "create_user": s.CreateUser,
    "alter_user": s.AlterUser,
    "drop_user": s.DropUser,
    "show_users": s.ShowUsers,
    "create_role": s.CreateRole,
    "drop_role": s.DropRole,
    "show_roles": s.ShowRoles,
    "grant_role": s.GrantRole,
    "revoke_role": s.RevokeRole,
    "show_grants": s.ShowGrants,
}


def _rule(kind: type[s.Statement]) -> Callable[..., s.Statement]:
    def rule(self: Transformer, *children: Any) -> s.Statement:
        return kind(*(str(c) if isinstance(c, Token) else c for c in children))

    rule.__name__ = kind.__name__
    return rule


SimpleRules = v_args(inline=True)(
    type("SimpleRules", (Transformer,), {name: _rule(kind) for name, kind in SIMPLE_RULES.items()})
)
