"""GROUP BY and aggregates (COUNT, COUNT(DISTINCT), AVG, MIN, MAX, SUM), computed by the kernel.

Milvus Lite 3.2.2 accepts a query's `group_by_fields` and aggregate outputs and silently ignores
them, and servers before 2.6 have neither, so the kernel streams the matching rows (only the
fields it needs) from `query_iterator` and keeps one accumulator per group: exact on every server,
in memory that grows with the groups, not with the rows (COUNT(DISTINCT f) keeps the distinct
values, as it must).

SQL's meaning: aggregates skip NULLs (COUNT(*) counts rows), AVG / SUM / MIN / MAX of no values
is NULL, a NULL group key is a group of its own, and without GROUP BY there is exactly one row
(COUNT(*) 0 on no rows). Groups come out ordered by ORDER BY, then by their keys (NULLs last).
TIMESTAMPTZ keys, MIN and MAX compare as instants (`instant_columns`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from milvus_kernel.engine.reads.ordering import (
    COMPARABLE,
    comparable_field,
    instant,
    instant_code,
    instant_fields,
    sort_code,
    sort_key,
)
from milvus_kernel.engine.schema.fields import CollectionInfo
from milvus_kernel.errors import ExecutionError
from milvus_kernel.language.statements import Aggregate, OrderKey, Select
from milvus_kernel.results import Column

NUMERIC = ("int", "float")


def check(info: CollectionInfo, statement: Select) -> None:
    """Raise for GROUP BY keys and aggregate arguments this collection cannot give."""
    for name in statement.group_by:
        comparable_field(info, name, "GROUP BY")
    for aggregate in statement.aggregates:
        if aggregate.field is None:
            continue
        field = info.field(aggregate.field)
        if field is None:
            raise ExecutionError(
                f"{aggregate.function}({aggregate.field}): collection '{info.name}' has no field"
                f" '{aggregate.field}'; fields: {', '.join(info.names)}"
            )
        if aggregate.function in ("AVG", "SUM") and field.kind not in NUMERIC:
            raise ExecutionError(
                f"{aggregate.function}({aggregate.field}) needs a number field, not"
                f" {field.type_text}; MIN, MAX and COUNT take it"
            )
        if aggregate.function in ("MIN", "MAX") and (
            field.kind not in COMPARABLE or field.type == "GEOMETRY"
        ):
            raise ExecutionError(
                f"{aggregate.function}({aggregate.field}): a {field.type_text} field has no order"
            )
        if aggregate.distinct and field.kind not in COMPARABLE:
            raise ExecutionError(
                f"COUNT(DISTINCT {aggregate.field}): a {field.type_text} field's values are not"
                " compared; count a number, string or boolean field"
            )


def needed_fields(statement: Select) -> list[str]:
    """The fields the rows must bring: the group keys and the aggregates' arguments."""
    names = list(statement.group_by)
    for aggregate in statement.aggregates:
        if aggregate.field is not None and aggregate.field not in names:
            names.append(aggregate.field)
    return names


def instant_columns(info: CollectionInfo, statement: Select) -> frozenset[str]:
    """The result's columns of TIMESTAMPTZ text: such group keys, and MIN / MAX of such a field."""
    timed = instant_fields(info)
    names = {name for name in statement.group_by if name in timed}
    for aggregate in statement.aggregates:
        if aggregate.function in ("MIN", "MAX") and aggregate.field in timed:
            names.add(aggregate.name)
    return frozenset(names)


class Groups:
    """One accumulator per group: per aggregate a count, a total, a minimum / maximum (kept with
    the value it is compared by) or a set."""

    def __init__(
        self,
        group_by: Sequence[str],
        aggregates: Sequence[Aggregate],
        instants: frozenset[str] = frozenset(),
    ) -> None:
        self.group_by = tuple(group_by)
        self.aggregates = tuple(aggregates)
        self.timed = tuple(a.name in instants for a in self.aggregates)
        self.states: dict[tuple[Any, ...], list[Any]] = {}

    def add(self, row: Mapping[str, Any]) -> None:
        key = tuple(row.get(name) for name in self.group_by)
        states = self.states.get(key)
        if states is None:
            states = self.states[key] = [_start(a) for a in self.aggregates]
        for index, aggregate in enumerate(self.aggregates):
            if aggregate.field is None:
                states[index] += 1
                continue
            value = row.get(aggregate.field)
            if value is None:
                continue
            function = aggregate.function
            if aggregate.distinct:
                states[index].add(value)
            elif function == "COUNT":
                states[index] += 1
            elif function in ("SUM", "AVG"):
                state = states[index]
                state[0] += value
                state[1] += 1
            else:
                compared = instant(value) if self.timed[index] else value
                best = states[index]
                if best is None or (
                    compared < best[0] if function == "MIN" else compared > best[0]
                ):
                    states[index] = (compared, value)

    def rows(self) -> list[dict[str, Any]]:
        """One dict per group: its keys and every aggregate's value, by column name."""
        if not self.group_by and not self.states:
            self.states[()] = [_start(a) for a in self.aggregates]
        found = []
        for key, states in self.states.items():
            row = dict(zip(self.group_by, key, strict=True))
            for aggregate, state in zip(self.aggregates, states, strict=True):
                row[aggregate.name] = _final(aggregate, state)
            found.append(row)
        return found


def _start(aggregate: Aggregate) -> Any:
    if aggregate.distinct:
        return set()
    if aggregate.function == "COUNT":
        return 0
    if aggregate.function in ("SUM", "AVG"):
        return [0, 0]
    return None


def _final(aggregate: Aggregate, state: Any) -> Any:
    if aggregate.distinct:
        return len(state)
    if aggregate.function == "SUM":
        return state[0] if state[1] else None
    if aggregate.function == "AVG":
        return state[0] / state[1] if state[1] else None
    if aggregate.function in ("MIN", "MAX"):
        return None if state is None else state[1]
    return state


def grouped(
    rows: Iterable[Mapping[str, Any]], statement: Select, instants: frozenset[str] = frozenset()
) -> list[dict[str, Any]]:
    """The result rows of `statement` over `rows`: grouped, ordered, windowed (`instants`: the
    columns of TIMESTAMPTZ text, compared as instants)."""
    groups = Groups(statement.group_by, statement.aggregates, instants)
    for row in rows:
        groups.add(row)
    found = groups.rows()
    found.sort(key=sort_key(group_order(statement), instants=instants))
    end = None if statement.limit is None else statement.offset + statement.limit
    return found[statement.offset : end]


def group_order(statement: Select) -> tuple[OrderKey, ...]:
    """ORDER BY, then the group keys ascending: one order for the groups on every run."""
    given = {key.field for key in statement.order}
    return statement.order + tuple(OrderKey(n) for n in statement.group_by if n not in given)


def columns(info: CollectionInfo, statement: Select) -> tuple[Column, ...]:
    by_name = {a.name: a for a in statement.aggregates}
    shown = []
    for name in statement.columns:
        aggregate = by_name.get(name)
        if aggregate is None:
            field = info.field(name)
            shown.append(field.column if field is not None else Column(name))
        elif aggregate.function == "COUNT":
            shown.append(Column(name, "int"))
        elif aggregate.function == "AVG":
            shown.append(Column(name, "float"))
        else:
            field = info.field(aggregate.field or "")
            shown.append(Column(name, field.kind if field is not None else "any"))
    return tuple(shown)


def aggregate_code(statement: Select, instants: frozenset[str] = frozenset()) -> list[str]:
    """Python that computes `grouped` from the list `rows` the iterator loop read."""
    keys = ", ".join(f"row.get({name!r})" for name in statement.group_by)
    lines = instant_code() if instants else []
    lines += ["groups = {}"] if statement.group_by else ["groups = {(): rows}"]
    if statement.group_by:
        lines += [
            "for row in rows:",
            f"    groups.setdefault(({keys},), []).append(row)",
        ]
    lines += [
        "",
        "",
        "def present(members, field):",
        "    return [m[field] for m in members if m.get(field) is not None]",
        "",
        "",
        "found = []",
        "for key, members in groups.items():",
        "    row = {"
        + ", ".join(f"{n!r}: key[{i}]" for i, n in enumerate(statement.group_by))
        + "}",
    ]
    for aggregate in statement.aggregates:
        timed = aggregate.name in instants
        lines.append(f"    row[{aggregate.name!r}] = {_expression(aggregate, timed)}")
    lines += ["    found.append(row)", "rows = found"]
    return lines + sort_code(group_order(statement), None, instants=instants)


def _expression(aggregate: Aggregate, timed: bool = False) -> str:
    if aggregate.field is None:
        return "len(members)"
    values = f"present(members, {aggregate.field!r})"
    if aggregate.distinct:
        return f"len(set({values}))"
    return {
        "COUNT": f"len({values})",
        "SUM": f"sum(v) if (v := {values}) else None",
        "AVG": f"sum(v) / len(v) if (v := {values}) else None",
        "MIN": f"min({values}, {'key=instant, ' if timed else ''}default=None)",
        "MAX": f"max({values}, {'key=instant, ' if timed else ''}default=None)",
    }[aggregate.function]
