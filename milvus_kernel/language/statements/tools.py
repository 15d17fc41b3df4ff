"""Statements about statements: EXPLAIN shows the pymilvus code of one; HELP describes them."""

from __future__ import annotations

from dataclasses import dataclass

from milvus_kernel.language.statements.base import Statement


@dataclass(frozen=True)
class Explain(Statement):
    """EXPLAIN <statement>: the pymilvus code the kernel would run, not executed."""

    statement: Statement


@dataclass(frozen=True)
class Help(Statement):
    """HELP [topic]: the statement list, or syntax and an example for one statement."""

    topic: str | None = None
