"""SEARCH ... AGGREGATE BY rules: levels of buckets (pymilvus `SearchAggregation`).

`AGGREGATE BY category SIZE 3 METRICS (revenue = SUM(price), n = COUNT(*)) ORDER BY revenue
DESC TOP 2 HITS ORDER BY score DESC THEN BY brand SIZE 2 ...`. A bucket orders by one of its
metrics (by alias, or by the aggregate itself), `COUNT(*)` (Milvus's `_count`) or its key (the
level's one field, or `_key`); names are checked here, at their position, and the fields against
the schema when the search runs. The clause comes last in its search; LIMIT / OFFSET, GROUP BY
and ORDER BY of the hits mean nothing next to it (Milvus ignores the search's limit: SIZE sets
how many buckets) and are refused at their position.
"""

from __future__ import annotations

from typing import Any

from lark import Token, Transformer, v_args

from milvus_kernel.language import statements as s
from milvus_kernel.language.clauses import Clause, SemanticError

#: the clauses of one search that an aggregation leaves without meaning
EXCLUDED = {
    "limit": "a search aggregation returns buckets, not LIMIT hits: SIZE n sets how many buckets "
    "(and TOP n HITS how many hits in each)",
    "group_by": "AGGREGATE BY groups the hits itself: drop GROUP BY",
    "order": "with AGGREGATE BY, ORDER BY goes inside it: the buckets' order, or the hits' "
    "after TOP n HITS",
}
SPECIAL_KEYS = ("_count", "_key")


@v_args(inline=True)
class AggregationRules(Transformer):
    """AGGREGATE BY ... → a clause holding `AggregationLevel`s, outermost first."""

    def agg_json_path(self, field: Token, *steps: str | int) -> Token:
        path = str(field) + "".join(f"[{step!r}]" for step in steps)
        raise SemanticError(
            f"AGGREGATE BY a JSON path ({path}) is not supported: Milvus and pymilvus "
            "bucket by whole fields only",
            field,
            hint="aggregate by a scalar field",
        )

    def agg_metric(self, alias: Token, _eq: Token, aggregate: Clause) -> Clause:
        metric: s.Aggregate = aggregate.value
        if metric.distinct:
            raise SemanticError(
                "a bucket metric cannot be COUNT(DISTINCT ...)",
                aggregate.token,
                hint="COUNT(*), COUNT(f), SUM(f), AVG(f), MIN(f) or MAX(f)",
            )
        return Clause("metric", (str(alias), metric), alias)

    def agg_metrics(self, *metrics: Clause) -> Clause:
        seen: set[str] = set()
        for metric in metrics:
            if metric.value[0] in seen:
                raise SemanticError(f"metric {metric.value[0]} is given twice", metric.token)
            seen.add(metric.value[0])
        return Clause("metrics", tuple(m.value for m in metrics), metrics[0].token)

    def agg_order(self, *keys: Clause) -> Clause:
        return Clause("agg_order", keys, keys[0].token)

    def agg_hits(self, size: Token, *keys: Clause) -> Clause:
        for key in keys:
            if isinstance(key.value[0], s.Aggregate):
                raise SemanticError(
                    "TOP n HITS ORDER BY takes fields or score, not aggregates", key.token
                )
        order = tuple(s.OrderKey(*key.value) for key in keys)
        return Clause("agg_hits", (_positive(size, "TOP n HITS"), order), size)

    def agg_level(self, *items: Any) -> Clause:
        names = [item for item in items if isinstance(item, Token) and item.type != "INT"]
        size = next(item for item in items if isinstance(item, Token) and item.type == "INT")
        parts = {item.key: item for item in items if isinstance(item, Clause)}
        fields = tuple(str(name) for name in names)
        for place, name in enumerate(names):
            if str(name) in fields[:place]:
                raise SemanticError(f"AGGREGATE BY names {name} twice", name)
        metrics = parts["metrics"].value if "metrics" in parts else ()
        order = tuple(
            _bucket_order(key, fields, metrics)
            for key in (parts["agg_order"].value if "agg_order" in parts else ())
        )
        top, hits_order = parts["agg_hits"].value if "agg_hits" in parts else (None, ())
        level = s.AggregationLevel(fields, _positive(size, "SIZE"), metrics, order, top, hits_order)
        return Clause("agg_level", level, names[0])

    def aggregate_by(self, *levels: Clause) -> Clause:
        if len(levels) > 4:
            raise SemanticError(
                "a search aggregation has at most 4 levels (AGGREGATE BY and 3 THEN BY)",
                levels[4].token,
            )
        return Clause("aggregate_by", tuple(level.value for level in levels), levels[0].token)


def _positive(token: Token, what: str) -> int:
    value = int(token)
    if value <= 0:
        raise SemanticError(f"{what} needs 1 or more", token)
    return value


def _bucket_order(
    key: Clause, fields: tuple[str, ...], metrics: tuple[tuple[str, s.Aggregate], ...]
) -> s.OrderKey:
    """A bucket's ORDER BY key as Milvus names it: a metric alias, `_count` or `_key`."""
    name, descending = key.value
    aliases = [alias for alias, _ in metrics]
    if isinstance(name, s.Aggregate):
        if name == s.Aggregate("COUNT"):
            return s.OrderKey("_count", descending)
        named = [alias for alias, metric in metrics if metric == name]
        if not named:
            raise SemanticError(
                f"ORDER BY {name.name}: no metric of this level computes it",
                key.token,
                hint=f"add it to METRICS (m = {name.name.upper()}) and ORDER BY m",
            )
        return s.OrderKey(named[0], descending)
    if name in aliases or name in SPECIAL_KEYS:
        return s.OrderKey(name, descending)
    if name in fields:
        if len(fields) > 1:
            raise SemanticError(
                f"ORDER BY {name}: buckets order by their whole key ({', '.join(fields)})",
                key.token,
                hint="ORDER BY _key",
            )
        return s.OrderKey("_key", descending)
    choices = ", ".join([*aliases, "COUNT(*)", fields[0] if len(fields) == 1 else "_key"])
    raise SemanticError(
        f"ORDER BY {name}: buckets order by a metric alias, COUNT(*) or their key ({choices})",
        key.token,
    )


def check_aggregation(clauses: list[Clause]) -> None:
    """Refuse, at its position, a clause that means nothing next to AGGREGATE BY."""
    if not any(clause.key == "aggregate_by" for clause in clauses):
        return
    for clause in clauses:
        if clause.key in EXCLUDED:
            raise SemanticError(EXCLUDED[clause.key], clause.token)
