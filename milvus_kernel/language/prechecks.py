"""Cheap checks on a cell's statements before the parser reads them.

Python cannot read everything Lark can: brackets nested thousands deep overflow its stack in
the tree rules, so `check_depth` refuses them first, at the bracket too deep. And a cell of a
million statements takes minutes to parse whole: `shape` blanks a statement's values with a few
regex passes, so that the parser sees each shape of statement once before it reads them all,
and a typo at the end of a 50 MB cell is reported in seconds instead of after the whole parse.
"""

from __future__ import annotations

import re

from milvus_kernel.language.splitter import string_end
from milvus_kernel.language.syntax_errors import Located

MAX_DEPTH = 100
"""Brackets nested deeper than this are refused before parsing (Python would overflow its stack)."""
TOO_DEEP = "the statement nests too deeply to read"
DEPTH_HINT = (
    f"brackets may nest {MAX_DEPTH} deep, and a filter chain a few hundred AND, OR or NOT;"
    " for many values, write x IN [1, 2, ...]"
)

_SPECIAL = re.compile(r"[\[\](){}'\"`]|--|/\*")
_FLAT_GROUP = re.compile(r"[\[(][^\[\](){}'\"`*]*[\])]")
_OPENING = frozenset("([{")
_CLOSING = frozenset(")]}")


def check_depth(text: str, where: Located) -> None:
    """Refuse brackets nested more than MAX_DEPTH deep, at the first bracket too deep.

    Three C-speed counts settle nearly every statement. A statement with more brackets (a big
    INSERT) first loses its flat groups (vectors) in one regex pass, which hides one level at
    most; only what remains is scanned, strings, quoted names and comments skipped.
    """
    if text.count("[") + text.count("(") + text.count("{") <= MAX_DEPTH:
        return
    if _too_deep(_FLAT_GROUP.sub("0", text), MAX_DEPTH - 1) is None:
        return
    offset = _too_deep(text, MAX_DEPTH)
    if offset is not None:
        message = f"brackets nest more than {MAX_DEPTH} deep"
        raise where.error(message, offset, hint=DEPTH_HINT)


def _too_deep(text: str, limit: int) -> int | None:
    """Offset of the first bracket nested deeper than `limit`, or None."""
    depth = pos = 0
    while match := _SPECIAL.search(text, pos):
        char = match.group()
        pos = match.end()
        if char in _OPENING:
            depth += 1
            if depth > limit:
                return match.start()
        elif char in _CLOSING:
            depth -= 1
        elif char in ("--", "/*"):
            closing = "\n" if char == "--" else "*/"
            end = text.find(closing, pos)
            pos = len(text) if end < 0 else end + len(closing)
        else:
            end = string_end(text, match.start(), char)
            pos = len(text) if end < 0 else end
    return None


def first_unclosed(text: str) -> int | None:
    """Offset of the outermost `[` or `{` still open at the end of the text (None if all close)."""
    stack: list[int] = []
    pos = 0
    while match := _SPECIAL.search(text, pos):
        char = match.group()
        pos = match.end()
        if char in ("[", "{"):
            stack.append(match.start())
        elif char in ("]", "}"):
            if stack:
                stack.pop()
        elif char in ("--", "/*"):
            closing = "\n" if char == "--" else "*/"
            end = text.find(closing, pos)
            pos = len(text) if end < 0 else end + len(closing)
        elif char not in "()":
            end = string_end(text, match.start(), char)
            pos = len(text) if end < 0 else end
    return stack[0] if stack else None


def shape(text: str) -> str | None:
    """The statement with its strings blanked and its numbers' digits zeroed, or None.

    Statements of one shape parse alike, so a cell of a million generated INSERTs needs one
    parse per shape to find a syntax error anywhere in it (a shape is only a hint: every
    statement is parsed in the end). Numbers that may not fit a type (19 digits or more,
    three-digit exponents), comments and long statements give no shape: they are parsed at once.
    """
    if len(text) > _SHAPED_LENGTH or "--" in text or "/*" in text or _RISKY.search(text):
        return None
    return _ZEROS.sub("0", _QUOTED.sub(_blank_string, text).translate(_DIGITS))


def _blank_string(match: re.Match[str]) -> str:
    quote = match.group()[0]
    return quote + quote


_SHAPED_LENGTH = 10_000
_QUOTED = re.compile(r"""'[^']*(?:''[^']*)*'|"[^"\\]*(?:\\.[^"\\]*)*"|`[^`]*`""", re.S)
_RISKY = re.compile(r"\d{19}|[eE][-+]?\d{3}")
_DIGITS = str.maketrans("123456789", "000000000")
_ZEROS = re.compile("0+")
