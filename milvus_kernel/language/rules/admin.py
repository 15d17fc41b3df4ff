"""Administration rules with more than names to pass on (see `simple_rules.py` for the rest)."""

from __future__ import annotations

from lark import Token, Transformer, v_args

from milvus_kernel.language import statements as s
from milvus_kernel.language.clauses import Clause


@v_args(inline=True)
class AdminRules(Transformer):
    """Administration rules → statements of `statements.admin`."""

    # ---- databases -----------------------------------------------------------------------
    def create_database(
        self, if_not_exists: bool | None, name: Token, options: Clause | None
    ) -> s.CreateDatabase:
        properties = dict(options.value) if options else {}
        return s.CreateDatabase(str(name), bool(if_not_exists), properties)

    def drop_database(self, if_exists: bool | None, name: Token) -> s.DropDatabase:
        return s.DropDatabase(str(name), if_exists=bool(if_exists))

    # ---- collection maintenance ----------------------------------------------------------
    def flush(self, *names: Token) -> s.Flush:
        return s.Flush(tuple(str(n) for n in names))

    def load_partitions(self, *names: Token) -> s.LoadPartitions:
        return s.LoadPartitions(tuple(str(n) for n in names[:-1]), str(names[-1]))

    def release_partitions(self, *names: Token) -> s.ReleasePartitions:
        return s.ReleasePartitions(tuple(str(n) for n in names[:-1]), str(names[-1]))

    # ---- privileges ----------------------------------------------------------------------
    def grant_object(self, target: Token) -> tuple[str, str]:
        return ("", "*") if target.type == "STAR" else ("", str(target))

    def global_object(self) -> tuple[str, str]:
        return ("Global", "*")

    def collection_object(self) -> str:
        return "Collection"

    def user_object(self) -> str:
        return "User"

    def database_object(self) -> str:
        return "Database"

    def typed_object(self, kind: str, target: Token) -> tuple[str, str]:
        return (kind, "*" if target.type == "STAR" else str(target))

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

    # ---- statements about statements -----------------------------------------------------
    def explain(self, statement: s.Statement) -> s.Explain:
        return s.Explain(statement)

    def help(self, topic: Token | None = None) -> s.Help:
        return s.Help(" ".join(str(topic).split()) if topic is not None else None)
