"""Resource groups and replicas: CREATE / DROP / ALTER RESOURCE GROUP, SHOW RESOURCE GROUPS,
DESCRIBE RESOURCE GROUP, TRANSFER REPLICA, LOAD t WITH (replicas = n, resource_groups = [...]),
SHOW REPLICAS OF t.

A group's settings are `requests` and `limits` (query nodes), `transfer_from` and `transfer_to`
(groups), sent as `ResourceGroupConfig` fields in plain dicts. Settings came with Milvus 2.4: a
2.3 server would create the group and drop them silently, so they are refused there. Milvus Lite
has no resource groups or replicas: every statement here says so in one line (EXPLAIN shows the
code all the same).
"""

from __future__ import annotations

from typing import Any

from milvus_kernel.engine.admin.server_calls import (
    feature_call,
    object_rows,
    plain,
    words,
)
from milvus_kernel.engine.catalog import Catalog
from milvus_kernel.engine.connection.capabilities import refuse_on_lite, server_name
from milvus_kernel.engine.context import using_catalog
from milvus_kernel.errors import ExecutionError, NotSupported
from milvus_kernel.language.statements import (
    AlterResourceGroup,
    CreateResourceGroup,
    DescribeResourceGroup,
    DropResourceGroup,
    LoadTableWith,
    ShowReplicas,
    ShowResourceGroups,
    TransferReplica,
)
from milvus_kernel.results import Column, Message, Result, Table

DEFAULT_GROUP = "__default_resource_group"
_NODE_KEYS = ("requests", "limits")
_GROUP_KEYS = ("transfer_from", "transfer_to")
_LOAD_KEYS = {
    "replicas": "replica_number",
    "resource_groups": "resource_groups",
    "fields": "load_fields",
    "skip_dynamic_field": "skip_load_dynamic_field",
    "refresh": "refresh",
}


def group_config(options: dict[str, Any]) -> dict[str, Any]:
    """WITH / SET options → a ResourceGroupConfig as a dict (`requests = 1` → node_num 1)."""
    config: dict[str, Any] = {}
    for key, value in options.items():
        name = key.lower()
        if name in _NODE_KEYS:
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                raise ExecutionError(
                    f"{name} is a number of query nodes (0 or more), not {value!r}"
                )
            config[name] = {"node_num": value}
        elif name in _GROUP_KEYS:
            names = value if isinstance(value, list) else [value]
            if not all(isinstance(n, str) for n in names):
                raise ExecutionError(f"{name} names resource groups: '{DEFAULT_GROUP}' or a list")
            config[name] = [{"resource_group": n} for n in names]
        else:
            known = ", ".join(_NODE_KEYS + _GROUP_KEYS)
            raise ExecutionError(f"unknown resource group setting '{key}'; settings: {known}")
    return config


def _names(catalog: Catalog, what: str) -> list[str]:
    return [str(n) for n in feature_call(catalog, what, "list_resource_groups") or ()]


def _require(catalog: Catalog, name: str, what: str) -> None:
    known = _names(catalog, what)
    if name not in known and not catalog.explaining:
        raise ExecutionError(
            f"resource group '{name}' does not exist; groups: {', '.join(sorted(known))}"
        )


def _settings_supported(catalog: Catalog, what: str) -> None:
    """Settings reach a 2.4+ server only; a 2.3 one would drop them without a word."""
    if catalog.explaining:
        return
    shown = server_name(catalog)
    if shown.startswith("Milvus v2.3") or shown.startswith("Milvus 2.3"):
        raise NotSupported(f"{what} is not supported by {shown} (resource group settings: 2.4+)")


def create_resource_group(catalog: Catalog, statement: CreateResourceGroup) -> Result:
    name, what = statement.name, words(statement)
    config = group_config(statement.options)
    if name in _names(catalog, what):
        raise ExecutionError(f"resource group '{name}' already exists")
    kwargs: dict[str, Any] = {}
    if config:
        _settings_supported(catalog, "CREATE RESOURCE GROUP ... WITH (...)")
        kwargs["config"] = config
    feature_call(catalog, what, "create_resource_group", name, action="creating", **kwargs)
    return Message(f"created resource group {name}")


def drop_resource_group(catalog: Catalog, statement: DropResourceGroup) -> Result:
    name, what = statement.name, words(statement)
    _require(catalog, name, what)
    feature_call(catalog, what, "drop_resource_group", name, action=f"dropping {name}")
    return Message(f"dropped resource group {name}")


def alter_resource_group(catalog: Catalog, statement: AlterResourceGroup) -> Result:
    name, what = statement.name, words(statement)
    config = group_config(statement.options)
    if not config:
        raise ExecutionError("ALTER RESOURCE GROUP ... SET needs at least one setting")
    _require(catalog, name, what)
    _settings_supported(catalog, what)
    feature_call(catalog, what, "update_resource_groups", {name: config}, action=f"altering {name}")
    shown = ", ".join(f"{k} = {plain(v)}" for k, v in statement.options.items())
    return Message(f"set {shown} on resource group {name}")


def _described(catalog: Catalog, name: str, what: str) -> Any:
    return feature_call(catalog, what, "describe_resource_group", name)


def show_resource_groups(catalog: Catalog, statement: ShowResourceGroups) -> Result:
    rows, what = [], words(statement)
    for name in sorted(_names(catalog, what)):
        info = _described(catalog, name, what)
        rows.append(
            (
                name,
                getattr(info, "capacity", None),
                getattr(info, "num_available_node", None),
                plain(getattr(info, "num_loaded_replica", None)),
            )
        )
    columns = ("resource_group", "capacity", "available_nodes", "loaded_replicas")
    return Table(
        columns=tuple(Column(c, "any") for c in columns), rows=rows, title="resource groups"
    )


def describe_resource_group(catalog: Catalog, statement: DescribeResourceGroup) -> Result:
    what = words(statement)
    _require(catalog, statement.name, what)
    info = _described(catalog, statement.name, what)
    if info is None:  # EXPLAIN on a server without resource groups
        return Message(f"resource group {statement.name}")
    return object_rows(info, f"resource group {statement.name}")


def transfer_replica(catalog: Catalog, statement: TransferReplica) -> Result:
    table = statement.table
    catalog.require(table)
    _require(catalog, statement.source, "TRANSFER REPLICA")
    _require(catalog, statement.target, "TRANSFER REPLICA")
    feature_call(
        catalog,
        "TRANSFER REPLICA",
        "transfer_replica",
        statement.source,
        statement.target,
        table,
        statement.count,
        table=table,
        action="moving replicas of",
    )
    plural = "s" if statement.count > 1 else ""
    return Message(
        f"moved {statement.count} replica{plural} of {table} "
        f"from {statement.source} to {statement.target}"
    )


def _load_kwargs(statement: LoadTableWith) -> dict[str, Any]:
    kwargs: dict[str, Any] = {}
    for key, values in statement.options:
        name = _LOAD_KEYS.get(key.lower())
        if name is None:
            raise ExecutionError(f"unknown LOAD option '{key}'; options: {', '.join(_LOAD_KEYS)}")
        if name in ("resource_groups", "load_fields"):
            kwargs[name] = [str(v) for v in values]
        elif len(values) != 1:
            raise ExecutionError(f"LOAD option {key} takes one value")
        else:
            kwargs[name] = values[0]
    replicas = kwargs.get("replica_number", 1)
    if not isinstance(replicas, int) or isinstance(replicas, bool) or replicas < 1:
        raise ExecutionError(f"replicas is a number of replicas (1 or more), not {replicas!r}")
    return kwargs


def load_table_with(catalog: Catalog, statement: LoadTableWith) -> Result:
    name = statement.name
    kwargs = _load_kwargs(statement)
    catalog.require(name)
    if kwargs.get("replica_number", 1) != 1 or "resource_groups" in kwargs:
        refuse_on_lite(catalog, "LOAD ... WITH (replicas, resource_groups)")
    if kwargs.pop("refresh", False):
        feature_call(catalog, "LOAD ... WITH (refresh = true)", "refresh_load", name, table=name)
        catalog.forget(name)
        return Message(f"refreshed the load of {name} (new segments loaded)")
    if "load_fields" in kwargs or "skip_load_dynamic_field" in kwargs:
        refuse_on_lite(catalog, "LOAD ... WITH (fields, skip_dynamic_field)")
    catalog.call("load_collection", name, table=name, action="loading", **kwargs)
    catalog.forget(name)
    shown = ", ".join(f"{k} = {plain(v)}" for k, v in kwargs.items())
    return Message(f"loaded collection {name}" + (f" ({shown})" if shown else ""))


def show_replicas(catalog: Catalog, statement: ShowReplicas) -> Result:
    table = statement.table
    catalog.require(table)
    found = feature_call(catalog, "SHOW REPLICAS", "describe_replica", table, table=table) or []
    rows = [
        (
            replica.id,
            str(replica.resource_group),
            ", ".join(str(getattr(n, "node_id", n)) for n in replica.group_nodes),
            len(replica.shards),
        )
        for replica in found
    ]
    columns = (
        Column("replica", "int"),
        Column("resource_group", "str"),
        Column("nodes", "str"),
        Column("shards", "int"),
    )
    return Table(columns=columns, rows=rows, title=f"replicas of {table}")


HANDLERS = using_catalog(
    {
        CreateResourceGroup: create_resource_group,
        DropResourceGroup: drop_resource_group,
        AlterResourceGroup: alter_resource_group,
        ShowResourceGroups: show_resource_groups,
        DescribeResourceGroup: describe_resource_group,
        TransferReplica: transfer_replica,
        LoadTableWith: load_table_with,
        ShowReplicas: show_replicas,
    }
)
