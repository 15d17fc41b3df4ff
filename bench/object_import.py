"""Benchmark: `INSERT INTO t FROM :df` (a DataFrame) against `INSERT INTO t FROM 'file.parquet'`.

    python bench/object_import.py [--rows 1000000] [--dim 128] [--dir /tmp/milvus-object-bench]

The same rows × dim float32 vectors (and an INT64 key) go into new collections of one Milvus
Lite server over TCP (`milvus-lite server`, a process of its own, so the server's storage is not
counted as the kernel's memory): once from a Parquet file, once from a pandas DataFrame
(`{"id": ids, "vector": list(vectors)}`, as the magic's `run_magic` binds `:df`). Each import
runs in a fresh process that first builds its data, then samples its resident memory every
20 ms during the import. Prints both rates, their ratio (object / file; the target is at least
0.9), each import's peak RSS growth over what the process held just before it, and what a copy
of the whole frame as Python lists would have cost (measured on 10,000 rows, scaled): bounded
means the growth is a few batches, not that copy. Not a test: the suite never runs it.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.import_bench import peak_rss, rss_mb, start_server, write_file  # noqa: E402


def child(uri: str, workdir: Path, kind: str, rows: int, dim: int) -> None:
    """In a fresh process: build the data, import it, print one JSON line of figures."""
    import numpy as np
    import pandas as pd

    from milvus_kernel.engine.session import Session
    from milvus_kernel.frontends.magic import run_magic

    params: dict = {}
    if kind == "frame":
        vectors = np.random.default_rng(0).random((rows, dim), dtype=np.float32)
        params["df"] = pd.DataFrame(
            {"id": np.arange(rows, dtype=np.int64), "vector": list(vectors)}
        )
    source = ":df" if kind == "frame" else "'vectors.parquet'"
    session = Session(workdir=workdir, environ={"MILVUS_URI": uri})
    name = f"from_{kind}"
    schema = f"(id INT64 PRIMARY KEY, vector FLOAT_VECTOR({dim}))"
    create = f"DROP TABLE IF EXISTS {name}; CREATE TABLE {name} {schema}"
    run_magic(session, create, {}, lambda _: None)
    shown: list = []
    with peak_rss() as memory:
        start = time.perf_counter()
        run_magic(session, f"INSERT INTO {name} FROM {source}", params, shown.append)
        elapsed = time.perf_counter() - start
    session.close()
    figures = {"message": shown[-1]["text/plain"], "seconds": elapsed, **memory}
    if kind == "frame":  # what one copy of the frame as Python lists costs, from 10,000 rows
        part = min(rows, 10_000)
        start_rss = rss_mb()
        copy = params["df"].iloc[:part].to_dict("records")
        copy = [dict(row, vector=row["vector"].tolist()) for row in copy]
        figures["lists"] = (rss_mb() - start_rss) * rows / part
        del copy
    print(json.dumps(figures))


def run_child(uri: str, workdir: Path, kind: str, rows: int, dim: int) -> dict:
    command = [sys.executable, __file__, "--child", kind, "--uri", uri, "--dir", str(workdir)]
    command += ["--rows", str(rows), "--dim", str(dim)]
    output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    return json.loads(output.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--dim", type=int, default=128)
    parser.add_argument("--dir", default="/tmp/milvus-object-bench")
    parser.add_argument("--child", choices=["file", "frame"])
    parser.add_argument("--uri")
    args = parser.parse_args()
    workdir = Path(args.dir)
    if args.child:
        child(args.uri, workdir, args.child, args.rows, args.dim)
        return
    workdir.mkdir(parents=True, exist_ok=True)
    write_file(workdir / "vectors.parquet", args.rows, args.dim)
    server, uri = start_server(workdir / "server-data")
    try:
        results = {
            kind: run_child(uri, workdir, kind, args.rows, args.dim) for kind in ("file", "frame")
        }
    finally:
        server.terminate()
        server.wait(timeout=30)
    print(f"rows {args.rows:,} x {args.dim} float32, Milvus Lite server over TCP")
    for kind, figures in results.items():
        rate = args.rows / figures["seconds"]
        growth = figures["peak"] - figures["before"]
        print(f"{kind:>5} import: {rate:,.0f} rows/s; {figures['message']}")
        print(
            f"       RSS before {figures['before']:,.0f} MB, peak {figures['peak']:,.0f} MB: "
            f"growth {growth:,.0f} MB"
        )
    ratio = results["file"]["seconds"] / results["frame"]["seconds"]
    print(f"ratio object / file rate: {ratio:.2f} (target >= 0.9)")
    print(f"the whole frame as Python lists would take about {results['frame']['lists']:,.0f} MB")


if __name__ == "__main__":
    main()
