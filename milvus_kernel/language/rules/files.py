"""Rules for files and pictures: INSERT | UPSERT ... FROM 'file', EXPORT (...) TO 'file', PLOT,
EVALUATE."""

from __future__ import annotations

from typing import Any

from lark import Token, Transformer, v_args

from milvus_kernel.language import statements as s
from milvus_kernel.language.clauses import Clause, SemanticError, single_clauses
from milvus_kernel.language.params import lookup_object


@v_args(inline=True)
class FileRules(Transformer):
    """Rules for file import, EXPORT and PLOT (mixed into `ToStatements`)."""

    def import_file(self, verb: Token, table: Token, *items: Any) -> s.ImportFile:
        given = {item.key: item.value for item in items if isinstance(item, Clause)}
        path = next(item for item in items if isinstance(item, str))
        data = None
        if isinstance(path, Token) and path.type == "PARAM":  # FROM :df, VALUES :rows
            data = lookup_object(getattr(self, "params", None), path)
        return s.ImportFile(
            str(table),
            str(path),
            given.get("partition"),
            upsert=verb.type == "UPSERT",
            options=given.get("with", {}),
            data=data,
        )

    def export(self, query: Any, path: str, options: Clause | None = None) -> s.Export:
        if isinstance(query, s.Select) and query.count:
            raise SemanticError("EXPORT writes rows: export a SELECT of columns, not COUNT(*)")
        return s.Export(query, path, options.value if options else {})

    def color_by(self, field: Token) -> Clause:
        return Clause("color_by", str(field), field)

    def method(self, name: Token) -> Clause:
        method = str(name).upper()
        if method not in PLOT_METHODS:
            raise SemanticError(
                f"unknown method {name}", name, hint="METHOD TSNE, METHOD PCA or METHOD UMAP"
            )
        return Clause("method", method, name)

    def dimensions(self, count: Token) -> Clause:
        if int(count) not in (2, 3):
            raise SemanticError("PLOT draws in DIMENSIONS 2 or DIMENSIONS 3", count)
        return Clause("dimensions", int(count), count)

    def plot_return(self, *names: Token) -> Clause:
        return Clause("hover", tuple(str(name) for name in names))

    def plot_to(self, path: str) -> Clause:
        if not path.lower().endswith((".html", ".png")):
            raise SemanticError(f"PLOT saves TO a .html or a .png file, not '{path}'")
        return Clause("path", path)

    def highlight(self, search: s.Search | s.HybridSearch) -> Clause:
        return Clause("highlight", search)

    def plot(self, table: Token, *items: Any) -> s.Plot:
        field = next((str(item) for item in items if isinstance(item, Token)), None)
        given = single_clauses([item for item in items if isinstance(item, Clause)])
        limit = given.get("limit")
        if limit is not None and limit[1]:
            raise SemanticError("PLOT takes LIMIT n without OFFSET", table)
        return s.Plot(
            str(table),
            field,
            where=given.get("where"),
            color_by=given.get("color_by"),
            method=given.get("method", "TSNE"),
            highlight=given.get("highlight"),
            limit=limit[0] if limit else None,
            options=given.get("with", {}),
            dimensions=given.get("dimensions", 2),
            path=given.get("path"),
            hover=given.get("hover", ()),
        )

    def evaluate_sample(self, count: Token) -> Clause:
        if int(count) < 1:
            raise SemanticError("EVALUATE needs FOR SAMPLE 1 or more", count)
        return Clause("sample", int(count), count)

    def evaluate_file(self, path: str) -> Clause:
        return Clause("path", path)

    def sweep_option(self, name: str, _eq: Token, *values: Any) -> tuple[str, tuple[Any, ...]]:
        return (name, values)

    def sweep(self, *options: tuple[str, tuple[Any, ...]]) -> Clause:
        return Clause("sweep", options)

    def evaluate(self, table: Token, *items: Any) -> s.Evaluate:
        field = next((str(item) for item in items if isinstance(item, Token)), None)
        given = {item.key: item.value for item in items if isinstance(item, Clause)}
        limit, offset = given["limit"]
        if offset:
            raise SemanticError("EVALUATE takes LIMIT k without OFFSET", table)
        swept = [(name, values) for name, values in given["sweep"] if len(values) > 1]
        if len(swept) != 1:
            raise SemanticError(
                "EVALUATE sweeps one search parameter: WITH (nprobe = (1, 8, 32))"
                if not swept
                else "EVALUATE sweeps one search parameter at a time, not "
                + ", ".join(name for name, _ in swept),
                table,
            )
        fixed = {name: values[0] for name, values in given["sweep"] if len(values) == 1}
        return s.Evaluate(
            str(table),
            limit,
            swept[0][0],
            swept[0][1],
            anns_field=field,
            sample=given.get("sample"),
            path=given.get("path"),
            where=given.get("where"),
            options=fixed,
        )


PLOT_METHODS = {"TSNE", "PCA", "UMAP"}
