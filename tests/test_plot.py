"""PLOT on Milvus Lite: the classic three clusters, checked against NumPy and a direct search.

The picture is decoded and looked at (size, and pixels of each cluster's color); the hits named
in the description are the ids a direct SEARCH and a NumPy brute force find; PCA coordinates are
NumPy's SVD projection (up to the sign of each axis).
"""

from __future__ import annotations

import base64
import importlib.util
import io
import json

import numpy as np
import pytest
from admin_helpers import one as run  # the result of a cell's last statement
from classic_data import CENTERS, classic_data

from milvus_kernel.display import render
from milvus_kernel.errors import ExecutionError, KernelError
from milvus_kernel.language.parser import parse_cell
from milvus_kernel.results import Image

PIL = pytest.importorskip("PIL.Image")  # matplotlib brings Pillow


@pytest.fixture(scope="module")
def demo(session):
    rows, query = classic_data()
    values = ", ".join(f"({i}, '{label}', {vector})" for i, label, vector in rows)
    run(session, "CREATE TABLE demo (id INT64 PRIMARY KEY, label VARCHAR(20), vector VECTOR(4))")
    run(session, f"INSERT INTO demo VALUES {values}")
    run(session, "CREATE INDEX ON demo (vector) USING FLAT WITH (metric_type = 'L2'); LOAD demo")
    return rows, query


def brute_force(rows, query, k: int) -> list[int]:
    vectors = np.array([v for _, _, v in rows])
    distances = ((vectors - np.array(query)) ** 2).sum(axis=1)
    return [rows[i][0] for i in np.argsort(distances, kind="stable")[:k]]


def picture(image: Image):
    return np.asarray(PIL.open(io.BytesIO(image.png)).convert("RGB")).astype(int)


def pixels_like(rgb, color: tuple[int, int, int], tolerance: int = 60) -> int:
    return int((np.abs(rgb - np.array(color)).sum(axis=2) < tolerance).sum())


def test_tsne_plot_of_the_classic_clusters(session, demo):
    rows, query = demo
    image = run(
        session, f"PLOT demo COLOR BY label METHOD TSNE HIGHLIGHT (SEARCH demo FOR {query} LIMIT 8)"
    )
    assert isinstance(image, Image)
    direct = run(session, f"SEARCH demo FOR {query} LIMIT 8")
    hits = [row[1] for row in direct.rows]
    assert hits == brute_force(rows, query, 8)
    assert image.description == (
        "PLOT of 45 vectors of demo.vector by TSNE, colored by label; 8 highlighted hits: ids "
        + ", ".join(map(str, hits))
        + "; the query vector marked ★"
    )
    rgb = picture(image)
    assert rgb.shape == (600, 600, 3)
    white = pixels_like(rgb, (255, 255, 255), 10)
    assert white < 600 * 600 * 0.98, "the picture is blank"
    for color in ((255, 0, 0), (0, 128, 0), (0, 0, 255)):  # drawn at alpha 0.7 on white
        faded = tuple(round(0.7 * c + 0.3 * 255) for c in color)
        assert pixels_like(rgb, faded, 40) > 100, f"no points of color {color}"
    data = image.data
    assert [c.name for c in data.columns] == ["id", "label", "x", "y", "hit"]
    assert sorted(r[0] for r in data.rows if r[4]) == sorted(hits)
    labels = {r[0]: r[1] for r in data.rows}
    assert labels == {i: label for i, label, _ in rows}
    # t-SNE keeps the clusters apart: each point is nearer its own cluster's center than another's
    xy = {r[0]: np.array(r[2:4]) for r in data.rows}
    centers = {c: np.mean([xy[i] for i, label, _ in rows if label == c], axis=0) for c in CENTERS}
    for i, label, _ in rows:
        nearest = min(centers, key=lambda c: np.linalg.norm(xy[i] - centers[c]))
        assert nearest == label
    # ... and readable: a cluster keeps a shape, not a dot in a corner (perplexity 11 gave 0.03)
    spread = np.mean([np.linalg.norm(xy[i] - centers[label]) for i, label, _ in rows])
    gap = min(np.linalg.norm(centers[a] - centers[b]) for a in CENTERS for b in CENTERS if a < b)
    assert spread / gap > 0.07
    # the interactive figure: a trace per label with its ids and labels, the hits ringed, the
    # query marked, nothing but ids, hover values and coordinates
    traces = {t["name"]: t for t in image.figure["data"]}
    assert set(traces) == {"red", "green", "blue", "search hits (8)", "query"}
    for label in CENTERS:
        trace = traces[label]
        assert trace["text"] == [str(i) for i, name, _ in rows if name == label]
        assert trace["customdata"] == [[label]] * 15
        assert trace["marker"]["color"] == label
        assert trace["x"] == [float(xy[i][0]) for i, name, _ in rows if name == label]
        assert "label %{customdata[0]}" in trace["hovertemplate"]
    assert sorted(map(int, traces["search hits (8)"]["text"])) == sorted(hits)
    assert traces["search hits (8)"]["marker"]["symbol"] == "circle-open"
    assert traces["query"]["marker"]["symbol"] == "star" and len(traces["query"]["x"]) == 1
    assert len(json.dumps(image.figure)) < 20_000, "ids and hover fields, not vectors"


def test_pca_coordinates_are_the_svd_projection(session, demo):
    rows, _ = demo
    image = run(session, "PLOT demo METHOD PCA")
    assert image.description == "PLOT of 45 vectors of demo.vector by PCA"
    got = {r[0]: (r[1], r[2]) for r in image.data.rows}
    vectors = np.array([v for _, _, v in rows], dtype=np.float32).astype(np.float64)
    centered = vectors - vectors.mean(axis=0)
    _, _, vt = np.linalg.svd(centered, full_matrices=False)
    expected = centered @ vt[:2].T
    actual = np.array([got[i] for i, _, _ in rows])
    for axis in range(2):
        sign = np.sign(actual[:, axis] @ expected[:, axis])
        np.testing.assert_allclose(actual[:, axis], sign * expected[:, axis], atol=1e-4)


def test_sample_where_and_hits_outside_them(session, demo):
    rows, query = demo
    sampled = run(
        session,
        f"PLOT demo COLOR BY label METHOD PCA HIGHLIGHT (SEARCH demo FOR {query} LIMIT 3) LIMIT 20",
    )
    ids = [r[0] for r in sampled.data.rows]
    hits = brute_force(rows, query, 3)
    assert set(hits) <= set(ids) and len(ids) == len(set(ids))
    extra = len(ids) - 20
    assert sampled.description.endswith(
        "; a sample of 20 of 45 vectors (LIMIT 20)"
        + (f", plus {extra} hits outside it" if extra else "")
    )
    again = run(
        session,
        f"PLOT demo COLOR BY label METHOD PCA HIGHLIGHT (SEARCH demo FOR {query} LIMIT 3) LIMIT 20",
    )
    assert [r[0] for r in again.data.rows] == ids, "the sample is the same every time"
    red = run(
        session,
        f"PLOT demo WHERE label = 'red' METHOD PCA HIGHLIGHT (SEARCH demo FOR {query} LIMIT 2)",
    )
    assert red.description.endswith("; 2 hits outside the WHERE added")
    assert sorted(r[0] for r in red.data.rows) == list(range(15)) + sorted(
        brute_force(rows, query, 2)
    )


def test_numbers_color_and_rendering(session, demo):
    image = run(session, "PLOT demo USING vector COLOR BY id METHOD PCA")
    bundle = render(image)
    assert set(bundle) == {"image/png", "text/plain", "application/vnd.plotly.v1+json"}
    assert bundle["application/vnd.plotly.v1+json"] == image.figure
    assert base64.b64decode(bundle["image/png"]) == image.png
    assert image.png.startswith(b"\x89PNG")
    assert bundle["text/plain"] == "PLOT of 45 vectors of demo.vector by PCA, colored by id"


def test_plot_errors(session, demo):
    run(session, "CREATE TABLE IF NOT EXISTS other (id INT64 PRIMARY KEY, v VECTOR(4))")
    cases = [
        ("PLOT demo COLOR BY colour", "has no field 'colour' (in COLOR BY)"),
        ("PLOT demo HIGHLIGHT (SEARCH other FOR [1, 2, 3, 4] LIMIT 2)", "HIGHLIGHT searches other"),
        ("PLOT demo USING label", "field label of demo is VARCHAR(20), not a vector"),
        ("PLOT demo LIMIT 0", "PLOT needs LIMIT 1 or more"),
        ("PLOT other", "nothing to plot"),
    ]
    for code, expected in cases:
        with pytest.raises(ExecutionError) as raised:
            run(session, code)
        assert expected in raised.value.message, raised.value.message


def test_three_dimensions_and_files(session, demo, tmp_path):
    rows, query = demo
    workdir, session.workdir = session.workdir, tmp_path
    try:
        check_files(session, rows, query, tmp_path)
    finally:
        session.workdir = workdir


def check_files(session, rows, query, tmp_path) -> None:
    image = run(
        session,
        f"PLOT demo COLOR BY label METHOD PCA DIMENSIONS 3 "
        f"HIGHLIGHT (SEARCH demo FOR {query} LIMIT 3) TO 'map.html'",
    )
    assert image.description.startswith("PLOT of 45 vectors of demo.vector by PCA in 3-D")
    assert image.description.endswith("; saved to 'map.html'")
    assert [c.name for c in image.data.columns] == ["id", "label", "x", "y", "z", "hit"]
    vectors = np.array([v for _, _, v in rows], dtype=np.float32).astype(np.float64)
    centered = vectors - vectors.mean(axis=0)
    _, _, vt = np.linalg.svd(centered, full_matrices=False)
    z = {r[0]: r[4] for r in image.data.rows}
    expected = centered @ vt[2]
    actual = np.array([z[i] for i, _, _ in rows])
    np.testing.assert_allclose(np.abs(actual), np.abs(expected), atol=1e-4)
    assert {t["type"] for t in image.figure["data"]} == {"scatter3d"}
    assert "scene" in image.figure["layout"]
    page = (tmp_path / "map.html").read_text()
    assert page.startswith("<!doctype html>") and "plotly" in page and '"scatter3d"' in page
    saved = run(session, "PLOT demo METHOD PCA TO 'map.png'")
    assert (tmp_path / "map.png").read_bytes() == saved.png


def test_umap_when_installed_else_one_line(session, demo):
    if importlib.util.find_spec("umap") is None:
        with pytest.raises(KernelError) as raised:
            run(session, "PLOT demo METHOD UMAP")
        assert raised.value.message.startswith(
            "PLOT ... METHOD UMAP needs the Python package umap, which is not installed"
        )
    else:
        image = run(session, "PLOT demo COLOR BY label METHOD UMAP")
        assert sorted(r[0] for r in image.data.rows) == [i for i, _, _ in demo[0]]


def test_plot_syntax_errors():
    from milvus_kernel.errors import MilvusSyntaxError

    for code, expected in (
        ("PLOT demo DIMENSIONS 4", "DIMENSIONS 2 or DIMENSIONS 3"),
        ("PLOT demo TO 'map.svg'", "a .html or a .png file"),
    ):
        with pytest.raises(MilvusSyntaxError) as raised:
            parse_cell(code)
        assert expected in str(raised.value)


def test_reading_reports_progress(session, demo):
    seen = []
    session.progress = seen.append
    try:
        run(session, "PLOT demo METHOD PCA")
    finally:
        session.progress = None
    reads = [p for p in seen if p.label == "PLOT demo: reading vectors"]
    assert reads[-1].finished and reads[-1].done == 45


def test_return_fields_on_hover(session, demo):
    rows, _ = demo
    image = run(session, "PLOT demo METHOD PCA RETURN label, id LIMIT 10")
    (trace,) = image.figure["data"]
    ids = [int(t) for t in trace["text"]]
    labels = {i: label for i, label, _ in rows}
    assert trace["customdata"] == [[labels[i], i] for i in ids]
    assert trace["hovertemplate"] == (
        "id %{text}<br>label %{customdata[0]}<br>id %{customdata[1]}<extra></extra>"
    )
    assert ids == [r[0] for r in image.data.rows] and len(ids) == 10
    assert image.description.endswith("; a sample of 10 of 45 vectors (LIMIT 10)")
    with pytest.raises(ExecutionError) as raised:
        run(session, "PLOT demo RETURN colour")
    assert "has no field 'colour' (in RETURN)" in raised.value.message
