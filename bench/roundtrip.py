"""Targets 2 and 3 over the Jupyter protocol: a cell's round trip (execute to idle) in the Milvus
kernel against the same pymilvus call typed into ipykernel's Python kernel, and start-up (kernel
start to the first SHOW TABLES result, against start to `import pymilvus` + `list_collections()`).
"""

from __future__ import annotations

import random
import tempfile
import time
from pathlib import Path

from bench import kernels
from bench.report import Section
from bench.statements import cases
from bench.timing import Spread

GOAL = 1.0


def run_cells(uri: str, rounds: int) -> Section:
    section = Section("2. Cell round trip over the Jupyter protocol")
    order = random.Random(11)
    with tempfile.TemporaryDirectory(prefix="bench-kernels-") as workdir:
        milvus = kernels.milvus_manager(uri)
        python = kernels.python_manager()
        started = [(m, kernels.start(m, env, Path(workdir))) for m, env in (milvus, python)]
        (_, milvus_client), (_, python_client) = started
        try:
            kernels.run(
                python_client, f"from pymilvus import MilvusClient\nclient = MilvusClient({uri!r})"
            )
            for case in cases():
                for _ in range(2):  # warm both
                    kernels.run(milvus_client, case.sql)
                    kernels.run(python_client, case.python)
                ours: list[float] = []
                theirs: list[float] = []
                for _ in range(rounds):
                    sides = [(ours, milvus_client, case.sql), (theirs, python_client, case.python)]
                    order.shuffle(sides)
                    for times, client, code in sides:
                        times.append(kernels.timed_run(client, code)[0])
                ratio = Spread.of([a / b for a, b in zip(ours, theirs, strict=True)])
                section.add(
                    f"{case.name} (Milvus kernel / Python kernel)",
                    f"{ratio.median:.3f}× (IQR {ratio.low:.3f}-{ratio.high:.3f})",
                    f"≤ {GOAL}×",
                    ratio.median <= GOAL,
                )
                section.note(
                    f"{case.name}: Python kernel {Spread.of(theirs).ms()}; Milvus kernel "
                    f"{Spread.of(ours).ms()}; Python cell: `{_short(case.python)}`"
                )
        finally:
            for kernel in started:
                kernels.stop(kernel)
    section.note(
        f"both kernels started once and warmed; {rounds} rounds per statement, the two kernels in "
        "random order within each round; time from execute_request to the idle status on iopub "
        "(jupyter_client); the Python cell ends with the call, so its result is displayed too"
    )
    return section


def run_startup(uri: str, rounds: int) -> Section:
    section = Section("3. Start-up")
    python_code = "import pymilvus\nfrom pymilvus import MilvusClient\n"
    python_code += f"MilvusClient({uri!r}).list_collections()"
    order = random.Random(13)
    ours: list[float] = []
    theirs: list[float] = []
    with tempfile.TemporaryDirectory(prefix="bench-startup-") as workdir:
        for _ in range(rounds):
            sides = [(ours, kernels.milvus_manager(uri), "SHOW TABLES")]
            sides.append((theirs, kernels.python_manager(), python_code))
            order.shuffle(sides)
            for times, (manager, env), code in sides:
                start = time.perf_counter()
                client = kernels.start(manager, env, Path(workdir))
                kernels.run(client, code)
                times.append(time.perf_counter() - start)
                kernels.stop((manager, client))
    ratio = Spread.of([a / b for a, b in zip(ours, theirs, strict=True)])
    section.note(_row_count_cost(uri))
    section.add(
        "kernel start → first SHOW TABLES (Milvus / Python kernel)",
        f"{ratio.median:.3f}× (IQR {ratio.low:.3f}-{ratio.high:.3f})",
        f"≤ {GOAL}×",
        ratio.median <= GOAL,
    )
    section.note(
        f"Python kernel (start → `import pymilvus` + `MilvusClient(uri).list_collections()`): "
        f"{_s(theirs)}; Milvus kernel (start with MILVUS_URI → SHOW TABLES result): {_s(ours)}"
    )
    section.note(
        f"both connect over TCP to the same running Milvus Lite server (neither starts Milvus); "
        f"{rounds} rounds, each a fresh kernel process started by jupyter_client, from "
        "start_kernel to the idle status after the cell; the two in random order per round"
    )
    return section


def _row_count_cost(uri: str) -> str:
    """What SHOW TABLES asks Milvus beyond list_collections: a row count per collection."""
    from bench.dataset import client

    milvus = client(uri)
    try:
        names = milvus.list_collections()
        start = time.perf_counter()
        for name in names:
            milvus.get_collection_stats(name)
        spent = time.perf_counter() - start
    finally:
        milvus.close()
    return (
        f"SHOW TABLES also shows each collection's row count: {len(names)} get_collection_stats "
        f"calls ({', '.join(sorted(names))}), {spent * 1e3:.0f} ms of Milvus's time when timed "
        "alone with pymilvus, which the Python side's list_collections() does not spend"
    )


def _s(values: list[float]) -> str:
    spread = Spread.of(values)
    return f"{spread.median:.2f} s (IQR {spread.low:.2f}-{spread.high:.2f}, n={spread.count})"


def _short(code: str) -> str:
    return code if len(code) <= 90 else code[:60] + " … " + code[-20:]
