"""The legacy dialect (the old milvus_kernel's; docs/migrating-from-milvus_kernel.md) with Milvus
2.x meaning, on Milvus Lite: every form of the table, the exact statements of the old README, any
letter case, leading whitespace, several statements per cell (one per line); and a whole
old-style notebook session through a real kernel. Search hits are checked against a NumPy brute
force."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from admin_helpers import fails, one, rows, run, text
from kernel_harness import execute, plain_texts, running_kernel

from milvus_kernel.engine.session import Session

# The exact example statements of the old milvus_kernel README (server line aside).
README = [
    "create table test01 where dimension=128 and index_file_size=1024 and metric_type='L2'",
    "create partition test01 where partition_tag='tag01'",
    "list partitions test01",
    "drop table test01",
]


def case_variants(statement: str) -> list[str]:
    return [statement, statement.upper(), statement.title(), "   \t" + statement]


@pytest.mark.parametrize("variant", range(4))
def test_readme_examples_in_any_case(session: Session, variant: int):
    name = case_variants(f"readme{variant}")[variant].strip()  # README1, Readme2: names keep case
    tag = case_variants("tag01")[variant].strip()
    client = session.catalog().client
    shown = []
    for statement in README:
        form = case_variants(statement.replace("test01", f"readme{variant}"))[variant]
        if form.strip().lower().startswith("drop table"):  # ground truth before it goes
            schema = client.describe_collection(name)
            vector = next(f for f in schema["fields"] if f["name"] == "vector")
            assert vector["params"]["dim"] == 128
            assert client.describe_index(name, "vector")["metric_type"] == "L2"
            assert sorted(client.list_partitions(name)) == sorted(["_default", tag])
        shown += run(session, form)
    assert shown[0].text == (
        f"created collection {name} (index_file_size no longer applies in Milvus 2.x; ignored)"
    )
    assert shown[1].text == f"created partition {tag} on {name}"
    assert [r[0] for r in shown[2].rows] == sorted(["_default", tag])
    assert shown[3].text == f"dropped collection {name}"
    assert not client.has_collection(name)


def test_readme_cell_of_several_statements(session: Session):
    cell = "\n".join(["  " + s.replace("test01", "readme_cell") for s in README[:3]])
    results = run(session, cell)
    assert results[0].text == (
        "created collection readme_cell (index_file_size no longer applies in Milvus 2.x; ignored)"
    )
    assert results[1].text == "created partition tag01 on readme_cell"
    assert [r[0] for r in results[2].rows] == ["_default", "tag01"]
    assert "(id INT64 + vector" not in results[0].text
    described = {r[0]: r[1] for r in rows(session, "desc readme_cell")}
    assert described == {"id": "INT64", "vector": "FLOAT_VECTOR(128)"}


@pytest.fixture
def old(session: Session, unique_name: str) -> str:
    """A collection made the old way, holding 40 4-d vectors with ids 0..39 (tag01: 30..39)."""
    rng = np.random.default_rng(7)
    vectors = rng.normal(size=(40, 4)).round(3)
    lines = [f"create table {unique_name} where dimension=4 and metric_type='L2'"]
    lines.append(f"create partition {unique_name} where partition_tag='tag01'")
    for i, v in enumerate(vectors):
        where = " where partition_tag='tag01'" if i >= 30 else ""
        lines.append(f"insert {','.join(map(str, v))} from {unique_name}{where} by id={i}")
    lines.append(f"flush {unique_name}")
    run(session, "\n".join(lines))
    session.old_vectors = vectors  # type: ignore[attr-defined]
    return unique_name


def brute_force(vectors: np.ndarray, query: np.ndarray, k: int, ids: range) -> list[int]:
    chosen = np.array(list(ids))
    distances = ((vectors[chosen] - query) ** 2).sum(axis=1)
    return [int(i) for i in chosen[np.argsort(distances, kind="stable")[:k]]]


def squared_l2(vectors: np.ndarray, query: np.ndarray, ids: list[int]) -> np.ndarray:
    """Milvus's L2 distance (the squared Euclidean distance) of `ids` to `query`."""
    return ((vectors[ids] - query) ** 2).sum(axis=1)


def stored_count(session: Session, table: str) -> int:
    """COUNT(*) as pymilvus sees it (Strong consistency)."""
    got = session.catalog().client.query(
        table, filter="", output_fields=["count(*)"], consistency_level="Strong"
    )
    return int(got[0]["count(*)"])


def test_index_search_get_delete(session: Session, old: str):
    vectors = session.old_vectors  # type: ignore[attr-defined]
    message = text(session, f"create index {old} where index_type='IVF_FLAT' and nlist=4")
    assert message == (
        f"created index vector on {old}(vector) using IVF_FLAT, metric L2; "
        "replaced its index (AUTOINDEX, L2), loaded again"
    )
    index = session.catalog().call("describe_index", old, "vector")
    assert index["index_type"] == "IVF_FLAT" and index["params"] == {"nlist": 4}
    query = vectors[5] + 0.01
    q = ",".join(str(x) for x in query)
    hits = one(session, f"select {q} from {old} where top_k=5 and nprobe=4")
    expected = brute_force(vectors, query, 5, range(40))
    assert [h[1] for h in hits.rows] == expected and [h[0] for h in hits.rows] == [1, 2, 3, 4, 5]
    assert np.allclose([h[2] for h in hits.rows], squared_l2(vectors, query, expected), atol=1e-4)
    assert hits.metric == "L2"
    hits = one(session, f"SELECT {q} FROM {old} WHERE TOP_K=3 AND PARTITION_TAGS='tag01'")
    expected = brute_force(vectors, query, 3, range(30, 40))
    assert [h[1] for h in hits.rows] == expected
    assert np.allclose([h[2] for h in hits.rows], squared_l2(vectors, query, expected), atol=1e-4)
    got = one(session, f"select {old} by id=1,3,99")
    assert sorted(r[0] for r in got.rows) == [1, 3]
    assert np.allclose(dict(got.rows)[3], vectors[3], atol=1e-6)
    assert np.allclose(dict(got.rows)[1], vectors[1], atol=1e-6)
    assert stored_count(session, old) == 40
    assert text(session, f"delete {old} by id=1,2") == f"deleted 2 rows from {old}"
    assert rows(session, f"select count(*) from {old}") == [(38,)]
    assert stored_count(session, old) == 38
    left = session.catalog().client.query(old, filter="id in [0, 1, 2, 3]", output_fields=["id"])
    assert sorted(r["id"] for r in left) == [0, 3]
    assert text(session, f"  Drop Index {old}") == f"dropped index vector of {old}"
    assert text(session, f"compact {old}") == f"compacted {old}"


def test_every_listing_form(session: Session, old: str):
    for form in ("list table", "list tables", "LIST TABLES", "show tables"):
        assert old in [r[0] for r in rows(session, form)]
    stats = dict(rows(session, f"stats {old}"))
    assert stats["rows"] == 40 == stored_count(session, old) and stats["partitions"] == 2
    assert [r[0] for r in rows(session, f"desc {old}")] == ["id", "vector"]
    assert [r[0] for r in rows(session, f"list partitions {old}")] == ["_default", "tag01"]
    assert text(session, f"drop partition {old} where partition_tag='tag01'") == (
        f"dropped partition tag01 of {old}"
    )
    client = session.catalog().client
    assert client.list_partitions(old) == ["_default"] and stored_count(session, old) == 30
    assert text(session, f"drop table {old}") == f"dropped collection {old}"
    assert not client.has_collection(old)


def test_insert_needs_by_id_on_a_plain_key(session: Session, old: str):
    report = fails(session, f"insert 1,2,3,4 from {old}")
    assert "is not AUTO_ID: add `by id=N`" in report
    run(session, "create table auto_old where dimension=2 and auto_id=true")
    assert text(session, "insert 1,2 from auto_old").startswith(
        "inserted 1 row into auto_old; ids "
    )
    assert "leave out `by id=`" in fails(session, "insert 1,2 from auto_old by id=5")
    assert "vector has 3 dims" in fails(session, f"insert 1,2,3 from {old} by id=100")
    assert "`by id=` needs whole numbers" in fails(session, f"select {old} by id='x'")


def test_old_notebook_through_a_real_kernel(tmp_path: Path):
    """A whole old-style session, cell by cell, on the kernel's embedded Milvus Lite."""
    cells = [
        "create table test01 where dimension=4 and index_file_size=1024 and metric_type='L2'",
        "create partition test01 where partition_tag='tag01'\nlist partitions test01",
        "  insert 1,0,0,0 from test01 by id=1\ninsert 0,1,0,0 from test01 by id=2\n"
        "INSERT 0,0,1,0 FROM test01 WHERE PARTITION_TAG='tag01' BY ID=3\nflush test01",
        "create index test01 where index_type='IVF_FLAT' and nlist=2",
        "select 0.9,0.1,0,0 from test01 where top_k=2 and nprobe=2",
        "select test01 by id=1,3\ndelete test01 by id=1\nselect test01 by id=1,3",
        "stats test01\ncompact test01\ndrop index test01\n"
        "drop partition test01 where partition_tag='tag01'\ndrop table test01\nlist tables",
    ]
    with running_kernel(tmp_path) as (_, kc):
        shown = []
        for cell in cells:
            reply, outputs = execute(kc, cell)
            assert reply["status"] == "ok", (cell, reply.get("evalue"))
            shown.append(plain_texts(outputs))
    assert shown[0][0].startswith("connected to embedded Milvus Lite")
    assert shown[0][1] == (
        "created collection test01 (index_file_size no longer applies in Milvus 2.x; ignored)"
    )
    assert "tag01" in shown[1][1]
    assert shown[2][2] == "inserted 1 row into test01 (partition tag01)"
    assert any("replaced its index (AUTOINDEX, L2)" in t for t in shown[3]), shown[3]
    hits = shown[4][0].splitlines()
    assert [line.split("|")[1].strip() for line in hits[3:5]] == ["1", "2"]
    stored = np.array([[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0]], dtype=np.float32)
    query = np.array([0.9, 0.1, 0, 0], dtype=np.float32)
    distances = [float(line.split("|")[2]) for line in hits[3:5]]
    assert np.allclose(distances, squared_l2(stored, query, [0, 1]), atol=1e-5), distances
    assert hits[-1] == "(2 rows, metric L2)"
    assert "(2 rows)" in shown[5][0] and "(1 row)" in shown[5][2]
    assert [line.split("|")[0].strip() for line in shown[5][2].splitlines()[3:4]] == ["3"]
    assert shown[6][-1].splitlines()[-1] == "(0 rows)"
