"""SELECT rules: columns and aggregates, GROUP BY, ORDER BY fields or a vector distance.

`SELECT ... ORDER BY v <-> [...] LIMIT k` is a vector search (`Search`); every other SELECT is a
`Select`. Aggregates (COUNT, AVG, MIN, MAX, SUM) and GROUP BY are checked here where the text
shows the mistake: an unknown function, DISTINCT outside COUNT, a column neither grouped nor
aggregated, an aggregate in ORDER BY of a query that does not aggregate.
"""

from __future__ import annotations

from typing import Any

from lark import Token, Transformer, v_args

from milvus_kernel.language import filters as f
from milvus_kernel.language import statements as s
from milvus_kernel.language.clauses import Clause, SemanticError
from milvus_kernel.language.statements.data import AGGREGATE_FUNCTIONS

VECTOR_METRICS = {"<->": "L2", "<=>": "COSINE", "<#>": "IP"}


@v_args(inline=True)
class SelectRules(Transformer):
    """Select rules → `Select`, or `Search` for the ORDER BY distance form."""

    def aggregate(self, function: Token, *rest: Token) -> Clause:
        name = str(function).upper()
        if name not in AGGREGATE_FUNCTIONS:
            raise SemanticError(
                f"unknown aggregate {function}", function, hint="use COUNT, AVG, MIN, MAX or SUM"
            )
        distinct = len(rest) == 2
        argument = rest[-1]
        if argument.type == "STAR":
            if name != "COUNT":
                raise SemanticError(f"{name}(*) means nothing: name a field", argument)
            return Clause("aggregate", s.Aggregate("COUNT"), function)
        if distinct and name != "COUNT":
            raise SemanticError(f"DISTINCT goes with COUNT, not {name}", rest[0])
        return Clause("aggregate", s.Aggregate(name, str(argument), distinct), function)

    def select_field(self, *names: Token) -> Clause:
        return Clause("field", str(names[-1]), names[-1])  # coll.field names a field

    def select_columns(self, *items: Any) -> Clause:
        return Clause("columns", tuple(items))

    def group_keys(self, *names: Token) -> Clause:
        return Clause("group_by", tuple(str(n) for n in names), names[0])

    def order_key(self, key: Any, *rest: Any) -> Clause:
        direction = rest[-1] if rest and isinstance(rest[-1], Token) else None
        descending = direction is not None and direction.type == "DESC"
        if isinstance(key, Clause):  # an aggregate
            return Clause("order_key", (key.value, descending), key.token)
        path = tuple(step for step in rest if not isinstance(step, Token))
        if path:  # a JSON path: its steps travel as a FieldRef
            return Clause("order_key", (f.FieldRef(str(key), path), descending), key)
        return Clause("order_key", (str(key), descending), key)

    def order_by_fields(self, *keys: Clause) -> Clause:
        return Clause("order", tuple(keys), keys[0].token)

    def search_order(self, *keys: Clause) -> Clause:
        for key in keys:
            if isinstance(key.value[0], s.Aggregate):
                raise SemanticError("SEARCH ... ORDER BY takes fields, not aggregates", key.token)
        return Clause("order", tuple(_order_key(key) for key in keys), keys[0].token)

    def order_by(self, field: Token, op: Token, vectors: tuple[Any, ...]) -> Clause:
        return Clause("order_by", (str(field), VECTOR_METRICS[str(op)], vectors), op)

    def select(self, selected: Clause, table: Token, *clauses: Clause) -> s.Select | s.Search:
        given = {clause.key: clause.value for clause in clauses}
        tokens = {clause.key: clause.token for clause in clauses}
        where = given.get("where")
        partitions = given.get("partitions", ())
        options = given.get("with", {})
        limit, offset = given.get("limit", (None, 0))
        places = {item.value: item.token for item in selected.value if isinstance(item, Clause)}
        items = tuple(i.value if getattr(i, "key", "") == "field" else i for i in selected.value)
        aggregates = [item for item in items if isinstance(item, Clause)]
        if "order_by" in given:
            if aggregates or "group_by" in given:
                raise SemanticError(
                    "aggregates and GROUP BY do not go with ORDER BY distance",
                    tokens["order_by"],
                )
            return _distance_search(str(table), items, given, tokens["order_by"])
        if options:
            raise SemanticError(
                "WITH (...) applies to vector searches (ORDER BY v <-> [...])", table
            )
        group_by = given.get("group_by", ())
        order_keys = given.get("order", ())
        if _plain_count(aggregates, items, group_by, order_keys):
            return s.Select(str(table), (), partitions, where, limit, offset, count=True)
        if not aggregates and not group_by:
            for key in order_keys:
                if isinstance(key.value[0], s.Aggregate):
                    raise SemanticError(
                        f"ORDER BY {key.value[0].name} needs aggregates or GROUP BY", key.token
                    )
            order = tuple(_order_key(key) for key in order_keys)
            return s.Select(str(table), items, partitions, where, limit, offset, order=order)
        columns: list[str] = []
        for item in items:
            if isinstance(item, Clause):
                columns.append(item.value.name)
            elif item == "*":
                raise SemanticError("SELECT * does not go with aggregates or GROUP BY", table)
            elif item not in group_by:
                raise SemanticError(
                    f"{item} is neither in GROUP BY nor inside an aggregate",
                    places.get(item, table),
                    hint=f"add it to GROUP BY, or use MIN({item}), COUNT(DISTINCT {item}), ...",
                )
            else:
                columns.append(item)
        computed = {item.value for item in aggregates}
        order: list[s.OrderKey] = []
        for key in order_keys:
            field, descending = key.value
            if isinstance(field, s.Aggregate):
                computed.add(field)
                field = field.name
            elif not isinstance(field, str) or field not in group_by:
                field = field.render() if isinstance(field, f.FieldRef) else field
                raise SemanticError(
                    f"ORDER BY {field}: a grouped query orders by a GROUP BY field or an aggregate",
                    key.token,
                )
            order.append(s.OrderKey(field, descending))
        return s.Select(
            str(table),
            tuple(columns),
            partitions,
            where,
            limit,
            offset,
            aggregates=tuple(sorted(computed, key=lambda a: _first_use(a, columns))),
            group_by=group_by,
            order=tuple(order),
        )


def _plain_count(
    aggregates: list[Clause], items: tuple[Any, ...], group_by: tuple[str, ...], order: Any
) -> bool:
    """True for `SELECT COUNT(*) FROM t [WHERE ...]`: Milvus's own count(*) answers it."""
    only = len(items) == 1 and len(aggregates) == 1
    return only and aggregates[0].value == s.Aggregate("COUNT") and not group_by and not order


def _first_use(aggregate: s.Aggregate, columns: list[str]) -> tuple[int, str]:
    """Aggregates in the order the columns show them; those only ORDER BY uses come last."""
    name = aggregate.name
    return (columns.index(name) if name in columns else len(columns), name)


def _distance_search(table: str, columns: Any, given: dict[str, Any], token: Token) -> s.Search:
    field, metric, vectors = given["order_by"]
    limit, offset = given.get("limit", (None, 0))
    if limit is None:
        raise SemanticError(
            "a vector search needs LIMIT k", token, hint="add LIMIT 10 after the vector"
        )
    return s.Search(
        table,
        vectors,
        anns_field=field,
        partitions=given.get("partitions", ()),
        where=given.get("where"),
        output_fields=tuple(c for c in columns if c != "distance"),
        limit=limit,
        offset=offset,
        params=given.get("with", {}),
        metric=metric,
        projection=columns,
    )


def _order_key(key: Clause) -> s.OrderKey:
    """An ORDER BY key of rows or hits: a field, a dynamic key, or a JSON path into either."""
    field, descending = key.value
    if isinstance(field, f.FieldRef):
        return s.OrderKey(field.name, descending, field.path)
    return s.OrderKey(field, descending)
