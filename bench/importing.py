"""Target 5: file import — `INSERT INTO ... FROM 'file.parquet'` against a hand-written batched
pymilvus insert, and the import's peak memory growth from a tenth of the rows to all of them.

The measuring is the import helper's `bench/import_bench.py` (also runnable on its own); this
module runs it on the shared benchmark server and turns its figures into table rows.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

from bench.dataset import client
from bench.report import Section

sys.path.insert(0, str(Path(__file__).resolve().parent))
import import_bench

RATE_GOAL = 0.9
MEMORY_GOAL_MB = 100.0
DIM = 128


def _wait_until_answering(uri: str, seconds: float = 120) -> None:
    """Lite may be busy for a while (removing collections dropped by an earlier run)."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            milvus = client(uri)
            milvus.list_collections()
            milvus.close()
            return
        except Exception:
            if time.monotonic() > deadline:
                raise
            time.sleep(2)


def run(uri: str, rows: int, workdir: Path, log) -> Section:
    section = Section("5. Import")
    workdir.mkdir(parents=True, exist_ok=True)
    big, small = workdir / f"rows-{rows}.parquet", workdir / f"rows-{rows // 10}.parquet"
    log(f"import files: {rows:,} and {rows // 10:,} rows × {DIM} (written once)")
    import_bench.write_file(big, rows, DIM)
    import_bench.write_file(small, rows // 10, DIM)
    _wait_until_answering(uri)
    tag = os.getpid()
    names = [f"import_{kind}_{tag}" for kind in ("hand", "kernel", "mem_small", "mem_big")]
    try:
        count, hand = import_bench.by_hand(uri, big, names[0], DIM)
        count2, kernel = import_bench.by_kernel(uri, big, names[1], DIM)
        assert count == count2 == rows, (count, count2, rows)
        ratio = (count2 / kernel) / (count / hand)
        section.add(
            f"INSERT ... FROM parquet, {rows:,} rows: kernel rate / hand-written pymilvus rate",
            f"{ratio:.2f}× ({count2 / kernel:,.0f} vs {count / hand:,.0f} rows/s)",
            f"≥ {RATE_GOAL}×",
            ratio >= RATE_GOAL,
        )
        low = import_bench.memory(uri, small, names[2], DIM)
        high = import_bench.memory(uri, big, names[3], DIM)
        grow_low, grow_high = low["peak"] - low["before"], high["peak"] - high["before"]
        growth = grow_high - grow_low
        section.add(
            f"peak RSS growth, {rows:,} rows minus {rows // 10:,} rows",
            f"{growth:.0f} MB ({grow_low:.0f} → {grow_high:.0f} MB)",
            f"< {MEMORY_GOAL_MB:.0f} MB",
            growth < MEMORY_GOAL_MB,
        )
    finally:
        milvus = client(uri)
        for name in names:
            if milvus.has_collection(name):
                milvus.drop_collection(name)
        milvus.close()
    section.note(
        f"hand-written: ParquetFile.iter_batches(10,000) → to_pylist → MilvusClient.insert, "
        f"{hand:.1f} s; kernel: `INSERT INTO t FROM 'file.parquet'` through a Session, "
        f"{kernel:.1f} s; one run each, one after the other, each into a new collection "
        "(the ratio is of rows per second)"
    )
    section.note(
        "memory: each import runs in a fresh process; growth = peak RSS (ru_maxrss) minus RSS "
        "just before the import; the figure is the difference between the two file sizes; "
        "both growths are shown in the table (a large constant part is the same at both sizes)"
        + (
            ""
            if rows >= 1_000_000
            else f" (--quick: {rows // 10:,} and {rows:,} rows, not 100k/1M)"
        )
    )
    return section
