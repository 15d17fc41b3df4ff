"""The entry point of the language: `parse_cell(code)` → the cell's statements.

A malformed statement raises `MilvusSyntaxError`, numbered within its cell.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from lark.exceptions import UnexpectedInput, VisitError

from milvus_kernel.errors import MilvusSyntaxError
from milvus_kernel.language.grammar import lark_parser
from milvus_kernel.language.secrets import mask_secrets, mask_secrets_at
from milvus_kernel.language.splitter import Chunk, split_statements
from milvus_kernel.language.statements import Explain, Statement
from milvus_kernel.language.syntax_errors import Located, from_lark
from milvus_kernel.language.transformer import SemanticError, ToStatements

_TRANSFORMER = ToStatements()


def parse_cell(code: str, params: Mapping[str, Any] | None = None) -> list[Statement]:
    """Every statement of the cell, in order. The first malformed one raises, numbered.

    Nothing is returned for a cell with an error anywhere: a cell runs whole or not at all.
    Statements end at `;`; a multi-line piece that is not one statement but whose every line is
    one (the old kernel's cells have no semicolons) counts as one statement per line.
    `params` are the Python values `:name` refers to (the IPython magic's bindings).
    """
    transformer = _TRANSFORMER if params is None else ToStatements(params)
    statements: list[Statement] = []
    for chunk in split_statements(code):
        try:
            statements += parse_lines(code, chunk, transformer)
        except MilvusSyntaxError as error:
            error.statement_index = len(statements) + 1
            error.statement_text = mask_secrets(chunk.text)
            error.source_line, caret = mask_secrets_at(error.source_line, error.column - 1)
            error.column = caret + 1
            raise
    return statements


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


def parse_chunk(code: str, chunk: Chunk, transformer: ToStatements = _TRANSFORMER) -> Statement:
    where = Located(code, chunk)
    if chunk.unterminated == "comment":
        raise where.error(
            "unterminated comment", chunk.text.rfind("/*"), hint="close it with */", incomplete=True
        )
    try:
        tree = lark_parser().parse(chunk.text)
        statement = transformer.transform(tree).children[0]
    except UnexpectedInput as error:
        raise from_lark(error, where) from None
    except VisitError as error:
        cause = error.orig_exc
        if isinstance(cause, SemanticError):
            text = chunk.text
            offset = (
                cause.token.start_pos if cause.token is not None else len(text) - len(text.lstrip())
            )
            raise where.error(cause.message, offset, hint=cause.hint) from None
        raise
    text = mask_secrets(chunk.text.strip())
    if isinstance(statement, Explain):
        statement = replace(
            statement, statement=replace(statement.statement, text=_EXPLAINED.sub("", text))
        )
    return replace(statement, text=text)


_EXPLAINED = re.compile(r"^EXPLAIN\s+", re.I)
