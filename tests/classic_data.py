"""The data of the classic vector-visualization notebook, which docs/ and the tests share.

Three clusters of 4-dim vectors (red, green, blue; 15 points each, noise 0.8, numpy seed 42),
then a query near green (noise 0.5); values rounded to 4 decimals as the notebooks write them.
"""

from __future__ import annotations

CENTERS = {
    "red": (0.0, 0.0, 0.0, 0.0),
    "green": (5.0, 5.0, 5.0, 5.0),
    "blue": (-5.0, 5.0, -5.0, 5.0),
}


def classic_data() -> tuple[list[tuple[int, str, list[float]]], list[float]]:
    """(rows as (id, label, vector), query vector)."""
    import numpy as np

    rng = np.random.default_rng(42)
    rows: list[tuple[int, str, list[float]]] = []
    for label, center in CENTERS.items():
        for _ in range(15):
            vector = np.array(center) + rng.normal(0.0, 0.8, size=4)
            rows.append((len(rows), label, [round(float(x), 4) for x in vector]))
    query = np.array(CENTERS["green"]) + rng.normal(0.0, 0.5, size=4)
    return rows, [round(float(x), 4) for x in query]
