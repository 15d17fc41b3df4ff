"""SEARCH rules: one leg (vectors, stored ids, a vector file or text) or several fused by RERANK.

Clauses after a leg belong to it; with several legs, RETURN / LIMIT / IN PARTITION / GROUP BY come
after RERANK and apply to the whole hybrid search.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from lark import Token, Transformer, v_args

from milvus_kernel.language import statements as s
from milvus_kernel.language.clauses import Clause, SemanticError, single_clauses
from milvus_kernel.language.rules.aggregation import check_aggregation
from milvus_kernel.language.rules.literals import number_value


@v_args(inline=True)
class SearchRules(Transformer):
    """Search rules → `Search` or `HybridSearch`."""

    def query_source(self, vectors: tuple[Any, ...]) -> Clause:
        return Clause("source", {"vectors": vectors})

    def id_source(self, key: Any) -> Clause:
        return Clause("source", {"ids": (key,)})

    def ids_source(self, *keys: Any) -> Clause:
        return Clause("source", {"ids": keys})

    def file_source(self, path: str) -> Clause:
        return Clause("source", {"vector_file": path})

    def files_source(self, path: str) -> Clause:
        return Clause("source", {"vector_file": path, "all_file_rows": True})

    def key_value(self, *parts: Any) -> Any:
        if len(parts) == 2:  # MINUS NUMBER
            return -number_value(str(parts[1]))
        value = parts[0]
        return number_value(str(value)) if isinstance(value, Token) else value

    def leg_query(self, source: Clause) -> Clause:
        return source

    def text_query(self, text: str) -> Clause:
        return Clause("source", {"query_text": text})

    def embed_text(self, text: str) -> tuple[Any, ...]:
        """EMBED('words') where a vector goes: the words, embedded by the field's model."""
        return (text,)

    def embedded_by(self, model: str) -> Clause:
        return Clause("embedded_by", model)

    def group_by(self, field: Token, size: Token | None = None) -> Clause:
        return Clause("group_by", (str(field), int(size) if size is not None else None), field)

    def search_leg(self, *items: Any) -> Leg:
        field = next((str(item) for item in items if isinstance(item, Token)), None)
        source = next(item for item in items if isinstance(item, Clause) and item.key == "source")
        clauses = [item for item in items if isinstance(item, Clause) and item is not source]
        return Leg(field, source.value, clauses)

    def text_leg_using_after(self, text: str, field: Token, *clauses: Clause) -> Leg:
        return Leg(str(field), {"query_text": text}, list(clauses))

    def show_tokens(self, text: str, *rest: Any) -> s.ShowTokens:
        if len(rest) == 1:
            return s.ShowTokens(text, analyzer_params=dict(rest[0]))
        if len(rest) == 2:
            return s.ShowTokens(text, table=str(rest[0]), field=str(rest[1]))
        return s.ShowTokens(text)

    def ranker_option(self, key: Token, _eq: Token, value: Any) -> RankerOption:
        return RankerOption(str(key).lower(), value)

    def ranker_tuple(self, key: Token, _eq: Token, *values: Any) -> RankerOption:
        return RankerOption(str(key).lower(), tuple(values))

    def ranker(self, name: Token, *items: Any) -> tuple[s.Ranker, Token]:
        ranker = str(name).upper()
        if ranker not in RANKERS:
            raise SemanticError(
                f"unknown ranker {name}",
                name,
                hint="use RRF(k), WEIGHTED(w1, ...), DECAY(...), BOOST(...) or MODEL(...)",
            )
        args = tuple(i for i in items if not isinstance(i, (Clause, RankerOption)))
        options = {i.key: i.value for i in items if isinstance(i, RankerOption)}
        wheres = [i.value for i in items if isinstance(i, Clause) and i.key == "where"]
        if ranker in ("RRF", "WEIGHTED") and (options or wheres):
            raise SemanticError(f"{ranker} takes plain numbers", name, hint="RRF(60)")
        if ranker not in ("RRF", "WEIGHTED") and args:
            raise SemanticError(
                f"{ranker} takes named arguments", name, hint=RANKER_HINTS.get(ranker)
            )
        if (wheres and ranker != "BOOST") or len(wheres) > 1:
            raise SemanticError(f"{ranker} takes no WHERE", name, hint=RANKER_HINTS.get(ranker))
        return s.Ranker(ranker, args, options, wheres[0] if wheres else None), name

    def rerank(self, *items: Any) -> Rerank:
        rankers = [item for item in items if isinstance(item, tuple)]
        clauses = [item for item in items if isinstance(item, Clause)]
        first, token = rankers[0]
        return Rerank(first.name, first.args, clauses, token, tuple(r for r, _ in rankers))

    def search(self, table: Token, first: Leg, *rest: Any) -> s.Search | s.HybridSearch:
        legs = [first]
        rerank = rest[-1] if rest and isinstance(rest[-1], Rerank) else None
        items = list(rest[:-1] if rerank else rest)
        while items:
            items.pop(0)  # the NEXT_LEG token
            field, source = items.pop(0), items.pop(0)
            clauses = []
            while items and isinstance(items[0], Clause):
                clauses.append(items.pop(0))
            legs.append(Leg(str(field), source.value, clauses))
        if len(legs) == 1:
            if rerank is None:
                return _leg_search(str(table), first, first.clauses)
            fusing = [r.name for r in rerank.rankers if r.name in ("RRF", "WEIGHTED")]
            if fusing:
                raise SemanticError(
                    f"RERANK fuses two or more legs with {fusing[0]}: add `, USING field FOR ...`",
                    rerank.token,
                    hint="one search takes DECAY(...), BOOST(...) or MODEL(...)",
                )
            return replace(
                _leg_search(str(table), first, first.clauses + rerank.clauses),
                rankers=rerank.rankers,
                chain=rerank.chain,
            )
        if rerank is None:
            raise SemanticError(
                "a search with several legs needs RERANK",
                table,
                hint="end the legs with RERANK RRF(60) or RERANK WEIGHTED(0.7, 0.3)",
            )
        if rerank.chain:  # pymilvus: "function_chains is not supported for hybrid_search yet"
            raise SemanticError(
                "RERANK CHAIN reranks one search: pymilvus sends no function chain with a hybrid "
                "search",
                rerank.token,
                hint="fuse the legs with RERANK RRF(60) or WEIGHTED(0.7, 0.3), DECAY(...)",
            )
        for clause in [c for leg in legs for c in leg.clauses] + rerank.clauses:
            if clause.key == "aggregate_by":
                raise SemanticError(
                    "AGGREGATE BY groups the hits of one search, not of a hybrid search",
                    clause.token,
                )
            if clause.key == "order":  # a hybrid search's fused hits: not ordered by a field
                raise SemanticError(
                    "ORDER BY a field orders the hits of one search, not of a hybrid search",
                    clause.token,
                )
        for leg in legs:
            for clause in leg.clauses:
                if clause.key not in LEG_CLAUSES:
                    raise SemanticError(
                        f"{clause.key.upper().replace('_', ' ')} applies to the whole hybrid"
                        " search: put it after RERANK",
                        clause.token or rerank.token,
                    )
        given = single_clauses(rerank.clauses)
        for key in given:
            if key not in HYBRID_CLAUSES:
                raise SemanticError(f"{key.upper()} belongs to a leg, before RERANK", rerank.token)
        limit, offset = given.get("limit", (10, 0))
        group_by, group_size = given.get("group_by", (None, None))
        return s.HybridSearch(
            str(table),
            tuple(_leg_search(str(table), leg, leg.clauses) for leg in legs),
            rerank.ranker,
            rerank.args,
            output_fields=given.get("return", ()),
            partitions=given.get("partitions", ()),
            limit=limit,
            offset=offset,
            group_by=group_by,
            group_size=group_size,
            rankers=rerank.rankers,
        )


class Leg:
    """One leg of a search: its field, what it searches with, and its clauses."""

    __slots__ = ("clauses", "field", "source")

    def __init__(self, field: str | None, source: dict[str, Any], clauses: list[Clause]) -> None:
        self.field, self.source, self.clauses = field, source, clauses


class Rerank:
    """RERANK name(args)[, ...] | CHAIN (steps) and the clauses after it (for the whole hybrid
    search)."""

    __slots__ = ("args", "chain", "clauses", "ranker", "rankers", "token")

    def __init__(
        self,
        ranker: str,
        args: tuple[Any, ...],
        clauses: list[Clause],
        token: Token,
        rankers: tuple[s.Ranker, ...],
        chain: tuple[s.ChainStep, ...] = (),
    ) -> None:
        self.ranker, self.args, self.clauses, self.token = ranker, args, clauses, token
        self.rankers, self.chain = rankers, chain


class RankerOption:
    """`name = value` inside a ranker's parentheses."""

    __slots__ = ("key", "value")

    def __init__(self, key: str, value: Any) -> None:
        self.key, self.value = key, value


RANKERS = {"RRF", "WEIGHTED", "DECAY", "BOOST", "MODEL"}
RANKER_HINTS = {
    "DECAY": "DECAY(field = 'at', function = 'gauss', origin = 0, scale = 10)",
    "BOOST": "BOOST(WHERE label = 'red', weight = 2.0)",
    "MODEL": "MODEL(field = 'body', provider = 'tei', endpoint = 'http://...', queries = ('...'))",
}
LEG_CLAUSES = {"where", "limit", "with", "embedded_by"}
HYBRID_CLAUSES = {"return", "limit", "partitions", "group_by"}


def _leg_search(table: str, leg: Leg, clauses: list[Clause]) -> s.Search:
    check_aggregation(clauses)
    given = single_clauses(clauses)
    limit, offset = given.get("limit", (10, 0))
    params = dict(given.get("with", {}))
    metric = params.pop("metric_type", None)
    group_by, group_size = given.get("group_by", (None, None))
    return s.Search(
        table,
        anns_field=leg.field,
        partitions=given.get("partitions", ()),
        where=given.get("where"),
        output_fields=given.get("return", ()),
        limit=limit,
        offset=offset,
        params=params,
        metric=str(metric).upper() if metric else None,
        group_by=group_by,
        group_size=group_size,
        aggregation=given.get("aggregate_by", ()),
        embedded_by=given.get("embedded_by"),
        order=given.get("order", ()),
        **leg.source,
    )
