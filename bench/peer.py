"""Benchmark: the kernel against JupySQL + the `milvusql` SQLAlchemy/DB-API driver, the peer a
user would pick, on the same Milvus Lite server and the same statements.

    python bench/peer.py [--rows 20000] [--dim 128] [--rounds 10] [--import-rows 20000]
                         [--venv /tmp/milvus-kernel-bench-peer-venv] [--dir /tmp/milvus-peer-bench]

milvusql needs pymilvus < 3 (this project uses pymilvus 3), so the script makes its own Python
3.12 venv (pyenv's 3.12, found with `pyenv root`) from PyPI with jupysql, milvusql,
milvusql-sqlalchemy, ipython and pandas, once, and reuses it. It starts one `milvus-lite server`
over TCP (milvusql connects to a server URI, `milvusql://127.0.0.1:PORT/`), loads a rows × dim
collection with pymilvus, then runs two worker processes side by side:

- ours: a kernel `Session` in this venv, each statement `run_cell` + `render` (the mime bundle
  a cell shows), imports through the magic's `run_magic` with `:df` bound;
- the peer: an IPython shell in the peer venv with `%load_ext sql`, `%sql milvusql://...`, each
  statement `%sql ...` and its display formatted (`display_formatter.format`, as a notebook's
  display hook does); the import is `%sql --persist-replace df` when it works, else milvusql's
  `cursor.executemany(INSERT ...)` of the DataFrame's records (what a JupySQL user falls back on).

Statements: a round trip (`SELECT COUNT(*)`), the first page of a read of the whole collection
(ours `SELECT * FROM t`; milvusql returns empty columns for `*`, so the peer names the columns),
a filtered read (`WHERE cat = 7 LIMIT 100`), and an import of `--import-rows` rows from a
DataFrame into a new collection. Rounds are interleaved in random order; the figure is the median
of the per-round ratios (ours / peer: below 1 is faster). Anything the peer cannot do is said in
one line. Not a test: the suite never runs it.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
PEER_PACKAGES = ["jupysql", "milvusql", "milvusql-sqlalchemy", "ipython", "pandas", "numpy"]
TABLE = "peer_vectors"
READS = {
    "round trip: SELECT COUNT(*)": (
        f"SELECT COUNT(*) FROM {TABLE}",
        f"SELECT COUNT(*) FROM {TABLE}",
    ),
    "first page of a read of the whole collection": (
        f"SELECT * FROM {TABLE}",
        f"SELECT id, cat, vector FROM {TABLE}",
    ),
    "filtered read, 100 rows": (
        f"SELECT id, cat FROM {TABLE} WHERE cat = 7 LIMIT 100",
        f"SELECT id, cat FROM {TABLE} WHERE cat = 7 LIMIT 100",
    ),
}
IMPORT = "import of a DataFrame into a new collection"


def frame(rows: int, dim: int, start: int = 0) -> Any:
    """The same seeded DataFrame on both sides: id, cat = id % 100, vector (float lists)."""
    import numpy as np
    import pandas as pd

    vectors = np.random.default_rng(5).random((rows, dim), dtype=np.float32)
    ids = np.arange(start, start + rows, dtype=np.int64)
    return pd.DataFrame({"id": ids, "cat": ids % 100, "vector": [v.tolist() for v in vectors]})


# --- the two workers: one JSON request per line in, one JSON answer per line out -------------


class Ours:
    def __init__(self, uri: str, dim: int, workdir: str) -> None:
        sys.path.insert(0, str(HERE.parent))
        from milvus_kernel.display import render
        from milvus_kernel.engine.session import Session
        from milvus_kernel.frontends.runner import run_cell

        self.render, self.run_cell = render, run_cell
        self.session = Session(workdir=Path(workdir), environ={"MILVUS_URI": uri})
        self.dim = dim

    def read(self, sql: str) -> str:
        bundles = [self.render(r) for r in self.run_cell(self.session, sql)]
        return bundles[-1]["text/plain"].splitlines()[-1]

    def load(self, name: str, rows: int) -> str:
        from milvus_kernel.frontends.magic import run_magic

        schema = f"(id INT64 PRIMARY KEY, cat INT64, vector FLOAT_VECTOR({self.dim}))"
        run_magic(self.session, f"CREATE TABLE {name} {schema}", {}, lambda _: None)
        df = frame(rows, self.dim)
        shown: list[Any] = []
        start = time.perf_counter()
        run_magic(self.session, f"INSERT INTO {name} FROM :df", {"df": df}, shown.append)
        elapsed = time.perf_counter() - start
        return json.dumps({"seconds": elapsed, "note": shown[-1]["text/plain"]})


class Peer:
    def __init__(self, uri: str, dim: int, workdir: str) -> None:
        from IPython.core.interactiveshell import InteractiveShell

        self.ip = InteractiveShell.instance()
        self.ip.run_line_magic("load_ext", "sql")
        self.ip.run_line_magic("config", "SqlMagic.displaycon = False")
        self.ip.run_line_magic("config", "SqlMagic.autopandas = False")
        self.url = uri.replace("http://", "milvusql://") + "/"
        self.ip.run_line_magic("sql", self.url)
        self.uri, self.dim = uri, dim

    def read(self, sql: str) -> str:
        result = self.ip.run_line_magic("sql", sql)
        data, _ = self.ip.display_formatter.format(result)
        return data["text/plain"].splitlines()[-1]

    def load(self, name: str, rows: int) -> str:
        import milvusql

        conn = milvusql.connect(uri=self.uri)
        cursor = conn.cursor()
        cursor.execute(
            f"CREATE TABLE {name} (id BIGINT PRIMARY KEY, cat BIGINT, vector VECTOR({self.dim}))"
        )
        df = frame(rows, self.dim)
        self.ip.user_ns["df"] = df
        note = ""
        try:
            self.ip.run_line_magic("sql", "--persist-replace df")
        except Exception as error:  # the vector column: JupySQL maps it to TEXT
            note = f"%sql --persist-replace df failed: {str(error).splitlines()[0][:160]}; "
        start = time.perf_counter()
        cursor.executemany(
            f"INSERT INTO {name} (id, cat, vector) VALUES (:id, :cat, :vector)",
            df.to_dict("records"),
        )
        elapsed = time.perf_counter() - start
        note += f"milvusql executemany: rowcount {cursor.rowcount}"
        conn.close()
        return json.dumps({"seconds": elapsed, "note": note})


def worker(kind: str, uri: str, dim: int, workdir: str) -> None:
    side = Ours(uri, dim, workdir) if kind == "ours" else Peer(uri, dim, workdir)
    print(json.dumps({"ready": True}), flush=True)
    for line in sys.stdin:
        request = json.loads(line)
        try:
            if request["op"] == "read":
                start = time.perf_counter()
                last = side.read(request["sql"])
                answer = json.dumps({"seconds": time.perf_counter() - start, "note": last})
            else:
                answer = side.load(request["name"], request["rows"])
        except Exception as error:
            answer = json.dumps({"error": f"{type(error).__name__}: {str(error)[:300]}"})
        print(answer, flush=True)


# --- the driver -------------------------------------------------------------------------------


def pyenv_python(version: str = "3.12") -> Path | None:
    """pyenv's newest Python `version`.x, or None."""
    try:
        root = subprocess.run(["pyenv", "root"], capture_output=True, text=True, check=True)
        base = Path(root.stdout.strip()) / "versions"
    except (OSError, subprocess.CalledProcessError):
        base = Path.home() / ".pyenv" / "versions"
    found = sorted(base.glob(f"{version}.*/bin/python"))
    return found[-1] if found else None


def ensure_peer_venv(venv: Path) -> tuple[Path | None, str]:
    """The peer venv's python (made once), or None and why not, in one line."""
    python = venv / "bin" / "python"
    check = [str(python), "-c", "import sql, milvusql, milvusql_sqlalchemy, IPython, pandas"]
    if python.exists() and subprocess.run(check, capture_output=True).returncode == 0:
        return python, ""
    base = pyenv_python()
    if base is None:
        return None, "no Python 3.12 under pyenv: the peer venv cannot be made"
    subprocess.run([str(base), "-m", "venv", str(venv)], check=True)
    pip = subprocess.run(
        [str(python), "-m", "pip", "install", "-q", *PEER_PACKAGES], capture_output=True, text=True
    )
    if pip.returncode != 0:
        return None, f"pip install {' '.join(PEER_PACKAGES)} failed: {pip.stderr.strip()[-200:]}"
    return python, ""


class Worker:
    def __init__(self, python: str, kind: str, uri: str, dim: int, workdir: Path) -> None:
        command = [python, str(Path(__file__).resolve()), "--worker", kind, "--uri", uri]
        command += ["--dim", str(dim), "--dir", str(workdir)]
        self.process = subprocess.Popen(
            command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )
        assert json.loads(self._line()).get("ready")

    def _line(self) -> str:
        while True:
            line = self.process.stdout.readline()  # type: ignore[union-attr]
            if not line:
                raise SystemExit("a worker died")
            if line.startswith("{"):
                return line

    def ask(self, **request: Any) -> dict[str, Any]:
        self.process.stdin.write(json.dumps(request) + "\n")  # type: ignore[union-attr]
        self.process.stdin.flush()  # type: ignore[union-attr]
        return json.loads(self._line())

    def close(self) -> None:
        self.process.stdin.close()  # type: ignore[union-attr]
        self.process.wait(timeout=60)


def load_collection(uri: str, rows: int, dim: int) -> None:
    from pymilvus import DataType, MilvusClient

    client = MilvusClient(uri)
    if client.has_collection(TABLE):
        client.drop_collection(TABLE)
    schema = client.create_schema()
    schema.add_field("id", DataType.INT64, is_primary=True)
    schema.add_field("cat", DataType.INT64)
    schema.add_field("vector", DataType.FLOAT_VECTOR, dim=dim)
    index = client.prepare_index_params()
    index.add_index("vector", index_type="FLAT", metric_type="L2")
    client.create_collection(TABLE, schema=schema, index_params=index)
    df = frame(rows, dim)
    for start in range(0, rows, 5000):
        client.insert(TABLE, df.iloc[start : start + 5000].to_dict("records"))
    client.flush(TABLE)
    client.load_collection(TABLE)
    client.close()


def spread(values: list[float]) -> str:
    if len(values) < 2:
        return f"{values[0]:.2f}"
    q = statistics.quantiles(values, n=4)
    return f"{statistics.median(values):.2f}× (IQR {q[0]:.2f}-{q[2]:.2f})"


def compare(ours: Worker, peer: Worker, rounds: int, import_rows: int) -> list[str]:
    lines = []
    for label, (our_sql, peer_sql) in READS.items():
        ratios, times = [], {"ours": [], "peer": []}
        for sides in ((ours, our_sql), (peer, peer_sql)):
            sides[0].ask(op="read", sql=sides[1])  # warm
        failed = ""
        for _ in range(rounds):
            order = [("ours", ours, our_sql), ("peer", peer, peer_sql)]
            random.shuffle(order)
            answers = {name: w.ask(op="read", sql=sql) for name, w, sql in order}
            if "error" in answers["peer"] or "error" in answers["ours"]:
                failed = answers["peer"].get("error") or answers["ours"].get("error")
                break
            for name in times:
                times[name].append(answers[name]["seconds"])
            ratios.append(answers["ours"]["seconds"] / answers["peer"]["seconds"])
        if failed:
            lines.append(f"| {label} | — | — | cannot: {failed} |")
            continue
        ms = {k: statistics.median(v) * 1000 for k, v in times.items()}
        lines.append(f"| {label} | {ms['ours']:.1f} ms | {ms['peer']:.1f} ms | {spread(ratios)} |")
    tag = int(time.time())
    results = {}
    for name, w in random.sample([("ours", ours), ("peer", peer)], 2):
        results[name] = w.ask(op="load", name=f"peer_import_{name}_{tag}", rows=import_rows)
    if "error" in results["peer"] or "error" in results["ours"]:
        why = results["peer"].get("error") or results["ours"].get("error")
        lines.append(f"| {IMPORT}, {import_rows:,} rows | — | — | cannot: {why} |")
    else:
        o, p = results["ours"]["seconds"], results["peer"]["seconds"]
        lines.append(
            f"| {IMPORT}, {import_rows:,} rows | {import_rows / o:,.0f} rows/s | "
            f"{import_rows / p:,.0f} rows/s | {o / p:.2f}× |"
        )
        lines.append("")
        lines.append(f"- ours: {results['ours']['note']}")
        lines.append(f"- peer: {results['peer']['note']}")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--dim", type=int, default=128)
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--import-rows", type=int, default=20_000)
    parser.add_argument("--venv", type=Path, default=Path("/tmp/milvus-kernel-bench-peer-venv"))
    parser.add_argument("--dir", type=Path, default=Path("/tmp/milvus-peer-bench"))
    parser.add_argument("--worker", choices=("ours", "peer"), help=argparse.SUPPRESS)
    parser.add_argument("--uri", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.worker, args.uri, args.dim, str(args.dir))
        return
    python, why = ensure_peer_venv(args.venv)
    if python is None:
        print(f"JupySQL + milvusql: not measured: {why}")
        return
    sys.path.insert(0, str(HERE.parent))
    from bench.server import lite_server

    args.dir.mkdir(parents=True, exist_ok=True)
    with lite_server(args.dir / "server") as uri:
        load_collection(uri, args.rows, args.dim)
        ours = Worker(sys.executable, "ours", uri, args.dim, args.dir)
        peer = Worker(str(python), "peer", uri, args.dim, args.dir)
        try:
            lines = compare(ours, peer, args.rounds, args.import_rows)
        finally:
            ours.close()
            peer.close()
    versions = subprocess.run(
        [str(python), "-m", "pip", "list", "--format=freeze"], capture_output=True, text=True
    ).stdout
    wanted = ("jupysql", "milvusql", "milvusql-sqlalchemy", "pymilvus", "sqlglot-milvus")
    pinned = [v for v in versions.split() if v.split("==")[0].lower() in wanted]
    print(f"{TABLE}: {args.rows:,} × {args.dim} float32, FLAT/L2, loaded; {args.rounds} rounds")
    print(f"peer venv: {python} ({', '.join(pinned)})")
    print("| statement | ours (kernel) | JupySQL + milvusql | ours / peer |")
    print("|---|---|---|---|")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
