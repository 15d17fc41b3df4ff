"""EVALUATE's ground truth: the exact k nearest stored vectors of every query, by brute force.

The stored vectors stream past once, in the batches the reader yields them; each batch is scored
against all the queries under the index's metric (L2: squared distance; IP: inner product;
COSINE: inner product of unit vectors; sparse vectors: inner product) and merged into a running
top-k, so memory stays at queries × (k + batch) whatever the collection's size. Scores are kept
as "lower is nearer" (similarities negated).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from milvus_kernel.engine.context import require
from milvus_kernel.errors import ExecutionError

BATCH = 2048
METRICS = ("L2", "IP", "COSINE")


class ExactNeighbours:
    """The running top-k of `queries` (dense rows, or sparse dicts) under `metric`."""

    def __init__(
        self, queries: Sequence[Any], metric: str, k: int, sparse: bool, own: Sequence[Any] | None
    ) -> None:
        if metric not in METRICS:
            raise ExecutionError(
                f"EVALUATE computes exact neighbours under L2, IP or COSINE, not {metric}"
            )
        self.np = require("numpy", "EVALUATE")
        self.metric, self.k, self.sparse = metric, k, sparse
        self.queries = self.matrix(queries)
        self.own = list(own) if own is not None else None
        count = len(queries)
        self.scores = self.np.full((count, 0), self.np.inf)
        self.keys = self.np.empty((count, 0), dtype=object)

    def matrix(self, vectors: Sequence[Any]) -> Any:
        np = self.np
        if self.sparse:
            sparse = require("scipy.sparse", "EVALUATE")
            rows, columns, values = [], [], []
            for number, vector in enumerate(vectors):
                for index, value in vector.items():
                    rows.append(number)
                    columns.append(int(index))
                    values.append(float(value))
            width = max(columns, default=0) + 1
            return sparse.csr_matrix((values, (rows, columns)), shape=(len(vectors), width))
        matrix = np.asarray(vectors, dtype=np.float64)
        if self.metric == "COSINE":
            norms = np.linalg.norm(matrix, axis=1, keepdims=True)
            matrix = matrix / np.where(norms == 0, 1.0, norms)
        return matrix

    def score(self, batch: Any) -> Any:
        np = self.np
        if self.sparse:
            width = max(self.queries.shape[1], batch.shape[1])
            queries, batch = self.queries.copy(), batch.copy()
            queries.resize((queries.shape[0], width))
            batch.resize((batch.shape[0], width))
            return -np.asarray((queries @ batch.T).todense())
        if self.metric == "L2":
            return (
                (self.queries**2).sum(axis=1)[:, None]
                - 2 * self.queries @ batch.T
                + (batch**2).sum(axis=1)[None, :]
            )
        return -(self.queries @ batch.T)

    def add(self, keys: Sequence[Any], vectors: Sequence[Any]) -> None:
        np = self.np
        scores = self.score(self.matrix(vectors))
        batch_keys = np.empty((len(self.queries_list()), len(keys)), dtype=object)
        batch_keys[:, :] = np.array(list(keys), dtype=object)[None, :]
        if self.own is not None:
            own = np.array(self.own, dtype=object)[:, None]
            scores = np.where(batch_keys == own, np.inf, scores)
        scores = np.hstack([self.scores, scores])
        every = np.hstack([self.keys, batch_keys])
        order = np.argsort(scores, axis=1, kind="stable")[:, : self.k]
        self.scores = np.take_along_axis(scores, order, axis=1)
        self.keys = np.take_along_axis(every, order, axis=1)

    def queries_list(self) -> range:
        return range(self.queries.shape[0])

    def top(self) -> list[list[Any]]:
        """Each query's exact neighbours, nearest first (fewer than k when fewer rows match)."""
        return [
            [key for key, score in zip(keys, scores, strict=True) if score != self.np.inf]
            for keys, scores in zip(self.keys, self.scores, strict=True)
        ]


def batches(rows: Iterable[tuple[Any, Any]], size: int = BATCH) -> Iterable[list[tuple[Any, Any]]]:
    """(key, vector) rows in lists of `size`."""
    batch: list[tuple[Any, Any]] = []
    for row in rows:
        batch.append(row)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch
