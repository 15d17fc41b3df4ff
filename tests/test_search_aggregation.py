"""SEARCH ... AGGREGATE BY (pymilvus `search_aggregation`, Milvus 3.0+): pymilvus's own example
(examples/search_aggregation.py, cases 1, 2, 4 and 5) in the language; EXPLAIN's code binds to
MilvusClient.search and builds SearchAggregation objects equal (to_proto) to the example's; a 3.0
server's answer (built from pymilvus's proto classes, through pymilvus's SearchResult) becomes one
row per bucket, depth first; Milvus Lite (which accepts the field and returns plain hits) and the
2.3.5 standalone are refused in one line before anything is sent; bad names fail with position."""

from __future__ import annotations

import inspect

import numpy as np
import pytest
from admin_helpers import fails, one, server_session
from explained_code import checked_calls
from pymilvus import MilvusClient, SearchAggregation, TopHits
from pymilvus.client.search_result import SearchResult
from pymilvus.grpc_gen import schema_pb2

from milvus_kernel.display import render
from milvus_kernel.engine.connection import capabilities
from milvus_kernel.errors import MilvusSyntaxError
from milvus_kernel.language.completion import completion_context
from milvus_kernel.language.parser import parse_cell
from milvus_kernel.language.statements import Aggregate, AggregationLevel, OrderKey
from milvus_kernel.results import Table

DIM = 8
NAME = "demo_search_aggregation"
SCHEMA = (
    f"CREATE TABLE {NAME} (id INT64 PRIMARY KEY, category VARCHAR(32), brand VARCHAR(32), "
    "color VARCHAR(16), sku VARCHAR(16), price DOUBLE, rating DOUBLE, in_stock BOOL, meta JSON, "
    f"embedding FLOAT_VECTOR({DIM}))"
)
QUERIES = np.random.default_rng(19530).random((3, DIM)).astype(np.float32).tolist()
FOR = "FOR [" + ", ".join("[" + ", ".join(repr(x) for x in q) + "]" for q in QUERIES) + "]"

# pymilvus's examples/search_aggregation.py: each case's statement, its SearchAggregation and the
# other keywords of its client.search call (output_fields without the primary key "id")
CASES = {
    1: (
        f"SEARCH {NAME} USING embedding {FOR} RETURN brand, price "
        "AGGREGATE BY brand SIZE 4 TOP 3 HITS",
        SearchAggregation(fields=["brand"], size=4, top_hits=TopHits(size=3)),
        {"output_fields": ["brand", "price"]},
    ),
    2: (
        f"SEARCH {NAME} USING embedding {FOR} RETURN brand, color, price, rating "
        "AGGREGATE BY brand, color SIZE 5 METRICS (avg_price = AVG(price), doc_count = COUNT(*)) "
        "ORDER BY avg_price DESC TOP 2 HITS ORDER BY rating DESC",
        SearchAggregation(
            fields=["brand", "color"],
            size=5,
            metrics={"avg_price": {"avg": "price"}, "doc_count": {"count": "*"}},
            order=[{"avg_price": "desc"}],
            top_hits=TopHits(size=2, sort=[{"rating": "desc"}]),
        ),
        {"output_fields": ["brand", "color", "price", "rating"]},
    ),
    4: (
        f"SEARCH {NAME} USING embedding {FOR} WHERE in_stock = true "
        "RETURN category, brand, price, rating\n"
        "  AGGREGATE BY category SIZE 3\n"
        "      METRICS (total_revenue = SUM(price), item_count = COUNT(*))\n"
        "      ORDER BY total_revenue DESC TOP 2 HITS ORDER BY score DESC\n"
        "    THEN BY brand SIZE 2 METRICS (avg_rating = AVG(rating)) ORDER BY avg_rating DESC\n"
        "      TOP 2 HITS ORDER BY price",
        SearchAggregation(
            fields=["category"],
            size=3,
            metrics={"total_revenue": {"sum": "price"}, "item_count": {"count": "*"}},
            order=[{"total_revenue": "desc"}],
            top_hits=TopHits(size=2, sort=[{"_score": "desc"}]),
            sub_aggregation=SearchAggregation(
                fields=["brand"],
                size=2,
                metrics={"avg_rating": {"avg": "rating"}},
                order=[{"avg_rating": "desc"}],
                top_hits=TopHits(size=2, sort=[{"price": "asc"}]),
            ),
        ),
        {
            "output_fields": ["category", "brand", "price", "rating"],
            "filter": "in_stock == true",
        },
    ),
    5: (
        f"SEARCH {NAME} USING embedding {FOR} RETURN category, brand, sku, color, price, rating "
        "WITH (metric_type = 'L2', nprobe = 16) "
        "AGGREGATE BY category SIZE 3 METRICS (total_revenue = SUM(price), item_count = COUNT(*)) "
        "ORDER BY total_revenue DESC TOP 2 HITS ORDER BY score "
        "THEN BY brand SIZE 3 METRICS (brand_revenue = SUM(price), avg_rating = AVG(rating)) "
        "ORDER BY brand_revenue DESC TOP 2 HITS ORDER BY rating DESC "
        "THEN BY sku, color SIZE 3 METRICS (min_price = MIN(price), item_count = COUNT(*)) "
        "ORDER BY min_price TOP 2 HITS ORDER BY price ASC",
        SearchAggregation(
            fields=["category"],
            size=3,
            metrics={"total_revenue": {"sum": "price"}, "item_count": {"count": "*"}},
            order=[{"total_revenue": "desc"}],
            top_hits=TopHits(size=2, sort=[{"_score": "asc"}]),
            sub_aggregation=SearchAggregation(
                fields=["brand"],
                size=3,
                metrics={"brand_revenue": {"sum": "price"}, "avg_rating": {"avg": "rating"}},
                order=[{"brand_revenue": "desc"}],
                top_hits=TopHits(size=2, sort=[{"rating": "desc"}]),
                sub_aggregation=SearchAggregation(
                    fields=["sku", "color"],
                    size=3,
                    metrics={"min_price": {"min": "price"}, "item_count": {"count": "*"}},
                    order=[{"min_price": "asc"}],
                    top_hits=TopHits(size=2, sort=[{"price": "asc"}]),
                ),
            ),
        ),
        {
            "output_fields": ["category", "brand", "sku", "color", "price", "rating"],
            "search_params": {"metric_type": "L2", "params": {"nprobe": 16}},
        },
    ),
}


@pytest.fixture(scope="module")
def demo(session):
    one(session, SCHEMA)
    one(session, f"CREATE INDEX ON {NAME} (embedding) USING FLAT WITH (metric_type = 'L2')")
    return NAME


def test_case_4_parses_to_its_two_levels():
    (statement,) = parse_cell(CASES[4][0])
    assert statement.limit == 10 and statement.group_by is None and statement.order == ()
    assert statement.aggregation == (
        AggregationLevel(
            ("category",),
            3,
            (("total_revenue", Aggregate("SUM", "price")), ("item_count", Aggregate("COUNT"))),
            (OrderKey("total_revenue", True),),
            2,
            (OrderKey("score", True),),
        ),
        AggregationLevel(
            ("brand",),
            2,
            (("avg_rating", Aggregate("AVG", "rating")),),
            (OrderKey("avg_rating", True),),
            2,
            (OrderKey("price"),),
        ),
    )


def test_bucket_order_names_become_milvus_keys():
    cell = (
        "SEARCH t FOR [1.0] AGGREGATE BY brand SIZE 2 METRICS (s = SUM(price)) "
        "ORDER BY SUM(price) DESC, COUNT(*), brand DESC THEN BY a, b SIZE 2 ORDER BY _key"
    )
    outer, inner = parse_cell(cell)[0].aggregation
    assert outer.order == (OrderKey("s", True), OrderKey("_count"), OrderKey("_key", True))
    assert inner.order == (OrderKey("_key"),)


@pytest.mark.parametrize("case", sorted(CASES))
def test_explain_builds_the_examples_search_aggregation(session, demo, case):
    statement, aggregation, keywords = CASES[case]
    code = one(session, "EXPLAIN " + statement).text
    assert "SearchAggregation(" in code and "client.search(" in code
    searches = [(args, kw) for method, args, kw in checked_calls(code) if method == "search"]
    assert len(searches) == 1
    args, kw = searches[0]
    assert args == (NAME,) and kw["anns_field"] == "embedding"
    assert kw["search_aggregation"].to_proto() == aggregation.to_proto()
    assert "limit" not in kw  # Milvus ignores it with an aggregation: SIZE counts buckets
    assert np.allclose(kw["data"], QUERIES)
    assert kw["output_fields"] == keywords["output_fields"]
    assert kw.get("filter", "") == keywords.get("filter", "")
    if "search_params" in keywords:
        assert kw["search_params"] == keywords["search_params"]


def test_lite_accepts_the_field_and_ignores_it_so_the_kernel_refuses(session, demo):
    client = session.catalog().client
    rows = [
        {"id": i, "category": f"c{i % 3}", "brand": f"b{i % 4}", "color": "red", "sku": "s"}
        | {"price": float(i), "rating": i / 10, "in_stock": True, "meta": {}}
        | {"embedding": QUERIES[i % 3]}
        for i in range(30)
    ]
    client.insert(NAME, rows)
    one(session, f"LOAD {NAME}")
    raw = client.search(
        NAME,
        data=QUERIES[:1],
        anns_field="embedding",
        output_fields=["brand"],
        search_aggregation=CASES[1][1],
    )
    assert raw.agg_buckets == [] and len(raw[0]) == 10  # plain hits: the aggregation ignored
    report = fails(session, CASES[4][0])
    assert report.count("\n") == 0, report
    assert "SEARCH ... AGGREGATE BY is not supported by Milvus Lite" in report


def test_lite_refuses_before_a_default_index_is_built(session):
    one(
        session,
        f"CREATE TABLE agg_plain (id INT64 PRIMARY KEY, brand VARCHAR(8), v FLOAT_VECTOR({DIM}))",
    )
    report = fails(
        session, "SEARCH agg_plain FOR [0, 0, 0, 0, 0, 0, 0, 1] AGGREGATE BY brand SIZE 2"
    )
    assert "not supported by Milvus Lite" in report
    assert session.catalog().client.list_indexes("agg_plain") == []


@pytest.mark.parametrize(
    ("tail", "message"),
    [
        ("AGGREGATE BY nope SIZE 2", "has no field 'nope' to AGGREGATE BY"),
        ("AGGREGATE BY embedding SIZE 2", "cannot AGGREGATE BY embedding"),
        ("AGGREGATE BY meta SIZE 2", "cannot AGGREGATE BY meta"),
        ("AGGREGATE BY brand SIZE 2 METRICS (s = SUM(brand))", "SUM(brand) needs numbers"),
        ("AGGREGATE BY brand SIZE 2 METRICS (s = MAX(nope))", "has no field 'nope' to MAX()"),
        ("AGGREGATE BY brand SIZE 2 TOP 1 HITS ORDER BY nope", "to order the top hits by"),
        ("AGGREGATE BY brand SIZE 2 METRICS (price = SUM(price))", "metric alias price is also"),
        ("AGGREGATE BY brand SIZE 2 METRICS (count = COUNT(*))", "metric alias count is also"),
    ],
)
def test_schema_names_are_checked(session, demo, tail, message):
    report = fails(session, f"EXPLAIN SEARCH {NAME} FOR {QUERIES[0]} {tail}")
    assert message in report, report


@pytest.mark.parametrize(
    ("tail", "column", "message"),
    [
        ("LIMIT 5 AGGREGATE BY brand SIZE 5", 33, "SIZE n sets how many buckets"),
        ("AGGREGATE BY brand SIZE 5 ORDER BY price", 62, "buckets order by a metric alias"),
        ("AGGREGATE BY brand SIZE 5 ORDER BY SUM(price)", 62, "no metric of this level"),
        ("AGGREGATE BY brand, color SIZE 5 ORDER BY color", 69, "by their whole key"),
        ("AGGREGATE BY brand SIZE 0", 51, "SIZE needs 1 or more"),
        ("AGGREGATE BY b SIZE 2 TOP 0 HITS", 53, "TOP n HITS needs 1 or more"),
        ("AGGREGATE BY b SIZE 2 METRICS (a = COUNT(DISTINCT x))", 62, "COUNT(DISTINCT"),
        ("AGGREGATE BY b SIZE 2 METRICS (a = SUM(x), a = MIN(x))", 70, "metric a is given twice"),
        ("AGGREGATE BY b SIZE 2 TOP 1 HITS ORDER BY COUNT(*)", 69, "fields or score"),
        ("AGGREGATE BY b, b SIZE 2", 43, "names b twice"),
        ("GROUP BY b AGGREGATE BY b SIZE 2", 36, "drop GROUP BY"),
        ("AGGREGATE BY meta['region'] SIZE 4", 40, "a JSON path (meta['region'])"),
        ("AGGREGATE BY b, tags[0] SIZE 4", 43, "a JSON path (tags[0])"),
    ],
)
def test_meaningless_aggregations_fail_at_their_position(tail, column, message):
    cell = f"SEARCH products FOR [1.0] {tail}"
    error = fails_to_parse(cell)
    assert message in error.message, error.message
    assert (error.line, error.column) == (1, column), (error.column, cell[column - 1 :])


def test_a_hybrid_search_and_a_fifth_level_are_refused():
    hybrid = fails_to_parse(
        "SEARCH t FOR [1.0] AGGREGATE BY b SIZE 2, USING w FOR [1.0] RERANK RRF(60)"
    )
    assert "not of a hybrid search" in hybrid.message
    levels = " THEN BY ".join(f"f{n} SIZE 2" for n in range(5))
    deep = fails_to_parse(f"SEARCH t FOR [1.0] AGGREGATE BY {levels}")
    assert "at most 4 levels" in deep.message


def fails_to_parse(cell: str) -> MilvusSyntaxError:
    with pytest.raises(MilvusSyntaxError) as raised:
        parse_cell(cell)
    return raised.value


# ---- a Milvus 3.0 server's answer --------------------------------------------------------------


def hit(pk: int, score: float, **fields: object) -> schema_pb2.AggHit:
    entries = []
    for name, value in fields.items():
        kind = "double_val" if isinstance(value, float) else "string_val"
        entries.append(schema_pb2.AggHitField(field_name=name, **{kind: value}))
    return schema_pb2.AggHit(int_pk=pk, score=score, fields=entries)


def bucket(
    key: list[tuple[str, str]],
    count: int,
    metrics: dict[str, float],
    hits: tuple[schema_pb2.AggHit, ...] | list[schema_pb2.AggHit] = (),
    sub: tuple[schema_pb2.AggBucket, ...] | list[schema_pb2.AggBucket] = (),
) -> schema_pb2.AggBucket:
    proto = schema_pb2.AggBucket(count=count, hits=list(hits), sub_groups=list(sub))
    for name, value in key:
        proto.key.add(field_name=name, string_val=value)
    for alias, value in metrics.items():
        kind = "int_val" if isinstance(value, int) else "double_val"
        proto.metrics[alias].CopyFrom(schema_pb2.MetricValue(**{kind: value}))
    return proto


ANSWER = schema_pb2.SearchResultData(
    num_queries=2,
    agg_topks=[2, 1],
    agg_buckets=[
        bucket(
            [("category", "books")],
            4,
            {"total_revenue": 410.0, "item_count": 4},
            [hit(7, 0.25, price=100.0), hit(3, 0.5, price=110.0)],
            [
                bucket([("brand", "BrandA")], 3, {"avg_rating": 4.5}, [hit(7, 0.25, price=100.0)]),
                bucket([("brand", "BrandB")], 1, {"avg_rating": 2.0}, [hit(9, 0.75, price=90.0)]),
            ],
        ),
        bucket([("category", "toys")], 2, {"total_revenue": 50.0, "item_count": 2}),
        bucket(
            [("category", "home")],
            1,
            {"total_revenue": 12.5, "item_count": 1},
            [hit(11, 0.125, price=12.5)],
            [bucket([("brand", "BrandC")], 1, {"avg_rating": 3.0})],
        ),
    ],
)

B = None  # a bucket row has no hit; a hit row (after its bucket) no count or metrics
EXPECTED = [
    # query, level, category, brand, count, total_revenue, item_count, avg_rating,
    # id, distance, price, rating
    (1, 1, "books", None, 4, 410.0, 4, None, B, B, B, B),
    (1, 1, "books", None, None, None, None, None, 7, 0.25, 100.0, None),
    (1, 1, "books", None, None, None, None, None, 3, 0.5, 110.0, None),
    (1, 2, "books", "BrandA", 3, None, None, 4.5, B, B, B, B),
    (1, 2, "books", "BrandA", None, None, None, None, 7, 0.25, 100.0, None),
    (1, 2, "books", "BrandB", 1, None, None, 2.0, B, B, B, B),
    (1, 2, "books", "BrandB", None, None, None, None, 9, 0.75, 90.0, None),
    (1, 1, "toys", None, 2, 50.0, 2, None, B, B, B, B),
    (2, 1, "home", None, 1, 12.5, 1, None, B, B, B, B),
    (2, 1, "home", None, None, None, None, None, 11, 0.125, 12.5, None),
    (2, 2, "home", "BrandC", 1, None, None, 3.0, B, B, B, B),
]


def test_a_3_0_answer_becomes_one_row_per_bucket_parents_first(session, demo, monkeypatch):
    """The kernel sends the aggregation to a 3.0 server (here: the refusal lifted and the
    client's search answering what a 3.0 server sends, through pymilvus's SearchResult)."""
    sent = []

    def search(*args, **kwargs):
        inspect.signature(MilvusClient.search).bind(None, *args, **kwargs)
        sent.append(kwargs)
        return SearchResult(ANSWER)

    monkeypatch.setattr(capabilities, "require_version", lambda *args: None)
    monkeypatch.setattr(session.catalog().client, "search", search)
    statement = CASES[4][0].replace(FOR, f"FOR [{QUERIES[0]}, {QUERIES[1]}]")
    table = one(session, statement)
    assert isinstance(table, Table)
    assert [c.name for c in table.columns] == [
        "query", "level", "category", "brand", "count", "total_revenue", "item_count",
        "avg_rating", "id", "distance", "price", "rating",
    ]  # fmt: skip
    assert table.rows == EXPECTED
    assert sent[0]["search_aggregation"].to_proto() == CASES[4][1].to_proto()
    text = render(table, 0)["text/plain"]
    assert "BrandA" in text and "0.125" in text and "(11 rows, metric L2)" in text, text


def test_the_2_3_standalone_is_refused_naming_its_version(milvus_server, tmp_path):
    with server_session(milvus_server, tmp_path) as session:
        one(session, f"CREATE TABLE agg_23 (id INT64 PRIMARY KEY, brand VARCHAR(8), "
                     f"v FLOAT_VECTOR({DIM}))")  # fmt: skip
        try:
            report = fails(session, f"SEARCH agg_23 FOR {QUERIES[0]} AGGREGATE BY brand SIZE 2")
            assert report.count("\n") == 0, report
            assert "SEARCH ... AGGREGATE BY is not supported by Milvus v2.3.5" in report
            assert "(3.0+: an older server drops search_aggregation" in report
            assert session.catalog().client.list_indexes("agg_23") == []  # nothing built
            client = session.catalog().client  # what the server does with the field: drops it
            client.insert(
                "agg_23", [{"id": i, "brand": "b", "v": QUERIES[i % 3]} for i in range(9)]
            )
            one(
                session,
                "CREATE INDEX ON agg_23 (v) USING FLAT WITH (metric_type = 'L2'); LOAD agg_23",
            )
            aggregation = CASES[1][1]
            raw = client.search(
                "agg_23",
                data=QUERIES[:1],
                anns_field="v",
                limit=3,
                search_aggregation=aggregation,
                consistency_level="Strong",
            )
            assert raw.agg_buckets == [] and len(raw[0]) == 3
        finally:
            one(session, "DROP TABLE agg_23")


def test_tab_offers_the_clause_its_parts_and_the_tables_fields():
    def at(code: str):
        return completion_context(code, len(code))

    start = "SEARCH products FOR [0.1] "
    assert "AGGREGATE" in at(start + "AGG").keywords
    assert at(start + "AGGREGATE BY ").wants == {"field"}
    assert at(start + "AGGREGATE BY ").table == "products"
    parts = at(start + "AGGREGATE BY brand SIZE 3 ").keywords
    assert {"METRICS", "ORDER", "TOP", "THEN"} <= set(parts) and "LIMIT" not in parts
    assert at(start + "AGGREGATE BY brand SIZE 3 TOP 2 ").keywords == ("HITS",)
    assert at(start + "AGGREGATE BY a SIZE 3 THEN BY ").wants == {"field"}
