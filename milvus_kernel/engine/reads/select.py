"""SELECT: get by primary key, query with LIMIT/OFFSET, COUNT(*), and unbounded reads.

Milvus caps one query at offset + limit ≤ 16384; past that the rows come from `query_iterator`.
A SELECT without LIMIT counts the matches (`total`), fetches only `display_limit` rows for
display, and streams everything through `all_rows`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace
from typing import Any

from milvus_kernel.engine.catalog import Catalog
from milvus_kernel.engine.connection.capabilities import WINDOW
from milvus_kernel.engine.context import using_catalog
from milvus_kernel.engine.data.writes import check_filter_fields, require_partition
from milvus_kernel.engine.legacy import keyed_select
from milvus_kernel.engine.milvus_errors import translating
from milvus_kernel.engine.reads import aggregates, ordering
from milvus_kernel.engine.reads.rows import (
    OFFSET,
    column_for,
    extra_keys,
    star_fields,
    to_row,
    with_offsets,
)
from milvus_kernel.engine.schema.fields import CollectionInfo
from milvus_kernel.engine.search.fulltext import server_functions
from milvus_kernel.engine.search.query_sources import get_by_keys
from milvus_kernel.errors import ExecutionError
from milvus_kernel.language.filter_types import element_filters
from milvus_kernel.language.filters import output_name_problem
from milvus_kernel.language.statements import Select
from milvus_kernel.results import Column, Result, Table

MAX_WINDOW = WINDOW  # rows per query: offset + limit
ITERATOR_BATCH = 5000


def resolve_columns(info: CollectionInfo, wanted: tuple[str, ...]) -> tuple[list[str], bool]:
    """The field names to show for `wanted` (with `*` expanded) and whether `*` was asked for."""
    names: list[str] = []
    star = False
    for name in wanted:
        if name == "*":
            star = True
            names.extend(n for n in star_fields(info) if n not in names)
        elif info.field(name) is None and (problem := output_name_problem(name)):
            raise ExecutionError(problem)
        elif info.field(name) is None and not info.dynamic:
            raise info.no_field(name)
        elif name not in names:
            names.append(name)
    return names, star


class Reader:
    """Runs the queries of one SELECT."""

    def __init__(self, catalog: Catalog, info: CollectionInfo, statement: Select) -> None:
        self.catalog = catalog
        self.info = info
        self.table = statement.table
        self.filter = statement.where.expression if statement.where else ""
        self.partitions = list(statement.partitions) or None
        self.names, self.star = resolve_columns(info, statement.columns)
        self.output_fields = ["*"] if self.star and info.dynamic else list(self.names)
        # ELEMENT_FILTER: one row per matched element, its index in the struct array shown
        self.elements = bool(element_filters(statement.where))

    def _query(self, **kwargs: Any) -> list[dict[str, Any]]:
        return list(
            self.catalog.fetch(
                "query",
                self.table,
                filter=self.filter,
                partition_names=self.partitions,
                table=self.table,
                **self.catalog.read_options(),
                **kwargs,
            )
        )

    def count(self) -> int:
        found = self._query(output_fields=["count(*)"])
        return int(found[0]["count(*)"]) if found else 0

    def window(self, offset: int, limit: int) -> list[dict[str, Any]]:
        """Rows offset .. offset+limit, by one query when Milvus allows, else by the iterator."""
        if limit <= 0:
            return []
        if offset + limit <= MAX_WINDOW:
            return self._query(output_fields=self.output_fields, limit=limit, offset=offset)
        return list(self.iterate(offset, limit))

    def iterate(self, offset: int, limit: int | None) -> Iterator[dict[str, Any]]:
        """Stream rows offset .. offset+limit (or to the end) with `query_iterator`."""
        total = -1 if limit is None else offset + limit
        iterator = self.catalog.call(
            "query_iterator",
            self.table,
            batch_size=ITERATOR_BATCH,
            limit=total,
            filter=self.filter,
            output_fields=self.output_fields,
            partition_names=self.partitions,
            table=self.table,
            **self.catalog.read_options(),
        )
        seen = 0
        try:
            while True:
                with translating(table=self.table):
                    batch = [dict(entity) for entity in iterator.next()]
                if not batch:
                    return
                for entity in batch:
                    seen += 1
                    if seen <= offset:
                        continue
                    if limit is not None and seen > offset + limit:
                        return
                    yield entity
        finally:
            iterator.close()

    def get(self, keys: tuple[Any, ...]) -> list[dict[str, Any]]:
        return get_by_keys(
            self.catalog,
            self.info,
            list(keys),
            output_fields=self.output_fields,
            partition_names=self.partitions,
            **self.catalog.read_options(),
        )

    def columns(self, sample: list[dict[str, Any]]) -> tuple[list[str], tuple[Column, ...]]:
        names = list(self.names)
        if self.star and self.info.dynamic:
            names += extra_keys(sample, [*names, OFFSET] if self.elements else names)
        if self.elements:
            names = with_offsets(names, self.info.primary.name)
        return names, tuple(column_for(self.info, n) for n in names)

    def table_of(
        self,
        entities: list[dict[str, Any]],
        total: int | None,
        all_rows: Callable[[], Iterator[tuple[Any, ...]]] | None = None,
    ) -> Table:
        names, columns = self.columns(entities)
        rows = [to_row(e, names, self.info) for e in entities]
        if all_rows is None:
            frozen = list(rows)

            def all_rows() -> Iterator[tuple[Any, ...]]:
                return iter(frozen)

        return Table(columns=columns, rows=rows, total=total, title=self.table, all_rows=all_rows)


def select(catalog: Catalog, statement: Select) -> Result:
    with server_functions(catalog):  # PHRASE_MATCH on Milvus Lite: one plain line
        # schema and load state are known after the first read: a stale one is asked again once
        return catalog.fresh(statement.table, lambda: _select(catalog, statement))


def _select(catalog: Catalog, statement: Select) -> Result:
    table = statement.table
    info = catalog.require(table)
    statement = keyed_select(info, statement)  # the old `select t by id=1,2,3`
    check_filter_fields(info, statement.where)
    for partition in statement.partitions:
        require_partition(catalog, table, partition)
    if (statement.limit is not None and statement.limit < 0) or statement.offset < 0:
        raise ExecutionError("LIMIT and OFFSET must be 0 or more")
    catalog.ensure_loaded(table)
    if statement.aggregating:  # the rows read bring the fields aggregates.needed_fields names
        aggregates.check(info, statement)
        grouped = replace(statement, columns=statement.group_by or (info.primary.name,))
        return _aggregated(Reader(catalog, info, grouped), statement)
    reader = Reader(catalog, info, statement)
    if statement.count:
        return Table(columns=(Column("count(*)", "int"),), rows=[(reader.count(),)], title=table)
    if statement.order:
        return _ordered(reader, statement)
    where = statement.where
    if where is not None and where.keys is not None and where.key_field == info.primary.name:
        found = reader.get(where.keys)
        end = None if statement.limit is None else statement.offset + statement.limit
        found = found[statement.offset : end]
        return reader.table_of(found, len(found))
    limit, offset = statement.limit, statement.offset
    if limit is not None and offset + limit <= MAX_WINDOW:
        found = reader.window(offset, limit)
        return reader.table_of(found, len(found))
    matched = max(0, reader.count() - offset)
    total = matched if limit is None else min(limit, matched)
    shown = (
        total if catalog.settings.display_limit == 0 else min(total, catalog.settings.display_limit)
    )
    found = reader.window(offset, shown)
    names, _ = reader.columns(found)

    def all_rows() -> Iterator[tuple[Any, ...]]:
        for entity in reader.iterate(offset, total):
            yield to_row(entity, names, reader.info)

    return reader.table_of(found, total, all_rows=all_rows)


def _aggregated(reader: Reader, statement: Select) -> Table:
    """GROUP BY and aggregates, computed by the kernel over the streamed rows (aggregates.py)."""
    reader.output_fields = aggregates.needed_fields(statement) or [reader.info.primary.name]
    label = f"SELECT {reader.table}: aggregating"
    rows = ordering.counted(reader.iterate(0, None), label, reader.count())
    instants = aggregates.instant_columns(reader.info, statement)
    found = aggregates.grouped(rows, statement, instants)
    ordering.explain_python(
        reader.catalog,
        aggregates.aggregate_code(statement, instants)
        + ordering.window_code(statement.offset, statement.limit, statement.columns),
    )
    shown = [tuple(row.get(name) for name in statement.columns) for row in found]
    columns = aggregates.columns(reader.info, statement)
    return Table(columns=columns, rows=shown, total=len(shown), title=reader.table)


def _ordered(reader: Reader, statement: Select) -> Table:
    """ORDER BY fields, sorted by the kernel over the streamed rows (ordering.py)."""
    for key in statement.order:
        ordering.order_field(reader.info, key, "ORDER BY")
    primary = reader.info.primary.name
    if reader.output_fields != ["*"]:
        wanted = [*reader.output_fields, *(k.field for k in statement.order), primary]
        reader.output_fields = list(dict.fromkeys(wanted))
    instants = ordering.instant_fields(reader.info)
    loose = ordering.loose_keys(reader.info, statement.order)
    key = ordering.sort_key(statement.order, primary, instants, loose)
    offset, limit = statement.offset, statement.limit
    label = f"SELECT {reader.table}: ordering"
    matched = max(0, reader.count() - offset)
    total = matched if limit is None else min(limit, matched)
    display = reader.catalog.settings.display_limit  # without LIMIT: the first page
    shown = total if display == 0 or limit is not None else min(total, display)
    rows = ordering.counted(reader.iterate(0, None), label, matched + offset)
    found = ordering.first_rows(rows, key, offset + shown)[offset:]
    names, _ = reader.columns(found)
    timed = instants & {k.field for k in statement.order}
    ordering.explain_python(
        reader.catalog,
        (ordering.instant_code() if timed else [])
        + (ordering.loose_code() if loose else [])
        + ordering.sort_code(statement.order, primary, instants=frozenset(timed), loose=loose)
        + ordering.window_code(offset, limit, names),
    )
    if shown == total:
        return reader.table_of(found, total)

    def all_rows() -> Iterator[tuple[Any, ...]]:
        everything = ordering.sorted_rows(reader.iterate(0, None), key)
        for index, entity in enumerate(everything):
            if index >= offset + total:
                return
            if index >= offset:
                yield to_row(entity, names, reader.info)

    return reader.table_of(found, total, all_rows=all_rows)


HANDLERS = using_catalog({Select: select})
