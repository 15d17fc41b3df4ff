"""The legacy dialect (the old milvus_kernel's), read with Milvus 2.x meaning; users read about
it in docs/migrating-from-milvus_kernel.md.

`create table t where dimension=128 and metric_type='L2'`, `insert 2,3,5 from t by id=0`,
`select 2,3,5 from t where top_k=1`, `select t by id=1,2`, ... become the same statements the
modern forms make. Options that only Milvus 1.x had (index_file_size) are kept so the engine can
say, in one line, that they no longer apply.
"""

from __future__ import annotations

from typing import Any

from lark import Token, Transformer, v_args

from milvus_kernel.language import statements as s
from milvus_kernel.language.clauses import SemanticError
from milvus_kernel.language.rules.literals import number_value

#: per statement, the `where` keys it understands (None: any key, passed through as a parameter)
LEGACY_KEYS: dict[str, set[str] | None] = {
    "create table": {"dimension", "index_file_size", "metric_type", "auto_id"},
    "partition": {"partition_tag"},
    "create index": None,
    "insert": {"partition_tag"},
    "search": None,
}


class Conditions(dict):  # type: ignore[type-arg]
    """`a=1 and b='x'`: names (lower-case) to values, with the token of each name."""

    def __init__(self) -> None:
        super().__init__()
        self.tokens: dict[str, Token] = {}


@v_args(inline=True)
class LegacyRules(Transformer):
    """Old-dialect rules → modern statements."""

    def legacy_condition(self, name: Token, _eq: Token, value: Any) -> tuple[Token, Any]:
        return name, value

    def legacy_conditions(self, *pairs: tuple[Token, Any]) -> Conditions:
        conditions = Conditions()
        for name, value in pairs:
            key = str(name).lower()
            if key in conditions:
                raise SemanticError(f"{key} is given twice", name)
            conditions[key] = value
            conditions.tokens[key] = name
        return conditions

    def legacy_number(self, *parts: Token) -> int | float:
        value = number_value(str(parts[-1]))
        return -value if len(parts) == 2 else value

    def legacy_numbers(self, *numbers: float) -> list[float]:
        return list(numbers)

    def legacy_by_id(self, name: Token, _eq: Token, *keys: Any) -> tuple[Any, ...]:
        if str(name).lower() != "id":
            raise SemanticError("write `by id=...`", name)
        return keys

    def legacy_create_table(self, name: Token, conditions: Conditions) -> s.CreateTable:
        _check(conditions, "create table")
        if "dimension" not in conditions:
            raise SemanticError("the old `create table` needs dimension=N", name)
        return s.CreateTable(str(name), (), dict(conditions))

    def legacy_create_partition(self, table: Token, conditions: Conditions) -> s.CreatePartition:
        return s.CreatePartition(_partition_tag(table, conditions), str(table))

    def legacy_drop_partition(self, table: Token, conditions: Conditions) -> s.DropPartition:
        return s.DropPartition(_partition_tag(table, conditions), str(table))

    def legacy_create_index(self, table: Token, conditions: Conditions) -> s.CreateIndex:
        params = dict(conditions)
        index_type = params.pop("index_type", None)
        return s.CreateIndex(
            str(table),
            "",
            index_type=str(index_type).upper() if index_type else None,
            params=params,
        )

    def legacy_drop_index(self, table: Token) -> s.DropIndex:
        return s.DropIndex("", str(table))

    def legacy_insert(self, verb: Token, vector: list[float], table: Token, *rest: Any) -> s.Insert:
        conditions = next((r for r in rest if isinstance(r, Conditions)), Conditions())
        keys = next((r for r in rest if isinstance(r, tuple)), None)
        _check(conditions, "insert")
        if keys is not None and len(keys) != 1:
            raise SemanticError("the old `insert` takes one id: `by id=N`", table)
        row = (keys[0], vector) if keys else (vector,)
        return s.Insert(
            str(table), (row,), partition=conditions.get("partition_tag"), legacy_form=True
        )

    def legacy_search(self, vector: list[float], table: Token, conditions: Conditions) -> s.Search:
        params = dict(conditions)
        if "top_k" not in params:
            raise SemanticError("the old vector `select` needs top_k=N", table)
        limit = params.pop("top_k")
        tags = params.pop("partition_tags", None) or params.pop("partition_tag", None)
        partitions = tuple(tags) if isinstance(tags, list) else ((tags,) if tags else ())
        metric = params.pop("metric_type", None)
        return s.Search(
            str(table),
            (vector,),
            partitions=partitions,
            limit=int(limit),
            params=params,
            metric=str(metric).upper() if metric else None,
        )

    def legacy_get(self, table: Token, keys: tuple[Any, ...]) -> s.Select:
        return s.Select(str(table), keys=keys)

    def legacy_delete(self, table: Token, keys: tuple[Any, ...]) -> s.Delete:
        return s.Delete(str(table), keys=keys)


def _check(conditions: Conditions, form: str) -> None:
    allowed = LEGACY_KEYS[form]
    if allowed is None:
        return
    for key, token in conditions.tokens.items():
        if key not in allowed:
            raise SemanticError(
                f"{key} is not an option of the old `{form}`",
                token,
                hint="options: " + ", ".join(sorted(allowed)),
            )


def _partition_tag(table: Token, conditions: Conditions) -> str:
    _check(conditions, "partition")
    if "partition_tag" not in conditions:
        raise SemanticError("write `where partition_tag='name'`", table)
    return str(conditions["partition_tag"])
