"""Column definitions of CREATE TABLE: type names and synonyms, sizes, column constraints."""

from __future__ import annotations

from typing import Any

from lark import Token, Transformer, v_args

from milvus_kernel.language import statements as s
from milvus_kernel.language.clauses import Clause, SemanticError, check_unique, single_clauses

TYPE_NAMES = {
    "BOOL": "BOOL",
    "BOOLEAN": "BOOL",
    "INT8": "INT8",
    "TINYINT": "INT8",
    "INT16": "INT16",
    "SMALLINT": "INT16",
    "INT32": "INT32",
    "INT": "INT32",
    "INTEGER": "INT32",
    "INT64": "INT64",
    "BIGINT": "INT64",
    "FLOAT": "FLOAT",
    "REAL": "FLOAT",
    "DOUBLE": "DOUBLE",
    "VARCHAR": "VARCHAR",
    "STRING": "VARCHAR",
    "TEXT": "VARCHAR",
    "JSON": "JSON",
    "ARRAY": "ARRAY",
    "FLOAT_VECTOR": "FLOAT_VECTOR",
    "VECTOR": "FLOAT_VECTOR",
    "SPARSE_FLOAT_VECTOR": "SPARSE_FLOAT_VECTOR",
    "SPARSE_VECTOR": "SPARSE_FLOAT_VECTOR",
    "BINARY_VECTOR": "BINARY_VECTOR",
    "FLOAT16_VECTOR": "FLOAT16_VECTOR",
    "BFLOAT16_VECTOR": "BFLOAT16_VECTOR",
    "INT8_VECTOR": "INT8_VECTOR",
    "TIMESTAMPTZ": "TIMESTAMPTZ",
    "GEOMETRY": "GEOMETRY",
    "STRUCT": "STRUCT",
}
DIM_TYPES = {"FLOAT_VECTOR", "BINARY_VECTOR", "FLOAT16_VECTOR", "BFLOAT16_VECTOR", "INT8_VECTOR"}
DEFAULT_VARCHAR_LENGTH = 65535
#: the types Milvus allows for a primary key, and the SQL spellings widened to INT64 for one
KEY_TYPES = ("INT64", "VARCHAR")
WIDENED_KEY_TYPES = ("INT", "INTEGER")
#: what a column of an external table cannot have (Milvus reads its rows from the files)
_NOT_EXTERNAL = {
    "primary_key": "PRIMARY KEY",
    "auto_id": "AUTO_ID",
    "partition_key": "PARTITION KEY",
    "bm25_source": "GENERATED column",
    "minhash": "GENERATED column",
    "embedding": "GENERATED column",
    "embed": "EMBED(...) USING",
}


@v_args(inline=True)
class ColumnRules(Transformer):
    """Column rules → `ColumnDef` (types come back with their token, for error positions)."""

    def column_list(self, *columns: s.ColumnDef) -> list[s.ColumnDef]:
        check_unique(tuple(c.name for c in columns), "column", None)
        if sum(c.primary_key for c in columns) != 1:
            raise SemanticError("a collection needs exactly one PRIMARY KEY column")
        return list(columns)

    def plain_type(self, name: Token, size: Token | None = None) -> tuple[s.FieldType, Token]:
        kind = type_name(name)
        if kind == "ARRAY":
            raise SemanticError("ARRAY needs an element type: ARRAY<INT64>(capacity)", name)
        if kind == "STRUCT":
            raise SemanticError("STRUCT needs its fields: STRUCT<tag VARCHAR(20), qty INT32>", name)
        if kind in DIM_TYPES:
            if size is None:
                raise SemanticError(f"{kind} needs a dimension, e.g. {name}(128)", name)
            return s.FieldType(kind, dim=int(size)), name
        if kind == "VARCHAR":
            length = int(size) if size is not None else DEFAULT_VARCHAR_LENGTH
            return s.FieldType(kind, length=length), name
        if size is not None:
            raise SemanticError(f"{kind} takes no size", size)
        return s.FieldType(kind), name

    def array_type(
        self,
        name: Token,
        _lt: Token,
        element: tuple[s.FieldType, Token],
        _gt: Token,
        capacity: Token | None = None,
    ) -> tuple[s.FieldType, Token]:
        if type_name(name) != "ARRAY":
            raise SemanticError(f"only ARRAY takes an element type, not {name}", name)
        inner, inner_token = element
        if inner.is_vector or inner.name in ("ARRAY", "JSON", "TIMESTAMPTZ", "GEOMETRY"):
            raise SemanticError(f"an ARRAY cannot hold {inner.name}", inner_token)
        size = int(capacity) if capacity is not None else None  # None: the engine's default
        return s.FieldType("ARRAY", element=inner, capacity=size), name

    def struct_member(self, name: Token, typed: tuple[s.FieldType, Token]) -> Any:
        field_type, token = typed
        if field_type.name in ("ARRAY", "STRUCT", "JSON", "SPARSE_FLOAT_VECTOR"):
            raise SemanticError(f"a STRUCT cannot hold {field_type.name}", token)
        return str(name), field_type, name

    def struct_type(self, name: Token, _lt: Token, *rest: Any) -> tuple[s.FieldType, Token]:
        """`STRUCT<name VARCHAR(20), qty INT32, emb FLOAT_VECTOR(4)>`: only inside an ARRAY."""
        if type_name(name) != "STRUCT":
            raise SemanticError(f"only STRUCT takes named fields, not {name}", name)
        members = [m for m in rest if isinstance(m, tuple)]
        check_unique(tuple(m[0] for m in members), "STRUCT field", None)
        fields = tuple((m[0], m[1]) for m in members)
        return s.FieldType("STRUCT", members=fields), name

    def create_external_table(
        self,
        if_not_exists: bool | None,
        name: Token,
        columns: list[s.ColumnDef],
        source: str | None,
        options: Clause | None,
    ) -> s.CreateTable:
        """CREATE EXTERNAL TABLE t (c TYPE EXTERNAL 'col', ...) FROM 'source' [WITH (...)]."""
        if not source:
            raise SemanticError(
                f"CREATE EXTERNAL TABLE {name} needs FROM 'source': the path of its files",
                name,
                hint="e.g. ... ) FROM 'external-demo/' WITH (format = 'parquet')",
            )
        return s.CreateTable(
            str(name),
            tuple(columns),
            options.value if options else {},
            if_not_exists=bool(if_not_exists),
            external_source=source,
        )

    def external_columns(self, *columns: s.ColumnDef) -> list[s.ColumnDef]:
        check_unique(tuple(c.name for c in columns), "column", None)
        return list(columns)

    def external_column(
        self, name: Token, typed: tuple[s.FieldType, Token], *constraints: Clause
    ) -> s.ColumnDef:
        """A column of an external table reads a column of its files: no key, no function, and
        not nullable unless written NULL (the files say which values are missing)."""
        keys = {c.key for c in constraints}
        if "external" not in keys:
            raise SemanticError(
                f"column {name} of an external table needs EXTERNAL 'column' (the files' column)",
                name,
            )
        refused = [words for key, words in _NOT_EXTERNAL.items() if key in keys]
        if refused:
            raise SemanticError(
                f"column {name}: an external table has no {refused[0]} (Milvus reads its rows "
                "from the files as they are)",
                name,
            )
        kept = [c for c in constraints if c.key != "not_null"]  # never null unless NULL
        return self._column(name, typed, kept, external=True)

    def column_def(
        self, name: Token, typed: tuple[s.FieldType, Token], *constraints: Clause
    ) -> s.ColumnDef:
        if any(c.key == "external" for c in constraints):
            raise SemanticError(
                f"column {name}: EXTERNAL 'column' maps a column of CREATE EXTERNAL TABLE "
                "t (...) FROM 'source'",
                name,
            )
        return self._column(name, typed, list(constraints), external=False)

    def _column(
        self,
        name: Token,
        typed: tuple[s.FieldType, Token],
        constraints: list[Clause],
        external: bool,
    ) -> s.ColumnDef:
        field_type, type_token = typed
        if field_type.name == "STRUCT":
            raise SemanticError(
                "a STRUCT column is an array of them: ARRAY<STRUCT<...>>(capacity)", type_token
            )
        given = single_clauses(constraints)
        if given.get("primary_key"):
            field_type = primary_key_type(field_type, type_token)
        if "not_null" in given and "null" in given:
            raise SemanticError(f"column {name} cannot be both NULL and NOT NULL", name)
        struct = field_type.element is not None and field_type.element.name == "STRUCT"
        if given.pop("null", None) and (field_type.is_vector or struct or external):
            given["null"] = True  # a nullable vector; scalars are nullable unless NOT NULL
        if given.get("bm25_source") and field_type.name != "SPARSE_FLOAT_VECTOR":
            raise SemanticError("a BM25 column must be SPARSE_FLOAT_VECTOR", name)
        if (given.get("analyzer") or given.get("match")) and field_type.name != "VARCHAR":
            raise SemanticError("ANALYZER and MATCH apply to VARCHAR columns", name)
        if given.get("minhash") and field_type.name != "BINARY_VECTOR":
            raise SemanticError("a MINHASH column must be BINARY_VECTOR(dim)", name)
        if given.get("embedding") and field_type.name != "FLOAT_VECTOR":
            raise SemanticError("an EMBEDDING column must be FLOAT_VECTOR(dim)", name)
        if given.get("embed") and field_type.name != "FLOAT_VECTOR":
            raise SemanticError("EMBED(...) USING fills a FLOAT_VECTOR column", name)
        multi = given.pop("multi_analyzer", None)
        if multi is not None:
            if field_type.name != "VARCHAR" or "analyzer" in given:
                raise SemanticError(
                    "MULTI ANALYZER applies to a VARCHAR column without ANALYZER", name
                )
            given.update(analyzer=True, multi_analyzer_params=multi)
        analyzer = given.pop("analyzer", None)
        if analyzer is True:  # set by MULTI ANALYZER
            given["analyzer"] = True
        elif analyzer is not None:
            given["analyzer"] = True
            given["analyzer_params"] = analyzer or None
        return s.ColumnDef(str(name), field_type, **given)

    def c_primary_key(self) -> Clause:
        return Clause("primary_key", True)

    def c_auto_id(self) -> Clause:
        return Clause("auto_id", True)

    def c_not_null(self) -> Clause:
        return Clause("not_null", True)

    def c_null(self) -> Clause:
        return Clause("null", True)

    def c_default(self, value: Any) -> Clause:
        return Clause("default", value)

    def c_partition_key(self) -> Clause:
        return Clause("partition_key", True)

    def multi_named(self, key: Token, _eq: Token, params: dict[str, Any]) -> tuple[str, Any]:
        return str(key), params

    def multi_default(self, _eq: Token, params: dict[str, Any]) -> tuple[str, Any]:
        return "default", params

    def c_multi_analyzer(self, by: Token, *entries: tuple[str, Any]) -> Clause:
        analyzers = {key: params for key, params in entries if key != "alias"}
        if "default" not in analyzers:
            raise SemanticError("MULTI ANALYZER needs a default = (...) analyzer", by)
        value: dict[str, Any] = {"by_field": str(by), "analyzers": analyzers}
        alias = dict(entries).get("alias")
        if alias:
            value["alias"] = alias
        return Clause("multi_analyzer", value, by)

    def c_analyzer(self, params: dict[str, Any] | None = None) -> Clause:
        return Clause("analyzer", params or {})

    def c_match(self) -> Clause:
        return Clause("match", True)

    def c_minhash(self, source: Token, params: Clause | None = None) -> Clause:
        return Clause("minhash", (str(source), dict(params.value) if params else {}), source)

    def c_embedding(self, source: Token, params: Clause | None = None) -> Clause:
        """GENERATED ALWAYS AS EMBEDDING(body) WITH (provider = 'openai', model_name = '...')."""
        given = dict(params.value) if params else {}
        if "provider" not in given:
            raise SemanticError(
                "EMBEDDING(...) needs WITH (provider = '...', model_name = '...')", source
            )
        return Clause("embedding", (str(source), given), source)

    def c_bm25(self, source: Token) -> Clause:
        return Clause("bm25_source", str(source))

    def c_comment(self, text: str) -> Clause:
        return Clause("description", text)

    def c_embed(self, source: Token, model: str) -> Clause:
        return Clause("embed", (str(source), model), source)

    def c_external(self, column: str) -> Clause:
        return Clause("external", column)


def primary_key_type(field_type: s.FieldType, token: Token) -> s.FieldType:
    """A key is INT64 or VARCHAR in Milvus: SQL's `id INT PRIMARY KEY` (or INTEGER) means INT64."""
    if str(token).upper() in WIDENED_KEY_TYPES:
        return s.FieldType("INT64")
    if field_type.name not in KEY_TYPES:
        raise SemanticError(
            f"a primary key is INT64 or VARCHAR(n) in Milvus, not {field_type.name}",
            token,
            hint="write id INT64 PRIMARY KEY (INT and INTEGER keys are INT64 too)",
        )
    return field_type


def type_name(token: Token) -> str:
    kind = TYPE_NAMES.get(str(token).upper())
    if kind is None:
        raise SemanticError(
            f"unknown column type {token}",
            token,
            hint="types: " + ", ".join(sorted(set(TYPE_NAMES.values()))),
        )
    return kind
