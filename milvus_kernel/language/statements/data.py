"""Data statements: INSERT and UPSERT, DELETE, SELECT, and vector, full-text and hybrid SEARCH."""

from __future__ import annotations

from dataclasses import dataclass, field

from milvus_kernel.language.statements.base import Filter, Statement, Value


@dataclass(frozen=True)
class Insert(Statement):
    """INSERT | UPSERT INTO table [PARTITION p] [(columns)] VALUES (...), (...).

    `columns` None means every field in schema order except an AUTO_ID key and generated fields.
    The old kernel's `insert 2,3,5 from t [by id=0]` sets `legacy_form`: its one row is
    `(vector,)` or `(key, vector)`, for the collection's primary key and its only vector field.
    """

    table: str
    rows: tuple[tuple[Value, ...], ...]
    columns: tuple[str, ...] | None = None
    partition: str | None = None
    upsert: bool = False
    legacy_form: bool = False
    partial: bool = False  # UPSERT ... WITH (partial = true): the fields not given are kept


@dataclass(frozen=True)
class Delete(Statement):
    """DELETE FROM table [PARTITION p] WHERE filter, or the old `delete t by id=1,2` (`keys`)."""

    table: str
    where: Filter | None = None
    partition: str | None = None
    keys: tuple[Value, ...] | None = None


@dataclass(frozen=True)
class Assignment:
    """One `field = value` of UPDATE ... SET; `operation` ARRAY_APPEND / ARRAY_REMOVE takes the
    `value` (a list) into or out of the field's array."""

    field: str
    value: Value
    operation: str | None = None


@dataclass(frozen=True)
class Update(Statement):
    """UPDATE table [PARTITION p] SET field = constant, ... WHERE filter (WHERE TRUE: every row)."""

    table: str
    assignments: tuple[Assignment, ...]
    where: Filter
    partition: str | None = None


# --- reads ------------------------------------------------------------------------------------


AGGREGATE_FUNCTIONS = ("COUNT", "AVG", "MIN", "MAX", "SUM")


@dataclass(frozen=True)
class Aggregate:
    """COUNT(*), COUNT(f), COUNT(DISTINCT f), AVG(f), MIN(f), MAX(f) or SUM(f).

    `name` is its column in the result: lower case, as Milvus names `count(*)`.
    """

    function: str  # one of AGGREGATE_FUNCTIONS
    field: str | None = None  # None: COUNT(*)
    distinct: bool = False

    @property
    def name(self) -> str:
        inner = "*" if self.field is None else self.field
        return f"{self.function.lower()}({'distinct ' if self.distinct else ''}{inner})"


@dataclass(frozen=True)
class OrderKey:
    """One key of ORDER BY: a field (or an aggregate's `name`, or a dynamic key), ascending
    unless `descending`; `path` steps into a JSON value (`meta['k'][0]`: ("k", 0))."""

    field: str
    descending: bool = False
    path: tuple[str | int, ...] = ()


@dataclass(frozen=True)
class AggregationLevel:
    """One level of SEARCH ... AGGREGATE BY (pymilvus `SearchAggregation`): buckets keyed by
    `fields`, at most `size` of them, each with its `metrics` (alias, aggregate), ordered by
    `order` (a metric alias, `_count` or `_key`), with `top_hits` hits sorted by `hits_order`."""

    fields: tuple[str, ...]
    size: int
    metrics: tuple[tuple[str, Aggregate], ...] = ()
    order: tuple[OrderKey, ...] = ()
    top_hits: int | None = None
    hits_order: tuple[OrderKey, ...] = ()


@dataclass(frozen=True)
class Select(Statement):
    """SELECT columns | aggregates FROM table [PARTITION ...] [WHERE ...] [GROUP BY keys]
    [ORDER BY key [ASC|DESC], ...] [LIMIT n [OFFSET m]].

    `columns` are the result's columns in order: field names, and the `name` of each aggregate
    shown. `aggregates` holds every aggregate computed (those shown, and those only ORDER BY
    names); `group_by` the grouping fields. `count` is the plain `SELECT COUNT(*) FROM t`.
    """

    table: str
    columns: tuple[str, ...] = ("*",)
    partitions: tuple[str, ...] = ()
    where: Filter | None = None
    limit: int | None = None
    offset: int = 0
    count: bool = False
    keys: tuple[Value, ...] | None = None  # the old `select t by id=1,2,3`: get by primary key
    aggregates: tuple[Aggregate, ...] = ()
    group_by: tuple[str, ...] = ()
    order: tuple[OrderKey, ...] = ()

    @property
    def aggregating(self) -> bool:
        return bool(self.aggregates or self.group_by)


@dataclass(frozen=True)
class Ranker:
    """One ranker of RERANK: RRF(60), WEIGHTED(0.7, 0.3), DECAY(field = 'at', function = 'gauss',
    ...), BOOST(WHERE label = 'red', weight = 2.0) or MODEL(provider = 'tei', ...)."""

    name: str  # upper case
    args: tuple[Value, ...] = ()
    options: dict[str, Value] = field(default_factory=dict)
    where: Filter | None = None


@dataclass(frozen=True)
class ChainStep:
    """One step of RERANK CHAIN (...), a pymilvus `FunctionChain` op: `output = FUNCTION(columns,
    values, options)` (a map: DECAY, COMBINE, ROUND, XGBOOST, MODEL), ORDER BY (`order`: the key,
    then the tie-break key) or LIMIT (`limit`, `offset`). `score` names the hit's score (`$score`),
    the primary key its key (`$id`); `at` is (line, column) of the step in the cell, `places`
    that of each name the step reads (neither counts in equality)."""

    kind: str  # "map", "sort" or "limit"
    output: str | None = None
    function: str | None = None  # upper case
    columns: tuple[str, ...] = ()
    values: tuple[Value, ...] = ()
    options: dict[str, Value] = field(default_factory=dict)
    order: tuple[OrderKey, ...] = ()
    limit: int = 0
    offset: int = 0
    at: tuple[int, int] = field(default=(0, 0), compare=False)
    places: dict[str, tuple[int, int]] = field(default_factory=dict, compare=False)


@dataclass(frozen=True)
class Search(Statement):
    """A vector or full-text search: SEARCH ... FOR | TEXT ..., or SELECT ... ORDER BY v <-> [...].

    What is searched with is one of: `vectors` (literals), `ids` (FOR ID 17 / FOR IDS (17, 18):
    the stored vectors of those entities), `vector_file` (VECTOR FROM 'q.npy' takes row 0,
    VECTORS FROM takes every row: `all_file_rows`), or `query_text` (TEXT '...': BM25 full-text).
    `projection` is set by the SQL form: the exact columns to show, which may include `distance`.
    `metric` is set by the SQL form's operator (L2, COSINE, IP) and by WITH (metric_type = ...).
    """

    table: str
    vectors: tuple[Value, ...] = ()
    anns_field: str | None = None
    partitions: tuple[str, ...] = ()
    where: Filter | None = None
    output_fields: tuple[str, ...] = ()
    limit: int = 10
    offset: int = 0
    params: dict[str, Value] = field(default_factory=dict)
    metric: str | None = None
    projection: tuple[str, ...] | None = None
    ids: tuple[Value, ...] | None = None
    query_text: str | None = None
    vector_file: str | None = None
    all_file_rows: bool = False
    group_by: str | None = None
    group_size: int | None = None
    aggregation: tuple[AggregationLevel, ...] = ()  # AGGREGATE BY ... [THEN BY ...]
    embedded_by: str | None = None  # EMBEDDED BY 'provider:model': how TEXT becomes a vector
    order: tuple[OrderKey, ...] = ()  # ORDER BY fields: the top-`limit` hits, sorted by them
    rankers: tuple[Ranker, ...] = ()  # RERANK DECAY(...), BOOST(...): a chain, in order
    chain: tuple[ChainStep, ...] = ()  # RERANK CHAIN (...): a FunctionChain, step by step

    @property
    def embedding_lists(self) -> bool:
        """FOR EMBEDDINGS (...): each query is several vectors (a tuple; a vector is a list)."""
        return any(isinstance(query, tuple) for query in self.vectors)


@dataclass(frozen=True)
class HybridSearch(Statement):
    """SEARCH t USING a FOR ..., USING b TEXT ... RERANK RRF(k) | WEIGHTED(w, ...) [RETURN] LIMIT n.

    Each leg is a `Search` of its own (its field, query, filter, limit and params); the legs'
    hits are fused by the ranker.
    """

    table: str
    legs: tuple[Search, ...]
    ranker: str  # RRF or WEIGHTED
    ranker_args: tuple[Value, ...] = ()
    output_fields: tuple[str, ...] = ()
    partitions: tuple[str, ...] = ()
    limit: int = 10
    offset: int = 0
    group_by: str | None = None
    group_size: int | None = None
    rankers: tuple[Ranker, ...] = ()  # the whole RERANK chain; the first fuses the legs


@dataclass(frozen=True)
class ShowTokens(Statement):
    """SHOW TOKENS FOR 'text' [USING ANALYZER (params) | ON table.field]: Milvus's analyzer."""

    sample: str  # the text to analyze
    analyzer_params: dict[str, Value] | None = None
    table: str | None = None
    field: str | None = None
