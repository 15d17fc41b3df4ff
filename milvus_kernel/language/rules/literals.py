"""Literal values in the tree: strings (both quotings), numbers, vectors, lists, objects, options.

A list of plain numbers arrives as one FLOAT_LIST token and is decoded by `json.loads`, so a
cell with megabytes of vectors costs one C-speed decode per vector. A long VALUES list of only
numbers and flat lists of numbers is decoded whole by one `json.loads` (`numeric_rows`); anything
else in it, or anything wrong, leaves it to the grammar, which reports the error where it is.
"""

from __future__ import annotations

import json
import re
from typing import Any

from lark import Token, Transformer, v_args

from milvus_kernel.language.clauses import Clause, SemanticError
from milvus_kernel.language.filters import SURROGATE_HINT, surrogate_problem

_ESCAPE = re.compile(r"\\(u[0-9a-fA-F]{4}|.)", re.S)
_ESCAPED = {
    "n": "\n",
    "t": "\t",
    "r": "\r",
    "0": "\0",
    "\\": "\\",
    '"': '"',
    "'": "'",
    "b": "\b",
    "f": "\f",
}


def _unescape(match: re.Match[str]) -> str:
    code = match.group(1)
    if code.startswith("u") and len(code) == 5:
        return chr(int(code[1:], 16))
    # unknown escapes stay as typed, so LIKE patterns keep `\%` and `\_`
    return _ESCAPED.get(code, "\\" + code)


def string_value(text: str) -> str:
    """The value of a quoted string: SQL rules in single quotes, backslash escapes in double."""
    if text[0] == "'":
        return text[1:-1].replace("''", "'")
    body = text[1:-1]
    return _ESCAPE.sub(_unescape, body) if "\\" in body else body


def checked_text(value: str, token: Token, what: str = "the string") -> str:
    """`value`, or a SemanticError at `token` when it holds a lone surrogate (a string from
    a `\\udXXX` escape, or pasted, that no Milvus string can hold)."""
    problem = surrogate_problem(value, what)
    if problem:
        raise SemanticError(problem, token, hint=SURROGATE_HINT)
    return value


def number_value(text: str) -> int | float:
    """The number a NUMBER token spells; ValueError (with the reason) for one no type can hold."""
    if "." in text or "e" in text or "E" in text:
        value = float(text)
        if value in _INFINITE:
            raise ValueError(f"the number {_shown(text)} is out of range ({_DOUBLE_RANGE})")
        return value
    try:
        return int(text)
    except ValueError:  # Python refuses to read integers of thousands of digits
        digits = len(text.strip().lstrip("+-"))
        if not text.strip().lstrip("+-").isdigit():
            raise
        raise ValueError(
            f"the number {_shown(text)} has {digits} digits, too many for any Milvus type "
            "(INT64 holds 19)"
        ) from None


_INFINITE = (float("inf"), float("-inf"))
_DOUBLE_RANGE = "a DOUBLE holds up to about 1.8e308"


def _shown(text: str) -> str:
    text = text.strip()
    return text if len(text) <= 20 else text[:17] + "..."


_ROW_ITEM = re.compile(r"""\[[^\]]*\]|'[^']*(?:''[^']*)*'|"[^"\\]*(?:\\.[^"\\]*)*"|,|[^,\s]+""")
_NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")
_KEYWORD_VALUES = {"null": None, "true": True, "false": False}


def simple_row(token: Token) -> tuple[Any, ...]:
    """The values of a SIMPLE_ROW token: `(1, 'red', [0.1, 0.2], NULL)`."""
    text = str(token)
    values: list[Any] = []
    expect_item = True
    position = 1
    for match in _ROW_ITEM.finditer(text, 1, len(text) - 1):
        item = match.group()
        between = text[position : match.start()]
        position = match.end()
        if between.strip():
            raise _row_error(token, match.start(), item)
        if item == ",":
            if expect_item:
                raise _row_error(token, match.start(), item)
            expect_item = True
            continue
        if not expect_item:
            raise _row_error(token, match.start(), item)
        expect_item = False
        values.append(_row_value(item, token, match.start()))
    if expect_item or text[position:-1].strip():
        raise _row_error(token, len(text) - 1, ")")
    return tuple(values)


def _row_value(item: str, token: Token, offset: int) -> Any:
    first = item[0]
    try:
        if first == "[":
            return float_list(item)
        if first in "'\"":
            return checked_text(string_value(item), _at(token, offset, item))
        if first.isalpha():
            return _KEYWORD_VALUES[item.lower()]
        return number_value(item)
    except (KeyError, ValueError) as error:
        if str(error).startswith("the number "):  # out of range: say so at the number
            raise SemanticError(str(error), _at(token, offset + _first_bad(item), item)) from None
        if first == "[":  # point at the element that is not a number
            inner = offset + 1
            for part in item[1:-1].split(","):
                if part.strip() and not _NUMBER.fullmatch(part.strip()):
                    stripped = part.strip()
                    raise _row_error(token, inner + part.index(stripped), stripped) from None
                inner += len(part) + 1
        raise _row_error(token, offset, item) from None


def _row_error(token: Token, offset: int, item: str) -> SemanticError:
    """An error at `offset` inside the row token, reported like a syntax error."""
    shown = item if len(item) <= 30 else item[:27] + "..."
    return SemanticError(f"unexpected {shown!r} in a row of values", _at(token, offset, item))


def _at(token: Token, offset: int, item: str) -> Token:
    """A token standing for `item` at `offset` inside `token` (for an error's position)."""
    return Token("ROW_ITEM", item, token.start_pos + offset, token.line, token.column)


def _first_bad(text: str) -> int:
    """Offset in a number or flat list of the first number no type can hold (0 if none)."""
    for match in _NUMBER.finditer(text):
        try:
            number_value(match.group().lstrip("+"))
        except ValueError:
            return match.start()
    return 0


def float_list(text: str) -> list[float | int]:
    """The numbers of a FLOAT_LIST token; ValueError for a number no type can hold."""
    try:
        values = json.loads(text)
    except ValueError:
        return [number_value(part.strip().lstrip("+")) for part in text[1:-1].split(",")]
    if _INFINITE[0] in values or _INFINITE[1] in values:  # json reads 1e999 as inf
        return [number_value(part.strip().lstrip("+")) for part in text[1:-1].split(",")]
    return values


def float_list_at(token: Token) -> list[float | int]:
    """`float_list` of a token; a number out of range is a `SemanticError` at that number."""
    try:
        return float_list(str(token))
    except ValueError as error:
        text = str(token)
        raise SemanticError(str(error), _at(token, _first_bad(text), text)) from None


def number_at(token: Token) -> int | float:
    """`number_value` of a token; a number out of range is a `SemanticError` at the token."""
    try:
        return number_value(str(token))
    except ValueError as error:
        raise SemanticError(str(error), token) from None


#: What json reads differently from the grammar: strings and objects (NaN and Infinity:
#: `_no_constant`).
_NOT_JSON_ALIKE = ('"', "{")
_TOP_LEVEL_LIST = re.compile(r"\)\s*,\s*\[")  # a list where a row should be
_HUGE_EXPONENT = re.compile(r"[eE][-+]?\d\d\d")  # json reads 1e999 as inf, the grammar refuses
_ROWS_AS_JSON = str.maketrans("()", "[]")


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number of the language")


def numeric_rows(tail: str, width: int | None) -> tuple[tuple[Any, ...], ...] | None:
    """The rows of a VALUES list `(1, [0.1, 0.2]), (2, [0.3, 0.4])` of numbers, flat lists of
    numbers, TRUE/FALSE/NULL (as json spells them), each `width` values long (None: as long as
    the first), decoded by one `json.loads` to exactly what the grammar's rows hold; None for
    anything else, or anything wrong: the grammar then reads it and places the error.

    One C-speed pass checks the shape: every `(` is a row and every `[` a flat list in a row,
    because the arrays json made are counted (rows + the lists in them) against the brackets."""
    if any(word in tail for word in _NOT_JSON_ALIKE) or _TOP_LEVEL_LIST.search(tail):
        return None
    if ("e" in tail or "E" in tail) and _HUGE_EXPONENT.search(tail):
        return None
    try:
        data = json.loads("[" + tail.translate(_ROWS_AS_JSON) + "]", parse_constant=_no_constant)
    except (ValueError, RecursionError):  # not json: a syntax error the grammar will place
        return None
    if not data or type(data[0]) is not list:
        return None
    width = len(data[0]) if width is None else width
    if any(type(row) is not list or len(row) != width for row in data):
        return None
    lists = sum(1 for row in data for value in row if type(value) is list)
    if tail.count("(") != len(data) or tail.count("[") != lists:
        return None
    return tuple(map(tuple, data))


@v_args(inline=True)
class LiteralRules(Transformer):
    """Value rules → plain Python values (names → NAME tokens, options → dicts)."""

    def string(self, token: Token) -> str:
        return checked_text(string_value(str(token)), token)

    def name(self, token: Token) -> Token:
        if token.type == "QUOTED_NAME":
            name = checked_text(str(token)[1:-1], token, "the name")
            return Token("NAME", name, token.start_pos, token.line, token.column)
        return token

    def number(self, token: Token) -> int | float:
        return number_at(token)

    def negative(self, _minus: Token, token: Token) -> int | float:
        return -number_at(token)

    def true(self) -> bool:
        return True

    def false(self) -> bool:
        return False

    def null(self) -> None:
        return None

    def float_list(self, token: Token) -> list[Any]:
        return float_list_at(token)

    def list_of(self, *items: Any) -> list[Any]:
        return list(items)

    def pair(self, key: Any, value: Any) -> tuple[Any, Any]:
        if isinstance(key, Token):
            key = number_at(key)
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
        if len(values) == 1 and isinstance(values[0], Token) and values[0].type == "SIMPLE_ROW":
            return simple_row(values[0])
        return values
