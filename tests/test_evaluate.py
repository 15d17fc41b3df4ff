"""EVALUATE on Milvus Lite: recall@k checked against the test's own computation.

For every parameter value the test runs the same searches through raw pymilvus and compares
them with a NumPy exact top-k: the kernel's recall must be equal (not close). IVF_FLAT with
nprobe = nlist scans every list, so its recall is 1.0; more probes never lose recall.
"""

from __future__ import annotations

import numpy as np
import pytest
from admin_helpers import one as run  # the result of a cell's last statement

from milvus_kernel.display import render
from milvus_kernel.errors import ExecutionError
from milvus_kernel.language.parser import parse_cell
from milvus_kernel.results import Image

ROWS, DIM, K = 3000, 16, 10


@pytest.fixture(scope="module")
def vectors(session):
    rng = np.random.default_rng(7)
    data = rng.normal(size=(ROWS, DIM)).astype(np.float32)
    client = session.catalog().client
    for name, index, params in (
        ("ivf", "IVF_FLAT", {"nlist": 16}),
        ("hnsw", "HNSW", {"M": 4, "efConstruction": 16}),
    ):
        run(session, f"CREATE TABLE {name} (id INT64 PRIMARY KEY, tag INT64, v VECTOR({DIM}))")
        client.insert(name, [{"id": i, "tag": i % 3, "v": data[i].tolist()} for i in range(ROWS)])
        client.flush(name)  # sealed before the index: Lite then searches with the index at once
        index_params = client.prepare_index_params()
        index_params.add_index("v", index_type=index, metric_type="L2", params={"params": params})
        client.create_index(name, index_params)
        client.load_collection(name)
    return data


def exact(data: np.ndarray, ids: np.ndarray, queries: np.ndarray, k: int, skip=None):
    """Exact L2 top-k ids of each query among `data` (rows `ids`), `skip[q]` left out."""
    out = []
    for number, query in enumerate(queries):
        distances = ((data - query) ** 2).sum(axis=1)
        order = [ids[i] for i in np.argsort(distances, kind="stable")]
        if skip is not None:
            order = [i for i in order if i != skip[number]]
        out.append(order[:k])
    return out


def raw_recall(client, name, queries, truth, param, value, k, filter="", skip=None) -> float:
    found = 0
    for number, query in enumerate(queries):
        hits = client.search(
            name,
            data=[query.tolist()],
            anns_field="v",
            limit=k + 1 if skip is not None else k,
            filter=filter,
            search_params={"metric_type": "L2", "params": {param: value}},
        )[0]
        got = [hit["id"] for hit in hits]
        if skip is not None:
            got = [i for i in got if i != skip[number]][:k]
        found += len(set(got) & set(truth[number]))
    return found / sum(len(t) for t in truth)


def test_ivf_recall_from_a_file(session, vectors, tmp_path):
    rng = np.random.default_rng(11)
    queries = rng.normal(size=(20, DIM)).astype(np.float32)
    workdir, session.workdir = session.workdir, tmp_path
    try:
        np.save(tmp_path / "q.npy", queries)
        image = run(
            session,
            f"EVALUATE SEARCH ivf FOR VECTORS FROM 'q.npy' LIMIT {K} WITH (nprobe = (1, 4, 16))",
        )
    finally:
        session.workdir = workdir
    assert isinstance(image, Image)
    stored = vectors.astype(np.float64)
    truth = exact(stored, np.arange(ROWS), queries.astype(np.float64), K)
    client = session.catalog().client
    recalls = [r[1] for r in image.data.rows]
    for (value, recall, p50, p95, qps), expected_value in zip(
        image.data.rows, (1, 4, 16), strict=True
    ):
        assert value == expected_value
        assert recall == round(raw_recall(client, "ivf", queries, truth, "nprobe", value, K), 4)
        assert 0 < p50 <= p95 and qps > 0
        print(f"nprobe={value}: recall {recall}, p50 {p50} ms, p95 {p95} ms, {qps} q/s")
    assert recalls == sorted(recalls) and recalls[-1] == 1.0 and recalls[0] < 1.0
    assert [c.name for c in image.data.columns] == [
        "nprobe",
        "recall@10",
        "p50 ms",
        "p95 ms",
        "queries/s",
    ]
    bundle = render(image)
    assert bundle["image/png"] and "application/vnd.plotly.v1+json" in bundle
    assert bundle["text/plain"].startswith("EVALUATE ivf.v (IVF_FLAT, L2): 20 queries, LIMIT 10")
    curve = image.figure["data"][1]
    assert curve["y"] == recalls and curve["x"] == [r[2] for r in image.data.rows]


def test_hnsw_sample_with_where_and_exclude_self(session, vectors):
    seen = []
    session.progress = seen.append
    try:
        image = run(
            session,
            "EVALUATE SEARCH hnsw FOR SAMPLE 15 WHERE tag = 1 LIMIT 5 "
            "WITH (ef = (5, 40, 200), exclude_self = true)",
        )
    finally:
        session.progress = None
    final = {p.label: p for p in seen if p.finished}
    assert final["EVALUATE hnsw: exact neighbours"].done == ROWS // 3
    assert final["EVALUATE hnsw: searches"].done == 15 * 3
    rows = image.data.rows
    keep = np.arange(ROWS)[np.arange(ROWS) % 3 == 1]
    # the sample: 15 of the matching rows, seeded, the same every time
    again = run(
        session,
        "EVALUATE SEARCH hnsw FOR SAMPLE 15 WHERE tag = 1 LIMIT 5 "
        "WITH (ef = (5, 40, 200), exclude_self = true)",
    )
    assert [r[1] for r in again.data.rows] == [r[1] for r in rows]
    assert "Milvus Lite answers exactly" not in image.description  # not every recall is 1.0
    recalls = [r[1] for r in rows]
    assert all(0 < r <= 1 for r in recalls)
    assert recalls[-1] >= recalls[0]
    # what the kernel compares with: its own stored-vector sample; recompute it the same way
    import random

    chosen, sample = random.Random(42), []
    for seen, key in enumerate(keep.tolist(), 1):
        if len(sample) < 15:
            sample.append(key)
        elif (slot := chosen.randrange(seen)) < 15:
            sample[slot] = key
    queries = vectors[sample]
    stored = vectors[keep].astype(np.float64)
    truth = exact(stored, keep, queries.astype(np.float64), 5, skip=sample)
    client = session.catalog().client
    for value, recall, *_ in rows:
        expected = raw_recall(client, "hnsw", queries, truth, "ef", value, 5, "tag == 1", sample)
        assert recall == round(expected, 4)


def test_evaluate_refusals(session, vectors):
    run(session, "CREATE TABLE bare (id INT64 PRIMARY KEY, v VECTOR(4))")
    cases = [
        ("EVALUATE SEARCH bare FOR SAMPLE 3 LIMIT 2 WITH (ef = (1, 2))", "has none"),
        (
            "EVALUATE SEARCH ivf FOR VECTORS FROM 'none.npy' LIMIT 2 WITH (nprobe = (1, 2), "
            "exclude_self = true)",
            "exclude_self needs FOR SAMPLE n",
        ),
    ]
    for code, expected in cases:
        with pytest.raises(ExecutionError) as raised:
            run(session, code)
        assert expected in raised.value.message, raised.value.message


def test_evaluate_syntax():
    from milvus_kernel.errors import MilvusSyntaxError

    for code, expected in (
        ("EVALUATE SEARCH t FOR SAMPLE 5 LIMIT 3 WITH (ef = 8)", "sweeps one search parameter"),
        ("EVALUATE SEARCH t FOR SAMPLE 5 LIMIT 3 WITH (ef = (1, 2), nprobe = (1, 2))", "at a time"),
        ("EVALUATE SEARCH t FOR SAMPLE 0 LIMIT 3 WITH (ef = (1, 2))", "SAMPLE 1 or more"),
    ):
        with pytest.raises(MilvusSyntaxError) as raised:
            parse_cell(code)
        assert expected in str(raised.value)


def test_sparse_inner_product(session):
    rng = np.random.default_rng(3)
    client = session.catalog().client
    run(session, "CREATE TABLE sparse_t (id INT64 PRIMARY KEY, sv SPARSE_FLOAT_VECTOR)")
    rows = []
    for _ in range(400):
        keys = rng.choice(200, size=8, replace=False)
        rows.append({int(k): float(v) for k, v in zip(keys, rng.random(8), strict=True)})
    client.insert("sparse_t", [{"id": i, "sv": v} for i, v in enumerate(rows)])
    client.flush("sparse_t")
    params = client.prepare_index_params()
    params.add_index("sv", index_type="SPARSE_INVERTED_INDEX", metric_type="IP")
    client.create_index("sparse_t", params)
    client.load_collection("sparse_t")
    image = run(
        session,
        "EVALUATE SEARCH sparse_t FOR SAMPLE 10 LIMIT 5 WITH (drop_ratio_search = (0, 0.0))",
    )  # Milvus Lite takes only drop_ratio_search = 0: the sweep checks the sparse brute force
    dense = np.zeros((400, 200))
    for i, v in enumerate(rows):
        for k, x in v.items():
            dense[i, k] = x
    import random

    chosen, sample = random.Random(42), []
    for seen, key in enumerate(range(400), 1):
        if len(sample) < 10:
            sample.append(key)
        elif (slot := chosen.randrange(seen)) < 10:
            sample[slot] = key
    truth = [list(np.argsort(-(dense @ dense[q]), kind="stable")[:5]) for q in sample]
    for value, recall, *_ in image.data.rows:
        found = 0
        for number, q in enumerate(sample):
            hits = client.search(
                "sparse_t",
                data=[rows[q]],
                anns_field="sv",
                limit=5,
                search_params={"metric_type": "IP", "params": {"drop_ratio_search": value}},
            )[0]
            found += len({h["id"] for h in hits} & set(truth[number]))
        assert recall == round(found / 50, 4)
    assert [r[1] for r in image.data.rows] == [1.0, 1.0]
    with pytest.raises(ExecutionError) as raised:
        run(
            session,
            "EVALUATE SEARCH sparse_t FOR SAMPLE 3 LIMIT 5 WITH (drop_ratio_search = (0, 0.6))",
        )
    assert "only drop_ratio_search=0 is supported" in raised.value.message


def test_explain_says_it_does_not_cover_evaluate(session, vectors):
    message = run(
        session, "EXPLAIN EVALUATE SEARCH ivf FOR SAMPLE 2 LIMIT 2 WITH (nprobe = (1, 2))"
    )
    assert "EVALUATE" in message.text and "does not cover" in message.text
