"""Target 5: file import — `INSERT INTO ... FROM 'file.parquet'` against a hand-tuned pymilvus
ingest (16 MB batches, two inserts in flight: the server's rate), with the sequential loop for
context, and the import's peak memory growth from a tenth of the rows to all of them.

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


def _drop(uri: str, names: list[str], tries: int = 3) -> None:
    """Drop `names`; a new client once more if the first one's channel was sent away (Lite's
    gRPC server answers a shared channel's keepalive pings with GOAWAY after a long import)."""
    for attempt in range(tries):
        try:
            milvus = client(uri)
            for name in names:
                if milvus.has_collection(name):
                    milvus.drop_collection(name)
            milvus.close()
            return
        except Exception:
            if attempt == tries - 1:
                raise
            time.sleep(2)


def _import_once(uri: str, measure, path: Path, name: str) -> tuple[int, float]:
    """One timed import into a new collection, dropped afterwards."""
    _wait_until_answering(uri)
    try:
        return measure(uri, path, name, DIM)
    finally:
        _drop(uri, [name])


def run(uri: str, rows: int, workdir: Path, log) -> Section:
    section = Section("5. Import")
    workdir.mkdir(parents=True, exist_ok=True)
    big, small = workdir / f"rows-{rows}.parquet", workdir / f"rows-{rows // 10}.parquet"
    log(f"import files: {rows:,} and {rows // 10:,} rows × {DIM} (written once)")
    import_bench.write_file(big, rows, DIM)
    import_bench.write_file(small, rows // 10, DIM)
    _wait_until_answering(uri)
    tag = os.getpid()
    names = [f"import_{kind}_{tag}" for kind in ("mem_small", "mem_big")]
    tuned: list[float] = []
    kernel: list[float] = []
    try:
        # tuned, kernel, kernel, tuned: the server's drift (its log, compactions) falls on both
        for kind in ("tuned", "kernel", "kernel", "tuned"):
            measure = import_bench.by_hand_tuned if kind == "tuned" else import_bench.by_kernel
            count, seconds = _import_once(uri, measure, big, f"import_{kind}_{tag}")
            assert count == rows, (kind, count, rows)
            (tuned if kind == "tuned" else kernel).append(seconds)
            log(f"  {kind}: {rows / seconds:,.0f} rows/s")
        count, hand = _import_once(uri, import_bench.by_hand, big, f"import_hand_{tag}")
        assert count == rows, ("sequential", count, rows)
        ratio = sum(tuned) / sum(kernel)
        kernel_rate, tuned_rate = rows * len(kernel) / sum(kernel), rows * len(tuned) / sum(tuned)
        section.add(
            f"INSERT ... FROM parquet, {rows:,} rows: kernel rate / hand-tuned pymilvus rate "
            f"(16 MB batches, {import_bench.TUNED_THREADS} threads)",
            f"{ratio:.2f}× ({kernel_rate:,.0f} vs {tuned_rate:,.0f} rows/s)",
            f"≥ {RATE_GOAL}×",
            ratio >= RATE_GOAL,
        )
        section.add(
            "  the same against the sequential pymilvus loop (context)",
            f"{hand * len(kernel) / sum(kernel):.2f}× "
            f"({kernel_rate:,.0f} vs {rows / hand:,.0f} rows/s)",
            "—",
            None,
        )
        low = import_bench.memory(uri, small, names[0], DIM)
        high = import_bench.memory(uri, big, names[1], DIM)
        grow_low, grow_high = low["peak"] - low["before"], high["peak"] - high["before"]
        growth = grow_high - grow_low
        section.add(
            f"peak RSS growth, {rows:,} rows minus {rows // 10:,} rows",
            f"{growth:.0f} MB ({grow_low:.0f} → {grow_high:.0f} MB)",
            f"< {MEMORY_GOAL_MB:.0f} MB",
            growth < MEMORY_GOAL_MB,
        )
    finally:
        _drop(uri, names)
    section.note(
        f"hand-tuned: ParquetFile.iter_batches of 16 MB of vectors → to_pylist → "
        f"MilvusClient.insert from a pool of {import_bench.TUNED_THREADS} threads, "
        f"{import_bench.TUNED_THREADS} inserts in flight while the next batch is read: "
        + ", ".join(f"{t:.1f} s" for t in tuned)
        + "; kernel: `INSERT INTO t FROM 'file.parquet'` through a Session (import_parallelism "
        "NULL, the default: 1 call at a time on Milvus Lite; batches of ~16 MB as Python objects): "
        + ", ".join(f"{t:.1f} s" for t in kernel)
        + f"; sequential loop (iter_batches(10,000) → to_pylist → insert, one after another): "
        f"{hand:.1f} s. Order tuned, kernel, kernel, tuned, then sequential, each into a new "
        "collection dropped after it; the ratio is of the summed times (rows per second)"
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
