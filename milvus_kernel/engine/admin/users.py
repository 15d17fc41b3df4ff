"""Users, roles and privileges: CREATE / ALTER / DROP USER, SHOW USERS, CREATE / DROP ROLE,
SHOW ROLES, GRANT / REVOKE ROLE, GRANT / REVOKE a privilege, SHOW GRANTS FOR a role.

These need a Milvus server with authentication; Milvus Lite says "users and roles are not
supported by Milvus Lite" before anything is sent. A password never appears in a message, an
error or a repr: Milvus's reasons are scrubbed of the statement's passwords. Milvus asks for the
old password to change one: ALTER USER without OLD PASSWORD uses the session's own password when
the user is the connected one.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from milvus_kernel.engine.admin import privilege_groups, privileges
from milvus_kernel.engine.admin.server_calls import (
    feature_call,
)
from milvus_kernel.engine.catalog import Catalog
from milvus_kernel.engine.connection.capabilities import refuse_on_lite, require_version
from milvus_kernel.engine.context import using_catalog
from milvus_kernel.engine.milvus_errors import scrub
from milvus_kernel.errors import ExecutionError
from milvus_kernel.language.statements import (
    AlterUser,
    CommentOn,
    CreateRole,
    CreateUser,
    DropRole,
    DropUser,
    GrantPrivilege,
    GrantRole,
    RevokePrivilege,
    RevokeRole,
    ShowGrants,
    ShowRoles,
    ShowUsers,
)
from milvus_kernel.results import Column, Message, Result, Table

_VERBS = {
    "CreateUser": "CREATE USER",
    "AlterUser": "ALTER USER",
    "DropUser": "DROP USER",
    "ShowUsers": "SHOW USERS",
    "CreateRole": "CREATE ROLE",
    "DropRole": "DROP ROLE",
    "ShowRoles": "SHOW ROLES",
    "GrantRole": "GRANT ROLE",
    "RevokeRole": "REVOKE ROLE",
    "GrantPrivilege": "GRANT",
    "RevokePrivilege": "REVOKE",
    "ShowGrants": "SHOW GRANTS",
}


def _server_with_users(catalog: Catalog, statement: object) -> None:
    """Lite has no users or roles: say so before anything is sent (EXPLAIN shows the code)."""
    verb = _VERBS[type(statement).__name__]
    refuse_on_lite(catalog, f"{verb} (users and roles)")


def _users(catalog: Catalog) -> list[str]:
    return [str(u) for u in feature_call(catalog, "users", "list_users") or ()]


def _roles(catalog: Catalog) -> list[str]:
    return [str(r) for r in feature_call(catalog, "roles", "list_roles") or ()]


def _require_user(catalog: Catalog, user: str) -> None:
    if not catalog.explaining and user not in _users(catalog):
        raise ExecutionError(f"user '{user}' does not exist")


def _require_role(catalog: Catalog, role: str) -> None:
    if not catalog.explaining and role not in _roles(catalog):
        raise ExecutionError(f"role '{role}' does not exist")


def _secretly(call: Callable[[], Any], *secrets: str | None) -> Any:
    """Run `call`; an error's message has the given passwords masked."""
    try:
        return call()
    except ExecutionError as error:
        raise ExecutionError(scrub(error.message, secrets)) from None


# --- users ---------------------------------------------------------------------------------------


def create_user(catalog: Catalog, statement: CreateUser) -> Result:
    _server_with_users(catalog, statement)
    name = statement.name
    if name in _users(catalog):
        raise ExecutionError(f"user '{name}' already exists")
    action = f"creating user {name}"
    _secretly(
        lambda: catalog.call("create_user", name, statement.password, action=action),
        statement.password,
    )
    return Message(f"created user {name}")


def alter_user(catalog: Catalog, statement: AlterUser) -> Result:
    _server_with_users(catalog, statement)
    name = statement.name
    _require_user(catalog, name)
    target = catalog.connection.target
    old = statement.old_password
    if old is None and name == target.shown_user:
        old = target.password or (target.token.split(":", 1)[1] if target.token else None)
    secrets = (statement.password, statement.old_password, old)
    try:
        _secretly(
            lambda: catalog.call(
                "update_password",
                name,
                old or "",
                statement.password,
                action=f"changing the password of {name}",
            ),
            *secrets,
        )
    except ExecutionError as error:
        if statement.old_password is None and "old password" in error.message.lower():
            raise ExecutionError(
                f"Milvus needs the current password of {name} to change it: "
                f"ALTER USER {name} PASSWORD '…' OLD PASSWORD '…'"
            ) from None
        raise
    return Message(f"changed the password of user {name}")


def drop_user(catalog: Catalog, statement: DropUser) -> Result:
    _server_with_users(catalog, statement)
    name = statement.name
    _require_user(catalog, name)
    if name == catalog.connection.target.shown_user:
        raise ExecutionError(f"user '{name}' is the user of this connection")
    catalog.call("drop_user", name, action=f"dropping user {name}")
    return Message(f"dropped user {name}")


def show_users(catalog: Catalog, statement: ShowUsers) -> Result:
    _server_with_users(catalog, statement)
    rows = []
    for name in sorted(_users(catalog)):
        roles = catalog.call("describe_user", name).get("roles") or ()
        rows.append((name, ", ".join(sorted(str(r) for r in roles))))
    return Table(columns=(Column("user", "str"), Column("roles", "str")), rows=rows)


# --- roles ---------------------------------------------------------------------------------------


def create_role(catalog: Catalog, statement: CreateRole) -> Result:
    _server_with_users(catalog, statement)
    name = statement.name
    if name in _roles(catalog):
        raise ExecutionError(f"role '{name}' already exists")
    catalog.call("create_role", name, action=f"creating role {name}")
    return Message(f"created role {name}")


def drop_role(catalog: Catalog, statement: DropRole) -> Result:
    _server_with_users(catalog, statement)
    name = statement.name
    _require_role(catalog, name)
    granted = catalog.call("describe_role", name).get("privileges") or []
    if granted:
        raise ExecutionError(
            f"role '{name}' still has {len(granted)} privilege{'s' if len(granted) > 1 else ''}: "
            f"REVOKE them first (SHOW GRANTS FOR {name})"
        )
    catalog.call("drop_role", name, action=f"dropping role {name}")
    return Message(f"dropped role {name}")


def show_roles(catalog: Catalog, statement: ShowRoles) -> Result:
    _server_with_users(catalog, statement)
    members: dict[str, list[str]] = {role: [] for role in _roles(catalog)}
    for user in _users(catalog):
        for role in catalog.call("describe_user", user).get("roles") or ():
            members.setdefault(str(role), []).append(user)
    rows = [(role, ", ".join(sorted(users))) for role, users in sorted(members.items())]
    return Table(columns=(Column("role", "str"), Column("users", "str")), rows=rows)


def grant_role(catalog: Catalog, statement: GrantRole) -> Result:
    _server_with_users(catalog, statement)
    _require_user(catalog, statement.user)
    _require_role(catalog, statement.role)
    catalog.call("grant_role", statement.user, statement.role, action="granting a role")
    return Message(f"granted role {statement.role} to {statement.user}")


def revoke_role(catalog: Catalog, statement: RevokeRole) -> Result:
    _server_with_users(catalog, statement)
    _require_user(catalog, statement.user)
    _require_role(catalog, statement.role)
    catalog.call("revoke_role", statement.user, statement.role, action="revoking a role")
    return Message(f"revoked role {statement.role} from {statement.user}")


# --- privileges ----------------------------------------------------------------------------------


def _privilege(catalog: Catalog, statement: GrantPrivilege | RevokePrivilege) -> tuple[str, ...]:
    _server_with_users(catalog, statement)
    _require_role(catalog, statement.role)
    return privileges.resolve(statement.privilege, statement.object_type, statement.object_name)


def _group_grant(catalog: Catalog, statement: GrantPrivilege | RevokePrivilege) -> str | None:
    """The privilege group `statement` grants or revokes, or None for a plain privilege."""
    wanted = statement.privilege
    if statement.object_type or privileges.spelled(wanted) != wanted.strip():
        return None
    if (
        wanted.upper() in ("ALL", "*")
        or wanted in privileges.GLOBAL + privileges.COLLECTION + privileges.USER
    ):
        return None
    return wanted if privilege_groups.is_group(catalog, wanted) else None


def _group_call(catalog: Catalog, method: str, statement: GrantPrivilege | RevokePrivilege) -> None:
    _server_with_users(catalog, statement)
    _require_role(catalog, statement.role)
    group, collection = statement.privilege, statement.object_name
    database = catalog.connection.target.database or "default"
    if collection == "*" and group.startswith("Cluster"):
        database = "*"
    action = f"{'granting' if method.startswith('grant') else 'revoking'} privilege group {group}"
    feature_call(
        catalog,
        "GRANT (privilege groups)" if method.startswith("grant") else "REVOKE (privilege groups)",
        method,
        statement.role,
        group,
        collection,
        db_name=database,
        action=action,
    )


def grant_privilege(catalog: Catalog, statement: GrantPrivilege) -> Result:
    group = _group_grant(catalog, statement)
    if group is not None:
        _group_call(catalog, "grant_privilege_v2", statement)
        return Message(
            f"granted privilege group {group} on {statement.object_name} to role {statement.role}"
        )
    privilege, kind, name = _privilege(catalog, statement)
    catalog.call(
        "grant_privilege", statement.role, kind, privilege, name, action="granting a privilege"
    )
    return Message(f"granted {privilege} on {kind} {name} to role {statement.role}")


def revoke_privilege(catalog: Catalog, statement: RevokePrivilege) -> Result:
    group = _group_grant(catalog, statement)
    if group is not None:
        _group_call(catalog, "revoke_privilege_v2", statement)
        return Message(
            f"revoked privilege group {group} on {statement.object_name} from role {statement.role}"
        )
    privilege, kind, name = _privilege(catalog, statement)
    catalog.call(
        "revoke_privilege", statement.role, kind, privilege, name, action="revoking a privilege"
    )
    return Message(f"revoked {privilege} on {kind} {name} from role {statement.role}")


def show_grants(catalog: Catalog, statement: ShowGrants) -> Result:
    _server_with_users(catalog, statement)
    _require_role(catalog, statement.role)
    granted = catalog.call("describe_role", statement.role).get("privileges") or []
    rows = sorted(
        (
            str(g.get("object_type", "")),
            str(g.get("object_name", "")),
            str(g.get("privilege", "")),
            str(g.get("db_name", "")),
            str(g.get("grantor_name", "")),
        )
        for g in granted
    )
    columns = tuple(
        Column(name, "str")
        for name in ("object_type", "object", "privilege", "database", "grantor")
    )
    return Table(columns=columns, rows=rows, title=f"grants of role {statement.role}")


def comment_on(catalog: Catalog, statement: CommentOn) -> Result:
    """ALTER ROLE r COMMENT '...' / ALTER USER u COMMENT '...' (alter_role, update_user)."""
    kind, name = statement.kind, statement.name
    what = f"ALTER {kind.upper()} ... COMMENT"
    refuse_on_lite(catalog, f"{what} (users and roles)")
    require_version(catalog, what, (2, 6), "an older one reads update_user as a password change")
    (_require_role if kind == "role" else _require_user)(catalog, name)
    method = "alter_role" if kind == "role" else "update_user"
    feature_call(catalog, what, method, name, statement.comment, action=f"describing {name}")
    return Message(f"set the comment of {kind} {name}")


HANDLERS = using_catalog(
    {
        CommentOn: comment_on,
        CreateUser: create_user,
        AlterUser: alter_user,
        DropUser: drop_user,
        ShowUsers: show_users,
        CreateRole: create_role,
        DropRole: drop_role,
        ShowRoles: show_roles,
        GrantRole: grant_role,
        RevokeRole: revoke_role,
        GrantPrivilege: grant_privilege,
        RevokePrivilege: revoke_privilege,
        ShowGrants: show_grants,
    }
)
