"""Turns Lark parse trees into statement dataclasses.

The rules for literals, column definitions and filters live in their own modules and are mixed
in here; this module holds one method per statement and its clauses.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from lark import Token, v_args

from milvus_kernel.language import filters as f
from milvus_kernel.language import statements as s
from milvus_kernel.language.clauses import Clause, SemanticError, check_unique, single_clauses
from milvus_kernel.language.params import as_vectors, lookup
from milvus_kernel.language.rules.admin import AdminRules
from milvus_kernel.language.rules.aggregation import AggregationRules
from milvus_kernel.language.rules.chain import ChainRules
from milvus_kernel.language.rules.changes import ChangeRules, partial_option
from milvus_kernel.language.rules.columns import ColumnRules
from milvus_kernel.language.rules.files import FileRules
from milvus_kernel.language.rules.filters import FilterRules
from milvus_kernel.language.rules.legacy import LegacyRules
from milvus_kernel.language.rules.literals import LiteralRules, float_list_at, number_at
from milvus_kernel.language.rules.search import SearchRules
from milvus_kernel.language.rules.select import SelectRules
from milvus_kernel.language.rules.server import ServerRules
from milvus_kernel.language.rules.simple import SimpleRules


@v_args(inline=True)
class ToStatements(
    LiteralRules,
    ColumnRules,
    FilterRules,
    SearchRules,
    AggregationRules,
    ChainRules,
    SelectRules,
    AdminRules,
    ServerRules,
    ChangeRules,
    LegacyRules,
    FileRules,
    SimpleRules,
):
    """Tree → `Statement`; `params` holds the values `:name` refers to (None outside the magic)."""

    def __init__(self, params: Mapping[str, Any] | None = None) -> None:
        super().__init__()
        self.params = params

    def param(self, token: Token) -> Any:
        return lookup(self.params, token)

    def param_vectors(self, token: Token) -> tuple[Any, ...]:
        return as_vectors(lookup(self.params, token), token)

    def in_param(self, operand: f.Expr, *rest: Any) -> f.Expr:
        token = rest[-1]
        values = lookup(self.params, token)
        if not isinstance(values, list):
            raise SemanticError(f"{token} must hold a list for IN", token)
        return self.in_(operand, *rest[:-1], values)

    def text_value(self, value: Any) -> str:
        if isinstance(value, Token):
            value = lookup(self.params, value)
            if not isinstance(value, str):
                raise SemanticError("this value must be a string", None)
        return value

    # ---- connection and session ----------------------------------------------------------
    def connect(self, target: Any, *options: tuple[str, Any]) -> s.Connect:
        given = single_clauses([Clause(key, value) for key, value in options])
        if "token" in given and ("user" in given or "password" in given):
            raise SemanticError("give either TOKEN or USER and PASSWORD, not both")
        is_name = isinstance(target, Token)
        return s.Connect(str(target), is_name=is_name, **given)

    def opt_user(self, value: Any) -> tuple[str, str]:
        return "user", str(value)

    def opt_password(self, value: str) -> tuple[str, str]:
        return "password", value

    def opt_token(self, value: str) -> tuple[str, str]:
        return "token", value

    def opt_database(self, value: Any) -> tuple[str, str]:
        return "database", str(value)

    def opt_tls(self, options: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        return "tls", options

    def opt_alias(self, value: Token) -> tuple[str, str]:
        return "alias", str(value)

    def legacy_connect(self, token: Token) -> s.Connect:
        return s.Connect("http://" + str(token)[len("milvus://") :])

    def set_option(self, name: str, *rest: Any) -> s.SetOption:
        value = rest[-1]
        return s.SetOption(name.lower(), value)

    # ---- collections ---------------------------------------------------------------------
    # Optional parts written `[part]` in the grammar arrive as None when absent (Lark's
    # maybe_placeholders), so each rule reads its parts by name.
    def if_not_exists(self) -> bool:
        return True

    def if_exists(self) -> bool:
        return True

    def create_table(
        self,
        if_not_exists: bool | None,
        name: Token,
        columns: list[s.ColumnDef] | None,
        options: Clause | None,
    ) -> s.CreateTable:
        return s.CreateTable(
            str(name),
            tuple(columns or ()),
            options.value if options else {},
            if_not_exists=bool(if_not_exists),
        )

    def drop_table(self, if_exists: bool | None, name: Token) -> s.DropTable:
        return s.DropTable(str(name), if_exists=bool(if_exists))

    # ---- partitions and indexes ----------------------------------------------------------
    def create_partition(
        self, if_not_exists: bool | None, partition: Token, table: Token
    ) -> s.CreatePartition:
        return s.CreatePartition(str(partition), str(table), if_not_exists=bool(if_not_exists))

    def drop_partition(
        self, if_exists: bool | None, partition: Token, table: Token
    ) -> s.DropPartition:
        return s.DropPartition(str(partition), str(table), if_exists=bool(if_exists))

    def index_name(self, name: Token) -> str:
        return str(name)

    def index_using(self, kind: Token) -> str:
        return str(kind).upper()

    def create_index(
        self,
        name: str | None,
        table: Token,
        field: Token,
        index_type: str | None,
        options: Clause | None,
    ) -> s.CreateIndex:
        return s.CreateIndex(
            str(table),
            str(field),
            name=name,
            index_type=index_type,
            params=options.value if options else {},
        )

    # ---- writes --------------------------------------------------------------------------
    def insert(self, verb: Token, table: Token, *items: Any) -> s.Insert:
        given = {item.key: item.value for item in items if isinstance(item, Clause)}
        rows = tuple(item for item in items if not isinstance(item, Clause))
        columns = given.get("columns")
        if columns is not None:
            check_unique(columns, "column", table)
            for number, row in enumerate(rows, start=1):
                if len(row) != len(columns):
                    raise SemanticError(
                        f"row {number} has {len(row)} values for {len(columns)} columns", verb
                    )
        upsert = verb.type == "UPSERT"
        partial = partial_option(verb, upsert, given.get("with"))
        return s.Insert(
            str(table), rows, columns, given.get("partition"), upsert=upsert, partial=partial
        )

    def delete(self, table: Token, *items: Any) -> s.Delete:
        given = {item.key: item.value for item in items if isinstance(item, Clause)}
        if "where" not in given:
            raise SemanticError(
                "DELETE needs a WHERE clause",
                table,
                hint=f"to delete every row: TRUNCATE TABLE {table} (the schema stays)",
            )
        return s.Delete(str(table), given["where"], given.get("partition"))

    # ---- reads ---------------------------------------------------------------------------
    def column_ref(self, *names: Token) -> str:
        return str(names[-1])  # coll.field names a field of the collection

    def star(self, _star: Token) -> str:
        return "*"

    def partitions(self, *names: Token) -> Clause:
        return Clause("partitions", tuple(str(n) for n in names))

    def in_partitions(self, keyword: Token, *names: Token) -> Clause:
        return Clause("partitions", tuple(str(n) for n in names), keyword)

    def where(self, expr: Any) -> Clause:
        if not isinstance(expr, f.Expr) and not isinstance(expr, bool):
            raise SemanticError(
                f"WHERE needs a condition, not the value {_shown_value(expr)}",
                hint="for example: WHERE label = 'red' AND id > 10",
            )
        condition = expr if isinstance(expr, f.Expr) else f.Literal(expr)
        try:
            return Clause("where", f.to_filter(condition))
        except ValueError as error:  # a value no Milvus filter can hold: an object, inf
            raise SemanticError(str(error)) from None

    def limit(self, limit: Token, offset: Token | None = None) -> Clause:
        whole = number_at(limit), number_at(offset) if offset is not None else 0
        return Clause("limit", whole, limit)

    def returning(self, *columns: str) -> Clause:
        return Clause("return", tuple(columns))

    def one_vector(self, vector: Any) -> tuple[Any, ...]:
        return (float_list_at(vector) if isinstance(vector, Token) else vector,)

    def many_vectors(self, *vectors: Any) -> tuple[Any, ...]:
        return tuple(float_list_at(v) if isinstance(v, Token) else v for v in vectors)

    def embedding_list(self, *vectors: Token) -> tuple[list[float | int], ...]:
        """EMBEDDINGS ([...], ...): one query of several vectors, a tuple (a vector is a list)."""
        return tuple(float_list_at(v) for v in vectors)

    def embeddings_source(self, *queries: tuple[list[float | int], ...]) -> Clause:
        return Clause("source", {"vectors": queries})


def _shown_value(value: Any) -> str:
    """A value as the user wrote it, shortened (even one no filter can hold: an object, inf)."""
    try:
        text = f.render_value(value)
    except ValueError:
        text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."
