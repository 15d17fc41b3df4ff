"""Benchmark: `INSERT INTO t FROM :df` (a DataFrame) against `INSERT INTO t FROM 'file.parquet'`.

    python bench/object_import.py [--rows 1000000] [--dim 128] [--dir /tmp/milvus-object-bench]

The same rows × dim float32 vectors (and an INT64 key) go into two new collections of one
embedded Milvus Lite database: once from a Parquet file, once from a pandas DataFrame bound
through the magic's code (`run_magic` with `:df`). Prints both rates, their ratio
(object / file; the target is at least 0.9) and the peak of memory Python allocated during the
object import of (at most) 100,000 rows (tracemalloc, in a run of its own; bounded: a batch,
never the whole frame as Python lists). Not a test: the suite never runs it.
"""

from __future__ import annotations

import argparse
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> None:
    import numpy as np
    import pandas as pd
    import pyarrow as pa
    import pyarrow.parquet as pq

    from milvus_kernel.engine.session import Session
    from milvus_kernel.frontends.magic import run_magic

    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--dim", type=int, default=128)
    parser.add_argument("--dir", default="/tmp/milvus-object-bench")
    args = parser.parse_args()
    workdir = Path(args.dir)
    workdir.mkdir(parents=True, exist_ok=True)
    vectors = np.random.default_rng(1).random((args.rows, args.dim), dtype=np.float32)
    ids = np.arange(args.rows, dtype=np.int64)
    flat = pa.FixedSizeListArray.from_arrays(pa.array(vectors.ravel()), args.dim)
    pq.write_table(pa.table({"id": ids, "vector": flat}), workdir / "vectors.parquet")
    frame = pd.DataFrame({"id": ids, "vector": list(vectors)})
    session = Session(workdir=workdir, environ={})
    schema = f"(id INT64 PRIMARY KEY, vector FLOAT_VECTOR({args.dim}))"
    for name in ("from_file", "from_frame", "from_frame_memory"):
        create = f"DROP TABLE IF EXISTS {name}; CREATE TABLE {name} {schema}"
        run_magic(session, create, {}, lambda _: None)

    start = time.perf_counter()
    run_magic(session, "INSERT INTO from_file FROM 'vectors.parquet'", {}, lambda _: None)
    file_rate = args.rows / (time.perf_counter() - start)
    start = time.perf_counter()
    run_magic(session, "INSERT INTO from_frame FROM :df", {"df": frame}, lambda _: None)
    frame_rate = args.rows / (time.perf_counter() - start)
    part = frame.iloc[: min(args.rows, 100_000)]  # memory: tracemalloc slows every allocation
    tracemalloc.start()
    run_magic(session, "INSERT INTO from_frame_memory FROM :df", {"df": part}, lambda _: None)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    session.close()
    print(f"rows {args.rows} x {args.dim} float32")
    print(f"file   import: {file_rate:,.0f} rows/s")
    print(f"object import: {frame_rate:,.0f} rows/s")
    print(f"ratio object / file: {frame_rate / file_rate:.2f} (target >= 0.9)")
    print(f"peak memory Python allocated importing {len(part)} rows: {peak / 2**20:.0f} MiB")


if __name__ == "__main__":
    main()
