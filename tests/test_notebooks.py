"""The capability notebooks of docs/ run on the installed kernel and show the right answers.

Each of docs/full-text-search.ipynb, docs/hybrid-search.ipynb and docs/find-similar.ipynb is
executed top to bottom by nbclient on the kernelspec "milvus", in a temporary copy of docs/ (each
uses a Milvus Lite file of its own). The results are checked against ground truth computed here
from the data written in the notebooks' INSERT cells: BM25 by a plain Python brute force, nearest
neighbours by NumPy, RRF fusion from both. MILVUS_DOCS_WRITE_OUTPUTS=1 writes the executed
notebooks back to docs/ (the temporary directory shown as ".").
"""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import numpy as np
import pytest
from kernel_harness import install_kernelspec, notebook_cell, run_docs_notebook

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
NOTEBOOKS = ("full-text-search", "hybrid-search", "find-similar")
DATARESOURCE = "application/vnd.dataresource+json"


@pytest.fixture(scope="module")
def executed(tmp_path_factory) -> dict:
    """name → the executed notebook."""
    data_dir = install_kernelspec(tmp_path_factory.mktemp("prefix"))
    workdir = tmp_path_factory.mktemp("docs")
    return {name: run_docs_notebook(f"{name}.ipynb", data_dir, workdir) for name in NOTEBOOKS}


cell = notebook_cell


def rows(code_cell) -> list[dict]:
    """The rows of the last table a cell shows."""
    tables = [
        out.data[DATARESOURCE]
        for out in code_cell.outputs
        if out.output_type in ("execute_result", "display_data") and DATARESOURCE in out.data
    ]
    assert tables, f"no table in the outputs of:\n{code_cell.source}"
    last = tables[-1]
    return (json.loads(last) if isinstance(last, str) else last)["data"]


def text(code_cell) -> str:
    return "\n".join(
        out.data.get("text/plain", "") if "data" in out else out.get("text", "")
        for out in code_cell.outputs
    )


def inserted(nb) -> list[tuple]:
    """The rows of a notebook's INSERT cell: (id, strings..., [vector]) tuples."""
    source = cell(nb, "INSERT").source
    found = []
    for match in re.finditer(r"^\s*\((.*)\),?;?$", source, re.MULTILINE):
        vector = re.search(r"\[([^\]]*)\]", match[1])
        head = match[1][: vector.start()] if vector else match[1]
        values = [int(head.split(",")[0]), *re.findall(r"'([^']*)'", head)]
        if vector:
            values.append(np.array([float(x) for x in vector[1].split(",")]))
        found.append(tuple(values))
    return found


def bm25(texts: dict[int, str], query: str) -> list[int]:
    """Ids ranked by BM25 (k1 1.2, b 0.75, Lucene idf); only those matching a word."""
    docs = {i: re.findall(r"\w+", t.lower()) for i, t in texts.items()}
    avgdl = sum(map(len, docs.values())) / len(docs)
    scores = {}
    for i, words in docs.items():
        score = 0.0
        for term in re.findall(r"\w+", query.lower()):
            n = sum(term in d for d in docs.values())
            tf = words.count(term)
            idf = math.log(1 + (len(docs) - n + 0.5) / (n + 0.5))
            score += idf * tf * 2.2 / (tf + 1.2 * (0.25 + 0.75 * len(words) / avgdl))
        if score > 0:
            scores[i] = score
    return sorted(scores, key=lambda i: -scores[i])


def nearest(vectors: dict[int, np.ndarray], query: np.ndarray) -> list[int]:
    return sorted(vectors, key=lambda i: (float(((vectors[i] - query) ** 2).sum()), i))


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebook_shape_and_no_errors(executed, name):
    nb = executed[name]
    nbformat.validate(nb)
    assert nb.metadata.kernelspec == {
        "name": "milvus",
        "display_name": "Milvus SQL",
        "language": "sql",
    }
    assert cell(nb, "CONNECT").source.strip() == f"CONNECT '{name}.db';"
    for code in (c for c in nb.cells if c.cell_type == "code"):
        errors = [o for o in code.outputs if o.output_type == "error"]
        assert not errors, f"{name}: {code.source}\n--> {errors[0].evalue}"
        assert code.outputs, f"{name}: cell shows nothing:\n{code.source}"


def test_full_text_search_notebook(executed):
    nb = executed["full-text-search"]
    texts = {row[0]: row[1] for row in inserted(nb)}
    assert len(texts) == 10
    for query, limit in (("pasta sauce", 3), ("index recall", 4)):
        hits = rows(cell(nb, f"SEARCH posts TEXT '{query}'"))
        assert [h["id"] for h in hits] == bm25(texts, query)[:limit]
        scores = [h["score"] for h in hits]
        assert scores == sorted(scores, reverse=True) and scores[-1] > 0
    matched = rows(cell(nb, "SELECT id, body FROM posts WHERE TEXT_MATCH"))
    words = {i: set(re.findall(r"\w+", t)) for i, t in texts.items()}
    assert sorted(r["id"] for r in matched) == [i for i in texts if words[i] & {"hnsw", "nprobe"}]
    filtered = rows(cell(nb, "SEARCH posts TEXT 'pasta' WHERE NOT"))
    expected = [i for i in bm25(texts, "pasta") if "sauce" not in words[i]]
    assert [h["id"] for h in filtered] == expected
    assert "SPARSE_INVERTED_INDEX, metric BM25" in text(cell(nb, "DROP TABLE IF EXISTS posts"))
    assert "BM25(body)" in text(cell(nb, "DROP TABLE IF EXISTS posts"))


def test_hybrid_search_notebook(executed):
    nb = executed["hybrid-search"]
    data = {row[0]: row for row in inserted(nb)}
    vectors = {i: row[3] for i, row in data.items()}
    texts = {i: row[2] for i, row in data.items()}
    query = np.array([0.1, 0.0, 0.9, 0.1])
    by_vector = nearest(vectors, query)[:4]
    by_text = bm25(texts, "recall")[:4]
    assert [h["id"] for h in rows(cell(nb, "SEARCH articles USING vector FOR"))] == by_vector
    assert [h["id"] for h in rows(cell(nb, "SEARCH articles TEXT 'recall'"))] == by_text
    fused: dict[int, float] = {}
    for ranking in (by_vector, by_text):
        for rank, i in enumerate(ranking, start=1):
            fused[i] = fused.get(i, 0.0) + 1 / (60 + rank)
    hits = rows(
        cell(
            nb,
            "SEARCH articles\n    USING vector FOR [0.1, 0.0, 0.9, 0.1] LIMIT 4,\n"
            "    USING body_bm25 TEXT 'recall' LIMIT 4\n  RERANK RRF",
        )
    )
    assert [h["score"] for h in hits] == pytest.approx(sorted(fused.values(), reverse=True)[:5])
    for hit in hits:
        assert hit["score"] == pytest.approx(fused[hit["id"]])
    assert set(by_vector) & set(by_text) and hits[0]["id"] in set(by_vector) & set(by_text)
    weighted = rows(
        cell(
            nb,
            "SEARCH articles\n    USING vector FOR [0.1, 0.0, 0.9, 0.1] LIMIT 4,\n"
            "    USING body_bm25 TEXT 'recall' WHERE",
        )
    )
    assert len(weighted) == 3 and all(data[h["id"]][1] == h["topic"] for h in weighted)


def test_find_similar_notebook(executed):
    nb = executed["find-similar"]
    data = {row[0]: row for row in inserted(nb)}
    vectors = {i: row[2] for i, row in data.items()}
    hits = rows(cell(nb, "SEARCH points FOR ID 10 RETURN label LIMIT 5"))
    assert [h["id"] for h in hits] == nearest(vectors, vectors[10])[:5]
    assert hits[0]["id"] == 10 and all(h["label"] == "green" for h in hits)
    several = rows(cell(nb, "SEARCH points FOR IDS (0, 20)"))
    for number, key in ((1, 0), (2, 20)):
        ids = [h["id"] for h in several if h["query"] == number]
        assert ids == nearest(vectors, vectors[key])[:3]
    grouped = rows(cell(nb, "SEARCH points FOR ID 0 RETURN label GROUP BY"))
    order = nearest(vectors, vectors[0])
    expected = {}
    for i in order:
        expected.setdefault(data[i][1], [])
        if len(expected[data[i][1]]) < 2:
            expected[data[i][1]].append(i)
    found: dict[str, list[int]] = {}
    for hit in grouped:
        found.setdefault(hit["label"], []).append(hit["id"])
    assert found == expected
    ranged = rows(cell(nb, "SEARCH points FOR ID 10 RETURN label LIMIT 20 WITH"))
    inside = [i for i in order if 0.5 <= float(((vectors[i] - vectors[10]) ** 2).sum()) < 4.0]
    assert sorted(h["id"] for h in ranged) == sorted(inside) and 10 not in inside
    code = text(cell(nb, "EXPLAIN"))
    assert "found = client.get('points', ids=[10], output_fields=['vector'])" in code
    assert "client.search(" in code and "/find-similar.db'" in code
