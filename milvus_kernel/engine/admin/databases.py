"""Database statements: CREATE DATABASE / DROP DATABASE / USE / SHOW DATABASES.

USE switches the open client to another database and remembers it in the connection's target,
so SHOW CONNECTION shows it and a reconnect (after a lost server) returns to it. Servers without
the DescribeDatabase RPC (the 2.3 standalone) are switched by setting the client's database
directly, after checking the name with ListDatabases.
"""

from __future__ import annotations

import dataclasses

from milvus_kernel.engine.catalog import Catalog
from milvus_kernel.engine.connection.capabilities import unimplemented
from milvus_kernel.engine.context import using_catalog
from milvus_kernel.errors import ExecutionError
from milvus_kernel.language.statements import (
    CreateDatabase,
    DropDatabase,
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
    catalog.call("create_database", name, action=f"creating database {name}")
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


HANDLERS = using_catalog(
    {
        CreateDatabase: create_database,
        DropDatabase: drop_database,
        UseDatabase: use_database,
        ShowDatabases: show_databases,
    }
)
