"""Literal values in the tree: strings (both quotings), numbers, vectors, lists, objects, options.

A list of plain numbers arrives as one FLOAT_LIST token and is decoded by `json.loads`, so a
cell with megabytes of vectors costs one C-speed decode per vector.
"""

from __future__ import annotations

import json
import re
from typing import Any

from lark import Token, Transformer, v_args

from milvus_kernel.language.clauses import Clause, SemanticError

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


@v_args(inline=True)
class LiteralRules(Transformer):
    """Value rules → plain Python values (names → NAME tokens, options → dicts)."""

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
