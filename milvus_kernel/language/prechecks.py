"""Cheap checks on a cell's statements before the parser reads them.

Python cannot read everything Lark can: brackets nested thousands deep overflow its stack in
the tree rules, so `check_depth` refuses them first, at the bracket too deep. And a cell of a
million statements takes about a minute to parse whole: `needs_early_parse` picks, with one
regex match per statement, the few statements worth parsing before all the others (those whose
first word starts no statement, such as `SELEC`), so a typo at the end of a 50 MB cell is
reported in seconds instead of after the whole parse.
"""

from __future__ import annotations

import re
from functools import cache

from milvus_kernel.language.grammar import keyword_alternatives, lark_parser
from milvus_kernel.language.splitter import Chunk, string_end
from milvus_kernel.language.syntax_errors import Located

MAX_DEPTH = 100
"""Brackets nested deeper than this are refused before parsing (Python would overflow its stack)."""
TOO_DEEP = "the statement nests too deeply to read"
DEPTH_HINT = f"brackets, NOT and chains of AND/OR may nest at most {MAX_DEPTH} deep"

_SPECIAL = re.compile(r"[\[\](){}'\"`]|--|/\*")
_FLAT_GROUP = re.compile(r"[\[(][^\[\](){}'\"`*]*[\])]")
_OPENING = frozenset("([{")
_CLOSING = frozenset(")]}")
_FIRST_WORD = re.compile(r"(?:\s+|--[^\n]*|/\*.*?\*/)*([A-Za-z_]\w*)?", re.S)


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


@cache
def statement_words() -> frozenset[str] | None:
    """The upper-case keywords that can start a statement, from the parser's own table.

    None when a plain name could start one (then no first word is suspicious).
    """
    accepted = lark_parser().parse_interactive("").accepts()
    alternatives = keyword_alternatives()
    if {"NAME", "QUOTED_NAME"} & accepted:
        return None
    return frozenset(word for name in accepted for word in alternatives.get(name, ()))


def needs_early_parse(chunk: Chunk) -> bool:
    """Whether to parse this statement before the rest of its cell.

    True when its first word starts no statement (a typo, or a form such as `milvus://` that
    is not a keyword), when it ends inside a string or comment, and when it may be several
    statements of the old dialect on separate lines (so that the cell's numbering is known).
    """
    words = statement_words()
    if words is None or chunk.unterminated:
        return True
    text = chunk.text
    first = _FIRST_WORD.match(text).group(1)  # type: ignore[union-attr]
    if first is None or first.upper() not in words:
        return True
    if "\n" not in text.strip():
        return False
    lines = [line.strip() for line in text.splitlines()]
    content = [line for line in lines if line and not line.startswith("--")]
    if len(content) < 2:
        return False
    for line in content[1:]:
        word = _FIRST_WORD.match(line).group(1)  # type: ignore[union-attr]
        if word is None or word.upper() not in words:
            return False
    return True
