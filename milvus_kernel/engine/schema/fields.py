"""What the engine knows about a collection's fields, read from `describe_collection`.

`FieldInfo` and `CollectionInfo` are plain views of a schema: type text for DESCRIBE
(`VARCHAR(20)`, `ARRAY<VARCHAR(32)>(16)`, `ARRAY<STRUCT<qty INT32, v FLOAT_VECTOR(4)>>(8)`),
the display kind of each column, which fields a plain INSERT fills, the primary key and the
vector fields.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from milvus_kernel.engine.schema.timestamps import from_micros
from milvus_kernel.errors import ExecutionError
from milvus_kernel.language.secret_uris import mask_json_secrets
from milvus_kernel.results import Column, Kind

_INT_TYPES = {"INT8", "INT16", "INT32", "INT64"}
_FLOAT_TYPES = {"FLOAT", "DOUBLE"}
_KINDS: dict[str, Kind] = {
    **{name: "int" for name in _INT_TYPES},
    **{name: "float" for name in _FLOAT_TYPES},
    "BOOL": "bool",
    "VARCHAR": "str",
    "STRING": "str",
    "JSON": "json",
    "ARRAY": "array",
    "SPARSE_FLOAT_VECTOR": "sparse",
    "TIMESTAMPTZ": "str",
    "GEOMETRY": "str",
}


@dataclass(frozen=True)
class FieldInfo:
    """One field of a collection's schema."""

    name: str
    type: str  # DataType name: INT64, VARCHAR, FLOAT_VECTOR, ...
    is_primary: bool = False
    auto_id: bool = False
    nullable: bool = False
    has_default: bool = False
    default: Any = None
    dim: int | None = None
    max_length: int | None = None
    element: str | None = None
    capacity: int | None = None
    partition_key: bool = False
    generated: bool = False  # output of a function (BM25)
    analyzer: bool = False
    match: bool = False
    description: str = ""
    members: tuple[FieldInfo, ...] = ()  # the fields of an ARRAY<STRUCT<...>>
    zone: str | None = None  # TIMESTAMPTZ: the collection's `timezone` (for values without one)
    external: str = ""  # an external collection's field: the column of the files it reads

    @property
    def is_vector(self) -> bool:
        return self.type.endswith("VECTOR")

    @property
    def is_struct(self) -> bool:
        return self.type == "ARRAY" and self.element == "STRUCT"

    @property
    def is_dense(self) -> bool:
        return self.is_vector and self.type != "SPARSE_FLOAT_VECTOR"

    @property
    def kind(self) -> Kind:
        if self.type in _KINDS:
            return _KINDS[self.type]
        return "vector" if self.is_vector else "any"

    @property
    def column(self) -> Column:
        return Column(self.name, self.kind)

    @property
    def type_text(self) -> str:
        if self.type == "VARCHAR" and self.max_length is not None:
            return f"VARCHAR({self.max_length})"
        if self.is_struct:
            inner = ", ".join(f"{m.name} {m.type_text}" for m in self.members)
            suffix = f"({self.capacity})" if self.capacity is not None else ""
            return f"ARRAY<STRUCT<{inner}>>{suffix}"
        if self.type == "ARRAY":
            inner = self.element or "?"
            if self.element == "VARCHAR" and self.max_length is not None:
                inner = f"VARCHAR({self.max_length})"
            suffix = f"({self.capacity})" if self.capacity is not None else ""
            return f"ARRAY<{inner}>{suffix}"
        if self.dim is not None:
            return f"{self.type}({self.dim})"
        return self.type


#: The language's word for each function kind → pymilvus's `FunctionType` (value, name).
FUNCTION_KINDS = {"BM25": (1, "BM25"), "EMBEDDING": (2, "TEXTEMBEDDING"), "MINHASH": (4, "MINHASH")}


@dataclass(frozen=True)
class CollectionInfo:
    """A collection's schema and options, as the engine uses them."""

    name: str
    fields: tuple[FieldInfo, ...]
    functions: tuple[Mapping[str, Any], ...] = ()
    description: str = ""
    dynamic: bool = False
    consistency_level: str | None = None
    num_shards: int | None = None
    properties: Mapping[str, Any] | None = None
    external_source: str = ""  # an external collection: the path of its files
    external_spec: str = ""  # and their format (JSON text; secret values masked)

    def field(self, name: str) -> FieldInfo | None:
        """The field `name`; `items[emb]` is the field `emb` of the ARRAY<STRUCT> `items`."""
        found = next((f for f in self.fields if f.name == name), None)
        if found is None and name.endswith("]") and "[" in name:
            outer, inner = name[:-1].split("[", 1)
            struct = next((f for f in self.fields if f.name == outer and f.is_struct), None)
            member = next((m for m in struct.members if m.name == inner), None) if struct else None
            return replace(member, name=name) if member is not None else None
        return found

    def require_field(self, name: str, what: str = "") -> FieldInfo:
        """The field `name`; else the error `no_field` says."""
        found = self.field(name)
        if found is None:
            raise self.no_field(name, what)
        return found

    def require_new_column(self, name: str) -> None:
        """Raise unless `name` is free for a column to be added."""
        if self.field(name) is not None:
            raise ExecutionError(f"collection '{self.name}' already has a column {name}")

    def no_field(self, name: str, what: str = "") -> ExecutionError:
        """ "collection 'c' has no field 'n' [what]; fields: a, b, ..." as an error to raise."""
        purpose = f" {what}" if what else ""
        fields = ", ".join(self.names)
        return ExecutionError(
            f"collection '{self.name}' has no field '{name}'{purpose}; fields: {fields}"
        )

    @property
    def names(self) -> list[str]:
        return [f.name for f in self.fields]

    @property
    def primary(self) -> FieldInfo:
        """The primary key field; a collection without one (an external collection, as the
        server describes it) fails the statement that needs a key in one plain line."""
        found = next((f for f in self.fields if f.is_primary), None)
        if found is None:
            raise ExecutionError(
                f"collection '{self.name}' has no primary key field: this statement needs one"
            )
        return found

    @property
    def vector_fields(self) -> list[FieldInfo]:
        return [f for f in self.fields if f.is_vector]

    @property
    def insertable(self) -> list[FieldInfo]:
        """Fields a plain INSERT fills, in schema order: all but AUTO_ID keys and generated ones."""
        return [f for f in self.fields if not (f.is_primary and f.auto_id) and not f.generated]

    def filled_by(self, name: str) -> Mapping[str, Any] | None:
        """The function (as describe_collection gives it) whose output is the field `name`."""
        for function in self.functions:
            if name in (function.get("output_field_names") or []):
                return function
        return None

    def bm25_source(self, name: str) -> str | None:
        """The text field whose function (BM25, or a server EMBEDDING or MINHASH: each takes
        words at search time) fills `name`, if any."""
        function = self.filled_by(name)
        inputs = (function or {}).get("input_field_names") or []
        return inputs[0] if inputs else None

    def function_kind(self, name: str) -> str | None:
        """ "BM25", "EMBEDDING" or "MINHASH" (the language's words): the function filling `name`."""
        function = self.filled_by(name)
        if function is None:
            return None
        kind = function.get("type")
        number = kind if isinstance(kind, int) else getattr(kind, "value", None)
        text = str(getattr(kind, "name", kind)).upper()
        for word, (value, pymilvus_name) in FUNCTION_KINDS.items():
            if number == value or pymilvus_name in text:
                return word
        return "BM25"


def _default_value(raw: Any) -> tuple[bool, Any]:
    """(has_default, value) from describe_collection's protobuf ScalarField (or a plain value)."""
    if raw is None:
        return False, None
    which = getattr(raw, "WhichOneof", None)
    if which is None:
        return True, raw
    kind = which("data")
    if kind is None:
        return True, None
    return True, getattr(raw, kind)


def _type_name(value: Any) -> str:
    name = getattr(value, "name", None)
    return str(name if name is not None else value)


def field_info(raw: Mapping[str, Any]) -> FieldInfo:
    params = raw.get("params") or {}
    has_default, default = _default_value(raw.get("default_value"))
    if _type_name(raw["type"]) == "TIMESTAMPTZ" and isinstance(default, int):
        default = from_micros(default)  # Milvus reports microseconds since the epoch
    element = raw.get("element_type")

    def int_param(key: str) -> int | None:
        value = params.get(key)
        return int(value) if value is not None else None

    return FieldInfo(
        name=raw["name"],
        type=_type_name(raw["type"]),
        is_primary=bool(raw.get("is_primary")),
        auto_id=bool(raw.get("auto_id")),
        nullable=bool(raw.get("nullable")),
        has_default=has_default,
        default=default,
        dim=int_param("dim"),
        max_length=int_param("max_length"),
        element=_type_name(element) if element is not None else None,
        capacity=int_param("max_capacity"),
        partition_key=bool(raw.get("is_partition_key")),
        generated=bool(raw.get("is_function_output")),
        analyzer=str(params.get("enable_analyzer", "")).lower() == "true",
        match=str(params.get("enable_match", "")).lower() == "true",
        description=raw.get("description") or "",
        members=tuple(field_info(m) for m in raw.get("struct_fields") or ()),
        external=raw.get("external_field") or "",
    )


def collection_info(name: str, raw: Mapping[str, Any]) -> CollectionInfo:
    """Build a `CollectionInfo` from `MilvusClient.describe_collection`'s dict."""
    zone = (raw.get("properties") or {}).get("timezone")
    fields = (field_info(f) for f in raw.get("fields", []))
    return CollectionInfo(
        name=name,
        fields=tuple(
            replace(f, zone=str(zone)) if zone and f.type == "TIMESTAMPTZ" else f for f in fields
        ),
        functions=tuple(raw.get("functions") or ()),
        description=raw.get("description") or "",
        dynamic=bool(raw.get("enable_dynamic_field")),
        consistency_level=raw.get("consistency_level_name"),
        num_shards=raw.get("num_shards"),
        properties=raw.get("properties") or {},
        external_source=raw.get("external_source") or "",
        external_spec=mask_json_secrets(raw.get("external_spec") or ""),  # extfs credentials
    )
