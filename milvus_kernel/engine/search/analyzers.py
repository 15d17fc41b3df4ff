"""SHOW TOKENS FOR 'text' [USING ANALYZER (params) | ON table.field]: Milvus's analyzer, run.

One `client.run_analyzer(text, ..., with_detail=True)`: with the analyzer parameters given, with
the analyzer of a collection's VARCHAR field (`collection_name`, `field_name`), or with Milvus's
default (the standard tokenizer). One row per token: `position`, `token`, `start_offset` and
`end_offset` (characters of the text). Milvus Lite has no `run_analyzer`, nor has a server older
than 2.5: both are said in one line.
"""

from __future__ import annotations

from typing import Any

from milvus_kernel.engine.connection.capabilities import require_full_milvus, server_call
from milvus_kernel.engine.context import HandlerContext
from milvus_kernel.errors import ExecutionError
from milvus_kernel.language.statements import ShowTokens
from milvus_kernel.results import Column, Result, Table

COLUMNS = (
    Column("position", "int"),
    Column("token", "str"),
    Column("start_offset", "int"),
    Column("end_offset", "int"),
)


def show_tokens(context: HandlerContext, statement: ShowTokens) -> Result:
    catalog = context.catalog
    if not catalog.explaining:  # EXPLAIN prints the call on any server
        require_full_milvus(catalog, "SHOW TOKENS (run_analyzer)")
    kwargs: dict[str, Any] = {"with_detail": True}
    if statement.analyzer_params is not None:
        kwargs["analyzer_params"] = dict(statement.analyzer_params)
    if statement.table is not None:
        info = catalog.require(statement.table)
        field = info.field(statement.field or "")
        if field is None or field.type != "VARCHAR":
            raise ExecutionError(
                f"SHOW TOKENS ... ON {statement.table}.{statement.field} needs a VARCHAR field "
                f"of '{statement.table}'"
            )
        kwargs.update(collection_name=statement.table, field_name=field.name)
    result = server_call(
        catalog,
        "SHOW TOKENS (run_analyzer)",
        "run_analyzer",
        statement.sample,
        table=statement.table,
        **kwargs,
    )
    tokens = getattr(result, "tokens", None) or []
    rows = [_row(number, token) for number, token in enumerate(tokens)]
    return Table(columns=COLUMNS, rows=rows, total=len(rows), title="tokens")


def _row(number: int, token: Any) -> tuple[Any, ...]:
    detail = getattr(token, "dict", None)
    if not isinstance(detail, dict):  # a plain token (no details)
        return (number, str(token), None, None)
    position = detail.get("position", number)
    return (position, detail["token"], detail.get("start_offset"), detail.get("end_offset"))


HANDLERS = {ShowTokens: show_tokens}
