"""Filters on the types of Milvus 2.6: TIMESTAMPTZ comparisons and the geometry functions.

Milvus compares a TIMESTAMPTZ field only with an `ISO "..."` literal (a plain string is a type
error), and the language cannot know, while parsing, which fields are timestamps. So a filter
keeps its tree (`Filter.tree`); once the engine knows the schema it calls `retimed` with the
TIMESTAMPTZ fields, and every string compared with one of them (`=`, `<>`, `<`, `<=`, `>`, `>=`,
BETWEEN, IN) becomes a `TimeLiteral`, written `ISO "<the value, normalized>"`. The value is
still quoted by the renderer (`quote_string`), so no value can change the filter's structure.
`element_filters` says which struct array columns (and sub-fields) ELEMENT_FILTERs test.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace

from milvus_kernel.language.filters import (
    COMPARISONS,
    Binary,
    Call,
    ElementFilter,
    Expr,
    FieldRef,
    Literal,
    Member,
    Postfix,
    Unary,
    quote_string,
    to_filter,
)
from milvus_kernel.language.statements import Filter

#: the geometry functions of Milvus 2.6 filters (`ST_WITHIN(place, 'POLYGON (...)')`)
GEOMETRY_FUNCTIONS = (
    "ST_EQUALS",
    "ST_TOUCHES",
    "ST_OVERLAPS",
    "ST_CROSSES",
    "ST_CONTAINS",
    "ST_INTERSECTS",
    "ST_WITHIN",
    "ST_DWITHIN",
    "ST_ISVALID",
)
_ORDERINGS = frozenset(COMPARISONS.values())


@dataclass(frozen=True)
class TimeLiteral(Expr):
    """A TIMESTAMPTZ value: `ISO "2025-03-01T00:00:00Z"`."""

    atomic = True
    value: str

    def render(self) -> str:
        return "ISO " + quote_string(self.value)


def nodes(expr: Expr) -> Iterator[Expr]:
    """`expr` and every expression inside it."""
    yield expr
    children: tuple[Expr | None, ...] = ()
    if isinstance(expr, Binary):
        children = (expr.left, expr.right)
    elif isinstance(expr, Unary):
        children = (expr.operand,)
    elif isinstance(expr, Postfix):
        children = (expr.operand, expr.argument)
    elif isinstance(expr, Call):
        children = expr.args
    for child in children:
        if child is not None:
            yield from nodes(child)


def functions(where: Filter | None) -> set[str]:
    """The functions a filter calls, upper case."""
    if where is None or where.tree is None:
        return set()
    return {node.function.upper() for node in nodes(where.tree) if isinstance(node, Call)}


def element_filters(where: Filter | None) -> dict[str, set[str]]:
    """The struct array columns a filter's ELEMENT_FILTERs test, each with the sub-fields its
    conditions name."""
    found: dict[str, set[str]] = {}
    if where is None or where.tree is None:
        return found
    for node in nodes(where.tree):
        if isinstance(node, ElementFilter):
            named = {n.name for n in nodes(node.condition) if isinstance(n, Member)}
            found.setdefault(node.struct, set()).update(named)
    return found


def _plain_field(expr: Expr) -> str | None:
    return expr.name if isinstance(expr, FieldRef) and not expr.path else None


def _string(expr: Expr | None) -> bool:
    return isinstance(expr, Literal) and isinstance(expr.value, str)


def _string_list(expr: Expr | None) -> bool:
    if not isinstance(expr, Literal) or not isinstance(expr.value, (list, tuple)):
        return False
    return bool(expr.value) and all(isinstance(v, str) for v in expr.value)


def compared_with_strings(where: Filter | None) -> dict[str, list[str]]:
    """The plain fields a filter compares with string literals (candidates for timestamps),
    each with those strings."""
    found: dict[str, list[str]] = {}
    if where is None or where.tree is None:
        return found
    for node in nodes(where.tree):
        if isinstance(node, Binary) and node.op in _ORDERINGS:
            for field, other in ((node.left, node.right), (node.right, node.left)):
                name = _plain_field(field)
                if name is not None and _string(other):
                    found.setdefault(name, []).append(other.value)  # type: ignore[attr-defined]
        elif isinstance(node, Postfix) and node.op in ("in", "not in"):
            name = _plain_field(node.operand)
            if name is not None and _string_list(node.argument):
                found.setdefault(name, []).extend(node.argument.value)  # type: ignore[union-attr]
    return found


Normalize = Callable[[str], str]


@dataclass(frozen=True)
class TimeList(Expr):
    """`[ISO "...", ISO "..."]`: the list of an IN over a TIMESTAMPTZ field."""

    atomic = True
    values: tuple[TimeLiteral, ...]

    def render(self) -> str:
        return "[" + ", ".join(item.render() for item in self.values) + "]"


def _time(expr: Expr, normalize: Normalize) -> TimeLiteral:
    assert isinstance(expr, Literal)
    return TimeLiteral(normalize(expr.value))


def _time_list(expr: Expr, normalize: Normalize) -> TimeList:
    assert isinstance(expr, Literal)
    return TimeList(tuple(TimeLiteral(normalize(v)) for v in expr.value))


def _retime(expr: Expr, fields: frozenset[str], normalize: Normalize) -> Expr:
    if isinstance(expr, Binary):
        left, right = expr.left, expr.right
        if expr.op in _ORDERINGS and _plain_field(left) in fields and _string(right):
            return replace(expr, right=_time(right, normalize))
        if expr.op in _ORDERINGS and _plain_field(right) in fields and _string(left):
            return replace(expr, left=_time(left, normalize))
        return replace(
            expr, left=_retime(left, fields, normalize), right=_retime(right, fields, normalize)
        )
    if isinstance(expr, Unary):
        return replace(expr, operand=_retime(expr.operand, fields, normalize))
    if isinstance(expr, Postfix):
        in_list = expr.op in ("in", "not in") and _string_list(expr.argument)
        if in_list and _plain_field(expr.operand) in fields:
            return replace(expr, argument=_time_list(expr.argument, normalize))
        return replace(expr, operand=_retime(expr.operand, fields, normalize))
    if isinstance(expr, Call):
        return replace(expr, args=tuple(_retime(a, fields, normalize) for a in expr.args))
    return expr


def retimed(where: Filter, fields: set[str], normalize: Normalize) -> Filter:
    """`where` with the strings compared with `fields` (TIMESTAMPTZ) written as ISO literals;
    `normalize` checks each value and returns the text to send (it may raise ValueError)."""
    if where.tree is None or not fields:
        return where
    return to_filter(_retime(where.tree, frozenset(fields), normalize))
