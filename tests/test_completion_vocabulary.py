"""Tab offers the fixed words a place in a statement takes, from the engine's own lists: index
types after CREATE INDEX ... USING, metric names after `metric_type =`, column types in CREATE
TABLE's column list, and the option names of the statement inside WITH (...). Checked on the
unit functions and through a real kernel's complete_request.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from kernel_harness import collect, execute, running_kernel

from milvus_kernel.engine.data.import_plan import OPTIONS as IMPORT_OPTIONS
from milvus_kernel.engine.lookups import SEARCH_OPTIONS, completion_words, option_names
from milvus_kernel.engine.schema.definition import QUICK_OPTIONS, TABLE_OPTIONS
from milvus_kernel.engine.tools.help_topics import INDEX_TYPES, METRICS
from milvus_kernel.language.completion import completion_context
from milvus_kernel.language.completion_places import Vocabulary, vocabulary_at
from milvus_kernel.language.rules.columns import TYPE_NAMES

INDEX_NAMES = [row[0] for row in INDEX_TYPES]
METRIC_NAMES = [row[0] for row in METRICS]
HNSW = "CREATE INDEX ON docs (vector) USING HNSW WITH ("


@pytest.mark.parametrize(
    ("before", "expected"),
    [
        ("CREATE INDEX ON docs (vector) USING ", Vocabulary("index_type")),
        ("create index i on docs(vector) using ", Vocabulary("index_type")),
        (HNSW + "metric_type = ", Vocabulary("metric_type", quote=True)),
        (HNSW + "metric_type = '", Vocabulary("metric_type")),
        ("create index t where index_type=", Vocabulary("index_type", quote=True)),
        ("CREATE TABLE t (id ", Vocabulary("column_type")),
        ("CREATE TABLE IF NOT EXISTS t (id INT64 PRIMARY KEY, v ", Vocabulary("column_type")),
        ("CREATE TABLE t (tags ARRAY<", Vocabulary("column_type")),
        (HNSW, Vocabulary("option", "create_index", "HNSW")),
        (HNSW + "M = 16, ", Vocabulary("option", "create_index", "HNSW")),
        ("CREATE INDEX ON docs (vector) WITH (", Vocabulary("option", "create_index")),
        ("CREATE TABLE t (id INT64 PRIMARY KEY) WITH (", Vocabulary("option", "create_table")),
        ("CREATE TABLE q WITH (", Vocabulary("option", "quick_table")),
        ("SEARCH docs FOR [0.1, 0.2] LIMIT 3 WITH (", Vocabulary("option", "search")),
        ("SELECT id FROM docs ORDER BY v <-> [1] LIMIT 2 WITH (", Vocabulary("option", "search")),
        ("INSERT INTO docs FROM 'rows.csv' WITH (", Vocabulary("option", "import")),
        ("EXPORT (SELECT * FROM docs) TO 'a.csv' WITH (", Vocabulary("option", "export")),
        # places that take names, keywords or values instead
        ("SEARCH docs USING ", None),
        ("PLOT docs USING ", None),
        (HNSW + "M = ", None),
        ("CREATE TABLE t (id INT64 PRIMARY KEY, v VECTOR(2)) ", None),
        ("CREATE TABLE t (id INT64 ", None),
        ("CREATE TABLE t (label VARCHAR(3) DEFAULT 'a, b' ", None),
        ("SELECT * FROM docs WHERE ", None),
    ],
)
def test_the_place_names_its_vocabulary(before: str, expected: Vocabulary | None) -> None:
    assert vocabulary_at(before) == expected
    context = completion_context(before, len(before))
    assert context.vocabulary == expected
    if expected is not None:  # no collection or field names, no keywords: only the words
        assert not context.wants and not context.keywords


@pytest.mark.parametrize("before", ["SHOW INDEXES ", "show indices ", "SHOW PARTITIONS "])
def test_a_table_name_follows_show_indexes_as_it_follows_show_partitions(before: str) -> None:
    context = completion_context(before + "do", len(before) + 2)
    assert context.wants == {"table"} and context.vocabulary is None


def test_the_words_come_from_the_engine_lists() -> None:
    words = completion_words
    assert [w for w, _ in words(Vocabulary("index_type"), "")] == INDEX_NAMES
    assert {"FLAT", "IVF_FLAT", "HNSW", "AUTOINDEX", "SPARSE_INVERTED_INDEX", "INVERTED"} <= set(
        INDEX_NAMES
    )
    assert [w for w, _ in words(Vocabulary("index_type"), "ivf_")] == [
        "IVF_FLAT",
        "IVF_SQ8",
        "IVF_PQ",
    ]
    quoted = words(Vocabulary("metric_type", quote=True), "")
    assert quoted == [(f"'{m}'", "metric") for m in METRIC_NAMES]
    assert words(Vocabulary("metric_type"), "co") == [("COSINE", "metric")]
    assert words(Vocabulary("metric_type", quote=True), "'B") == [("'BM25'", "metric")]
    types = [w for w, kind in words(Vocabulary("column_type"), "")]
    assert set(types) == set(TYPE_NAMES) and types[0] == "BOOL"
    assert [w for w, _ in words(Vocabulary("column_type"), "float_v")] == ["FLOAT_VECTOR"]
    assert words(None, "") == []


def test_option_names_per_statement() -> None:
    assert option_names("create_index", "HNSW") == ["metric_type", "M", "efConstruction"]
    assert option_names("create_index", "IVF_PQ") == ["metric_type", "nlist", "m", "nbits"]
    every = option_names("create_index")
    assert every[0] == "metric_type" and {"nlist", "M", "efConstruction"} <= set(every)
    assert option_names("create_index", "NO_SUCH") == every
    search = option_names("search")
    assert {"nprobe", "ef", "search_list", "drop_ratio_search"} <= set(search)
    assert search[-len(SEARCH_OPTIONS) :] == list(SEARCH_OPTIONS)
    assert option_names("create_table") == list(TABLE_OPTIONS)
    assert option_names("quick_table") == list(QUICK_OPTIONS)
    assert option_names("import") == list(IMPORT_OPTIONS)
    assert option_names("export") == ["format"]


DOCS = (
    "CREATE TABLE docs (id INT64 PRIMARY KEY, label VARCHAR(20), vector FLOAT_VECTOR(2));\n"
    "INSERT INTO docs VALUES (1, 'red', [0.1, 0.2])"
)


def complete(kc, code: str) -> dict:
    reply, _ = collect(kc, kc.complete(code, len(code)))
    return reply


def test_tab_in_a_real_kernel(tmp_path: Path) -> None:
    with running_kernel(tmp_path) as (_km, kc):
        reply, _ = execute(kc, DOCS)
        assert reply["status"] == "ok", reply
        code = "CREATE INDEX ON docs (vector) USING "
        reply = complete(kc, code)
        assert reply["matches"] == INDEX_NAMES
        assert (reply["cursor_start"], reply["cursor_end"]) == (len(code), len(code))
        types = {m["type"] for m in reply["metadata"]["_jupyter_types_experimental"]}
        assert types == {"index type"}

        code = "CREATE INDEX ON docs (vector) USING hn"
        reply = complete(kc, code)
        assert reply["matches"] == ["HNSW", "HNSW_SQ"]
        assert reply["cursor_start"] == len(code) - 2

        reply = complete(kc, HNSW + "metric_type = ")
        assert reply["matches"] == [f"'{m}'" for m in METRIC_NAMES]
        code = HNSW + "metric_type = 'CO"
        reply = complete(kc, code)
        assert reply["matches"] == ["COSINE"] and reply["cursor_start"] == len(code) - 2

        reply = complete(kc, HNSW)
        assert reply["matches"] == ["metric_type", "M", "efConstruction"]
        reply = complete(kc, "SEARCH docs FOR [0.1, 0.2] LIMIT 3 WITH (")
        assert {"nprobe", "ef", "radius"} <= set(reply["matches"])
        assert not {"label", "vector", "id"} & set(reply["matches"])  # no field names there
        reply = complete(kc, "CREATE TABLE t2 (id INT64 PRIMARY KEY, v VECTOR(2)) WITH (")
        assert reply["matches"] == list(TABLE_OPTIONS)

        reply = complete(kc, "CREATE TABLE docs2 (id ")
        assert {"INT64", "VARCHAR", "FLOAT_VECTOR", "JSON", "ARRAY"} <= set(reply["matches"])
        reply = complete(kc, "CREATE TABLE IF NOT EXISTS docs (id INT64 PRIMARY KEY, v FLOAT_V")
        assert reply["matches"] == ["FLOAT_VECTOR"]
        # names are still offered where names go
        assert complete(kc, "SELECT * FROM do")["matches"] == ["docs"]
        assert "label" in complete(kc, "SELECT * FROM docs WHERE la")["matches"]
