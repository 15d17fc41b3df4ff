"""The metric is never silent: search hits name their metric, a search of a field without an index
says which default it built, and the old dialect's `drop index` + `create index` keeps the
table's metric across a kernel restart (read from the collection, not from memory).

Ground truth: `describe_index` from pymilvus, and distances against a NumPy brute force.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from admin_helpers import one, run
from kernel_harness import execute, plain_texts, running_kernel

from milvus_kernel.display import DATA_RESOURCE, render
from milvus_kernel.engine.session import Session

RNG = np.random.default_rng(11)
VECTORS = RNG.normal(size=(30, 4)).round(3)
QUERY = VECTORS[4] + 0.05


def values(vectors: np.ndarray) -> str:
    return ", ".join(f"({i}, {v.tolist()}, {(v[::-1]).tolist()})" for i, v in enumerate(vectors))


@pytest.fixture
def plain_table(session: Session, unique_name: str) -> str:
    """30 rows with two vector fields, a and b (b is a reversed), and no index at all."""
    run(
        session,
        f"CREATE TABLE {unique_name} (id INT64 PRIMARY KEY, a FLOAT_VECTOR(4), "
        f"b FLOAT_VECTOR(4));\nINSERT INTO {unique_name} VALUES {values(VECTORS)}",
    )
    assert session.catalog().client.list_indexes(unique_name) == []
    return unique_name


def index_of(session: Session, table: str, field: str) -> tuple[str, str]:
    described = session.catalog().client.describe_index(table, field)
    return described["index_type"], described["metric_type"]


def cosine(query: np.ndarray) -> np.ndarray:
    return VECTORS @ query / (np.linalg.norm(VECTORS, axis=1) * np.linalg.norm(query))


def test_the_footer_names_the_metric_in_both_views(session: Session, unique_name: str):
    run(
        session,
        f"CREATE TABLE {unique_name} WITH (dimension = 4, metric_type = 'L2');\n"
        f"INSERT INTO {unique_name} (id, vector) VALUES "
        + ", ".join(f"({i}, {v.tolist()})" for i, v in enumerate(VECTORS)),
    )
    hits = one(session, f"SEARCH {unique_name} FOR {QUERY.tolist()} LIMIT 3")
    bundle = render(hits)
    assert bundle["text/plain"].splitlines()[-1] == "(3 rows, metric L2)"
    assert '<div class="milvus-footer">3 rows, metric L2</div>' in bundle["text/html"]
    resource = bundle[DATA_RESOURCE]  # the data resource is the rows, as before
    assert [f["name"] for f in resource["schema"]["fields"]] == ["rank", "id", "distance"]
    assert set(resource) == {"schema", "data"}
    distances = ((VECTORS - QUERY) ** 2).sum(axis=1)
    order = np.argsort(distances, kind="stable")[:3]
    assert [r[1] for r in hits.rows] == order.tolist()
    assert np.allclose([r[2] for r in hits.rows], distances[order], atol=1e-4)
    assert hits.note is None  # it had an index: nothing was built
    shown = render(one(session, f"SEARCH {unique_name} FOR {QUERY.tolist()} LIMIT 3"), 2)
    assert shown["text/plain"].splitlines()[-1] == "(showing 2 of 3 rows, metric L2)"


def test_a_search_without_an_index_says_what_it_built(session: Session, plain_table: str):
    hits = one(session, f"SEARCH {plain_table} USING a FOR {QUERY.tolist()} LIMIT 5")
    assert hits.note == (
        f"{plain_table}.a had no index: built the default AUTOINDEX with metric COSINE "
        f"(DROP INDEX a ON {plain_table}, then CREATE INDEX, to choose another)"
    )
    text = render(hits)["text/plain"].splitlines()
    assert text[-2:] == ["(5 rows, metric COSINE)", hits.note]
    assert index_of(session, plain_table, "a") == ("AUTOINDEX", "COSINE")
    similarity = cosine(QUERY)
    order = np.argsort(-similarity, kind="stable")[:5]
    assert [r[1] for r in hits.rows] == order.tolist()
    assert np.allclose([r[2] for r in hits.rows], similarity[order], atol=1e-4)
    again = one(session, f"SEARCH {plain_table} USING a FOR {QUERY.tolist()} LIMIT 5")
    assert again.note is None and again.metric == "COSINE"


def test_order_by_distance_builds_the_operators_metric(session: Session, plain_table: str):
    hits = one(session, f"SELECT id FROM {plain_table} ORDER BY a <-> {QUERY.tolist()} LIMIT 4")
    assert hits.metric == "L2" and "built the default AUTOINDEX with metric L2" in hits.note
    assert index_of(session, plain_table, "a") == ("AUTOINDEX", "L2")
    distances = ((VECTORS - QUERY) ** 2).sum(axis=1)
    assert [r[0] for r in hits.rows] == np.argsort(distances, kind="stable")[:4].tolist()


def test_hybrid_legs_build_their_indexes_and_name_the_metrics(session: Session, plain_table: str):
    q = QUERY.tolist()
    hits = one(
        session,
        f"SEARCH {plain_table} USING a FOR {q} LIMIT 10, USING b FOR {q[::-1]} LIMIT 10 "
        "WITH (metric_type = 'IP') RERANK RRF(60) LIMIT 3",
    )
    assert hits.metric == "COSINE + IP, fused by RRF"
    assert hits.note == (
        f"{plain_table}.a had no index: built the default AUTOINDEX with metric COSINE "
        f"(DROP INDEX a ON {plain_table}, then CREATE INDEX, to choose another); "
        f"{plain_table}.b had no index: built the default AUTOINDEX with metric IP "
        f"(DROP INDEX b ON {plain_table}, then CREATE INDEX, to choose another)"
    )
    assert render(hits)["text/plain"].splitlines()[-2] == (
        "(3 rows, metric COSINE + IP, fused by RRF)"
    )
    assert index_of(session, plain_table, "a") == ("AUTOINDEX", "COSINE")
    assert index_of(session, plain_table, "b") == ("AUTOINDEX", "IP")
    assert hits.rows[0][1] == 4  # the nearest in both legs


def lite_truth(db: Path, code: str) -> object:
    """`code` (an expression over `client`) evaluated by pymilvus in a separate process: Milvus
    Lite's lock stays with a process until it exits."""
    script = (
        "import json, sys\nfrom pymilvus import MilvusClient\n"
        f"client = MilvusClient({str(db)!r})\nprint(json.dumps({code}, default=str))"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=True
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_old_drop_and_create_index_keep_the_metric_across_a_restart(tmp_path: Path):
    db = tmp_path / "milvus_kernel.db"
    rows = "\n".join(
        f"insert {','.join(map(str, v))} from old by id={i}" for i, v in enumerate(VECTORS)
    )
    with running_kernel(tmp_path) as (_, kc):
        reply, _ = execute(kc, f"create table old where dimension=4 and metric_type='L2'\n{rows}")
        assert reply["status"] == "ok", reply
        reply, outputs = execute(kc, "drop index old")
        assert reply["status"] == "ok" and plain_texts(outputs)[-1] == "dropped index vector of old"
    assert lite_truth(db, 'client.list_indexes("old")') == []
    with running_kernel(tmp_path) as (_, kc):  # a new kernel: nothing remembered in memory
        reply, outputs = execute(kc, "create index old where index_type='IVF_FLAT' and nlist=2")
        assert reply["status"] == "ok", reply
        created = plain_texts(outputs)[-1]
        assert created == "created index vector on old(vector) using IVF_FLAT, metric L2"
        reply, outputs = execute(kc, f"SEARCH old FOR {QUERY.tolist()} LIMIT 3 WITH (nprobe = 2)")
        assert reply["status"] == "ok", reply
        assert plain_texts(outputs)[-1].splitlines()[-1] == "(3 rows, metric L2)"
    described = lite_truth(db, 'client.describe_index("old", "vector")')
    assert (described["index_type"], described["metric_type"]) == ("IVF_FLAT", "L2")
    assert described["params"] == {"nlist": 2}


def test_through_a_real_kernel_both_views_name_the_metric(tmp_path: Path):
    """The execute_result of a search without an index: footer and note in text/plain and
    text/html, the data resource the rows alone; pymilvus finds the index it built."""
    table = "fresh"
    create = (
        f"CREATE TABLE {table} (id INT64 PRIMARY KEY, a FLOAT_VECTOR(4), b FLOAT_VECTOR(4));\n"
        f"INSERT INTO {table} VALUES {values(VECTORS)}"
    )
    with running_kernel(tmp_path) as (_, kc):
        reply, _ = execute(kc, create)
        assert reply["status"] == "ok", reply
        reply, outputs = execute(kc, f"SEARCH {table} USING a FOR {QUERY.tolist()} LIMIT 3")
        assert reply["status"] == "ok", reply
    results = [o["content"]["data"] for o in outputs if o["msg_type"] == "execute_result"]
    assert len(results) == 1
    note = (
        f"{table}.a had no index: built the default AUTOINDEX with metric COSINE "
        f"(DROP INDEX a ON {table}, then CREATE INDEX, to choose another)"
    )
    assert results[0]["text/plain"].splitlines()[-2:] == ["(3 rows, metric COSINE)", note]
    assert '<div class="milvus-footer">3 rows, metric COSINE</div>' in results[0]["text/html"]
    assert f'<div class="milvus-note">{note}</div>' in results[0]["text/html"]
    resource = results[0][DATA_RESOURCE]
    assert [f["name"] for f in resource["schema"]["fields"]] == ["rank", "id", "distance"]
    similarity = cosine(QUERY)
    order = np.argsort(-similarity, kind="stable")[:3]
    assert [row["id"] for row in resource["data"]] == order.tolist()
    assert np.allclose([row["distance"] for row in resource["data"]], similarity[order], atol=1e-4)
    described = lite_truth(tmp_path / "milvus_kernel.db", f'client.describe_index("{table}", "a")')
    assert (described["index_type"], described["metric_type"]) == ("AUTOINDEX", "COSINE")
    assert lite_truth(tmp_path / "milvus_kernel.db", f'client.list_indexes("{table}")') == ["a"]


def test_old_drop_and_create_index_keep_the_metric_on_a_milvus_server(
    milvus_server: Any, tmp_path: Path
):
    """Milvus 2.3.5 keeps the collection property too; a new session finds the metric there."""
    from pymilvus import MilvusClient

    table = "metric_server"
    connect = f"CONNECT '{milvus_server.uri}'; SET consistency_level = 'Strong'"
    first = Session(workdir=tmp_path, environ={})
    try:
        run(first, f"{connect}; DROP TABLE IF EXISTS {table}")
        run(first, f"create table {table} where dimension=4 and metric_type='IP'")
        assert one(first, f"drop index {table}").text.startswith(f"dropped index vector of {table}")
    finally:
        first.close()
    second = Session(workdir=tmp_path, environ={})
    client = MilvusClient(milvus_server.uri, timeout=30)
    try:
        run(second, connect)
        created = one(second, f"create index {table} where index_type='IVF_FLAT' and nlist=2")
        assert created.text == f"created index vector on {table}(vector) using IVF_FLAT, metric IP"
        described = client.describe_index(table, "vector")
        assert (described["index_type"], described["metric_type"]) == ("IVF_FLAT", "IP")
    finally:
        second.close()
        client.drop_collection(table)
        client.close()
