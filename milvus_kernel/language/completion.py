"""What the front end asks of the language while a person types: is the cell complete, what may
come at the cursor (keywords from the LALR parser's own table, and which fixed vocabulary the
place takes: see `completion_places`), which word is under the cursor.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from lark.exceptions import UnexpectedInput

from milvus_kernel.errors import MilvusSyntaxError
from milvus_kernel.language.completion_places import Vocabulary, vocabulary_at
from milvus_kernel.language.grammar import keyword_alternatives, lark_parser
from milvus_kernel.language.parser import parse_cell
from milvus_kernel.language.splitter import split_statements

_WORD_BEFORE = re.compile(r"[A-Za-z0-9_]*\Z")
_WORD_AFTER = re.compile(r"[A-Za-z0-9_]*")
_TABLE_WORDS = {
    "FROM",
    "INTO",
    "TABLE",
    "COLLECTION",
    "DESCRIBE",
    "DESC",
    "SEARCH",
    "LOAD",
    "RELEASE",
    "UPDATE",
    "ON",
    "EXISTS",
    "PARTITIONS",
    "INDEXES",
    "INDICES",
    "OF",
}
_TABLE_IN_STATEMENT = re.compile(
    r"\b(?:FROM|INTO|SEARCH|ON|TABLE|COLLECTION|DESCRIBE|DESC|LOAD|RELEASE|UPDATE)\s+(?:IF\s+(?:NOT\s+)?EXISTS\s+)?"
    r"([A-Za-z_]\w*|`[^`]+`)",
    re.I,
)
_NAME_TERMINALS = {"NAME", "QUOTED_NAME"}


def is_complete(code: str) -> Literal["complete", "incomplete", "invalid"]:
    """`incomplete` when the cell is a valid beginning that stops too early (Enter adds a line)."""
    if not code.strip():
        return "complete"
    try:
        parse_cell(code)
    except MilvusSyntaxError as error:
        return "incomplete" if error.incomplete else "invalid"
    return "complete"


@dataclass(frozen=True)
class CompletionContext:
    """Where the word being typed starts and ends, and what may stand there."""

    start: int
    end: int
    prefix: str
    keywords: tuple[str, ...]
    wants: frozenset[str]
    table: str | None
    #: the list the word comes from when the place takes a fixed vocabulary (index types, ...)
    vocabulary: Vocabulary | None = None


def completion_context(code: str, cursor: int) -> CompletionContext:
    cursor = max(0, min(cursor, len(code)))
    prefix = _WORD_BEFORE.search(code, 0, cursor).group()  # type: ignore[union-attr]
    start = cursor - len(prefix)
    end = _WORD_AFTER.match(code, cursor).end()  # type: ignore[union-attr]
    chunk_text, chunk_offset = _statement_at(code, start)
    before = chunk_text[: start - chunk_offset]
    accepted = _accepted_terminals(before)
    alternatives = keyword_alternatives()
    keywords = tuple(sorted({word for name in accepted for word in alternatives.get(name, ())}))
    wants: set[str] = set()
    if accepted & _NAME_TERMINALS:
        previous = re.findall(r"[A-Za-z_]\w*", before)
        if previous and previous[-1].upper() in _TABLE_WORDS:
            wants.add("table")
        else:
            wants.add("field")
    vocabulary = vocabulary_at(before)
    if vocabulary is not None:  # a type, an index type, a metric or an option name only
        wants.clear()
        keywords = ()
    match = _TABLE_IN_STATEMENT.search(chunk_text)
    table = match.group(1).strip("`") if match else None
    return CompletionContext(start, end, prefix, keywords, frozenset(wants), table, vocabulary)


def word_at(code: str, cursor: int) -> tuple[str, int, int] | None:
    """The identifier under (or just before) the cursor, with its offsets."""
    cursor = max(0, min(cursor, len(code)))
    start = cursor - len(_WORD_BEFORE.search(code, 0, cursor).group())  # type: ignore[union-attr]
    end = _WORD_AFTER.match(code, cursor).end()  # type: ignore[union-attr]
    if start == end:
        return None
    return code[start:end], start, end


def _statement_at(code: str, offset: int) -> tuple[str, int]:
    """The text of the statement holding `offset`, and where it starts in the cell."""
    for chunk in split_statements(code):
        if chunk.offset <= offset <= chunk.offset + len(chunk.text):
            return chunk.text, chunk.offset
    # the cursor is in blank space after the last `;`: a new statement starts there
    last_semicolon = code.rfind(";", 0, offset)
    start = last_semicolon + 1 if last_semicolon >= 0 else 0
    return code[start:], start


def _accepted_terminals(text: str) -> set[str]:
    """Terminals the parser accepts after `text` (empty if `text` is already malformed)."""
    interactive = lark_parser().parse_interactive(text)
    try:
        interactive.exhaust_lexer()
    except UnexpectedInput:
        return set()
    return set(interactive.accepts())
