"""Alias statements: CREATE ALIAS a FOR t / ALTER ALIAS a FOR t / DROP ALIAS a / SHOW ALIASES.

An alias stands for a collection wherever a collection name is expected; ALTER ALIAS moves it to
another collection in one step (the blue/green switch). Cached schemas under the alias's name are
forgotten whenever it changes.
"""

from __future__ import annotations

from milvus_kernel.engine.catalog import Catalog
from milvus_kernel.engine.context import using_catalog
from milvus_kernel.errors import ExecutionError
from milvus_kernel.language.statements import AlterAlias, CreateAlias, DropAlias, ShowAliases
from milvus_kernel.results import Column, Message, Result, Table


def alias_names(catalog: Catalog, table: str | None = None) -> list[str]:
    args = (table,) if table else ()
    found = catalog.call("list_aliases", *args, table=table)
    return [str(a) for a in (found.get("aliases") or [])]


def alias_target(catalog: Catalog, alias: str) -> str | None:
    """The collection an alias stands for."""
    return str(catalog.call("describe_alias", alias).get("collection_name") or "") or None


def _require_collection(catalog: Catalog, table: str) -> None:
    if table in alias_names(catalog):
        raise ExecutionError(f"'{table}' is an alias: name the collection it stands for")
    catalog.require(table)


def create_alias(catalog: Catalog, statement: CreateAlias) -> Result:
    alias, table = statement.alias, statement.table
    _require_collection(catalog, table)
    if alias in alias_names(catalog):
        current = alias_target(catalog, alias)
        raise ExecutionError(
            f"alias '{alias}' already exists (for {current}): ALTER ALIAS {alias} FOR {table}"
        )
    catalog.call("create_alias", table, alias, table=table, action=f"creating alias {alias} for")
    catalog.forget(alias)
    return Message(f"created alias {alias} for {table}")


def alter_alias(catalog: Catalog, statement: AlterAlias) -> Result:
    alias, table = statement.alias, statement.table
    _require_collection(catalog, table)
    if alias not in alias_names(catalog):
        raise ExecutionError(f"alias '{alias}' does not exist: CREATE ALIAS {alias} FOR {table}")
    before = alias_target(catalog, alias)
    catalog.call("alter_alias", table, alias, table=table, action=f"moving alias {alias} to")
    catalog.forget(alias)
    return Message(f"alias {alias} now stands for {table} (was {before})")


def drop_alias(catalog: Catalog, statement: DropAlias) -> Result:
    alias = statement.alias
    if alias not in alias_names(catalog):
        raise ExecutionError(f"alias '{alias}' does not exist")
    target = alias_target(catalog, alias)
    catalog.call("drop_alias", alias, action=f"dropping alias {alias}")
    catalog.forget(alias)
    return Message(f"dropped alias {alias} (of {target})")


def show_aliases(catalog: Catalog, statement: ShowAliases) -> Result:
    if statement.table:
        catalog.require(statement.table)
        rows = [(alias, statement.table) for alias in alias_names(catalog, statement.table)]
    else:
        rows = [(alias, alias_target(catalog, alias)) for alias in alias_names(catalog)]
    rows.sort()
    return Table(columns=(Column("alias", "str"), Column("collection", "str")), rows=rows)


HANDLERS = using_catalog(
    {
        CreateAlias: create_alias,
        AlterAlias: alter_alias,
        DropAlias: drop_alias,
        ShowAliases: show_aliases,
    }
)
