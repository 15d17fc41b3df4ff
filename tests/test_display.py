"""The display layer: Results as mime bundles, errors as Jupyter error reports."""

from __future__ import annotations

import html
import json
import math
import re
import subprocess
import sys
from collections.abc import Sequence
from typing import Any

import numpy as np
import pytest

from milvus_kernel.display import DATA_RESOURCE, render, render_error, render_progress
from milvus_kernel.display.cells import MAX_TEXT, show
from milvus_kernel.display.text_table import MAX_WIDTH, width
from milvus_kernel.errors import (
    ConnectionFailure,
    ExecutionError,
    Interrupted,
    KernelError,
    MilvusSyntaxError,
    NotSupported,
)
from milvus_kernel.results import Column, Message, Table, unique_names

TABLE_SCHEMA_TYPES = {"integer", "number", "string", "boolean", "array", "object", "any"}


def table(columns: list[tuple[str, str]], rows: Any, **kwargs: Any) -> Table:
    return Table(tuple(Column(name, kind) for name, kind in columns), rows, **kwargs)  # type: ignore[arg-type]


def td_texts(markup: str) -> list[str]:
    """The raw (still escaped) content of every body cell."""
    return re.findall(r"<td(?: [^>]*)?>(.*?)</td>", markup, flags=re.S)


def th_texts(markup: str) -> list[str]:
    return re.findall(r"<th(?: [^>]*)?>(.*?)</th>", markup, flags=re.S)


# --- one value -------------------------------------------------------------------------------

VECTOR_CASES = [
    ([], "[]"),
    ([0.5], "[0.5]"),
    ([0.1, 0.2, 0.3, 0.4], "[0.1, 0.2, 0.3, 0.4]"),
    ([0.1, 0.2, 0.3, 0.4, 0.5, 0.6], "[0.1, 0.2, 0.3, 0.4, 0.5, 0.6]"),
    ([0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7], "[0.1, 0.2, … 7 dims]"),
    ([0.123456, -0.0312345] + [0.0] * 766, "[0.1235, -0.03123, … 768 dims]"),
    ([1e-7, 123456.0] + [0.0] * 1534, "[1e-07, 1.235e+05, … 1,536 dims]"),
    (np.array([0.1, 0.2, 0.3, 0.4], dtype=np.float32), "[0.1, 0.2, 0.3, 0.4]"),
    (np.full(768, 0.25, dtype=np.float32), "[0.25, 0.25, … 768 dims]"),
    ((1, 2, 3), "[1, 2, 3]"),
    ([1.0, -2.0, 768.0], "[1.0, -2.0, 768.0]"),  # floats still look like floats
    (b"\x0f\xa0", "0x0fa0"),
    (bytes(range(16)), "0x0001020304050607… 16 bytes"),
    ([bytes(range(16))], "0x0001020304050607… 16 bytes"),  # float16 as pymilvus hands it over
]


@pytest.mark.parametrize(("value", "text"), VECTOR_CASES)
def test_vectors_are_abbreviated(value: Any, text: str) -> None:
    shown = show(value, "vector")
    assert shown.text == text
    assert shown.data == text and shown.type == "string"


SPARSE_CASES = [
    ({}, "{}"),
    ({3: 0.5, 17: 0.25}, "{3: 0.5, 17: 0.25}"),
    ({17: 0.25, 3: 0.5}, "{3: 0.5, 17: 0.25}"),
    ({i: 0.5 for i in range(6)}, "{0: 0.5, 1: 0.5, 2: 0.5, 3: 0.5, 4: 0.5, 5: 0.5}"),
    ({i * 7: 1 / 3 for i in range(120)}, "{0: 0.3333, 7: 0.3333, … 120 entries}"),
]


@pytest.mark.parametrize(("value", "text"), SPARSE_CASES)
def test_sparse_vectors_are_abbreviated(value: dict[int, float], text: str) -> None:
    assert show(value, "sparse").text == text


SCALAR_CASES: list[tuple[Any, str, str, Any, str]] = [
    # value, kind, text, data, Table Schema type
    (None, "int", "NULL", None, "any"),
    (7, "int", "7", 7, "integer"),
    (-3, "any", "-3", -3, "integer"),
    (2**60, "int", str(2**60), str(2**60), "string"),  # too big for a JavaScript number
    (np.int64(42), "int", "42", 42, "integer"),
    (0.1234567891, "float", "0.1234568", 0.1234568, "number"),
    (np.float32(0.1), "float", "0.1", 0.1, "number"),
    (1.5e-12, "float", "1.5e-12", 1.5e-12, "number"),
    (2.0, "float", "2.0", 2.0, "number"),
    (-0.0, "float", "-0.0", -0.0, "number"),
    (12345678.9, "float", "1.234568e+07", 12345680.0, "number"),
    (float("nan"), "float", "NaN", "NaN", "number"),
    (float("inf"), "float", "inf", "INF", "number"),
    (float("-inf"), "float", "-inf", "-INF", "number"),
    (True, "bool", "true", True, "boolean"),
    (np.bool_(False), "bool", "false", False, "boolean"),
    ("red", "str", "red", "red", "string"),
    ("", "str", "", "", "string"),
    (
        {"k": 1, "t": ["a", "b"]},
        "json",
        '{"k": 1, "t": ["a", "b"]}',
        {"k": 1, "t": ["a", "b"]},
        "object",
    ),
    ([1, 2], "json", "[1, 2]", [1, 2], "array"),
    ("hi", "json", '"hi"', "hi", "string"),
    (3, "json", "3", 3, "integer"),
    (b'{"a": 1}', "json", '{"a": 1}', {"a": 1}, "object"),
    (["a", "b"], "array", '["a", "b"]', ["a", "b"], "array"),
    ([1, 2, 3, 4, 5, 6, 7, 8], "array", "[1, 2, … 8 items]", "[1, 2, … 8 items]", "string"),
    ({"k": 1}, "any", '{"k": 1}', {"k": 1}, "object"),
    (b"\x01\x02", "bytes", "0x0102", "0x0102", "string"),
]


@pytest.mark.parametrize(("value", "kind", "text", "data", "type_"), SCALAR_CASES)
def test_values_show_text_and_typed_data(
    value: Any, kind: str, text: str, data: Any, type_: str
) -> None:
    shown = show(value, kind)
    assert (shown.text, shown.type) == (text, type_)
    assert shown.data == data
    json.dumps(shown.data, allow_nan=False)


def test_long_strings_and_json_are_cut() -> None:
    long = "x" * 1000
    assert show(long, "str").text == "x" * (MAX_TEXT - 1) + "…"
    big = {"k": "y" * 1000}
    shown = show(big, "json")
    assert len(shown.text) == MAX_TEXT and shown.text.endswith("…")
    assert shown.textual  # the data resource carries the cut text, not the whole object


def test_a_value_no_formatter_expects_still_shows() -> None:
    class Odd:
        def __str__(self) -> str:
            return "odd<thing>"

    assert show(Odd(), "int").text == "odd<thing>"
    assert show(object(), "vector").text.startswith("<object object")


# --- footer and truncation ---------------------------------------------------------------------

FOOTER_CASES = [
    # rows held, total, display_limit, footer
    (0, None, 10, "0 rows"),
    (1, None, 10, "1 row"),
    (3, None, 10, "3 rows"),
    (10, None, 10, "10 rows"),
    (11, None, 10, "showing 10 of 11 rows"),
    (10, 12345, 10, "showing 10 of 12,345 rows"),
    (20, 1234567, 20, "showing 20 of 1,234,567 rows"),
    (3, 3, 10, "3 rows"),
    (12, None, 0, "12 rows"),
    (5, 5000, 0, "showing 5 of 5,000 rows"),
    (2000, None, 1000, "showing 1,000 of 2,000 rows"),
]


@pytest.mark.parametrize(("held", "total", "limit", "footer"), FOOTER_CASES)
def test_footer_counts_rows(held: int, total: int | None, limit: int, footer: str) -> None:
    result = table([("id", "int")], [(i,) for i in range(held)], total=total)
    bundle = render(result, display_limit=limit)
    shown = min(held, limit) if limit else held
    assert bundle["text/plain"].splitlines()[-1] == f"({footer})"
    assert f'<div class="milvus-footer">{footer}</div>' in bundle["text/html"]
    assert len(bundle[DATA_RESOURCE]["data"]) == shown
    assert len(td_texts(bundle["text/html"])) == shown


@pytest.mark.parametrize(("held", "total", "limit", "footer"), FOOTER_CASES[:6])
def test_footer_names_the_metric_of_search_hits(
    held: int, total: int | None, limit: int, footer: str
) -> None:
    rows = [(i, 0.5) for i in range(held)]
    plain = table([("id", "int"), ("distance", "float")], rows, total=total)
    hits = table([("id", "int"), ("distance", "float")], rows, total=total, metric="L2 <&>")
    bundle, before = render(hits, display_limit=limit), render(plain, display_limit=limit)
    assert bundle["text/plain"].splitlines()[-1] == f"({footer}, metric L2 <&>)"
    assert (
        f'<div class="milvus-footer">{footer}, metric L2 &lt;&amp;&gt;</div>'
        in (bundle["text/html"])
    )
    assert bundle[DATA_RESOURCE] == before[DATA_RESOURCE]  # the data resource is the rows only


def test_default_display_limit_is_ten() -> None:
    bundle = render(table([("id", "int")], [(i,) for i in range(25)]))
    assert [row["id"] for row in bundle[DATA_RESOURCE]["data"]] == list(range(10))
    assert "showing 10 of 25 rows" in bundle["text/plain"]


class CountingRows(Sequence[tuple[Any, ...]]):
    """A huge, lazily indexed sequence that counts how many rows are read."""

    def __init__(self, length: int = 10**12) -> None:
        self.length = length
        self.reads = 0
        self.iterations = 0

    def __len__(self) -> int:
        return self.length

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, slice):
            raise AssertionError("the renderer must not slice (it may materialize rows)")
        if index >= self.length:
            raise IndexError(index)
        self.reads += 1
        if self.reads > 1000:  # fail fast rather than walk a trillion rows
            raise AssertionError("the renderer reads far more rows than it shows")
        return (index, f"row {index}", [0.5] * 768)

    def __iter__(self) -> Any:
        self.iterations += 1
        for i in range(self.length):
            yield self[i]


@pytest.mark.parametrize("limit", [1, 3, 10, 50])
def test_rendering_reads_only_the_rows_shown(limit: int) -> None:
    rows = CountingRows()
    result = table([("id", "int"), ("label", "str"), ("vector", "vector")], rows)
    bundle = render(result, display_limit=limit)
    assert rows.reads == limit
    assert f"showing {limit:,} of 1,000,000,000,000 rows" in bundle["text/plain"]


def test_rendering_a_small_lazy_sequence_with_limit_zero_reads_it_once() -> None:
    rows = CountingRows(length=7)
    render(table([("id", "int"), ("label", "str"), ("vector", "vector")], rows), display_limit=0)
    assert rows.reads == 7


@pytest.mark.parametrize(
    ("count", "total", "footer", "reads"),
    [
        (25, None, "showing the first 10 rows", 11),  # one row past the window tells "more"
        (10, None, "10 rows", 10),
        (4, None, "4 rows", 4),
        (25, 25, "showing 10 of 25 rows", 10),  # counted: no need to look further
    ],
)
def test_rows_may_be_a_bare_iterator(
    count: int, total: int | None, footer: str, reads: int
) -> None:
    read = []

    def rows() -> Any:
        for i in range(count):
            read.append(i)
            yield (i,)

    bundle = render(table([("id", "int")], rows(), total=total))
    assert bundle["text/plain"].splitlines()[-1] == f"({footer})"
    assert len(read) == reads


# --- escaping ------------------------------------------------------------------------------------

NASTY = [
    "<b>x</b>",
    "&amp;",
    "&lt;script&gt;",
    "a & b",
    "\"double\" and 'single'",
    "<script>alert('x')</script>",
    "&#60;",
    "1 < 2 > 0",
    "plain",
]


@pytest.mark.parametrize("text", NASTY)
def test_cell_values_and_names_are_escaped_exactly_once(text: str) -> None:
    result = table([(text, "str"), ("meta", "json")], [(text, {"k": text})], title=text, note=text)
    markup = render(result)["text/html"]
    name, _ = th_texts(markup)
    value, meta = td_texts(markup)
    assert value == html.escape(text) and html.unescape(value) == text
    assert name == html.escape(text) and html.unescape(name) == text
    assert html.unescape(meta) == json.dumps({"k": text}, ensure_ascii=False)
    assert f"<caption>{html.escape(text)}</caption>" in markup
    assert f'<div class="milvus-note">{html.escape(text)}</div>' in markup
    if "<" in text:
        assert text not in markup  # never live markup
    plain = render(result)["text/plain"]
    assert text in plain  # plain text is never escaped
    assert render(result)[DATA_RESOURCE]["data"][0][text] == text


@pytest.mark.parametrize("text", NASTY)
def test_messages_are_escaped_exactly_once(text: str) -> None:
    bundle = render(Message(text))
    assert bundle["text/plain"] == text
    inner = re.fullmatch(r'<pre class="milvus-message">(.*)</pre>', bundle["text/html"], re.S)
    assert inner is not None
    assert inner.group(1) == html.escape(text) and html.unescape(inner.group(1)) == text


def test_multiline_message_keeps_its_lines() -> None:
    text = "CREATE TABLE docs (\n  id INT64 PRIMARY KEY\n)"
    bundle = render(Message(text))
    assert set(bundle) == {"text/plain", "text/html"}
    assert bundle["text/plain"] == text
    assert "\n  id INT64 PRIMARY KEY\n" in bundle["text/html"]


# --- NULL ----------------------------------------------------------------------------------------


def test_null_shows_as_null_everywhere() -> None:
    result = table(
        [("id", "int"), ("label", "str"), ("meta", "json"), ("vector", "vector")],
        [(1, None, None, None), (2, "NULL", {"a": None}, [0.1] * 10)],
    )
    bundle = render(result)
    lines = bundle["text/plain"].splitlines()
    assert re.fullmatch(r"\s+1 \| NULL\s+\| NULL\s+\| NULL", lines[2])
    cells = td_texts(bundle["text/html"])
    assert cells[1:4] == ['<span class="milvus-null">NULL</span>'] * 3
    assert cells[5] == "NULL"  # the string "NULL" is data, not a styled NULL
    first, second = bundle[DATA_RESOURCE]["data"]
    assert first == {"id": 1, "label": None, "meta": None, "vector": None}
    assert second["label"] == "NULL" and second["meta"] == {"a": None}
    assert second["vector"] == "[0.1, 0.1, … 10 dims]"


def test_all_null_column_takes_its_type_from_the_kind() -> None:
    result = table([("n", "int"), ("f", "float"), ("m", "json")], [(None, None, None)])
    fields = render(result)[DATA_RESOURCE]["schema"]["fields"]
    assert [f["type"] for f in fields] == ["integer", "number", "object"]


# --- data resource -----------------------------------------------------------------------------

ALL_KINDS_COLUMNS = [
    ("id", "int"),
    ("label", "str"),
    ("score", "float"),
    ("ok", "bool"),
    ("meta", "json"),
    ("tags", "array"),
    ("vector", "vector"),
    ("sparse", "sparse"),
    ("bits", "bytes"),
    ("other", "any"),
]


def all_kinds_rows(n: int, dim: int = 768) -> list[tuple[Any, ...]]:
    rng = np.random.default_rng(7)
    return [
        (
            i,
            f"label {i}",
            float(rng.random()),
            i % 2 == 0,
            {"i": i, "name": f"n{i}", "nested": {"x": [1, 2]}},
            ["a", "b"],
            rng.random(dim, dtype=np.float32),
            {int(k): float(v) for k, v in zip(range(0, 3000, 7), rng.random(400), strict=False)},
            bytes(16),
            None if i % 3 else f"x{i}",
        )
        for i in range(n)
    ]


def test_data_resource_is_a_valid_table_schema_resource() -> None:
    result = table(ALL_KINDS_COLUMNS, all_kinds_rows(12), total=12345)
    resource = render(result)[DATA_RESOURCE]
    json.dumps(resource, allow_nan=False)
    assert set(resource) == {"schema", "data"}
    fields = resource["schema"]["fields"]
    assert [f["name"] for f in fields] == [name for name, _ in ALL_KINDS_COLUMNS]
    assert all(set(f) == {"name", "type"} and f["type"] in TABLE_SCHEMA_TYPES for f in fields)
    types = {f["name"]: f["type"] for f in fields}
    assert types == {
        "id": "integer",
        "label": "string",
        "score": "number",
        "ok": "boolean",
        "meta": "object",
        "tags": "array",
        "vector": "string",
        "sparse": "string",
        "bits": "string",
        "other": "string",
    }
    assert len(resource["data"]) == 10
    row = resource["data"][0]
    assert set(row) == set(types)
    assert row["id"] == 0 and isinstance(row["score"], float) and row["ok"] is True
    assert row["meta"] == {"i": 0, "name": "n0", "nested": {"x": [1, 2]}}
    assert row["vector"].endswith("… 768 dims]")
    assert row["sparse"].endswith("… 400 entries}")


def test_data_resource_values_match_the_plain_and_html_text() -> None:
    result = table(ALL_KINDS_COLUMNS, all_kinds_rows(3))
    bundle = render(result)
    cells = td_texts(bundle["text/html"])
    texts = [html.unescape(c) for c in cells]
    for i, row in enumerate(bundle[DATA_RESOURCE]["data"]):
        for j, (name, kind) in enumerate(ALL_KINDS_COLUMNS):
            value = row[name]
            text = texts[i * len(ALL_KINDS_COLUMNS) + j]
            if value is None:
                assert text == '<span class="milvus-null">NULL</span>'
            elif kind in ("json", "array"):
                assert json.loads(text) == value
            elif kind == "bool":
                assert text == str(value).lower()
            elif kind in ("int", "float"):
                assert float(text) == value
            else:
                assert text == value


def test_mixed_integer_and_float_column_is_number() -> None:
    fields = render(table([("d", "any")], [(1,), (0.5,)]))[DATA_RESOURCE]["schema"]["fields"]
    assert fields == [{"name": "d", "type": "number"}]


def test_mixed_types_column_is_any() -> None:
    resource = render(table([("v", "any")], [(1,), ("a",), ({"k": 1},)]))[DATA_RESOURCE]
    assert resource["schema"]["fields"] == [{"name": "v", "type": "any"}]
    assert [r["v"] for r in resource["data"]] == [1, "a", {"k": 1}]


def test_huge_integer_ids_travel_as_text() -> None:
    ids = [449596712345678901, 449596712345678902]
    resource = render(table([("id", "int")], [(i,) for i in ids]))[DATA_RESOURCE]
    assert resource["schema"]["fields"] == [{"name": "id", "type": "string"}]
    assert [r["id"] for r in resource["data"]] == [str(i) for i in ids]


def test_an_array_column_with_one_long_array_is_all_text() -> None:
    resource = render(table([("t", "array")], [([1, 2],), (list(range(50)),)]))[DATA_RESOURCE]
    assert resource["schema"]["fields"] == [{"name": "t", "type": "string"}]
    assert [r["t"] for r in resource["data"]] == ["[1, 2]", "[0, 1, … 50 items]"]


def test_non_finite_numbers_keep_the_resource_valid_json() -> None:
    resource = render(table([("d", "float")], [(math.nan,), (math.inf,), (1.0,)]))[DATA_RESOURCE]
    json.dumps(resource, allow_nan=False)
    assert [r["d"] for r in resource["data"]] == ["NaN", "INF", 1.0]


@pytest.mark.parametrize(
    ("names", "unique"),
    [
        (["a", "b"], ["a", "b"]),
        (["a", "a"], ["a", "a_2"]),
        (["a", "a", "a"], ["a", "a_2", "a_3"]),
        (["a", "a", "a_2"], ["a", "a_3", "a_2"]),
        ([], []),
    ],
)
def test_duplicate_column_names_get_distinct_keys(names: list[str], unique: list[str]) -> None:
    assert unique_names(names) == unique


def test_duplicate_column_names_keep_every_value() -> None:
    resource = render(table([("id", "int"), ("id", "int")], [(1, 2)]))[DATA_RESOURCE]
    assert resource["data"] == [{"id": 1, "id_2": 2}]


# --- sizes ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("dim", [768, 4096, 32768])
def test_wide_vector_tables_stay_small(dim: int) -> None:
    result = table(
        [("id", "int"), ("label", "str"), ("vector", "vector")],
        [(i, f"l{i}", np.random.default_rng(i).random(dim)) for i in range(50)],
        total=1_000_000,
    )
    bundle = render(result)
    sizes = {mime: len(json.dumps(part)) for mime, part in bundle.items()}
    assert all(size < 3000 for size in sizes.values()), sizes
    assert sum(sizes.values()) < 6000


def test_every_kind_table_stays_small() -> None:
    bundle = render(table(ALL_KINDS_COLUMNS, all_kinds_rows(10)))
    assert len(json.dumps(bundle)) < 16000


# --- plain text table ----------------------------------------------------------------------------


def pipe_columns(line: str) -> list[int]:
    """Display columns at which each ' | ' separator starts."""
    return [width(line[: m.start()]) for m in re.finditer(r" \| ", line)]


@pytest.mark.parametrize(
    "rows",
    [
        [(1, "red", [0.1, 0.2, 0.3, 0.4]), (22, "blue", [0.5] * 768), (333, None, None)],
        [(1, "東京タワー", [1.0]), (2, "e\u0301clair", [2.0]), (3, "x" * 500, [3.0])],
        [(-5, "a\nb\tc", []), (10**6, "", [0.0] * 7)],
    ],
)
def test_plain_table_is_aligned(rows: list[tuple[Any, ...]]) -> None:
    text = render(table([("id", "int"), ("label", "str"), ("vector", "vector")], rows))[
        "text/plain"
    ]
    lines = text.splitlines()
    header, rule, *body, footer = lines
    assert re.fullmatch(r"-+\+-+\+-+", rule)
    expected = [i for i, ch in enumerate(rule) if ch == "+"]
    assert pipe_columns(header) == [i - 1 for i in expected]
    for line in body:
        assert pipe_columns(line) == [i - 1 for i in expected], line
        assert all(width(cell.strip()) <= MAX_WIDTH for cell in line.split(" | "))
    assert footer == f"({len(rows)} rows)"


def test_plain_table_right_aligns_numbers_and_shows_header() -> None:
    text = render(table([("id", "int"), ("label", "str")], [(1, "a"), (1000, "bb")]))["text/plain"]
    assert text.splitlines() == [
        " id   | label",
        "------+-------",
        "    1 | a",
        " 1000 | bb",
        "(2 rows)",
    ]


def test_plain_table_cuts_wide_cells_and_escapes_control_characters() -> None:
    text = render(table([("s", "str")], [("\x1b[31mred\x1b[0m\r\nnext",), ("y" * 300,)]))[
        "text/plain"
    ]
    assert "\x1b" not in text and "\r" not in text
    assert "\\x1b[31mred\\x1b[0m\\r\\nnext" in text
    assert "y" * (MAX_WIDTH - 1) + "…" in text and "y" * MAX_WIDTH not in text


def test_plain_table_title_and_note() -> None:
    result = table([("a", "int")], [(1,)], title="docs", note="index_file_size is ignored")
    assert render(result)["text/plain"].splitlines() == [
        "docs",
        " a",
        "---",
        " 1",
        "(1 row)",
        "index_file_size is ignored",
    ]


def test_table_without_columns_or_rows() -> None:
    bundle = render(table([], []))
    assert bundle["text/plain"] == "(0 rows)"
    assert bundle[DATA_RESOURCE] == {"schema": {"fields": []}, "data": []}
    empty = render(table([("id", "int"), ("label", "str")], []))
    assert empty["text/plain"].splitlines() == [" id | label", "----+-------", "(0 rows)"]
    assert '<thead><tr><th class="n">id</th><th>label</th></tr></thead>' in empty["text/html"]


def test_short_and_long_rows_are_fitted_to_the_columns() -> None:
    bundle = render(table([("a", "int"), ("b", "str")], [(1,), (2, "x", "extra")]))
    assert bundle[DATA_RESOURCE]["data"] == [{"a": 1, "b": None}, {"a": 2, "b": "x"}]


# --- html ----------------------------------------------------------------------------------------


def test_html_table_structure() -> None:
    markup = render(table([("id", "int"), ("v", "vector")], [(1, [0.5] * 9)] * 12), 10)["text/html"]
    assert '<table class="milvus-table">' in markup
    assert markup.count("<thead>") == 1 and markup.count("<tr>") == 11
    assert "<td>[0.5, 0.5, … 9 dims]</td>" in markup
    assert '<div class="milvus-footer">showing 10 of 12 rows</div>' in markup
    assert "<caption>" not in markup and "milvus-note" not in markup.split("</style>")[1]


def test_render_rejects_what_it_does_not_know() -> None:
    with pytest.raises(TypeError):
        render("SELECT 1")  # type: ignore[arg-type]


# --- errors --------------------------------------------------------------------------------------


def syntax_error() -> MilvusSyntaxError:
    error = MilvusSyntaxError(
        "unexpected 'FORM'",
        line=2,
        column=10,
        source_line="SELECT * FORM docs",
        expected=("FROM", "WHERE"),
        hint="did you mean FROM?",
    )
    error.statement_index = 3
    return error


def execution_error() -> ExecutionError:
    error = ExecutionError("collection not found [collection=docs]\nmore detail")
    error.statement_index = 2
    error.statement_text = "DROP TABLE docs"
    return error


SYNTAX_SUMMARY = "Syntax error in statement 3, line 2, column 10: unexpected 'FORM'"
EXECUTION_SUMMARY = "statement 2 (DROP TABLE docs): collection not found [collection=docs]"
ERROR_CASES = [
    (syntax_error(), "SyntaxError", SYNTAX_SUMMARY),
    (execution_error(), "MilvusError", EXECUTION_SUMMARY),
    (ConnectionFailure("Open local milvus failed"), "ConnectionError", "Open local milvus failed"),
    (NotSupported("Milvus Lite has no IVF_PQ"), "NotSupported", "Milvus Lite has no IVF_PQ"),
    (Interrupted("interrupted after 5,000 rows"), "Interrupted", "interrupted after 5,000 rows"),
    (KernelError(""), "MilvusError", "MilvusError"),
    (ValueError("boom"), "ValueError", "boom"),
    (RuntimeError(), "RuntimeError", "RuntimeError"),
]


@pytest.mark.parametrize(("error", "ename", "evalue"), ERROR_CASES)
def test_errors_render_without_python_traceback(
    error: BaseException, ename: str, evalue: str
) -> None:
    try:  # a raised error carries a __traceback__: it must not leak into the report
        raise error
    except BaseException as caught:
        got_ename, got_evalue, lines = render_error(caught)
    assert (got_ename, got_evalue) == (ename, evalue)
    assert "\n" not in got_evalue
    assert lines and all(isinstance(line, str) and "\n" not in line for line in lines)
    joined = "\n".join(lines)
    assert "Traceback" not in joined and 'File "' not in joined
    assert lines[0].startswith("\x1b[0;31m") and lines[0].endswith("\x1b[0m")


def test_error_traceback_is_the_errors_own_report() -> None:
    error = syntax_error()
    _, _, lines = render_error(error, color=False)
    assert lines == error.render().splitlines()
    assert lines[1:] == [
        "  SELECT * FORM docs",
        "           ^",
        "expected: FROM, WHERE",
        "hint: did you mean FROM?",
    ]


def test_a_broken_report_still_renders() -> None:
    class Broken(KernelError):
        def render(self) -> str:
            raise RuntimeError("bug in render")

    assert render_error(Broken("what happened"), color=False) == (
        "MilvusError",
        "what happened",
        ["what happened"],
    )


def test_long_evalue_is_cut_to_one_short_line() -> None:
    _, evalue, _ = render_error(ExecutionError("x" * 5000))
    assert len(evalue) <= 200 and evalue.endswith("…")


# --- progress ------------------------------------------------------------------------------------

PROGRESS_CASES = [
    # done, total, unit, label, plain
    (0, 4, "rows", "", "[" + " " * 30 + "] 0 / 4 rows (0%)"),
    (
        5000,
        10000,
        "rows",
        "import",
        "import: [" + "#" * 15 + " " * 15 + "] 5,000 / 10,000 rows (50%)",
    ),
    (10, 10, "batches", "", "[" + "#" * 30 + "] 10 / 10 batches (100%)"),
    (12, 10, "rows", "", "[" + "#" * 30 + "] 12 / 10 rows (100%)"),
    (1234, None, "rows", "export", "export: 1,234 rows"),
    (-3, 0, "rows", "", "0 rows"),
]


@pytest.mark.parametrize(("done", "total", "unit", "label", "plain"), PROGRESS_CASES)
def test_progress_bar(done: int, total: int | None, unit: str, label: str, plain: str) -> None:
    bundle = render_progress(done, total, unit, label)
    assert bundle["text/plain"] == plain
    assert "<progress" in bundle["text/html"]
    if total:
        assert f'max="{total}"' in bundle["text/html"]


def test_progress_label_is_escaped() -> None:
    markup = render_progress(1, 2, "<rows>", "<b>load</b>")["text/html"]
    assert "&lt;b&gt;load&lt;/b&gt;" in markup and "&lt;rows&gt;" in markup and "<b>" not in markup


# --- purity --------------------------------------------------------------------------------------


def test_display_imports_neither_pymilvus_nor_ipykernel() -> None:
    code = (
        "import sys, milvus_kernel.display\n"
        "bad = [m for m in ('pymilvus', 'ipykernel', 'numpy') if m in sys.modules]\n"
        "print(','.join(bad))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
