"""Database statements: CREATE DATABASE / DROP DATABASE / USE / SHOW DATABASES, and a database's
properties: ALTER DATABASE d SET (...) / DROP PROPERTIES (...), DESCRIBE DATABASE d (one row per
property; the 2.3 standalone, without the RPCs, says so in one line).

USE switches the open client to another database and remembers it in the connection's target,
so SHOW CONNECTION shows it and a reconnect (after a lost server) returns to it. Servers without
the DescribeDatabase RPC (the 2.3 standalone) are switched by setting the client's database
directly, after checking the name with ListDatabases.
"""

from __future__ import annotations

import dataclasses

from milvus_kernel.engine.catalog import Catalog
from milvus_kernel.engine.connection.capabilities import server_call, unimplemented
from milvus_kernel.engine.context import using_catalog
from milvus_kernel.engine.schema.alter import shown
from milvus_kernel.errors import ExecutionError
from milvus_kernel.language.statements import (
    AlterDatabaseSet,
    CreateDatabase,
    DescribeDatabase,
    DropDatabase,
    DropDatabaseProperties,
    ShowDatabases,
    UseDatabase,
)
from milvus_kernel.results import Column, Message, Result, Table

DEFAULT_DATABASE = "default"


def current_database(catalog: Catalog) -> str:
    return catalog.connection.target.database or DEFAULT_DATABASE


def database_names(catalog: Catalog) -> list[str]:
    return [str(name) for name in catalog.call("list_databases")]


def create_database(catalog: Catalog, statement: CreateDatabase) -> Result:
    name = statement.name
    if name in database_names(catalog):
        if statement.if_not_exists:
            return Message(f"database {name} already exists; nothing done")
        raise ExecutionError(f"database '{name}' already exists")
    kwargs = {"properties": dict(statement.properties)} if statement.properties else {}
    catalog.call("create_database", name, action=f"creating database {name}", **kwargs)
    return Message(f"created database {name}")


def drop_database(catalog: Catalog, statement: DropDatabase) -> Result:
    name = statement.name
    if name not in database_names(catalog):
        if statement.if_exists:
            return Message(f"database {name} does not exist; nothing done")
        raise ExecutionError(f"database '{name}' does not exist")
    if name == DEFAULT_DATABASE:
        raise ExecutionError("the database 'default' cannot be dropped")
    if name == current_database(catalog):
        raise ExecutionError(f"database '{name}' is in use: USE {DEFAULT_DATABASE} first")
    catalog.call("drop_database", name, action=f"dropping database {name}")
    return Message(f"dropped database {name}")


def use_database(catalog: Catalog, statement: UseDatabase) -> Result:
    name = statement.name
    names = database_names(catalog)
    if name not in names:
        raise ExecutionError(f"database '{name}' does not exist; databases: {', '.join(names)}")
    try:
        catalog.call("use_database", name)
    except ExecutionError as error:
        if not unimplemented(error) or not hasattr(catalog.client, "_config"):
            raise
        catalog.client._config.db_name = name  # no DescribeDatabase RPC on this server
    connection = catalog.connection
    connection.target = dataclasses.replace(connection.target, database=name)
    catalog.forget()
    return Message(f"using database {name}")


def show_databases(catalog: Catalog, statement: ShowDatabases) -> Result:
    current = current_database(catalog)
    rows = [(name, name == current) for name in sorted(database_names(catalog))]
    return Table(columns=(Column("name", "str"), Column("current", "bool")), rows=rows)


def _require_database(catalog: Catalog, name: str) -> None:
    names = database_names(catalog)
    if name not in names:
        raise ExecutionError(f"database '{name}' does not exist; databases: {', '.join(names)}")


def alter_database_set(catalog: Catalog, statement: AlterDatabaseSet) -> Result:
    name = statement.name
    _require_database(catalog, name)
    if not statement.properties:
        raise ExecutionError("ALTER DATABASE ... SET needs at least one property")
    properties = dict(statement.properties)
    server_call(
        catalog,
        "ALTER DATABASE ... SET",
        "alter_database_properties",
        name,
        properties,
        action=f"altering database {name}",
    )
    return Message(f"set {shown(properties)} on database {name}")


def drop_database_properties(catalog: Catalog, statement: DropDatabaseProperties) -> Result:
    name = statement.name
    _require_database(catalog, name)
    keys = list(statement.keys)
    server_call(
        catalog,
        "ALTER DATABASE ... DROP PROPERTIES",
        "drop_database_properties",
        name,
        keys,
        action=f"altering database {name}",
    )
    word = "property" if len(keys) == 1 else "properties"
    return Message(f"dropped {word} {', '.join(keys)} of database {name}")


def describe_database(catalog: Catalog, statement: DescribeDatabase) -> Result:
    name = statement.name
    _require_database(catalog, name)
    described = dict(
        server_call(catalog, "DESCRIBE DATABASE", "describe_database", name, action="describing")
        or {}
    )
    rows = [("name", str(described.pop("name", name)))]
    rows += [(str(key), str(value)) for key, value in sorted(described.items())]
    return Table(columns=(Column("property", "str"), Column("value", "str")), rows=rows)


HANDLERS = using_catalog(
    {
        AlterDatabaseSet: alter_database_set,
        DropDatabaseProperties: drop_database_properties,
        DescribeDatabase: describe_database,
        CreateDatabase: create_database,
        DropDatabase: drop_database,
        UseDatabase: use_database,
        ShowDatabases: show_databases,
    }
)
