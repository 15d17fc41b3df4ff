"""ORDER BY fields, computed by the kernel: exact on every server, in bounded memory.

Milvus Lite 3.2.2 accepts a query's `order_by` and silently ignores it, and servers before 2.6
have none, so the kernel orders the rows itself while they stream from `query_iterator`:

- with LIMIT n OFFSET m, one pass keeps only the first m + n rows (`heapq.nsmallest`, a heap);
- without LIMIT, the first page comes the same way (one pass, a heap of the page), and every row
  (EXPORT, a DataFrame) by an external merge sort: sorted runs of `RUN_ROWS` rows spilled to
  temporary files, merged as they are read.

NULLs sort last, ascending or descending; TIMESTAMPTZ values (ISO text) compare as the instants
they name, not as text. A dynamic key or a JSON path (`meta['k'][0]`, also into an ARRAY) may
hold values of several kinds: they sort by kind first — numbers, then text, then booleans, then
arrays and objects (by their JSON text) — and a missing key or step is NULL. Ties are broken by
the primary key, ascending, so the order is the same on every server and every run. EXPLAIN
prints the iterator loop and the Python sorts that give the same rows (`sort_code`).
"""

from __future__ import annotations

import ast
import heapq
import inspect
import json
import pickle
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import ExitStack
from datetime import datetime
from typing import IO, Any

from milvus_kernel.engine.catalog import Catalog
from milvus_kernel.engine.progress import Reporter
from milvus_kernel.engine.schema.fields import CollectionInfo
from milvus_kernel.errors import ExecutionError
from milvus_kernel.language.statements import OrderKey

RUN_ROWS = 50_000  # rows sorted in memory before a run is spilled to a temporary file
BLOCK_ROWS = 1_000  # rows pickled together in a spilled run
#: Field kinds whose values compare with each other (ORDER BY, GROUP BY, MIN, MAX).
COMPARABLE = ("int", "float", "str", "bool")

Row = Mapping[str, Any]


class Descending:
    """A value that sorts in reverse: the part of a sort key for a DESC field."""

    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value

    def __lt__(self, other: Descending) -> bool:
        return bool(other.value < self.value)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Descending) and bool(self.value == other.value)

    __hash__ = None  # type: ignore[assignment]


def comparable_field(info: CollectionInfo, name: str, clause: str) -> None:
    """Raise unless `name` is a field of `info` whose values compare (numbers, strings, bools)."""
    field = info.field(name)
    if field is None:
        raise ExecutionError(f"{clause} {name}: {info.no_field(name).message}")
    if field.kind not in COMPARABLE or field.type == "GEOMETRY":
        raise ExecutionError(
            f"{clause} {name}: a {field.type_text} field has no order;"
            " use a number, string or boolean field"
        )


def order_field(info: CollectionInfo, key: OrderKey, clause: str) -> None:
    """Raise unless `key` orders rows: a comparable field, a dynamic key (on a collection with
    the dynamic field), or a JSON path into a JSON or ARRAY field or a dynamic key."""
    field = info.field(key.field)
    if field is None and info.dynamic:
        return
    if not key.path:
        comparable_field(info, key.field, clause)
        return
    shown = f"{clause} {key.field}" + "".join(f"[{step!r}]" for step in key.path)
    if field is None:
        raise ExecutionError(
            f"{shown}: collection '{info.name}' has no field '{key.field}' (and no dynamic"
            f" field); fields: {', '.join(info.names)}"
        )
    if field.kind not in ("json", "array"):
        raise ExecutionError(f"{shown}: a {field.type_text} field has no keys or elements")


def loose_keys(info: CollectionInfo, order: Sequence[OrderKey]) -> frozenset[str]:
    """The fields of `order` whose values may be of several kinds: JSON paths, dynamic keys."""
    return frozenset(k.field for k in order if k.path or info.field(k.field) is None)


def at(row: Row, name: str, *path: str | int) -> Any:
    """The value of `name` in `row`, then of each step of `path` (None where one is missing)."""
    value = row.get(name)
    for step in path:
        if isinstance(value, dict) and isinstance(step, str):
            value = value.get(step)
        elif isinstance(value, list) and isinstance(step, int) and -len(value) <= step < len(value):
            value = value[step]
        else:
            return None
    return value


def ranked(value: Any) -> tuple[int, Any]:
    """A JSON value as a sort key across kinds: numbers, then text, booleans, arrays and objects."""
    if isinstance(value, bool):
        return (2, value)
    if isinstance(value, (int, float)):
        return (0, value)
    if isinstance(value, str):
        return (1, value)
    return (3, json.dumps(value, sort_keys=True))


def instant_fields(info: CollectionInfo) -> frozenset[str]:
    """The TIMESTAMPTZ fields: their ISO text compares as the instant it names (`instant`)."""
    return frozenset(f.name for f in info.fields if f.type == "TIMESTAMPTZ")


def instant(text: str | None) -> datetime | None:
    """The instant an ISO timestamp names (aware datetimes compare across UTC offsets)."""
    return None if text is None else datetime.fromisoformat(text)


def sort_key(
    order: Sequence[OrderKey],
    tie: str | None = None,
    instants: frozenset[str] = frozenset(),
    loose: frozenset[str] = frozenset(),
) -> Callable[[Row], tuple[Any, ...]]:
    """The key that sorts rows by `order`, NULLs last, then by the field `tie` ascending; the
    columns `instants` (TIMESTAMPTZ) compare as instants, the `loose` ones (`loose_keys`) by
    kind first (`ranked`)."""
    keys = [
        (key.field, key.path, key.descending, key.field in instants, key.field in loose)
        for key in order
    ]

    def key(row: Row) -> tuple[Any, ...]:
        parts: list[Any] = []
        for name, path, descending, timed, mixed in keys:
            value = at(row, name, *path) if path else row.get(name)
            if value is None:
                parts.append((1, None))
                continue
            if timed:
                value = instant(value)
            elif mixed:
                value = ranked(value)
            parts.append((0, Descending(value) if descending else value))
        if tie is not None:
            parts.append(row.get(tie))
        return tuple(parts)

    return key


def first_rows(rows: Iterable[Row], key: Callable[[Row], Any], count: int) -> list[Row]:
    """The first `count` rows in the order of `key`, keeping no more than `count` in memory."""
    return heapq.nsmallest(count, rows, key=key) if count > 0 else []


def sorted_rows(
    rows: Iterable[Row], key: Callable[[Row], Any], run_rows: int | None = None
) -> Iterator[Row]:
    """Every row in the order of `key`, holding at most `run_rows` (default `RUN_ROWS`) rows in
    memory, plus one block of each spilled run."""
    run_rows = run_rows or RUN_ROWS
    with ExitStack() as files:
        runs: list[IO[bytes]] = []
        buffer: list[Row] = []
        for row in rows:
            buffer.append(row)
            if len(buffer) >= run_rows:
                buffer.sort(key=key)
                runs.append(_spill(buffer, files.enter_context(tempfile.TemporaryFile())))
                buffer = []
        buffer.sort(key=key)
        if not runs:
            yield from buffer
            return
        yield from heapq.merge(*(_read(run) for run in runs), iter(buffer), key=key)


def _spill(rows: list[Row], file: IO[bytes]) -> IO[bytes]:
    for start in range(0, len(rows), BLOCK_ROWS):
        pickle.dump(rows[start : start + BLOCK_ROWS], file, protocol=pickle.HIGHEST_PROTOCOL)
    file.seek(0)
    return file


def _read(file: IO[bytes]) -> Iterator[Row]:
    while True:
        try:
            block = pickle.load(file)  # the kernel's own temporary file
        except EOFError:
            return
        yield from block


def counted(rows: Iterable[Row], label: str, total: int | None) -> Iterator[Row]:
    """`rows`, reporting progress as they stream (a long ORDER BY or GROUP BY shows it)."""
    reporter = Reporter(label, total=total).start()
    step = 0
    for row in rows:
        step += 1
        if step == 1000:
            reporter.advance(step)
            step = 0
        yield row
    reporter.advance(step)
    reporter.finish()


def sort_code(
    order: Sequence[OrderKey],
    tie: str | None,
    rows: str = "rows",
    instants: frozenset[str] = frozenset(),
    loose: frozenset[str] = frozenset(),
) -> list[str]:
    """Python that sorts the list `rows` of dicts like `sort_key` does (stable sorts, last key
    first; TIMESTAMPTZ text through `instant`, which `instant_code` defines; JSON paths and
    dynamic keys through `at` and `ranked`, which `loose_code` defines)."""
    lines = []
    if tie is not None:
        lines.append(f"{rows}.sort(key=lambda row: row[{tie!r}])  # ties: {tie} ascending")
    for key in reversed(order):
        name = key.field + "".join(f"[{step!r}]" for step in key.path)
        steps = "".join(f", {step!r}" for step in key.path)
        value = f"at(row, {key.field!r}{steps})" if key.path else f"row.get({key.field!r})"
        if key.field in instants:
            compared = f"instant({value})"
        elif key.field in loose:
            compared = f"ranked({value})"
        else:
            compared = value
        if key.descending:
            lines.append(
                f"{rows}.sort(key=lambda row: ({value} is not None, {compared}),"
                f" reverse=True)  # {name} DESC, NULLs last"
            )
        else:
            lines.append(
                f"{rows}.sort(key=lambda row: ({value} is None, {compared}))"
                f"  # {name} ASC, NULLs last"
            )
    return lines


def loose_code() -> list[str]:
    """Python that defines `at` and `ranked` for `sort_code`: the kernel's own functions, without
    their type hints (they name the kernel's types)."""
    lines = ["import json", ""]
    for function in (at, ranked):
        tree = ast.parse(inspect.getsource(function))
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef):
                node.returns = None
            elif isinstance(node, ast.arg):
                node.annotation = None
        lines += ["", *ast.unparse(tree).splitlines(), ""]
    return [*lines, ""]


def instant_code() -> list[str]:
    """Python that defines `instant` for `sort_code` (TIMESTAMPTZ text → an aware datetime)."""
    return [
        "from datetime import datetime",
        "",
        "",
        "def instant(text):",
        "    return None if text is None else datetime.fromisoformat(text)",
        "",
        "",
    ]


def window_code(offset: int, limit: int | None, columns: Sequence[str]) -> list[str]:
    """Python that keeps rows offset .. offset+limit and only `columns` of them."""
    lines = []
    if offset or limit is not None:
        end = "" if limit is None else str(offset + limit)
        lines.append(f"rows = rows[{offset or ''}:{end}]")
    lines.append(f"rows = [{{name: row.get(name) for name in {list(columns)!r}}} for row in rows]")
    return lines


def explain_python(catalog: Catalog, lines: Sequence[str]) -> None:
    """Give EXPLAIN the kernel's own work after the calls, as the Python that does it (a real
    client has no `explain_python`: then nothing happens)."""
    note = getattr(catalog.client, "explain_python", None)
    if callable(note):
        note("\n".join(lines))


def order_hits(
    rows: list[tuple[Any, ...]],
    shown: Sequence[str],
    order: Sequence[OrderKey],
    info: CollectionInfo,
) -> list[tuple[Any, ...]]:
    """Search hits (rows of the `shown` columns) sorted by `order` within each query; hits that
    tie keep their order by distance (a stable sort)."""
    if not order:
        return rows
    key = sort_key(order, instants=instant_fields(info), loose=loose_keys(info, order))
    query = shown.index("query") if "query" in shown else None

    def by(row: tuple[Any, ...]) -> tuple[Any, ...]:
        values = dict(zip(shown, row, strict=True))
        return (row[query] if query is not None else 0, key(values))

    return sorted(rows, key=by)


def hits_sort_code(order: Sequence[OrderKey], info: CollectionInfo, score: str) -> list[str]:
    """Python that sorts each query's hits of `result` by `order`, into the list `ordered`."""
    pk = info.primary.name
    timed = instant_fields(info) & {key.field for key in order}
    loose = loose_keys(info, order)
    lines = [
        *(instant_code() if timed else []),
        *(loose_code() if loose else []),
        "ordered = []",
        "for number, hits in enumerate(result, start=1):",
        "    rows = [",
        f"        {{'query': number, {pk!r}: hit.get({pk!r}, hit.get('id')),"
        f" {score!r}: hit.get('distance'), **(hit.get('entity') or {{}})}}",
        "        for hit in hits",
        "    ]",
    ]
    sorts = sort_code(order, None, instants=frozenset(timed), loose=loose)
    lines += ["    " + line for line in sorts]
    return [*lines, "    ordered.extend(rows)"]
