"""Milvus privileges by object type, so `GRANT Search ON docs TO r` needs no object type.

Milvus grants a privilege on an object of one type: Global (`*`), Collection (a name or `*`) or
User (a user name). The privilege names below are those of Milvus 2.3 - 2.5's RBAC reference;
names are matched case-insensitively and sent with Milvus's spelling. `ALL` means every privilege
of the object type (`All` on Global, `*` on a collection).
"""

from __future__ import annotations

from milvus_kernel.errors import ExecutionError

GLOBAL = (
    "All",
    "CreateCollection",
    "DropCollection",
    "DescribeCollection",
    "ShowCollections",
    "RenameCollection",
    "FlushAll",
    "CreateOwnership",
    "DropOwnership",
    "SelectOwnership",
    "ManageOwnership",
    "CreateResourceGroup",
    "DropResourceGroup",
    "DescribeResourceGroup",
    "ListResourceGroups",
    "UpdateResourceGroups",
    "TransferNode",
    "TransferReplica",
    "CreateDatabase",
    "DropDatabase",
    "ListDatabases",
    "CreateAlias",
    "DropAlias",
    "DescribeAlias",
    "ListAliases",
)
COLLECTION = (
    "CreateIndex",
    "DropIndex",
    "IndexDetail",
    "Load",
    "GetLoadingProgress",
    "GetLoadState",
    "Release",
    "Insert",
    "Delete",
    "Upsert",
    "Search",
    "Flush",
    "GetFlushState",
    "Query",
    "GetStatistics",
    "Compaction",
    "Import",
    "LoadBalance",
    "CreatePartition",
    "DropPartition",
    "ShowPartitions",
    "HasPartition",
)
USER = ("UpdateUser", "SelectUser")
OBJECT_TYPES = {"global": "Global", "collection": "Collection", "user": "User"}
_BY_TYPE = {"Global": GLOBAL, "Collection": COLLECTION, "User": USER}


def resolve(privilege: str, object_type: str, object_name: str) -> tuple[str, str, str]:
    """(privilege, object type, object name) as Milvus expects them.

    `object_type` empty means: inferred from the privilege (ALL on `*` is Global, on a name is
    every privilege of that collection).
    """
    wanted = privilege.strip()
    kind = OBJECT_TYPES.get(object_type.lower(), object_type) if object_type else ""
    if wanted.upper() in ("ALL", "*"):
        if not kind:
            kind = "Global" if object_name == "*" else "Collection"
        return ("All" if kind == "Global" else "*"), kind, object_name
    for candidate, names in _BY_TYPE.items():
        match = next((n for n in names if n.lower() == wanted.lower()), None)
        if match is not None and (not kind or kind == candidate):
            if candidate == "Global" and object_name != "*":
                raise ExecutionError(
                    f"{match} is a global privilege: GRANT {match} ON * (or ON GLOBAL) TO ..."
                )
            return match, candidate, object_name
    if kind:  # an explicit type: let Milvus judge a privilege we do not know
        return wanted, kind, object_name
    known = ", ".join(COLLECTION + GLOBAL + USER)
    raise ExecutionError(f"unknown privilege '{privilege}'; privileges: {known}")


def spelled(privilege: str) -> str:
    """A privilege name with Milvus's spelling (any known one, matched case-insensitively);
    an unknown name as given, for the server to judge."""
    wanted = privilege.strip()
    every = GLOBAL + COLLECTION + USER
    return next((n for n in every if n.lower() == wanted.lower()), wanted)
