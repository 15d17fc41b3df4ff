"""Privilege groups (Milvus 2.5+): CREATE / DROP PRIVILEGE GROUP, SHOW PRIVILEGE GROUPS,
ALTER PRIVILEGE GROUP g ADD | DROP PRIVILEGES (...), and granting a group to a role.

`GRANT g ON docs TO r` (see `users.grant_privilege`) grants a privilege group when `g` is not a
privilege: with `grant_privilege_v2`, which takes a group (or a built-in group such as
CollectionReadOnly) and a collection. Milvus Lite, and servers before 2.5, say so in one line.
"""

from __future__ import annotations

from milvus_kernel.engine.admin import privileges
from milvus_kernel.engine.admin.server_calls import feature_call, words
from milvus_kernel.engine.catalog import Catalog
from milvus_kernel.engine.context import using_catalog
from milvus_kernel.errors import ExecutionError, KernelError
from milvus_kernel.language.statements import (
    AlterPrivilegeGroup,
    CreatePrivilegeGroup,
    DropPrivilegeGroup,
    ShowPrivilegeGroups,
)
from milvus_kernel.results import Column, Message, Result, Table

#: Milvus's built-in privilege groups (2.5): granted like a custom group.
BUILT_IN = tuple(
    f"{scope}{kind}"
    for scope in ("Cluster", "Database", "Collection")
    for kind in ("ReadOnly", "ReadWrite", "Admin")
)


def listed(catalog: Catalog, what: str) -> dict[str, tuple[str, ...]] | None:
    """Each privilege group of the server and its privileges; None when the server cannot say
    (under EXPLAIN, on a server without privilege groups)."""
    found = feature_call(catalog, what, "list_privilege_groups")
    if found is None:
        return None
    return {str(g["privilege_group"]): tuple(str(p) for p in g["privileges"]) for g in found}


def groups(catalog: Catalog, what: str) -> dict[str, tuple[str, ...]]:
    return listed(catalog, what) or {}


def is_group(catalog: Catalog, name: str) -> bool:
    """True when `name` is a built-in or custom privilege group of the server."""
    if name in BUILT_IN:
        return True
    try:
        known = listed(catalog, "GRANT (privilege groups)")
    except KernelError:  # a server without privilege groups: `name` is no group
        return False
    return known is None or name in known  # EXPLAIN where the server cannot say: a group


def _require(catalog: Catalog, name: str, what: str) -> None:
    known = groups(catalog, what)
    if name not in known and not catalog.explaining:
        shown = ", ".join(sorted(known)) or "none"
        raise ExecutionError(f"privilege group '{name}' does not exist; groups: {shown}")


def create_privilege_group(catalog: Catalog, statement: CreatePrivilegeGroup) -> Result:
    name, what = statement.name, words(statement)
    if name in groups(catalog, what):
        raise ExecutionError(f"privilege group '{name}' already exists")
    feature_call(catalog, what, "create_privilege_group", name, action=f"creating group {name}")
    return Message(f"created privilege group {name}")


def drop_privilege_group(catalog: Catalog, statement: DropPrivilegeGroup) -> Result:
    name, what = statement.name, words(statement)
    _require(catalog, name, what)
    feature_call(catalog, what, "drop_privilege_group", name, action=f"dropping group {name}")
    return Message(f"dropped privilege group {name}")


def show_privilege_groups(catalog: Catalog, statement: ShowPrivilegeGroups) -> Result:
    rows = [
        (name, ", ".join(found))
        for name, found in sorted(groups(catalog, words(statement)).items())
    ]
    return Table(
        columns=(Column("privilege_group", "str"), Column("privileges", "str")),
        rows=rows,
        title="privilege groups",
    )


def alter_privilege_group(catalog: Catalog, statement: AlterPrivilegeGroup) -> Result:
    name, what = statement.name, words(statement)
    _require(catalog, name, what)
    wanted = [privileges.spelled(p) for p in statement.privileges]
    method = "add_privileges_to_group" if statement.add else "remove_privileges_from_group"
    feature_call(catalog, what, method, name, wanted, action=f"changing group {name}")
    verb, where = ("added", "to") if statement.add else ("removed", "from")
    return Message(f"{verb} {', '.join(wanted)} {where} privilege group {name}")


HANDLERS = using_catalog(
    {
        CreatePrivilegeGroup: create_privilege_group,
        DropPrivilegeGroup: drop_privilege_group,
        ShowPrivilegeGroups: show_privilege_groups,
        AlterPrivilegeGroup: alter_privilege_group,
    }
)
