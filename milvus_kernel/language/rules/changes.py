"""Rules of the statements that change rows and schemas in place: UPDATE ... SET ... WHERE, and
ALTER TABLE ADD COLUMN / ALTER COLUMN / DROP PROPERTIES / ADD, ALTER, DROP FUNCTION, ALTER INDEX
and ALTER DATABASE."""

from __future__ import annotations

from typing import Any

from lark import Token, Transformer, v_args

from milvus_kernel.language import statements as s
from milvus_kernel.language.clauses import Clause, SemanticError

#: The array operations of UPDATE ... SET f = OP(f, values) (pymilvus `FieldOp`).
ARRAY_OPERATIONS = ("ARRAY_APPEND", "ARRAY_REMOVE")
#: The functions of ALTER TABLE t ADD FUNCTION f KIND(source) TO output.
FUNCTION_KINDS = ("EMBEDDING", "BM25", "MINHASH")


@v_args(inline=True)
class ChangeRules(Transformer):
    """UPDATE and the ALTER statements of schema and properties → statements."""

    # ---- UPDATE --------------------------------------------------------------------------
    def update(self, table: Token, *items: Any) -> s.Update:
        given = {item.key: item.value for item in items if isinstance(item, Clause)}
        assignments = tuple(item for item in items if isinstance(item, s.Assignment))
        names = [a.field for a in assignments]
        twice = sorted({n for n in names if names.count(n) > 1})
        if twice:
            raise SemanticError(f"column {', '.join(twice)} is SET twice", table)
        if "where" not in given:
            raise SemanticError(
                "UPDATE needs a WHERE clause",
                table,
                hint=f"to change every row say so: UPDATE {table} SET ... WHERE TRUE",
            )
        return s.Update(str(table), assignments, given["where"], given.get("partition"))

    def assign_value(self, name: Token, _eq: Token, value: Any) -> s.Assignment:
        return s.Assignment(str(name), value)

    def assign_call(self, name: Token, _eq: Token, function: Token, *args: Any) -> s.Assignment:
        operation = str(function).upper()
        if operation not in ARRAY_OPERATIONS:
            raise SemanticError(
                f"SET {name} = {function}(...): only constants, ARRAY_APPEND and ARRAY_REMOVE",
                function,
                hint=f"for example: SET {name} = ARRAY_APPEND({name}, [1, 2])",
            )
        source, *values = args
        if str(source) != str(name) or len(values) != 1:
            raise SemanticError(
                f"{operation} takes the column it sets and one value or list: "
                f"{name} = {operation}({name}, [...])",
                function,
            )
        value = values[0]
        return s.Assignment(str(name), value if isinstance(value, list) else [value], operation)

    # ---- ALTER TABLE / INDEX / DATABASE ---------------------------------------------------
    def alter_add_column(
        self, table: Token, column: s.ColumnDef, index: tuple[Any, ...] | None = None
    ) -> s.AddColumn:
        if index is None:
            return s.AddColumn(str(table), column)
        if not (column.bm25_source or column.minhash):
            raise SemanticError(
                f"INDEX after ADD COLUMN {column.name} is for a column GENERATED ALWAYS AS "
                "BM25(...) or MINHASH(...): index other columns with CREATE INDEX",
                table,
            )
        return s.AddColumn(str(table), column, index[0], index[1])

    def column_index(self, *parts: Any) -> tuple[str | None, dict[str, Any]]:
        kind = next((p for p in parts if isinstance(p, str)), None)
        options = next((p for p in parts if isinstance(p, Clause)), None)
        return kind, dict(options.value) if options else {}

    def alter_drop_column(self, table: Token, column: Token) -> s.DropColumn:
        return s.DropColumn(str(table), str(column))

    def alter_column_set(self, table: Token, field: Token, params: dict[str, Any]) -> s.AlterColumn:
        return s.AlterColumn(str(table), str(field), params)

    def property_keys(self, *keys: str) -> tuple[str, ...]:
        return tuple(str(k) for k in keys)

    def alter_table_drop_properties(
        self, table: Token, keys: tuple[str, ...]
    ) -> s.DropTableProperties:
        return s.DropTableProperties(str(table), keys)

    def alter_index_set(
        self, index: Token, table: Token, properties: dict[str, Any]
    ) -> s.AlterIndexSet:
        return s.AlterIndexSet(str(index), str(table), properties)

    def alter_index_drop_properties(
        self, index: Token, table: Token, keys: tuple[str, ...]
    ) -> s.DropIndexProperties:
        return s.DropIndexProperties(str(index), str(table), keys)

    def alter_database_set(self, name: Token, properties: dict[str, Any]) -> s.AlterDatabaseSet:
        return s.AlterDatabaseSet(str(name), properties)

    def alter_database_drop_properties(
        self, name: Token, keys: tuple[str, ...]
    ) -> s.DropDatabaseProperties:
        return s.DropDatabaseProperties(str(name), keys)

    # ---- ALTER TABLE t ADD / ALTER / DROP FUNCTION ----------------------------------------
    def alter_add_function(
        self, table: Token, name: Token, kind: Token, source: Token, output: Token, *rest: Any
    ) -> s.AddFunction:
        if str(kind).upper() not in FUNCTION_KINDS:
            raise SemanticError(
                f"ADD FUNCTION {name} {kind}(...): the kinds are {', '.join(FUNCTION_KINDS)}",
                kind,
            )
        params = dict(rest[0].value) if rest and rest[0] is not None else {}
        if str(kind).upper() == "EMBEDDING" and "provider" not in params:
            raise SemanticError("an EMBEDDING function needs WITH (provider = '...', ...)", kind)
        return s.AddFunction(
            str(table), str(name), str(kind).upper(), str(source), str(output), params
        )

    def alter_function_set(
        self, table: Token, name: Token, params: dict[str, Any]
    ) -> s.AlterFunction:
        return s.AlterFunction(str(table), str(name), params)

    def alter_drop_function(self, table: Token, name: Token) -> s.DropFunction:
        return s.DropFunction(str(table), str(name))


def partial_option(verb: Token, upsert: bool, options: dict[str, Any] | None) -> bool:
    """The WITH (partial = true) of INSERT / UPSERT ... VALUES: True for a partial upsert."""
    if not options:
        return False
    unknown = sorted(set(options) - {"partial"})
    if unknown:
        raise SemanticError(
            f"unknown option {', '.join(unknown)} of {verb} ... VALUES; the one option is partial",
            verb,
        )
    partial = options["partial"]
    if not isinstance(partial, bool):
        raise SemanticError("partial must be true or false", verb)
    if partial and not upsert:
        raise SemanticError(
            "WITH (partial = true) is for UPSERT: an INSERT writes whole rows",
            verb,
            hint="UPSERT INTO t (id, label) VALUES (1, 'x') WITH (partial = true)",
        )
    return partial
