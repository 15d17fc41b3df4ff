"""Writing recorded MilvusClient calls as Python source that runs (for EXPLAIN).

`CodeWriter` turns values into Python expressions: plain data as literals (printed in full, so the
code is exact; a long literal goes into a variable of its own before the call, wrapped for
reading), pymilvus objects as the code that builds them (a `CollectionSchema` as `create_schema`
and `add_field` lines, `IndexParams` as `add_index` lines, `AnnSearchRequest`, `RRFRanker`,
`WeightedRanker`), query data that knows its source (`query_sources.Sourced`) as that code, and
the rows of an INSERT into EMBED fields (`explained.EmbeddedRows`) as the rows the statement gave,
the model's load and the encode of their texts.
"""

from __future__ import annotations

import pprint
from dataclasses import dataclass, field
from typing import Any

from milvus_kernel.engine.embeddings import explained
from milvus_kernel.engine.search.chains import chain_code
from milvus_kernel.engine.search.query_sources import Sourced

WIDTH = 100
INLINE_CHARS = 300  # a literal longer than this goes into a variable before the call


@dataclass
class Call:
    """One recorded call: `target.method(*args, **kwargs)`, its result assigned to `assign`."""

    method: str
    args: tuple[Any, ...]
    kwargs: dict[str, Any]
    target: str = "client"
    assign: str | None = None
    comment: str | None = None
    code: str | None = None  # not a call: Python the kernel runs itself (sorting, grouping)


@dataclass
class CodeWriter:
    """Accumulates the lines of a script and the imports it needs."""

    lines: list[str] = field(default_factory=list)
    imports: set[str] = field(default_factory=set)
    counters: dict[str, int] = field(default_factory=dict)
    #: the variable holding each embedding model loaded so far, by its 'provider:model'
    models: dict[str, str] = field(default_factory=dict)

    def variable(self, hint: str) -> str:
        count = self.counters.get(hint, 0) + 1
        self.counters[hint] = count
        return hint if count == 1 else f"{hint}_{count}"

    def literal(self, value: Any, hint: str) -> str:
        text = pprint.pformat(value, width=WIDTH - 4, compact=True, sort_dicts=False)
        if len(text) <= INLINE_CHARS and "\n" not in text:
            return text
        name = self.variable(hint)
        self.lines.append(f"{name} = " + _indent(text, len(name) + 3).lstrip())
        return name

    def value(self, value: Any, hint: str = "value") -> str:
        """A Python expression for `value`, adding any lines it needs before the current call."""
        kind = type(value).__name__
        if isinstance(value, Sourced) and value.code is not None:
            for line in value.prelude:
                if line not in self.lines:
                    self.lines.append(line)
            if "np." in value.code:
                self.imports.add("import numpy as np")
            return value.code
        if isinstance(value, explained.EmbeddedRows):
            return self.embedded_rows(value, hint)
        if kind == "CollectionSchema":
            return self.schema(value)
        if kind == "IndexParams":
            return self.index_params(value)
        if kind == "FieldSchema":  # add_function_field's output column
            return self.field_schema(value)
        if kind == "StructFieldSchema":  # add_collection_struct_field's struct
            return self.struct_schema(value)
        if kind == "AnnSearchRequest":
            return self.request(value)
        if kind == "RRFRanker":
            self.imports.add("from pymilvus import RRFRanker")
            return f"RRFRanker({value._k})"
        if kind == "WeightedRanker":
            self.imports.add("from pymilvus import WeightedRanker")
            weights = ", ".join(repr(w) for w in value._weights)
            return f"WeightedRanker({weights}{'' if value._norm_score else ', norm_score=False'})"
        if kind == "Function":  # a RERANK function (schema functions are add_function lines)
            return self.function(value)
        if kind == "FunctionScore":
            self.imports.add("from pymilvus import FunctionScore")
            functions = ", ".join(self.function(f) for f in value.functions)
            params = f", params={value.params!r}" if value.params else ""
            return f"FunctionScore([{functions}]{params})"
        if kind == "FunctionChain":  # RERANK CHAIN: built op by op
            self.imports.add("from pymilvus import FunctionChain, FunctionChainStage")
            self.imports.add("from pymilvus.function_chain import col, fn")
            name = self.variable("chain")
            self.lines += [f"{name} = (", *(f"    {line}" for line in chain_code(value)), ")"]
            return name
        if kind == "DataType":
            self.imports.add("from pymilvus import DataType")
            return f"DataType.{value.name}"
        if kind == "FunctionType":
            self.imports.add("from pymilvus import FunctionType")
            return f"FunctionType.{value.name}"
        if kind == "SearchAggregation":  # SEARCH ... AGGREGATE BY: a variable of its own
            name = self.variable("aggregation")
            self.lines += _call_lines(f"{name} = SearchAggregation", self.aggregation(value))
            return name
        if isinstance(value, Sourced):
            return self.literal(list(value), hint)
        if not _plain_data(value):  # a container of pymilvus objects: build it item by item
            if isinstance(value, dict):
                items = ", ".join(f"{k!r}: {self.value(v, hint)}" for k, v in value.items())
                return "{" + items + "}"
            if isinstance(value, (list, tuple)):
                items = ", ".join(self.value(v, hint) for v in value)
                return f"[{items}]" if isinstance(value, list) else f"({items},)"
        return self.literal(value, hint)

    def embedded_rows(self, rows: explained.EmbeddedRows, hint: str) -> str:
        """The rows as given, then the lines that compute the vectors of their EMBED fields."""
        name = self.literal(rows.given(), hint)
        if not name.isidentifier():  # rows short enough to write inline: a variable to fill
            variable = self.variable(hint)
            self.lines.append(f"{variable} = {name}")
            name = variable
        for binding in rows.fills:
            self.imports.add(explained.model_import(binding.model))
            if binding.model not in self.models:
                self.models[binding.model] = self.variable("model")
                load = explained.model_load(binding.model, self.models[binding.model])
                if load is not None:
                    self.lines.append(load)
            self.lines += explained.encode_lines(binding, name, self.models[binding.model])
        return name

    def schema(self, schema: Any) -> str:
        name = self.variable("schema")
        options = []
        if schema.enable_dynamic_field:
            options.append("enable_dynamic_field=True")
        if schema.description:
            options.append(f"description={schema.description!r}")
        for key in ("external_source", "external_spec"):  # an external collection's files
            if getattr(schema, key, ""):
                options.append(f"{key}={getattr(schema, key)!r}")
        self.lines += _call_lines(f"{name} = MilvusClient.create_schema", options)
        for f in schema.fields:
            args = [repr(f.name), self.value(f.dtype)]
            args += [f"{k}={self.value(v, k)}" for k, v in f._kwargs.items()]
            if f.description:
                args.append(f"description={f.description!r}")
            self.lines += _call_lines(f"{name}.add_field", args)
        for struct in schema.struct_fields:  # ARRAY<STRUCT<...>> columns
            self.struct(name, struct)
        for function in schema.functions:
            self.imports.add("from pymilvus import Function")
            args = [
                f"name={function.name!r}",
                f"function_type={self.value(function.type)}",
                f"input_field_names={function.input_field_names!r}",
                f"output_field_names={function.output_field_names!r}",
            ]
            if function.params:
                args.append(f"params={function.params!r}")
            built = "\n".join(_call_lines("Function", args))
            self.lines += _call_lines(f"{name}.add_function", [built])
        return name

    def struct_schema(self, struct: Any) -> str:
        """`create_struct_field_schema()` with its fields, as a variable of its own."""
        name = self.variable("struct")
        self.lines.append(f"{name} = MilvusClient.create_struct_field_schema()")
        for f in struct.fields:
            args = [repr(f.name), self.value(f.dtype)]
            args += [f"{k}={self.value(v, k)}" for k, v in f.params.items()]  # dim, max_length
            self.lines += _call_lines(f"{name}.add_field", args)
        return name

    def struct(self, schema_name: str, struct: Any) -> None:
        """The struct's schema, then the ARRAY of STRUCT field."""
        name = self.struct_schema(struct)
        args = [repr(struct.name), "DataType.ARRAY", "element_type=DataType.STRUCT"]
        args += [f"struct_schema={name}", f"max_capacity={struct.max_capacity!r}"]
        if struct.nullable:
            args.append("nullable=True")
        if struct.description:
            args.append(f"description={struct.description!r}")
        self.lines += _call_lines(f"{schema_name}.add_field", args)

    def function(self, function: Any) -> str:
        """A `Function(...)` expression, as a variable of its own."""
        self.imports.add("from pymilvus import Function")
        args = [
            f"name={function.name!r}",
            f"function_type={self.value(function.type)}",
            f"input_field_names={function.input_field_names!r}",
        ]
        if function.output_field_names:  # a collection function's output (a ranker has none)
            args.append(f"output_field_names={function.output_field_names!r}")
        if function.params:
            args.append(f"params={function.params!r}")
        name = self.variable("function" if function.output_field_names else "ranker")
        self.lines += _call_lines(f"{name} = Function", args)
        return name

    def field_schema(self, schema: Any) -> str:
        """A `FieldSchema(...)` expression, as a variable of its own."""
        self.imports.add("from pymilvus import FieldSchema")
        args = [f"name={schema.name!r}", f"dtype={self.value(schema.dtype)}"]
        args += [f"{k}={self.value(v, k)}" for k, v in schema._kwargs.items()]
        if schema.description:
            args.append(f"description={schema.description!r}")
        name = self.variable("field")
        self.lines += _call_lines(f"{name} = FieldSchema", args)
        return name

    def index_params(self, params: Any) -> str:
        name = self.variable("index_params")
        self.lines.append(f"{name} = client.prepare_index_params()")
        for index in params:
            args = [repr(index.field_name)]
            if index.index_type:
                args.append(f"index_type={index.index_type!r}")
            if index.index_name:
                args.append(f"index_name={index.index_name!r}")
            configs = dict(index._configs)
            nested = configs.pop("params", None)  # add_index flattens params={...} one level
            args += [f"{k}={self.value(v, k)}" for k, v in configs.items()]
            if nested is not None:
                args.append(f"params={self.value({'params': nested}, 'params')}")
            self.lines += _call_lines(f"{name}.add_index", args)
        return name

    def aggregation(self, level: Any) -> list[str]:
        """The arguments of one `SearchAggregation` level, its `TopHits` and nested levels."""
        self.imports.add("from pymilvus import SearchAggregation")
        args = [f"fields={level._fields!r}", f"size={level._size!r}"]
        if level._metrics:
            args.append(f"metrics={level._metrics!r}")
        if level._order:
            args.append(f"order={level._order!r}")
        if level._top_hits is not None:
            self.imports.add("from pymilvus import TopHits")
            top = level._top_hits
            sort = f", sort={top.sort!r}" if top.sort else ""
            args.append(f"top_hits=TopHits(size={top.size!r}{sort})")
        if level._sub_aggregation is not None:
            inner = _call_lines("SearchAggregation", self.aggregation(level._sub_aggregation))
            args.append("sub_aggregation=" + "\n".join(inner))
        return args

    def request(self, request: Any) -> str:
        self.imports.add("from pymilvus import AnnSearchRequest")
        args = {
            "data": self.value(request.data, "data"),
            "anns_field": repr(request.anns_field),
            "param": self.value(request.param, "param"),
            "limit": repr(request.limit),
        }
        if request.expr:
            args["expr"] = self.value(request.expr, "expr")
        name = self.variable("request")
        self.lines += _call_lines(
            f"{name} = AnnSearchRequest", [f"{k}={v}" for k, v in args.items()]
        )
        return name

    def call(self, call: Call) -> None:
        if call.comment:
            self.lines.append(f"# {call.comment}")
        if call.code is not None:
            self.lines += ["# computed by the kernel:", *call.code.splitlines()]
            return
        args = [
            self.value(a, "rows" if call.method in ("insert", "upsert") else "data")
            for a in call.args
        ]
        args += [f"{k}={self.value(v, k)}" for k, v in call.kwargs.items()]
        head = f"{call.assign} = " if call.assign else ""
        self.lines += _call_lines(f"{head}{call.target}.{call.method}", args)
        if call.method in ("query_iterator", "search_iterator"):
            self.lines += [
                "rows = []",
                f"while batch := {call.assign}.next():",
                "    rows.extend(batch)",
                f"{call.assign}.close()",
            ]


def _plain_data(value: Any) -> bool:
    """True for data a literal writes exactly: numbers, strings, bytes, None, and containers."""
    if value is None or isinstance(value, (bool, int, float, str, bytes)):
        return True
    if isinstance(value, dict):
        return all(_plain_data(k) and _plain_data(v) for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return all(_plain_data(v) for v in value)
    return False


def _indent(text: str, by: int) -> str:
    pad = " " * by
    return "\n".join(pad + line if line else line for line in text.splitlines())


def _call_lines(head: str, args: list[str]) -> list[str]:
    """`head(args)` on one line when it fits, else one argument per line."""
    one = f"{head}({', '.join(args)})"
    if len(one) <= WIDTH and "\n" not in one:
        return [one]
    lines = [f"{head}("]
    lines += [_indent(arg, 4) + "," for arg in args]
    lines.append(")")
    return lines
