"""The entry point of the language: `parse_cell(code)` → the cell's statements.

A malformed statement raises `MilvusSyntaxError`, numbered within its cell.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from lark import Token, Tree
from lark.exceptions import UnexpectedInput, VisitError

from milvus_kernel.errors import MilvusSyntaxError
from milvus_kernel.language.grammar import lark_parser
from milvus_kernel.language.prechecks import (
    DEPTH_HINT,
    TOO_DEEP,
    check_depth,
    first_unclosed,
    shape,
)
from milvus_kernel.language.rules.literals import numeric_rows
from milvus_kernel.language.secrets import mask_secrets, mask_secrets_at
from milvus_kernel.language.splitter import Chunk, split_statements
from milvus_kernel.language.statements import Explain, Insert, Statement
from milvus_kernel.language.syntax_errors import Located, from_lark
from milvus_kernel.language.transformer import SemanticError, ToStatements

_TRANSFORMER = ToStatements()


def parse_cell(code: str, params: Mapping[str, Any] | None = None) -> list[Statement]:
    """Every statement of the cell, in order. A malformed one raises, numbered.

    Nothing is returned for a cell with an error anywhere: a cell runs whole or not at all, and
    the error of a cell of several statements says "nothing in this cell ran".
    Statements end at `;`; a multi-line piece that is not one statement but whose every line is
    one (the old kernel's cells have no semicolons) counts as one statement per line.
    `params` are the Python values `:name` refers to (the IPython magic's bindings).

    One statement of each shape (`prechecks.shape`: values blanked) is parsed before the others,
    so a syntax error at the end of a huge cell of generated statements comes at once; errors
    only values cause come in order after that.
    """
    transformer = _TRANSFORMER if params is None else ToStatements(params)
    chunks = split_statements(code)
    several = len(chunks) > 1
    early: dict[int, list[Statement]] = {}
    shapes: dict[str, int] = {}  # shape of a statement that parsed → how many statements it is
    number = 1  # the number of the chunk's first statement, if the chunks before it parse
    for index, chunk in enumerate(chunks):
        key = shape(chunk.text) if several else None
        if key is not None and key in shapes:
            number += shapes[key]
            continue
        early[index] = _numbered(code, chunk, transformer, number, several)
        number += len(early[index])
        if key is not None:
            shapes[key] = len(early[index])
    statements: list[Statement] = []
    for index, chunk in enumerate(chunks):
        found = early.get(index)
        if found is None:
            found = _numbered(code, chunk, transformer, len(statements) + 1, several)
        statements += found
    return statements


def _numbered(
    code: str, chunk: Chunk, transformer: ToStatements, number: int, several: bool
) -> list[Statement]:
    """`parse_lines`, its error numbered `number` within the cell (and masked)."""
    try:
        return parse_lines(code, chunk, transformer)
    except MilvusSyntaxError as error:
        error.statement_index = number
        error.statement_text = mask_secrets(chunk.text)
        error.source_line, caret = mask_secrets_at(error.source_line, error.column - 1)
        error.column = caret + 1
        if several:
            error.message += NOTHING_RAN
        raise


NOTHING_RAN = " (nothing in this cell ran)"
"""Added to the error of a cell of several statements: a syntax error anywhere runs none."""


def parse_statement(text: str) -> Statement:
    """One statement (a trailing `;` is allowed)."""
    statements = parse_cell(text)
    if len(statements) != 1:
        raise MilvusSyntaxError(
            f"expected one statement, found {len(statements)}", line=1, column=1
        )
    return statements[0]


def parse_lines(code: str, chunk: Chunk, transformer: ToStatements) -> list[Statement]:
    """The chunk as one statement, or else as one statement per line; else the first error."""
    try:
        return [parse_chunk(code, chunk, transformer)]
    except MilvusSyntaxError:
        lines = _content_lines(chunk)
        if len(lines) < 2:
            raise
        try:
            return [parse_chunk(code, line, transformer) for line in lines]
        except MilvusSyntaxError:
            pass
        raise


def _content_lines(chunk: Chunk) -> list[Chunk]:
    lines = []
    offset = chunk.offset
    for number, text in enumerate(chunk.text.split("\n")):
        if text.strip() and not text.strip().startswith("--"):
            column = chunk.column if number == 0 else 1
            lines.append(Chunk(text, offset, chunk.line + number, column))
        offset += len(text) + 1
    return lines


def parse_chunk(
    code: str, chunk: Chunk, transformer: ToStatements = _TRANSFORMER, fast: bool = True
) -> Statement:
    """The chunk as one statement (a long numeric VALUES list by `_fast_insert` when `fast`)."""
    where = Located(code, chunk)
    if chunk.unterminated == "comment":
        raise where.error(
            "unterminated comment", chunk.text.rfind("/*"), hint="close it with */", incomplete=True
        )
    quick = _fast_insert(code, chunk, transformer) if fast else None
    if quick is not None:
        return quick
    check_depth(chunk.text, where)
    try:
        tree = lark_parser().parse(chunk.text)
        statement = transformer.transform(tree).children[0]
    except UnexpectedInput as error:
        raise _unfinished_vector(from_lark(error, where), code, chunk, where) from None
    except VisitError as error:
        raise _from_visit(error, where) from None
    except RecursionError:  # a chain no bracket shows (NOT NOT ..., a AND b AND ...)
        raise where.error(TOO_DEEP, _start(chunk.text), hint=DEPTH_HINT) from None
    text = mask_secrets(chunk.text.strip())
    if isinstance(statement, Explain):
        statement = replace(
            statement, statement=replace(statement.statement, text=_EXPLAINED.sub("", text))
        )
    return replace(statement, text=text)


_EXPLAINED = re.compile(r"^EXPLAIN\s+", re.I)
_INSERT_HEAD = re.compile(r"\s*(?:INSERT|UPSERT)\s+INTO\s[^;]*?\bVALUES\s*(?=\()", re.I)
FAST_VALUES = 4096  # characters: shorter statements are all read by the grammar


def _fast_insert(code: str, chunk: Chunk, transformer: ToStatements) -> Statement | None:
    """A long INSERT / UPSERT ... VALUES of numbers only: the head and the first row read by the
    grammar, every row by one `json.loads` (`numeric_rows`). None (the grammar reads the whole
    statement, and places any error) unless both succeed and agree."""
    text = chunk.text
    head = _INSERT_HEAD.match(text) if len(text) >= FAST_VALUES else None
    if head is None:
        return None
    first_end = text.find(")", head.end()) + 1
    try:
        first = parse_chunk(code, replace(chunk, text=text[:first_end]), transformer, fast=False)
    except MilvusSyntaxError:
        return None
    if not isinstance(first, Insert):
        return None
    width = None if first.columns is None else len(first.columns)
    rows = numeric_rows(text[head.end() :], width)
    if rows is None or rows[0] != first.rows[0]:
        return None
    return replace(first, rows=rows, text=mask_secrets(text.strip()))


def _start(text: str) -> int:
    return len(text) - len(text.lstrip())


def _from_visit(error: VisitError, where: Located) -> Exception:
    """The kernel's own error for a failure inside the tree rules; a kernel bug is re-raised bare.

    A `SemanticError` is reported at its token; a value no type can hold (ValueError,
    OverflowError) at the first token of the rule that failed; Python's stack overflowing as
    "nests too deeply". Anything else is the kernel's own bug: the original exception.
    """
    cause = error.orig_exc
    text = where.chunk.text
    if isinstance(cause, SemanticError):
        offset = cause.token.start_pos if cause.token is not None else _start(text)
        return where.error(cause.message, offset, hint=cause.hint)
    if isinstance(cause, RecursionError):
        return where.error(TOO_DEEP, _start(text), hint=DEPTH_HINT)
    if isinstance(cause, (ValueError, OverflowError)):
        message = str(cause).splitlines()[0] if str(cause) else "a value out of range"
        if "integer string conversion" in message:  # Python's words for a 5,000-digit number
            message = (
                "a number of thousands of digits, too many for any Milvus type (INT64 holds 19)"
            )
        return where.error(message, _first_position(error.obj, text))
    return cause


def _first_position(obj: object, text: str) -> int:
    """Where the tree (or token) `obj` starts: its first token's position, else the statement's."""
    if isinstance(obj, Token):
        return obj.start_pos if obj.start_pos is not None else _start(text)
    if isinstance(obj, Tree):
        for token in obj.scan_values(lambda value: isinstance(value, Token)):
            if token.start_pos is not None:
                return token.start_pos
    return _start(text)


_VECTOR_TAIL = re.compile(r"[\s\d.,:eE+\-\[\]{}]*\Z")


def _unfinished_vector(
    error: MilvusSyntaxError, code: str, chunk: Chunk, where: Located
) -> MilvusSyntaxError:
    """A cell that stops inside a vector (`SEARCH t FOR [0.1, 0.2,`) is incomplete, not wrong.

    A vector is one token, so Lark reports its first number as unexpected: when the error lies
    inside a bracket still open at the end of the cell, and only numbers, commas and brackets
    follow that bracket, the statement ends too early.
    """
    if error.incomplete or chunk.offset + len(chunk.text) < len(code.rstrip()):
        return error
    text = chunk.text
    opened = first_unclosed(text)
    if opened is None or not _VECTOR_TAIL.match(text, opened):
        return error
    line, column, _source = where.at_offset(opened)
    if (error.line, error.column) <= (line, column):
        return error
    return where.error(
        "the statement ends inside a vector",
        None,
        expected=("a number", "']'"),
        hint="close the vector with ]",
        incomplete=True,
    )
