"""Benchmark: INSERT INTO ... FROM 'file.parquet' against hand-written pymilvus, and its memory.

    python bench/import_bench.py [--rows 1000000] [--dim 128] [--dir /tmp/milvus-import-bench]

1. Writes a rows × dim float32 Parquet file (and one of a tenth of the rows) once.
2. Starts a Milvus Lite server over TCP (`milvus-lite server --host 127.0.0.1`).
3. Imports the file with a hand-tuned pymilvus ingest (batches of 16 MB of vectors, two
   inserts in flight from threads: the server's rate), with the kernel's `INSERT INTO ... FROM`
   (import_parallelism NULL, the default: one call at a time on Lite) and with the sequential
   loop a person would write (ParquetFile.iter_batches(10,000), to_pylist, one
   MilvusClient.insert after another), each
   into its own new collection, and prints the rates and the ratios (kernel / hand-tuned: the
   target is at least 0.9; kernel / sequential for context).
4. In a fresh subprocess for each file, runs the kernel's import and reports the growth of its
   peak resident memory over what it held before the import; the difference between the two
   files is what the file's size costs (target: under 100 MB).

Not a test: the suite never runs it. Record the figures in bench/README.md.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import resource
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

BATCH = 10_000
TUNED_BYTES = 16 * 1024 * 1024  # the hand-tuned ingest's batch: 16 MB of vectors
TUNED_THREADS = 2


def write_file(path: Path, rows: int, dim: int) -> None:
    import numpy as np
    import pyarrow as pa
    import pyarrow.parquet as pq

    if path.exists() and pq.ParquetFile(path).metadata.num_rows == rows:
        return
    rng = np.random.default_rng(0)
    writer = None
    for start in range(0, rows, 100_000):
        count = min(100_000, rows - start)
        vectors = rng.random((count, dim), dtype=np.float32)
        table = pa.table(
            {
                "id": pa.array(np.arange(start, start + count, dtype=np.int64)),
                "vector": pa.FixedSizeListArray.from_arrays(pa.array(vectors.ravel()), dim),
            }
        )
        if writer is None:
            writer = pq.ParquetWriter(path, table.schema)
        writer.write_table(table, row_group_size=65_536)
    assert writer is not None
    writer.close()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(data_dir: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    command = [sys.executable, "-m", "milvus_lite", "server", "--data-dir", str(data_dir)]
    command += ["--host", "127.0.0.1", "--port", str(port)]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return process, f"http://127.0.0.1:{port}"
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                raise SystemExit("the Milvus Lite server did not start") from None
            time.sleep(0.2)


def by_hand(uri: str, path: Path, name: str, dim: int) -> tuple[int, float]:
    """What a person would write with pymilvus: batches of rows from pyarrow, one insert each."""
    import pyarrow.parquet as pq

    client = _create(uri, name, dim)
    start = time.perf_counter()
    written = 0
    for batch in pq.ParquetFile(path).iter_batches(batch_size=BATCH):
        written += client.insert(name, batch.to_pylist())["insert_count"]
    elapsed = time.perf_counter() - start
    client.close()
    return written, elapsed


def by_hand_tuned(
    uri: str, path: Path, name: str, dim: int, threads: int = TUNED_THREADS
) -> tuple[int, float]:
    """The server's rate: batches of TUNED_BYTES of vectors, `threads` inserts in flight from a
    thread pool while the next batch is read (as someone tuning an ingest would write it)."""
    from concurrent.futures import ThreadPoolExecutor

    import pyarrow.parquet as pq

    client = _create(uri, name, dim)
    rows_per_batch = max(1, TUNED_BYTES // (dim * 4 + 8))
    start = time.perf_counter()
    written = 0
    with ThreadPoolExecutor(threads) as pool:
        pending = []
        for batch in pq.ParquetFile(path).iter_batches(batch_size=rows_per_batch):
            pending.append(pool.submit(client.insert, name, batch.to_pylist()))
            if len(pending) >= threads:
                written += pending.pop(0).result()["insert_count"]
        written += sum(f.result()["insert_count"] for f in pending)
    elapsed = time.perf_counter() - start
    client.close()
    return written, elapsed


def _create(uri: str, name: str, dim: int):
    from pymilvus import DataType, MilvusClient

    client = MilvusClient(uri)
    schema = client.create_schema()
    schema.add_field("id", DataType.INT64, is_primary=True)
    schema.add_field("vector", DataType.FLOAT_VECTOR, dim=dim)
    client.create_collection(name, schema=schema)
    return client


def by_kernel(uri: str, path: Path, name: str, dim: int) -> tuple[int, float]:
    from milvus_kernel.engine.session import Session
    from milvus_kernel.frontends.runner import run_cell

    session = Session(workdir=path.parent, environ={"MILVUS_URI": uri})
    list(run_cell(session, f"CREATE TABLE {name} (id INT64 PRIMARY KEY, vector VECTOR({dim}))"))
    start = time.perf_counter()
    (message,) = [r for r in run_cell(session, f"INSERT INTO {name} FROM '{path.name}'")]
    elapsed = time.perf_counter() - start
    session.close()
    return int(message.text.split()[1]), elapsed


def rss_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


@contextlib.contextmanager
def peak_rss() -> Iterator[dict[str, float]]:
    """RSS before the block ("before") and its peak while the block ran ("peak"), in MB, sampled
    every 20 ms (the process's lifetime peak, ru_maxrss, may come from before the block)."""
    figures = {"before": rss_mb()}
    samples = [figures["before"]]
    done = threading.Event()

    def sample() -> None:
        while not done.wait(0.02):
            samples.append(rss_mb())

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        yield figures
    finally:
        done.set()
        sampler.join()
        figures["peak"] = max(samples)


def memory_child(uri: str, path: str, name: str, dim: int) -> None:
    """In a fresh process: connect, create, then import; print RSS before the import and its
    peak during the import (`peak_rss`)."""
    from milvus_kernel.engine.session import Session
    from milvus_kernel.frontends.runner import run_cell

    session = Session(workdir=Path(path).parent, environ={"MILVUS_URI": uri})
    list(run_cell(session, f"CREATE TABLE {name} (id INT64 PRIMARY KEY, vector VECTOR({dim}))"))
    lifetime = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    with peak_rss() as memory:
        list(run_cell(session, f"INSERT INTO {name} FROM '{Path(path).name}'"))
    print(json.dumps({**memory, "lifetime_before": lifetime}))


def memory(uri: str, path: Path, name: str, dim: int) -> dict[str, float]:
    code = "import sys; sys.path.insert(0, sys.argv[1]); import import_bench as b; "
    code += "b.memory_child(*sys.argv[2:5], int(sys.argv[5]))"
    out = subprocess.run(
        [sys.executable, "-c", code, str(Path(__file__).parent), uri, str(path), name, str(dim)],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--dim", type=int, default=128)
    parser.add_argument("--dir", type=Path, default=Path("/tmp/milvus-import-bench"))
    args = parser.parse_args()
    args.dir.mkdir(parents=True, exist_ok=True)
    big, small = args.dir / "big.parquet", args.dir / "small.parquet"
    write_file(big, args.rows, args.dim)
    write_file(small, args.rows // 10, args.dim)
    print(f"files: {args.rows:,} and {args.rows // 10:,} rows × {args.dim} float32", flush=True)
    server, uri = start_server(args.dir / f"server-{os.getpid()}")
    try:
        count0, tuned = by_hand_tuned(uri, big, "by_hand_tuned", args.dim)
        print(f"pymilvus tuned:   {count0:,} rows in {tuned:.1f} s = {count0 / tuned:,.0f} rows/s")
        count, hand = by_hand(uri, big, "by_hand", args.dim)
        print(f"pymilvus by hand: {count:,} rows in {hand:.1f} s = {count / hand:,.0f} rows/s")
        count2, kernel = by_kernel(uri, big, "by_kernel", args.dim)
        rate = count2 / kernel
        print(f"INSERT ... FROM:  {count2:,} rows in {kernel:.1f} s = {rate:,.0f} rows/s")
        print(f"ratio (kernel rate / tuned pymilvus rate): {tuned / kernel:.2f}")
        print(f"ratio (kernel rate / sequential pymilvus rate): {hand / kernel:.2f}", flush=True)
        small_mem = memory(uri, small, "mem_small", args.dim)
        big_mem = memory(uri, big, "mem_big", args.dim)
        grow_small = small_mem["peak"] - small_mem["before"]
        grow_big = big_mem["peak"] - big_mem["before"]
        print(f"peak RSS growth, {args.rows // 10:,} rows: {grow_small:.0f} MB")
        print(f"peak RSS growth, {args.rows:,} rows: {grow_big:.0f} MB")
        print(f"difference: {grow_big - grow_small:.0f} MB")
        before = max(small_mem["lifetime_before"], big_mem["lifetime_before"])
        print(f"(the processes' peak before the import: {before:.0f} MB)")
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
