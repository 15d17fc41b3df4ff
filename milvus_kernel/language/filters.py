"""WHERE clauses: a small expression tree and its translation into a Milvus filter expression.

SQL and Milvus spellings parse to the same tree. Rendering re-quotes every string literal
(double quotes, backslash escapes) and writes every name as a bare identifier, so no value a
user types can change the structure of the filter that reaches Milvus.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from milvus_kernel.language.statements import Filter, Value


class Expr:
    """A node of a filter expression."""

    def render(self) -> str:
        raise NotImplementedError

    def fields(self) -> list[str]:
        return []


@dataclass(frozen=True)
class Literal(Expr):
    value: Value

    def render(self) -> str:
        return render_value(self.value)


@dataclass(frozen=True)
class FieldRef(Expr):
    name: str
    path: tuple[str | int, ...] = ()

    def render(self) -> str:
        return self.name + "".join(f"[{render_value(step)}]" for step in self.path)

    def fields(self) -> list[str]:
        return [self.name]


@dataclass(frozen=True)
class Call(Expr):
    function: str
    args: tuple[Expr, ...]

    def render(self) -> str:
        return f"{self.function}({', '.join(arg.render() for arg in self.args)})"

    def fields(self) -> list[str]:
        return [name for arg in self.args for name in arg.fields()]


@dataclass(frozen=True)
class Binary(Expr):
    """Arithmetic, comparison, `and`, `or`: both sides parenthesized when they are compound."""

    op: str
    left: Expr
    right: Expr

    def render(self) -> str:
        return f"{_operand(self.left)} {self.op} {_operand(self.right)}"

    def fields(self) -> list[str]:
        return self.left.fields() + self.right.fields()


@dataclass(frozen=True)
class Unary(Expr):
    op: str  # "not" or "-"
    operand: Expr

    def render(self) -> str:
        inner = _operand(self.operand)
        return f"not {inner}" if self.op == "not" else f"-{inner}"

    def fields(self) -> list[str]:
        return self.operand.fields()


@dataclass(frozen=True)
class Postfix(Expr):
    """`x in [...]`, `x not in [...]`, `x like "p"`, `x is null`, `x is not null`."""

    operand: Expr
    op: str
    argument: Expr | None = None

    def render(self) -> str:
        tail = f" {self.argument.render()}" if self.argument is not None else ""
        return f"{_operand(self.operand)} {self.op}{tail}"

    def fields(self) -> list[str]:
        return self.operand.fields()


_SIMPLE = (Literal, FieldRef, Call)


def _operand(expr: Expr) -> str:
    text = expr.render()
    return text if isinstance(expr, _SIMPLE) else f"({text})"


COMPARISONS = {
    "=": "==",
    "==": "==",
    "<>": "!=",
    "!=": "!=",
    "<": "<",
    "<=": "<=",
    ">": ">",
    ">=": ">=",
}


def render_value(value: Value) -> str:
    """A literal as Milvus filter text: strings always re-quoted, numbers and lists as such."""
    if isinstance(value, str):
        return quote_string(value)
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"{value} cannot be used in a filter")
        return repr(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(render_value(item) for item in value) + "]"
    raise ValueError(f"a {type(value).__name__} value cannot be used in a filter")


_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t", "\0": "\\0"}


def quote_string(value: str) -> str:
    """A Milvus double-quoted string literal holding exactly `value`."""
    if not any(ch in value for ch in _ESCAPES):
        return f'"{value}"'
    return '"' + "".join(_ESCAPES.get(ch, ch) for ch in value) + '"'


def to_filter(expr: Expr) -> Filter:
    """The statement-level filter: the rendered expression, its fields, and get-by-key values."""
    fields = tuple(dict.fromkeys(expr.fields()))
    keys, key_field = _keys(expr)
    return Filter(expr.render(), fields, keys, key_field)


def _keys(expr: Expr) -> tuple[tuple[Value, ...] | None, str | None]:
    """`pk = 5` or `pk IN (1, 2)` on a plain field: the values, so the engine can use a get."""
    if isinstance(expr, Binary) and expr.op == "==":
        pair = (expr.left, expr.right)
        for field, value in (pair, pair[::-1]):
            if isinstance(field, FieldRef) and not field.path and _is_key(value):
                return (value.value,), field.name  # type: ignore[attr-defined]
    if (
        isinstance(expr, Postfix)
        and expr.op == "in"
        and isinstance(expr.operand, FieldRef)
        and not expr.operand.path
        and isinstance(expr.argument, Literal)
        and isinstance(expr.argument.value, (list, tuple))
        and expr.argument.value
        and all(_is_key(Literal(v)) for v in expr.argument.value)
    ):
        return tuple(expr.argument.value), expr.operand.name
    return None, None


def _is_key(expr: Expr) -> bool:
    """A literal that can be a primary-key value (an integer or a string, not a boolean)."""
    return (
        isinstance(expr, Literal)
        and isinstance(expr.value, (int, str))
        and not isinstance(expr.value, bool)
    )
