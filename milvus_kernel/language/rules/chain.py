"""RERANK CHAIN (...) rules: the steps of a pymilvus `FunctionChain` after one search.

`freshness = DECAY(published_at, function = 'exp', ...)` is a map step (its function's columns,
positional values and named options); `ORDER BY score DESC, id` a sort, the bare key after it
its tie-break (always ascending, as Milvus sorts it); `LIMIT 3 [OFFSET 1]` a limit. The names are
kept as written: the engine resolves them against the collection's schema.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from lark import Token, Transformer, v_args

from milvus_kernel.language import statements as s
from milvus_kernel.language.clauses import Clause, SemanticError
from milvus_kernel.language.rules.search import RankerOption, Rerank

#: The functions a map step can call, and how each is spelled.
CHAIN_FUNCTIONS = {
    "DECAY": "f = DECAY(at, function = 'exp', origin = 0, scale = 10)",
    "COMBINE": "score = COMBINE(score, f, mode = 'weighted', weights = (0.8, 0.2))",
    "ROUND": "score = ROUND(score, 4)",
    "XGBOOST": "score = XGBOOST(price, ctr, model_resource = 'ranker')",
    "MODEL": "score = MODEL(body, queries = ('...'), provider = 'cohere')",
}


@v_args(inline=True)
class ChainRules(Transformer):
    """RERANK CHAIN rules → a `Rerank` whose `chain` holds the `ChainStep`s."""

    def chain_column(self, name: Token) -> ChainColumn:
        return ChainColumn(name)

    def chain_map(self, output: Token, _eq: Token, function: Token, *args: Any) -> s.ChainStep:
        name = str(function).upper()
        if name not in CHAIN_FUNCTIONS:
            raise SemanticError(
                f"unknown chain function {function}",
                function,
                hint="use " + ", ".join(f"{f}(...)" for f in CHAIN_FUNCTIONS),
            )
        return s.ChainStep(
            "map",
            output=str(output),
            function=name,
            columns=tuple(str(a.token) for a in args if isinstance(a, ChainColumn)),
            values=tuple(a for a in args if not isinstance(a, (ChainColumn, RankerOption))),
            options={a.key: a.value for a in args if isinstance(a, RankerOption)},
            at=_at(output),
            places=_places(a.token for a in args if isinstance(a, ChainColumn)),
        )

    def chain_sort(self, key: Token, direction: Token | None = None) -> s.ChainStep:
        descending = direction is not None and direction.type == "DESC"
        order = (s.OrderKey(str(key), descending),)
        return s.ChainStep("sort", order=order, at=_at(key), places=_places([key]))

    def chain_tie(self, key: Token, direction: Token | None = None) -> TieBreak:
        if direction is not None and direction.type == "DESC":
            raise SemanticError(
                "a chain's tie-break key is sorted ascending", direction, hint="ORDER BY score, id"
            )
        return TieBreak(key)

    def chain_limit(self, clause: Clause) -> s.ChainStep:
        limit, offset = clause.value
        at = _at(clause.token) if clause.token is not None else (0, 0)
        return s.ChainStep("limit", limit=limit, offset=offset, at=at)

    def rerank_chain(self, chain: Token, *items: Any) -> Rerank:
        steps: list[s.ChainStep] = []
        for item in items:
            if isinstance(item, TieBreak):
                last = steps[-1] if steps else None
                if last is None or last.kind != "sort" or len(last.order) > 1:
                    raise SemanticError(
                        f"'{item.token}' is not a step: a chain's steps are name = F(...), "
                        "ORDER BY key [ASC|DESC] [, tie-break key] and LIMIT n",
                        item.token,
                    )
                tie = s.OrderKey(str(item.token))
                places = _places([item.token]) | last.places
                steps[-1] = s.ChainStep("sort", order=(*last.order, tie), at=last.at, places=places)
            elif isinstance(item, s.ChainStep):
                steps.append(item)
        clauses = [item for item in items if isinstance(item, Clause)]
        return Rerank("CHAIN", (), clauses, chain, (), tuple(steps))


def _at(token: Token) -> tuple[int, int]:
    return token.line or 0, token.column or 0


def _places(tokens: Iterable[Token]) -> dict[str, tuple[int, int]]:
    """Where each name is first read in a step."""
    places: dict[str, tuple[int, int]] = {}
    for token in tokens:
        places.setdefault(str(token), _at(token))
    return places


class ChainColumn:
    """A name among a chain function's arguments: a field, `score`, the key or an earlier step."""

    __slots__ = ("token",)

    def __init__(self, token: Token) -> None:
        self.token = token


class TieBreak:
    """A bare key after a chain's ORDER BY key: its tie-break."""

    __slots__ = ("token",)

    def __init__(self, token: Token) -> None:
        self.token = token
