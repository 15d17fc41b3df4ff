"""WHERE clauses: a small expression tree and its translation into a Milvus filter expression.

SQL and Milvus spellings parse to the same tree. Rendering re-quotes every string literal
(double quotes, backslash escapes) and writes every name as exactly one name: a plain
identifier bare, anything else (or a keyword such as `or`) as the dynamic key `$meta["..."]`.
So no name or value a user types, and no Python value bound by the magic (whatever its
`__str__`), can change the structure of the filter that reaches Milvus. The same module says
which output-field names Milvus would read as more than a name, and how a get by primary key
is written when pymilvus's own (unescaped) key filter would not hold the keys. Inside
ELEMENT_FILTER(items, qty = 3) the names are the struct's sub-fields, written `$[qty]`.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import ClassVar

from milvus_kernel.language.statements import Filter, Value


class Expr:
    """A node of a filter expression."""

    #: written bare as an operand (a literal, a name, a call); others get parentheses
    atomic: ClassVar[bool] = False

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
        return render_name(self.name) + "".join(f"[{render_value(step)}]" for step in self.path)

    def fields(self) -> list[str]:
        return [self.name]


@dataclass(frozen=True)
class Call(Expr):
    function: str
    args: tuple[Expr, ...]

    def render(self) -> str:
        if not is_identifier(self.function):
            raise ValueError(f"{self.function!r} is not a function name")
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


@dataclass(frozen=True)
class Member(Expr):
    """A sub-field of the struct an ELEMENT_FILTER tests: `$[qty]` (one identifier, always)."""

    atomic = True
    name: str

    def render(self) -> str:
        if not is_identifier(self.name) or self.name.lower() in RESERVED:
            raise ValueError(f"{self.name!r} is not a struct sub-field name")
        return f"$[{self.name}]"


@dataclass(frozen=True)
class ElementFilter(Expr):
    """`element_filter(items, $[qty] == 3 or ...)`: the rows with an element of the ARRAY<STRUCT>
    `struct` that matches `condition` (whose names are `Member`s of that struct)."""

    atomic = True
    struct: str
    condition: Expr

    def render(self) -> str:
        if not is_identifier(self.struct) or self.struct.lower() in RESERVED:
            raise ValueError(f"{self.struct!r} is not a struct field name")
        return f"element_filter({self.struct}, {self.condition.render()})"

    def fields(self) -> list[str]:
        return [self.struct]


_SIMPLE = (Literal, FieldRef, Call)


def _operand(expr: Expr) -> str:
    text = expr.render()
    return text if expr.atomic or isinstance(expr, _SIMPLE) else f"({text})"


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


_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")

#: Words the filter parsers of Milvus (server and Lite) read as operators or constants (Lite in
#: any case): a field or key spelled like one is written as `$meta["..."]` so it stays a name.
RESERVED = frozenset(["and", "or", "not", "in", "like", "is", "null", "exists", "true", "false"])


def is_identifier(name: str) -> bool:
    """Letters, digits and `_`, not starting with a digit: how Milvus spells a field name."""
    return _IDENTIFIER.fullmatch(str.__str__(name)) is not None


def render_name(name: str) -> str:
    """A field or dynamic key as exactly one name of a filter: bare, or `$meta["..."]`."""
    name = str.__str__(name)
    if is_identifier(name) and name.lower() not in RESERVED:
        return name
    return f"$meta[{quote_string(name)}]"


_OUTPUT_SYNTAX = re.compile(r"[()\[\]$*%]")


def output_name_problem(name: str) -> str | None:
    """Why `name` cannot be asked for as an output field (RETURN, SELECT, GROUP BY), or None.

    Milvus reads an output field `*`, `$meta`, `count(*)` or `a["k"]` as more than a name;
    any other spelling is looked up as one field or one dynamic key.
    """
    if is_identifier(name) or not _OUTPUT_SYNTAX.search(str.__str__(name)):
        return None
    return (
        f"`{name}` cannot be read as a column: Milvus reads ( ) [ ] $ * % in an output field "
        "as more than a name"
    )


def render_value(value: Value) -> str:
    """A literal as Milvus filter text: strings always re-quoted, numbers and lists as such.

    Subclasses of str, int, float, list and tuple are rendered by their base type's value, so
    an overridden `__str__`, `__repr__`, `__format__` or `__iter__` changes nothing.
    """
    if isinstance(value, str):
        return quote_string(value)
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return int.__repr__(value)
    if isinstance(value, float):
        number = float.__float__(value)
        if not math.isfinite(number):
            raise ValueError(f"{float.__repr__(number)} cannot be used in a filter")
        return float.__repr__(number)
    if isinstance(value, list):
        return "[" + ", ".join(render_value(item) for item in list.__iter__(value)) + "]"
    if isinstance(value, tuple):
        return "[" + ", ".join(render_value(item) for item in tuple.__iter__(value)) + "]"
    raise ValueError(f"a {type(value).__name__} value cannot be used in a filter")


# What both Milvus filter parsers (the server's and Lite's) read back: `\\ \" \n \r \t`.
# Every other character, NUL and control characters included, is written as itself (Lite knows
# no `\0` or `\u` escape); a raw line break would end the string, so those are escaped.
_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"}
_NEEDS_ESCAPE = re.compile(r'[\\"\n\r\t]')


def quote_string(value: str) -> str:
    """A Milvus double-quoted string literal holding exactly `value` (a str, by its value)."""
    text = str.__str__(value)
    problem = surrogate_problem(text)
    if problem:
        raise ValueError(problem)
    return '"' + _NEEDS_ESCAPE.sub(lambda m: _ESCAPES[m.group()], text) + '"'


SURROGATE_HINT = "a lone surrogate is half of a UTF-16 pair: drop it, or join it to its pair"


def surrogate_problem(text: str, what: str = "the string", where: str = "") -> str | None:
    """Why `text` cannot be sent to Milvus (it holds a lone surrogate, not UTF-8), or None."""
    at = lone_surrogate(text)
    if at is None:
        return None
    return (
        f"{what} {text[:40]!a}{where} holds a lone surrogate (U+{ord(text[at]):04X} at "
        f"character {at + 1}), which no Milvus string can hold"
    )


def lone_surrogate(text: str) -> int | None:
    """The index of the first lone surrogate in `text` (not valid UTF-8), or None."""
    if text.isascii():
        return None
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as error:
        return error.start
    return None


def utf8_safe(text: str) -> str:
    """`text` with each lone surrogate written as `\\udXXX`: what a Jupyter message can carry
    (a cell's JSON may hold one; echoing it raw would make the kernel's reply unsendable)."""
    if lone_surrogate(text) is None:
        return text
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


_UNSAFE_KEY = re.compile(r"['\\\n\r]")


def packs_safely(keys: list[Value] | tuple[Value, ...], varchar: bool) -> bool:
    """Whether pymilvus's `get(ids=...)` writes these keys into its own filter as themselves.

    It escapes nothing: a VARCHAR key goes between single quotes as it is, any other key is
    written with `str()`. A key that could break out (a quote, a backslash, a line break, a
    subclass, a string for a number) must be read with `key_expression` instead.
    """
    if varchar:
        return all(type(key) is str and not _UNSAFE_KEY.search(key) for key in keys)
    return all(type(key) is int for key in keys)


def key_expression(name: str, keys: list[Value] | tuple[Value, ...]) -> str:
    """`<name> in [keys]`, every key quoted by value: the filter of a get by primary key."""
    return f"{render_name(name)} in {render_value(list(keys))}"


def to_filter(expr: Expr) -> Filter:
    """The statement-level filter: the rendered expression, its fields, and get-by-key values."""
    fields = tuple(dict.fromkeys(expr.fields()))
    keys, key_field = _keys(expr)
    return Filter(expr.render(), fields, keys, key_field, tree=expr)


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
