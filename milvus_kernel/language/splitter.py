"""Splits a cell into statements at `;` outside strings, quoted names and comments.

It jumps from one special character to the next with `str.find` (a C-speed scan per kind of
special), so a cell holding megabytes of numbers splits in a few milliseconds.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_SPECIALS = (";", "'", '"', "`", "--", "/*")
_NON_SPACE = re.compile(r"\S")
_DOUBLE_QUOTED = re.compile(r'"(?:[^"\\]|\\.)*"', re.S)


@dataclass(frozen=True)
class Chunk:
    """One statement's text and where it starts in the cell (offset; 1-based line and column)."""

    text: str
    offset: int
    line: int
    column: int
    #: set when the chunk ends inside a string, quoted name or block comment
    unterminated: str | None = None


def split_statements(code: str) -> list[Chunk]:
    """The statements of a cell, in order; chunks holding only blanks and comments are dropped."""
    chunks: list[Chunk] = []
    start = pos = 0
    has_content = False
    unterminated: str | None = None
    length = len(code)
    upcoming = {token: code.find(token) for token in _SPECIALS}
    while pos < length:
        for token, at in upcoming.items():
            if 0 <= at < pos:
                upcoming[token] = code.find(token, pos)
        found = [(at, token) for token, at in upcoming.items() if at >= 0]
        at, token = min(found) if found else (length, "")
        if not has_content and _NON_SPACE.search(code, pos, at):
            has_content = True
        if not token:
            break
        if token == ";":
            if has_content:
                chunks.append(_chunk(code, start, at))
            start = pos = at + 1
            has_content = False
            continue
        if token in ("--", "/*"):
            closing = "\n" if token == "--" else "*/"
            end = code.find(closing, at + 2)
            if end < 0:
                unterminated = None if token == "--" else "comment"
                pos = length
            else:
                pos = end + len(closing)
            continue
        has_content = True
        end = _string_end(code, at, token)
        if end < 0:
            unterminated = {"'": "string", '"': "string", "`": "quoted name"}[token]
            pos = length
        else:
            pos = end
    if has_content or unterminated:
        chunks.append(_chunk(code, start, length, unterminated))
    return chunks


def _string_end(code: str, at: int, quote: str) -> int:
    """Offset just past the string (or quoted name) opening at `at`, or -1 if it never closes."""
    if quote == '"':
        match = _DOUBLE_QUOTED.match(code, at)
        return match.end() if match else -1
    pos = at + 1
    while True:
        end = code.find(quote, pos)
        if end < 0:
            return -1
        if quote == "'" and code.startswith("''", end):
            pos = end + 2
            continue
        return end + 1


def _chunk(code: str, start: int, end: int, unterminated: str | None = None) -> Chunk:
    line = code.count("\n", 0, start) + 1
    column = start - (code.rfind("\n", 0, start) + 1) + 1
    return Chunk(code[start:end], start, line, column, unterminated)
