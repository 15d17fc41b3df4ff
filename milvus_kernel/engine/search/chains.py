"""RERANK CHAIN (...): one search's hits reranked by a pymilvus `FunctionChain`.

Each step becomes one op of the chain, in order: `name = DECAY(f, ...)` is
`.map(name, fn.decay(col(f), ...))` (COMBINE is `fn.num_combine`, ROUND `fn.round_decimal`,
XGBOOST `fn.xgboost`, MODEL `fn.rerank_model`), `ORDER BY k [ASC|DESC] [, t]` is
`.sort(col(k), desc=..., tie_break_col=col(t))`, `LIMIT n [OFFSET m]` is `.limit(n, offset=m)`.
`score` is the hit's score (`$score`), the primary key the hit's key (`$id`); any other name is
an earlier step's output or a field, checked against the schema before anything is sent (an
error names the step and its line and column). The chain goes to `search(function_chains=...)`.

Milvus Lite 3.2.2 runs such a chain at the L2 rerank stage (not XGBOOST, an L0 model, nor MODEL
providers other than 'cohere'). A server before Milvus 3.0 does not know the request's field and
would return the hits unreranked: the statement stops there in one line naming the server.
"""

from __future__ import annotations

from typing import Any

from milvus_kernel.engine.catalog import Catalog
from milvus_kernel.engine.connection.capabilities import WINDOW, is_lite, require_version
from milvus_kernel.engine.schema.fields import CollectionInfo
from milvus_kernel.engine.search.rankers import LITE_MODEL_PROVIDERS, NUMERIC
from milvus_kernel.errors import ExecutionError, NotSupported
from milvus_kernel.language.statements import ChainStep, Search

SCORE, KEY = "$score", "$id"
#: The pymilvus `fn` helper of each map function, and how many columns it reads (None: 1 or more).
FUNCTIONS = {
    "DECAY": ("decay", 1),
    "COMBINE": ("num_combine", None),
    "ROUND": ("round_decimal", 1),
    "XGBOOST": ("xgboost", None),
    "MODEL": ("rerank_model", 1),
}
TEXT = ("VARCHAR",)
CODE_WIDTH = 96  # EXPLAIN writes 100 columns; the chain's ops are indented by 4


def function_chain(
    catalog: Catalog, info: CollectionInfo, statement: Search
) -> tuple[Any, list[str]]:
    """(the `FunctionChain` of the search's steps, the fields its steps read), checked."""
    from pymilvus import FunctionChain, FunctionChainStage
    from pymilvus.exceptions import ParamError

    steps = statement.chain
    if statement.offset + statement.limit > WINDOW:
        raise ExecutionError(f"RERANK CHAIN reranks at most {WINDOW} hits: lower LIMIT / OFFSET")
    _require_chain(catalog, steps)
    xgboost = any(step.function == "XGBOOST" for step in steps)  # a model: the first stage
    stage = FunctionChainStage.L0_RERANK if xgboost else FunctionChainStage.L2_RERANK
    chain = FunctionChain(stage, name="rerank_chain")
    names = Names(info)
    for number, step in enumerate(steps, start=1):
        names.number, names.step = number, step
        try:
            _add(chain, step, names)
        except ParamError as error:
            raise ExecutionError(f"{names.where()}: {error.message}") from None
    return chain, names.fields


def rank_offset(steps: tuple[ChainStep, ...]) -> int:
    """How many reranked hits the chain's LIMIT ... OFFSET steps skip (ranks count them)."""
    return sum(step.offset for step in steps if step.kind == "limit")


def _require_chain(catalog: Catalog, steps: tuple[ChainStep, ...]) -> None:
    if catalog.explaining:  # EXPLAIN prints the chain on any server
        return
    if not is_lite(catalog):
        require_version(catalog, "RERANK CHAIN", (3, 0), "an older server ignores function_chains")
        return
    for step in steps:
        if step.function == "XGBOOST":
            raise NotSupported(
                "RERANK CHAIN with XGBOOST(...) is not supported by Milvus Lite (it runs DECAY, "
                "COMBINE, ROUND and MODEL)"
            )
        provider = str(step.options.get("provider", "")).lower()
        if step.function == "MODEL" and provider not in LITE_MODEL_PROVIDERS:
            raise NotSupported(
                f"RERANK CHAIN MODEL with provider '{provider}' is not supported by Milvus Lite "
                "(it has 'cohere' only)"
            )


class Names:
    """What a chain's names mean (`score`, the key, earlier outputs, the fields read), and where
    the step being built (`number`, `step`) is in the cell."""

    def __init__(self, info: CollectionInfo) -> None:
        self.info = info
        self.outputs: set[str] = set()
        self.fields: list[str] = []
        self.number, self.step = 0, ChainStep("map")

    def where(self, name: str | None = None) -> str:
        """Where the step is, or the name `name` in it: RERANK CHAIN step 2 (line 3, column 22)."""
        line, column = self.step.places.get(name or "", self.step.at)
        return f"RERANK CHAIN step {self.number} (line {line}, column {column})"

    def read(self, name: str, types: tuple[str, ...] = NUMERIC) -> Any:
        """`col(...)` of a name a step reads; a field must be of one of `types`."""
        from pymilvus.function_chain import col

        if name == "score":
            return col(SCORE)
        if name == self.info.primary.name:
            return col(KEY)
        if name in self.outputs:
            return col(name)
        field = self.info.field(name)
        where = self.where(name)
        if field is None:
            raise ExecutionError(
                f"{where}: '{name}' is neither an earlier step nor a field of "
                f"'{self.info.name}' (fields: {', '.join(self.info.names)})"
            )
        if field.type not in types:
            wanted = "a VARCHAR" if types == TEXT else "a numeric"
            raise ExecutionError(f"{where}: {name} is {field.type_text}; it needs {wanted} field")
        if name not in self.fields:
            self.fields.append(name)
        return col(name)

    def write(self, name: str) -> str:
        """The column a map step writes: `$score`, or a name of its own (not a field)."""
        where = self.where()
        if name == "score":
            return SCORE
        if name == self.info.primary.name:
            raise ExecutionError(f"{where}: the key {name} cannot be rewritten")
        if self.info.field(name) is not None:
            raise ExecutionError(
                f"{where}: {name} is a field of '{self.info.name}': name the step's output "
                "something else"
            )
        self.outputs.add(name)
        return name


def _add(chain: Any, step: ChainStep, names: Names) -> None:
    if step.kind == "limit":
        chain.limit(step.limit, offset=step.offset)
        return
    if step.kind == "sort":
        key, *tie = step.order
        tie_break = names.read(tie[0].field) if tie else None
        chain.sort(names.read(key.field), desc=key.descending, tie_break_col=tie_break)
        return
    chain.map(names.write(str(step.output)), _expression(step, names))


def _expression(step: ChainStep, names: Names) -> Any:
    """The `fn.<helper>(col(...), ..., **options)` of a map step."""
    from pymilvus.function_chain import fn

    where = names.where()
    function = str(step.function)
    helper, arity = FUNCTIONS[function]
    if arity is not None and len(step.columns) != arity:
        raise ExecutionError(f"{where}: {function} reads one column, e.g. {function}(score, ...)")
    options = {k: list(v) if isinstance(v, tuple) else v for k, v in step.options.items()}
    if step.values and function != "ROUND":
        raise ExecutionError(f"{where}: {function} takes columns and name = value options")
    if function == "ROUND":
        if len(step.values) > 1 or (step.values and "decimal" in options):
            raise ExecutionError(f"{where}: ROUND takes one number of decimals: ROUND(score, 4)")
        if step.values:
            options["decimal"] = step.values[0]
    types = {"MODEL": TEXT, "DECAY": (*NUMERIC, "TIMESTAMPTZ")}.get(function, NUMERIC)
    columns = [names.read(name, types) for name in step.columns]
    try:
        return getattr(fn, helper)(*columns, **options)
    except TypeError:
        raise ExecutionError(f"{where}: {function} does not take {_given(options)}") from None


def _given(options: dict[str, Any]) -> str:
    return ", ".join(f"{k} = ..." for k in options) or "these arguments"


def chain_code(chain: Any) -> list[str]:
    """The Python that builds `chain`, one op a line (EXPLAIN's code)."""
    lines = [f"FunctionChain(FunctionChainStage.{chain.stage.name}, name={chain.name!r})"]
    for op in chain.ops:
        if op.op == "map":
            expression = op.expr
            args = [_argument(a) for a in expression.args]
            args += [f"{k}={v!r}" for k, v in expression.params.items()]
            lines += _map_lines(op.outputs[0], f"fn.{expression.name}", args)
        elif op.op == "sort":
            tie = op.params.get("tie_break_col")
            tail = f", tie_break_col=col({tie!r})" if tie else ""
            lines.append(f".sort(col({op.inputs[0]!r}), desc={op.params['desc']!r}{tail})")
        else:
            lines.append(f".limit({op.params['limit']!r}, offset={op.params['offset']!r})")
    return lines


def _map_lines(output: str, helper: str, args: list[str]) -> list[str]:
    """`.map(output, fn.helper(args))` on one line when it fits (in the chain's parentheses, and
    EXPLAIN's 100 columns), else the helper's arguments one per line."""
    one = f".map({output!r}, {helper}({', '.join(args)}))"
    if len(one) <= CODE_WIDTH:
        return [one]
    return [f".map({output!r}, {helper}(", *(f"    {a}," for a in args), "))"]


def _argument(value: Any) -> str:
    return f"col({value.name!r})" if type(value).__name__ == "ColumnRef" else repr(value)
