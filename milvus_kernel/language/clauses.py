"""What the tree rules share: a clause not yet folded into its statement, and the semantic error.

Checks that the grammar cannot express (a duplicated clause, an unknown column type) raise
`SemanticError` at the offending token, so the user gets the same line, column and caret as for
any syntax error.
"""

from __future__ import annotations

from typing import Any

from lark import Token


class SemanticError(Exception):
    """A well-formed statement that means nothing: reported at `token` like a syntax error."""

    def __init__(self, message: str, token: Token | None = None, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.token = token
        self.hint = hint


class Clause:
    """An optional clause of a statement, before it is folded into the statement's fields."""

    __slots__ = ("key", "token", "value")

    def __init__(self, key: str, value: Any, token: Token | None = None) -> None:
        self.key, self.value, self.token = key, value, token


def single_clauses(clauses: list[Clause]) -> dict[str, Any]:
    """Keyword clauses given in any order, each at most once."""
    seen: dict[str, Any] = {}
    for clause in clauses:
        if clause.key in seen:
            raise SemanticError(f"{clause.key.upper()} is given twice", clause.token)
        seen[clause.key] = clause.value
    return seen


def check_unique(names: tuple[str, ...], what: str, token: Token | None) -> None:
    for name in names:
        if names.count(name) > 1:
            raise SemanticError(f"{what} {name} is given twice", token)
