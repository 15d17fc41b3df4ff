"""File and picture statements: INSERT | UPSERT ... FROM 'file', EXPORT (...) TO 'file', PLOT,
EVALUATE."""

from __future__ import annotations

from dataclasses import dataclass, field

from milvus_kernel.language.statements.base import Filter, Statement, Value
from milvus_kernel.language.statements.data import HybridSearch, Search, Select


@dataclass(frozen=True)
class ImportFile(Statement):
    """INSERT | UPSERT INTO t [PARTITION p] FROM 'rows.parquet' [WITH (batch_size = 5000, ...)].

    The format follows the file's extension: .parquet, .csv, .jsonl (or .json lines), .npy.
    """

    table: str
    path: str
    partition: str | None = None
    upsert: bool = False
    options: dict[str, Value] = field(default_factory=dict)
    #: `FROM :name` (the magic): the bound Python object (DataFrame, Arrow table, rows, columns);
    #: `path` is then ":name"
    data: object = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class Export(Statement):
    """EXPORT (SELECT ... | SEARCH ...) TO 'file.parquet' | '.csv' | '.jsonl' [WITH (...)]."""

    query: Select | Search | HybridSearch
    path: str
    options: dict[str, Value] = field(default_factory=dict)


@dataclass(frozen=True)
class Plot(Statement):
    """PLOT t [USING v] [WHERE ...] [COLOR BY f] [METHOD TSNE | PCA | UMAP] [DIMENSIONS 3]
    [RETURN a, b] [HIGHLIGHT (SEARCH ...)] [LIMIT n] [TO 'map.html' | 'map.png']: a 2-D (or
    3-D) projection of the vectors, the HIGHLIGHT search's hits outlined."""

    table: str
    anns_field: str | None = None
    where: Filter | None = None
    color_by: str | None = None
    method: str = "TSNE"
    highlight: Search | HybridSearch | None = None
    limit: int | None = None
    options: dict[str, Value] = field(default_factory=dict)
    dimensions: int = 2
    path: str | None = None
    hover: tuple[str, ...] = ()  # RETURN a, b: shown on hover in the interactive figure


@dataclass(frozen=True)
class Evaluate(Statement):
    """EVALUATE SEARCH t [USING v] FOR SAMPLE n | FOR VECTORS FROM 'q.npy' [WHERE ...] LIMIT k
    WITH (param = (v1, v2, ...), ...): recall@k and latency of the search at each value of the
    one swept parameter; `options` holds the others (exclude_self, fixed search parameters)."""

    table: str
    limit: int
    parameter: str
    values: tuple[Value, ...]
    anns_field: str | None = None
    sample: int | None = None
    path: str | None = None
    where: Filter | None = None
    options: dict[str, Value] = field(default_factory=dict)
