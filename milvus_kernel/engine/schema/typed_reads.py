"""TIMESTAMPTZ and GEOMETRY in every statement that reads: filters made right for the schema,
values shown in the session's time zone, geometry functions a server lacks refused in one line.

`typed(handler)` wraps each handler of the registry (EXPLAIN runs the same wrapped handlers, so
the code it prints has the same filter). Before the handler runs, a filter that compares a field
with a string (`at > '2025-03-01T00:00:00Z'`) is rendered again once the collection's schema says
which of those fields are TIMESTAMPTZ: their strings become `ISO "..."` literals, checked and
normalized (a value without an offset is in the collection's `timezone`, else UTC). The schema
is one the session knows already, or is read (one describe_collection, which the handler would
make anyway) only when a string looks like a date, so `tag = 'a'` costs no call. After it, the
TIMESTAMPTZ columns of a result table are shown in `SET timezone`'s zone. Statements without
such filters or columns pass through untouched, with no extra call. An ELEMENT_FILTER is refused
in one line where the server has no struct arrays, and its column and sub-fields are checked;
so is a SEARCH FOR EMBEDDINGS (...) (embedding lists search the vectors of struct arrays).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from dataclasses import fields, is_dataclass, replace
from typing import Any

from milvus_kernel.engine.catalog import Catalog
from milvus_kernel.engine.connection.capabilities import require_full_milvus, require_version
from milvus_kernel.engine.schema.fields import CollectionInfo
from milvus_kernel.engine.schema.timestamps import BadText, looks_like_time, shown, to_milvus, zone
from milvus_kernel.errors import ExecutionError
from milvus_kernel.language.filter_types import (
    compared_with_strings,
    element_filters,
    functions,
    retimed,
)
from milvus_kernel.language.statements import Filter
from milvus_kernel.results import Result, Table

#: the geometry functions Milvus Lite 3.2.2's filter parser does not know
LITE_LACKS = ("ST_EQUALS", "ST_TOUCHES", "ST_OVERLAPS", "ST_CROSSES")

Handler = Callable[[Any, Any], Result]


def _filters(statement: Any) -> list[Filter]:
    found = []
    where = getattr(statement, "where", None)
    if isinstance(where, Filter):
        found.append(where)
    for leg in getattr(statement, "legs", ()) or ():
        found += _filters(leg)
    return found


def _table(statement: Any) -> str | None:
    table = getattr(statement, "table", None)
    return table if isinstance(table, str) else None


def _normalizer(naive: str | None) -> Callable[[str], str]:
    def normalize(text: str) -> str:
        try:
            return to_milvus(text, "a TIMESTAMPTZ comparison", naive)
        except BadText as error:
            raise ExecutionError(str(error)) from None

    return normalize


def _retimed(statement: Any, times: set[str], normalize: Callable[[str], str]) -> Any:
    """`statement` with its filters (and its legs' filters) rendered for the timestamps."""
    if not is_dataclass(statement):
        return statement
    changes: dict[str, Any] = {}
    for spec in fields(statement):
        value = getattr(statement, spec.name)
        if spec.name == "where" and isinstance(value, Filter):
            changes["where"] = retimed(value, times, normalize)
        elif spec.name == "legs" and isinstance(value, tuple):
            changes["legs"] = tuple(_retimed(leg, times, normalize) for leg in value)
    return replace(statement, **changes) if changes else statement


def prepared(catalog: Catalog, statement: Any) -> Any:
    """The statement to run: geometry functions checked, TIMESTAMPTZ comparisons as ISO."""
    wheres = _filters(statement)
    called = set().union(*(functions(w) for w in wheres)) if wheres else set()
    for name in LITE_LACKS:
        if name in called and not catalog.explaining:
            require_full_milvus(catalog, name)
    searches = [statement, *(getattr(statement, "legs", ()) or ())]
    if any(getattr(search, "embedding_lists", False) for search in searches):
        require_version(catalog, "SEARCH ... FOR EMBEDDINGS", FIRST_WITH_STRUCTS, "struct arrays")
    tested = [element_filters(where) for where in wheres]
    if any(tested):
        check_elements(catalog, _table(statement), tested)
    candidates: dict[str, list[str]] = {}
    for where in wheres:
        for name, values in compared_with_strings(where).items():
            candidates.setdefault(name, []).extend(values)
    table = _table(statement)
    if not candidates or table is None:
        return statement
    info = catalog.cached(table)
    if info is None and any(looks_like_time(v) for vs in candidates.values() for v in vs):
        try:  # the schema is read only for a string that may be a moment (no call otherwise)
            info = catalog.require(table)
        except ExecutionError:
            return statement  # no such collection: the handler says so in its own words
    if info is None:
        return statement
    fields = [info.field(n) for n in candidates]
    times = {f.name for f in fields if f is not None and f.type == "TIMESTAMPTZ"}
    if not times:
        return statement
    naive = next((f.zone for f in fields if f is not None and f.zone), None)
    return _retimed(statement, times, _normalizer(naive))


#: the first Milvus with ARRAY<STRUCT<...>> fields (and so element_filter)
FIRST_WITH_STRUCTS = (2, 6)


def check_elements(catalog: Catalog, table: str | None, tested: list[dict[str, set[str]]]) -> None:
    """ELEMENT_FILTER needs struct arrays (refused in one line on Lite and older servers); each
    column it names is an ARRAY<STRUCT<...>> with the sub-fields its condition uses."""
    require_version(catalog, "ELEMENT_FILTER(...)", FIRST_WITH_STRUCTS, "struct arrays")
    if table is None:
        return
    info = catalog.require(table)
    for struct, members in ((s, m) for found in tested for s, m in found.items()):
        field = info.field(struct)
        if field is None or not field.is_struct:
            what = "no field" if field is None else f"{field.type_text} in"
            raise ExecutionError(
                f"collection '{table}' has {what} '{struct}': ELEMENT_FILTER tests the "
                "elements of an ARRAY<STRUCT<...>> column"
            )
        known = [m.name for m in field.members]
        unknown = sorted(members - set(known))
        if unknown:
            raise ExecutionError(
                f"the structs of {table}.{struct} have no field {', '.join(unknown)} "
                f"(in ELEMENT_FILTER); their fields: {', '.join(known)}"
            )


def _times(info: CollectionInfo, result: Table) -> list[int]:
    names = {f.name for f in info.fields if f.type == "TIMESTAMPTZ"}
    return [i for i, column in enumerate(result.columns) if column.name in names]


def in_zone(catalog: Catalog, statement: Any, result: Result) -> Result:
    """`result` with its TIMESTAMPTZ columns shown in the session's time zone."""
    table = _table(statement)
    if not isinstance(result, Table) or table is None:
        return result
    info = catalog.cached(table)
    if info is None or not any(f.type == "TIMESTAMPTZ" for f in info.fields):
        return result
    places = _times(info, result)
    if not places:
        return result
    tz = zone(catalog.settings.timezone)

    def row(values: tuple[Any, ...]) -> tuple[Any, ...]:
        return tuple(shown(v, tz) if i in places else v for i, v in enumerate(values))

    source = result.all_rows

    def all_rows() -> Iterator[tuple[Any, ...]]:
        assert source is not None
        return (row(values) for values in source())

    return replace(
        result,
        rows=[row(tuple(values)) for values in result.rows],
        all_rows=all_rows if source is not None else None,
    )


def typed(handler: Handler) -> Handler:
    """`handler` with the statement prepared for the schema and the result shown in the zone."""

    @functools.wraps(handler)
    def run(context: Any, statement: Any) -> Result:
        catalog = context.catalog
        ready = prepared(catalog, statement)
        return in_zone(catalog, ready, handler(context, ready))

    return run
