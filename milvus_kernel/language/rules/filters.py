"""WHERE rules: SQL and Milvus spellings of a filter → the expression tree of `filters.py`."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from lark import Token, Transformer, v_args

from milvus_kernel.language import filters as f
from milvus_kernel.language.clauses import SemanticError
from milvus_kernel.language.filter_types import GEOMETRY_FUNCTIONS


class Negated:
    """The NOT of NOT IN, NOT LIKE, NOT BETWEEN, IS NOT NULL."""


NEGATED = Negated()


@v_args(inline=True)
class FilterRules(Transformer):
    """Filter rules → `filters.Expr` nodes."""

    def or_expr(self, *parts: f.Expr) -> f.Expr:
        return _fold("or", parts)

    def and_expr(self, *parts: f.Expr) -> f.Expr:
        return _fold("and", parts)

    def not_(self, operand: f.Expr) -> f.Expr:
        return f.Unary("not", _expr(operand))

    def compare(self, left: f.Expr, op: Token, right: f.Expr) -> f.Expr:
        return f.Binary(f.COMPARISONS[str(op)], _expr(left), _expr(right))

    def negated(self) -> Negated:
        return NEGATED

    def in_(self, operand: f.Expr, *values: Any) -> f.Expr:
        negated = bool(values) and values[0] is NEGATED
        items = list(values[1:] if negated else values)
        if len(items) == 1 and isinstance(items[0], list):
            items = items[0]
        return f.Postfix(_expr(operand), "not in" if negated else "in", f.Literal(items))

    def like(self, operand: f.Expr, *rest: Any) -> f.Expr:
        expr = f.Postfix(_expr(operand), "like", f.Literal(rest[-1]))
        return f.Unary("not", expr) if rest[0] is NEGATED else expr

    def between(self, operand: f.Expr, *rest: Any) -> f.Expr:
        low, high = rest[-2:]
        value = _expr(operand)
        expr = f.Binary(
            "and", f.Binary(">=", value, _expr(low)), f.Binary("<=", value, _expr(high))
        )
        return f.Unary("not", expr) if rest[0] is NEGATED else expr

    def is_null(self, operand: f.Expr, *negation: Negated) -> f.Expr:
        return f.Postfix(_expr(operand), "is not null" if negation else "is null")

    def sum(self, *parts: Any) -> f.Expr:
        return _arith(parts)

    def product(self, *parts: Any) -> f.Expr:
        return _arith(parts)

    def power(self, *parts: Any) -> f.Expr:
        return _arith(parts)

    def negate(self, _minus: Token, operand: Any) -> f.Expr:
        return f.Unary("-", _expr(operand))

    def group(self, expr: f.Expr) -> f.Expr:
        return expr

    def call(self, function: Token, *args: Any) -> f.Expr:
        if not f.is_identifier(function):  # a backticked name cannot smuggle an expression
            raise SemanticError(
                f"`{function}` is not a function name: Milvus functions are spelled with "
                "letters, digits and _",
                function,
            )
        name = str(function)
        if name.upper() == "ELEMENT_FILTER":
            return element_filter(function, tuple(_expr(arg) for arg in args))
        if name.upper() in GEOMETRY_FUNCTIONS:  # Milvus takes them all upper or all lower case
            name = name.upper()
        return f.Call(name, tuple(_expr(arg) for arg in args))

    def field_ref(self, *parts: Any) -> f.Expr:
        names = [p for p in parts if isinstance(p, Token)]
        path = tuple(p for p in parts if not isinstance(p, Token))
        return f.FieldRef(str(names[-1]), path)

    def struct_vector(self, column: Token, member: Token) -> Token:
        """`USING items[emb]`: the vector `emb` of the structs in `items` (one field name)."""
        return Token.new_borrow_pos("NAME", f"{column}[{member}]", column)

    def accessor(self, key: Any) -> str | int:
        return int(key) if isinstance(key, Token) else key


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
    for op, operand in zip(parts[1::2], parts[2::2], strict=True):
        result = f.Binary(str(op), result, _expr(operand))
    return result


ELEMENT_FILTER_FORM = "ELEMENT_FILTER(items, qty = 3 OR qty = 5)"


def element_filter(at: Token, args: tuple[f.Expr, ...]) -> f.ElementFilter:
    """`ELEMENT_FILTER(items, qty = 3)`: the ARRAY<STRUCT> column, then a condition on one
    element whose bare names are the struct's sub-fields (each exactly one name: `$[qty]`)."""
    if len(args) != 2:
        raise SemanticError(
            f"ELEMENT_FILTER takes a struct array column and a condition: {ELEMENT_FILTER_FORM}",
            at,
        )
    struct, condition = args
    if not isinstance(struct, f.FieldRef) or struct.path or not _plain(struct.name):
        raise SemanticError(
            "the first argument of ELEMENT_FILTER is the name of an ARRAY<STRUCT<...>> column "
            f"(letters, digits and _): {ELEMENT_FILTER_FORM}",
            at,
        )
    return f.ElementFilter(struct.name, _members(condition, at))


def _plain(name: str) -> bool:
    return f.is_identifier(name) and name.lower() not in f.RESERVED


def _members(expr: f.Expr, at: Token) -> f.Expr:
    """`expr` with every name a sub-field of the struct (`$[name]`)."""
    if isinstance(expr, f.FieldRef):
        if expr.path or not _plain(expr.name):
            shown = expr.name + "".join(f"[{step!r}]" for step in expr.path)
            raise SemanticError(
                f"`{shown}` is not a sub-field name: inside ELEMENT_FILTER a name is one field of "
                "the struct, spelled with letters, digits and _ (and not a keyword)",
                at,
            )
        return f.Member(expr.name)
    if isinstance(expr, f.ElementFilter):
        raise SemanticError("an ELEMENT_FILTER cannot hold another ELEMENT_FILTER", at)
    if isinstance(expr, f.Binary):
        return replace(expr, left=_members(expr.left, at), right=_members(expr.right, at))
    if isinstance(expr, (f.Unary, f.Postfix)):
        return replace(expr, operand=_members(expr.operand, at))
    if isinstance(expr, f.Call):
        return replace(expr, args=tuple(_members(arg, at) for arg in expr.args))
    return expr
