"""Turns Lark parse trees into statement dataclasses (and WHERE trees into filter expressions).

Checks that the grammar cannot express (a duplicated clause, an unknown column type, a
non-integer vector index) raise `SemanticError` at the offending token, so the user gets the
same line, column and caret as for any syntax error.
"""

from __future__ import annotations

import json
import re
from typing import Any

from lark import Token, Transformer, v_args

from milvus_kernel.language import filters as f
from milvus_kernel.language import statements as s

TYPE_NAMES = {
    "BOOL": "BOOL", "BOOLEAN": "BOOL",
    "INT8": "INT8", "TINYINT": "INT8",
    "INT16": "INT16", "SMALLINT": "INT16",
    "INT32": "INT32", "INT": "INT32", "INTEGER": "INT32",
    "INT64": "INT64", "BIGINT": "INT64",
    "FLOAT": "FLOAT", "REAL": "FLOAT",
    "DOUBLE": "DOUBLE",
    "VARCHAR": "VARCHAR", "STRING": "VARCHAR", "TEXT": "VARCHAR",
    "JSON": "JSON",
    "ARRAY": "ARRAY",
    "FLOAT_VECTOR": "FLOAT_VECTOR", "VECTOR": "FLOAT_VECTOR",
    "SPARSE_FLOAT_VECTOR": "SPARSE_FLOAT_VECTOR", "SPARSE_VECTOR": "SPARSE_FLOAT_VECTOR",
    "BINARY_VECTOR": "BINARY_VECTOR",
    "FLOAT16_VECTOR": "FLOAT16_VECTOR",
    "BFLOAT16_VECTOR": "BFLOAT16_VECTOR",
    "INT8_VECTOR": "INT8_VECTOR",
}
DIM_TYPES = {"FLOAT_VECTOR", "BINARY_VECTOR", "FLOAT16_VECTOR", "BFLOAT16_VECTOR", "INT8_VECTOR"}
VECTOR_METRICS = {"<->": "L2", "<=>": "COSINE", "<#>": "IP"}
DEFAULT_VARCHAR_LENGTH = 65535


class SemanticError(Exception):
    """A well-formed statement that means nothing: reported at `token` like a syntax error."""

    def __init__(self, message: str, token: Token | None = None, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.token = token
        self.hint = hint


def _name(item: Any) -> str:
    return str(item)


_ESCAPE = re.compile(r"\\(u[0-9a-fA-F]{4}|.)", re.S)
_ESCAPED = {"n": "\n", "t": "\t", "r": "\r", "0": "\0", "\\": "\\", '"': '"', "'": "'", "b": "\b", "f": "\f"}


def _unescape(match: re.Match[str]) -> str:
    code = match.group(1)
    if code.startswith("u") and len(code) == 5:
        return chr(int(code[1:], 16))
    # unknown escapes stay as typed, so LIKE patterns keep `\%` and `\_`
    return _ESCAPED.get(code, "\\" + code)


def string_value(token: Token) -> str:
    text = str(token)
    if token.type == "SINGLE_QUOTED":
        return text[1:-1].replace("''", "'")
    body = text[1:-1]
    return _ESCAPE.sub(_unescape, body) if "\\" in body else body


def number_value(text: str) -> int | float:
    if text.isdigit():
        return int(text)
    return float(text)


def float_list(text: str) -> list[float | int]:
    try:
        return json.loads(text)
    except ValueError:
        return [number_value(part.strip().lstrip("+")) for part in text[1:-1].split(",")]


def _single(clauses: list[tuple[str, Any, Token | None]]) -> dict[str, Any]:
    """Keyword clauses given in any order, each at most once."""
    seen: dict[str, Any] = {}
    for key, value, token in clauses:
        if key in seen:
            raise SemanticError(f"{key.upper()} is given twice", token)
        seen[key] = value
    return seen


class Clause:
    """An optional clause of a statement, before it is folded into the statement's fields."""

    __slots__ = ("key", "token", "value")

    def __init__(self, key: str, value: Any, token: Token | None = None) -> None:
        self.key, self.value, self.token = key, value, token


@v_args(inline=True)
class ToStatements(Transformer):
    """Tree → `Statement`. Filter rules return `filters.Expr`, value rules plain Python values."""

    # ---- values --------------------------------------------------------------------------
    def string(self, token: Token) -> str:
        return string_value(token)

    def name(self, token: Token) -> Token:
        if token.type == "QUOTED_NAME":
            return Token("NAME", str(token)[1:-1], token.start_pos, token.line, token.column)
        return token

    def number(self, token: Token) -> int | float:
        return number_value(str(token))

    def negative(self, _minus: Token, token: Token) -> int | float:
        return -number_value(str(token))

    def true(self) -> bool:
        return True

    def false(self) -> bool:
        return False

    def null(self) -> None:
        return None

    def float_list(self, token: Token) -> list[Any]:
        return float_list(str(token))

    def list_of(self, *items: Any) -> list[Any]:
        return list(items)

    def pair(self, key: Any, value: Any) -> tuple[Any, Any]:
        if isinstance(key, Token):
            key = number_value(str(key))
        return key, value

    def object_literal(self, *pairs: tuple[Any, Any]) -> dict[Any, Any]:
        return dict(pairs)

    def dotted_name(self, *parts: Token) -> str:
        return ".".join(str(part) for part in parts)

    def option(self, key: str, _eq: Token, value: Any) -> tuple[str, Any]:
        return key, value

    def options(self, *items: tuple[str, Any]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, value in items:
            if key in out:
                raise SemanticError(f"option {key} is given twice")
            out[key] = value
        return out

    def with_options(self, options: dict[str, Any]) -> Clause:
        return Clause("with", options)

    def partition(self, name: Token) -> Clause:
        return Clause("partition", str(name))

    def name_list(self, *names: Token) -> Clause:
        return Clause("columns", tuple(str(n) for n in names))

    def row(self, *values: Any) -> tuple[Any, ...]:
        return values

    # ---- connection and session ----------------------------------------------------------
    def connect(self, target: Any, *options: tuple[str, Any]) -> s.Connect:
        given = _single([(key, value, None) for key, value in options])
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

    def opt_alias(self, value: Token) -> tuple[str, str]:
        return "alias", str(value)

    def seed_connect(self, token: Token) -> s.Connect:
        return s.Connect("http://" + str(token)[len("milvus://"):])

    def disconnect(self) -> s.Disconnect:
        return s.Disconnect()

    def show_connection(self) -> s.ShowConnection:
        return s.ShowConnection()

    def set_option(self, name: str, *rest: Any) -> s.SetOption:
        value = rest[-1]
        return s.SetOption(name.lower(), value)

    def show_settings(self) -> s.ShowSettings:
        return s.ShowSettings()

    # ---- collections ---------------------------------------------------------------------
    def if_not_exists(self) -> Clause:
        return Clause("if_not_exists", True)

    def if_exists(self) -> Clause:
        return Clause("if_exists", True)

    def create_table(self, *items: Any) -> s.CreateTable:
        flags = {item.key: item.value for item in items if isinstance(item, Clause)}
        name = next(item for item in items if isinstance(item, Token))
        columns = next((item for item in items if isinstance(item, list)), [])
        _check_columns(columns)
        return s.CreateTable(
            str(name),
            tuple(columns),
            flags.get("with", {}),
            if_not_exists=flags.get("if_not_exists", False),
        )

    def column_list(self, *columns: s.ColumnDef) -> list[s.ColumnDef]:
        return list(columns)

    def plain_type(self, name: Token, size: Token | None = None) -> tuple[s.FieldType, Token]:
        kind = _type_name(name)
        if kind == "ARRAY":
            raise SemanticError("ARRAY needs an element type: ARRAY<INT64>(capacity)", name)
        if kind in DIM_TYPES:
            if size is None:
                raise SemanticError(f"{kind} needs a dimension, e.g. {name}(128)", name)
            return s.FieldType(kind, dim=int(size)), name
        if kind == "VARCHAR":
            length = int(size) if size is not None else DEFAULT_VARCHAR_LENGTH
            return s.FieldType(kind, length=length), name
        if size is not None:
            raise SemanticError(f"{kind} takes no size", size)
        return s.FieldType(kind), name

    def array_type(
        self, name: Token, _lt: Token, element: tuple[s.FieldType, Token], _gt: Token,
        capacity: Token | None = None,
    ) -> tuple[s.FieldType, Token]:
        if _type_name(name) != "ARRAY":
            raise SemanticError(f"only ARRAY takes an element type, not {name}", name)
        inner, inner_token = element
        if inner.is_vector or inner.name in ("ARRAY", "JSON"):
            raise SemanticError(f"an ARRAY cannot hold {inner.name}", inner_token)
        if capacity is None:
            raise SemanticError("ARRAY needs a capacity: ARRAY<INT64>(16)", name)
        return s.FieldType("ARRAY", element=inner, capacity=int(capacity)), name

    def column_def(self, name: Token, typed: tuple[s.FieldType, Token], *constraints: Clause) -> s.ColumnDef:
        field_type = typed[0]
        given = _single([(c.key, c.value, c.token) for c in constraints])
        if "not_null" in given and "null" in given:
            raise SemanticError(f"column {name} cannot be both NULL and NOT NULL", name)
        given.pop("null", None)
        if given.get("bm25_source") and field_type.name != "SPARSE_FLOAT_VECTOR":
            raise SemanticError("a BM25 column must be SPARSE_FLOAT_VECTOR", name)
        if (given.get("analyzer") or given.get("match")) and field_type.name != "VARCHAR":
            raise SemanticError("ANALYZER and MATCH apply to VARCHAR columns", name)
        analyzer = given.pop("analyzer", None)
        if analyzer is not None:
            given["analyzer"] = True
            given["analyzer_params"] = analyzer or None
        return s.ColumnDef(str(name), field_type, **given)

    def c_primary_key(self) -> Clause:
        return Clause("primary_key", True)

    def c_auto_id(self) -> Clause:
        return Clause("auto_id", True)

    def c_not_null(self) -> Clause:
        return Clause("not_null", True)

    def c_null(self) -> Clause:
        return Clause("null", True)

    def c_default(self, value: Any) -> Clause:
        return Clause("default", value)

    def c_partition_key(self) -> Clause:
        return Clause("partition_key", True)

    def c_analyzer(self, params: dict[str, Any] | None = None) -> Clause:
        return Clause("analyzer", params or {})

    def c_match(self) -> Clause:
        return Clause("match", True)

    def c_bm25(self, source: Token) -> Clause:
        return Clause("bm25_source", str(source))

    def c_comment(self, text: str) -> Clause:
        return Clause("description", text)

    def drop_table(self, *items: Any) -> s.DropTable:
        return s.DropTable(str(items[-1]), if_exists=len(items) > 1)

    def show_tables(self) -> s.ShowTables:
        return s.ShowTables()

    def describe_table(self, name: Token) -> s.DescribeTable:
        return s.DescribeTable(str(name))

    def load_table(self, name: Token) -> s.LoadTable:
        return s.LoadTable(str(name))

    def release_table(self, name: Token) -> s.ReleaseTable:
        return s.ReleaseTable(str(name))

    # ---- partitions and indexes ----------------------------------------------------------
    def create_partition(self, *items: Any) -> s.CreatePartition:
        return s.CreatePartition(str(items[-2]), str(items[-1]), if_not_exists=len(items) > 2)

    def drop_partition(self, *items: Any) -> s.DropPartition:
        return s.DropPartition(str(items[-2]), str(items[-1]), if_exists=len(items) > 2)

    def show_partitions(self, name: Token) -> s.ShowPartitions:
        return s.ShowPartitions(str(name))

    def index_name(self, name: Token) -> Clause:
        return Clause("name", str(name))

    def index_using(self, kind: Token) -> Clause:
        return Clause("using", str(kind).upper())

    def create_index(self, *items: Any) -> s.CreateIndex:
        given = {item.key: item.value for item in items if isinstance(item, Clause)}
        table, field = (str(item) for item in items if isinstance(item, Token))
        return s.CreateIndex(
            table, field, name=given.get("name"), index_type=given.get("using"),
            params=given.get("with", {}),
        )

    def drop_index(self, name: Token, table: Token) -> s.DropIndex:
        return s.DropIndex(str(name), str(table))

    def show_indexes(self, table: Token) -> s.ShowIndexes:
        return s.ShowIndexes(str(table))

    def describe_index(self, name: Token, table: Token) -> s.DescribeIndex:
        return s.DescribeIndex(str(name), str(table))

    # ---- writes --------------------------------------------------------------------------
    def insert(self, verb: Token, table: Token, *items: Any) -> s.Insert:
        given = {item.key: item.value for item in items if isinstance(item, Clause)}
        rows = tuple(item for item in items if not isinstance(item, Clause))
        columns = given.get("columns")
        if columns is not None:
            _check_unique(columns, "column", table)
            for number, row in enumerate(rows, start=1):
                if len(row) != len(columns):
                    raise SemanticError(
                        f"row {number} has {len(row)} values for {len(columns)} columns", verb
                    )
        return s.Insert(
            str(table), rows, columns, given.get("partition"), upsert=verb.type == "UPSERT"
        )

    def delete(self, table: Token, *items: Any) -> s.Delete:
        given = {item.key: item.value for item in items if isinstance(item, Clause)}
        if "where" not in given:
            raise SemanticError(
                "DELETE needs a WHERE clause",
                table,
                hint="to delete every row, write DELETE FROM t WHERE <pk> >= 0, or drop the table",
            )
        return s.Delete(str(table), given["where"], given.get("partition"))

    # ---- reads ---------------------------------------------------------------------------
    def column_ref(self, *names: Token) -> str:
        return str(names[-1])  # coll.field names a field of the collection

    def star(self, _star: Token) -> str:
        return "*"

    def select_count(self, _star: Token) -> Clause:
        return Clause("count", True)

    def select_columns(self, *columns: str) -> Clause:
        return Clause("columns", tuple(columns))

    def partitions(self, *names: Token) -> Clause:
        return Clause("partitions", tuple(str(n) for n in names))

    def in_partitions(self, clause: Clause) -> Clause:
        return clause

    def where(self, expr: f.Expr) -> Clause:
        return Clause("where", f.to_filter(expr))

    def limit(self, limit: Token, offset: Token | None = None) -> Clause:
        return Clause("limit", (int(limit), int(offset) if offset is not None else 0), limit)

    def order_by(self, field: Token, op: Token, vectors: tuple[Any, ...]) -> Clause:
        return Clause("order_by", (str(field), VECTOR_METRICS[str(op)], vectors), op)

    def returning(self, *columns: str) -> Clause:
        return Clause("return", tuple(columns))

    def one_vector(self, vector: Any) -> tuple[Any, ...]:
        return (float_list(str(vector)) if isinstance(vector, Token) else vector,)

    def many_vectors(self, *vectors: Any) -> tuple[Any, ...]:
        return tuple(float_list(str(v)) if isinstance(v, Token) else v for v in vectors)

    def select(self, selected: Clause, table: Token, *clauses: Clause) -> s.Select | s.Search:
        given = {clause.key: clause.value for clause in clauses}
        where = given.get("where")
        partitions = given.get("partitions", ())
        options = given.get("with", {})
        limit, offset = given.get("limit", (None, 0))
        if "order_by" in given:
            field, metric, vectors = given["order_by"]
            if selected.key == "count":
                raise SemanticError("COUNT(*) cannot be ordered by distance", table)
            if limit is None:
                raise SemanticError(
                    "a vector search needs LIMIT k", table, hint="add LIMIT 10 after the vector"
                )
            columns = selected.value
            return s.Search(
                str(table), vectors, anns_field=field, partitions=partitions, where=where,
                output_fields=tuple(c for c in columns if c != "distance"), limit=limit,
                offset=offset, params=options, metric=metric, projection=columns,
            )
        if options:
            raise SemanticError("WITH (...) applies to vector searches (ORDER BY v <-> [...])", table)
        if selected.key == "count":
            return s.Select(str(table), (), partitions, where, limit, offset, count=True)
        return s.Select(str(table), selected.value, partitions, where, limit, offset)

    def search(self, table: Token, *items: Any) -> s.Search:
        anns_field = next((str(item) for item in items if isinstance(item, Token)), None)
        vectors = next(item for item in items if isinstance(item, tuple))
        clauses = [item for item in items if isinstance(item, Clause)]
        given = _single([(c.key, c.value, c.token) for c in clauses])
        limit, offset = given.get("limit", (10, 0))
        params = dict(given.get("with", {}))
        metric = params.pop("metric_type", None)
        return s.Search(
            str(table), vectors, anns_field=anns_field, partitions=given.get("partitions", ()),
            where=given.get("where"), output_fields=given.get("return", ()), limit=limit,
            offset=offset, params=params, metric=str(metric).upper() if metric else None,
        )

    # ---- filters -------------------------------------------------------------------------
    def or_expr(self, *parts: f.Expr) -> f.Expr:
        return _fold("or", parts)

    def and_expr(self, *parts: f.Expr) -> f.Expr:
        return _fold("and", parts)

    def not_(self, operand: f.Expr) -> f.Expr:
        return f.Unary("not", _expr(operand))

    def compare(self, left: f.Expr, op: Token, right: f.Expr) -> f.Expr:
        return f.Binary(f.COMPARISONS[str(op)], _expr(left), _expr(right))

    def in_(self, operand: f.Expr, *values: Any) -> f.Expr:
        negated = bool(values) and isinstance(values[0], Token)
        items = list(values[1:] if negated else values)
        if len(items) == 1 and isinstance(items[0], list):
            items = items[0]
        return f.Postfix(_expr(operand), "not in" if negated else "in", f.Literal(items))

    def like(self, operand: f.Expr, *rest: Any) -> f.Expr:
        expr = f.Postfix(_expr(operand), "like", f.Literal(rest[-1]))
        return f.Unary("not", expr) if len(rest) == 2 else expr

    def between(self, operand: f.Expr, *rest: Any) -> f.Expr:
        negated = len(rest) == 3
        low, high = rest[-2:]
        value = _expr(operand)
        expr = f.Binary("and", f.Binary(">=", value, _expr(low)), f.Binary("<=", value, _expr(high)))
        return f.Unary("not", expr) if negated else expr

    def is_null(self, operand: f.Expr, *negation: Token) -> f.Expr:
        return f.Postfix(_expr(operand), "is not null" if negation else "is null")

    def sum(self, *parts: Any) -> f.Expr:
        return _arith(parts)

    def product(self, *parts: Any) -> f.Expr:
        return _arith(parts)

    def negate(self, _minus: Token, operand: Any) -> f.Expr:
        return f.Unary("-", _expr(operand))

    def group(self, expr: f.Expr) -> f.Expr:
        return expr

    def call(self, function: Token, *args: Any) -> f.Expr:
        return f.Call(str(function), tuple(_expr(arg) for arg in args))

    def field_ref(self, *parts: Any) -> f.Expr:
        names = [p for p in parts if isinstance(p, Token)]
        path = tuple(p for p in parts if not isinstance(p, Token))
        return f.FieldRef(str(names[-1]), path)

    def accessor(self, key: Any) -> str | int:
        return int(key) if isinstance(key, Token) else key


def _check_unique(names: tuple[str, ...], what: str, token: Token | None) -> None:
    for name in names:
        if names.count(name) > 1:
            raise SemanticError(f"{what} {name} is given twice", token)


def _type_name(token: Token) -> str:
    kind = TYPE_NAMES.get(str(token).upper())
    if kind is None:
        raise SemanticError(
            f"unknown column type {token}",
            token,
            hint="types: " + ", ".join(sorted(set(TYPE_NAMES.values()))),
        )
    return kind


def _check_columns(columns: list[s.ColumnDef]) -> None:
    _check_unique(tuple(c.name for c in columns), "column", None)
    if columns and sum(c.primary_key for c in columns) != 1:
        raise SemanticError("a collection needs exactly one PRIMARY KEY column")


def _expr(value: Any) -> f.Expr:
    """Operands that came through value rules (numbers, strings, lists) become literals."""
    return value if isinstance(value, f.Expr) else f.Literal(value)


def _fold(op: str, parts: tuple[f.Expr, ...]) -> f.Expr:
    result = _expr(parts[0])
    for part in parts[1:]:
        result = f.Binary(op, result, _expr(part))
    return result


def _arith(parts: tuple[Any, ...]) -> f.Expr:
    result = _expr(parts[0])
    for op, operand in zip(parts[1::2], parts[2::2]):
        result = f.Binary(str(op), result, _expr(operand))
    return result
