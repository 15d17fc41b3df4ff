"""The data the benchmarks read, created once per data directory and reused by later runs.

- `bench_vectors`: rows × 128 float32 vectors (id INT64, cat INT64 = id % 100), FLAT/L2 index.
- `bench_display_<rows>`: many small rows (id, a 2-dim vector) for the display benchmark.
- database `bench_names`: 1,000 empty collections for the completion benchmark.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

VECTORS = "bench_vectors"
DIM = 128
NAMES_DB = "bench_names"
BATCH = 10_000


def client(uri: str, database: str | None = None):  # -> pymilvus.MilvusClient
    """A plain pymilvus client (pymilvus's own logging of failed calls silenced)."""
    import logging

    from pymilvus import MilvusClient

    logging.getLogger("pymilvus").setLevel(logging.CRITICAL)
    return MilvusClient(uri, db_name=database) if database else MilvusClient(uri)


def query_vector(index: int = 5) -> list[float]:
    """A stored vector's neighbour, used as the search's query by both sides."""
    vector = np.random.default_rng(index).random(DIM, dtype=np.float32)
    return [round(float(x), 4) for x in vector]


def _ready(milvus, name: str, rows: int) -> bool:
    if not milvus.has_collection(name):
        return False
    counted = milvus.query(name, filter="", output_fields=["count(*)"])
    if counted and int(counted[0]["count(*)"]) == rows:
        return True
    milvus.drop_collection(name)
    return False


def _create(milvus, name: str, dim: int, rows: int, row_of: Callable[[int, np.ndarray], dict]):
    from pymilvus import DataType

    schema = milvus.create_schema()
    schema.add_field("id", DataType.INT64, is_primary=True)
    if name == VECTORS:
        schema.add_field("cat", DataType.INT64)
    schema.add_field("vector", DataType.FLOAT_VECTOR, dim=dim)
    milvus.create_collection(name, schema=schema)
    rng = np.random.default_rng(0)
    batch = BATCH if dim > 16 else 50_000
    for start in range(0, rows, batch):
        vectors = rng.random((min(batch, rows - start), dim), dtype=np.float32)
        milvus.insert(name, [row_of(start + i, v) for i, v in enumerate(vectors)])
    milvus.flush(name)  # sealed segments: Lite reads growing ones far more slowly
    index = milvus.prepare_index_params()
    index.add_index("vector", index_type="FLAT", metric_type="L2")
    milvus.create_index(name, index)


def ensure_vectors(uri: str, rows: int, log: Callable[[str], None]) -> None:
    """`bench_vectors` with `rows` rows, loaded."""
    milvus = client(uri)
    if not _ready(milvus, VECTORS, rows):
        log(f"creating {VECTORS}: {rows:,} × {DIM} (once per data directory)")
        _create(milvus, VECTORS, DIM, rows, lambda i, v: {"id": i, "cat": i % 100, "vector": v})
    milvus.load_collection(VECTORS)
    milvus.close()


def display_name(rows: int) -> str:
    return f"bench_display_{rows}"


def ensure_display(uri: str, rows: int, log: Callable[[str], None]) -> str:
    """`bench_display_<rows>` (id, 2-dim vector), loaded; returns its name."""
    name = display_name(rows)
    milvus = client(uri)
    if not _ready(milvus, name, rows):
        log(f"creating {name}: {rows:,} rows (once per data directory)")
        _create(milvus, name, 2, rows, lambda i, v: {"id": i, "vector": v})
    milvus.load_collection(name)
    milvus.close()
    return name


def ensure_names(uri: str, count: int, log: Callable[[str], None]) -> str:
    """Database `bench_names` holding `count` collections c0000, c0001, ...; returns its name."""
    milvus = client(uri)
    if NAMES_DB not in milvus.list_databases():
        milvus.create_database(NAMES_DB)
    milvus.close()
    milvus = client(uri, NAMES_DB)
    have = set(milvus.list_collections())
    missing = [f"c{i:04d}" for i in range(count) if f"c{i:04d}" not in have]
    if missing:
        log(f"creating {len(missing):,} collections in database {NAMES_DB}")
    if missing:
        from pymilvus import DataType

        schema = milvus.create_schema()
        schema.add_field("id", DataType.INT64, is_primary=True)
        schema.add_field("vector", DataType.FLOAT_VECTOR, dim=4)
        for name in missing:  # schema only: no index, nothing loaded (2 ms each, not 500)
            milvus.create_collection(name, schema=schema)
    milvus.close()
    return NAMES_DB
