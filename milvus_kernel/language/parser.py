"""The entry point of the language: `parse_cell(code)` → the cell's statements.

A malformed statement raises `MilvusSyntaxError`, numbered within its cell.
"""

from __future__ import annotations

from dataclasses import replace

from lark.exceptions import UnexpectedInput, VisitError

from milvus_kernel.errors import MilvusSyntaxError
from milvus_kernel.language.grammar import lark_parser
from milvus_kernel.language.splitter import Chunk, split_statements
from milvus_kernel.language.statements import Statement
from milvus_kernel.language.syntax_errors import Located, from_lark
from milvus_kernel.language.transformer import SemanticError, ToStatements

_TRANSFORMER = ToStatements()


def parse_cell(code: str) -> list[Statement]:
    """Every statement of the cell, in order. The first malformed one raises, numbered.

    Nothing is returned for a cell with an error anywhere: a cell runs whole or not at all.
    """
    statements = []
    for index, chunk in enumerate(split_statements(code), start=1):
        try:
            statements.append(parse_chunk(code, chunk))
        except MilvusSyntaxError as error:
            error.statement_index = index
            error.statement_text = chunk.text
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


def parse_chunk(code: str, chunk: Chunk) -> Statement:
    where = Located(code, chunk)
    if chunk.unterminated == "comment":
        raise where.error(
            "unterminated comment", chunk.text.rfind("/*"), hint="close it with */", incomplete=True
        )
    try:
        tree = lark_parser().parse(chunk.text)
        statement = _TRANSFORMER.transform(tree).children[0]
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
    return replace(statement, text=chunk.text.strip())
