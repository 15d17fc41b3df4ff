"""Target 6: a SELECT over a huge collection shows its first page promptly and the cell's
output stays small — in-process (engine + display) and over the Jupyter protocol (iopub bytes)."""

from __future__ import annotations

import json
import random
import tempfile
import time
from pathlib import Path
from typing import Any

from bench import kernels
from bench.dataset import client
from bench.inprocess import KernelSide, materialize
from bench.report import Section
from bench.timing import Spread, timed

AFTER_PAGE_GOAL = 0.100
SIZE_GOAL = 100 * 1024
PAGE_GOAL = 1.2  # the kernel's first page / (pymilvus's page + its count(*))
RSS_GOAL = 150  # MB of peak RSS growth to show the first page


def _rss_mb(key: str) -> float:
    """VmRSS or VmHWM (the peak since the last reset) of this process, in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1]) / 1024
    return 0.0


def peak_growth(run: Any) -> float:
    """MB the peak RSS rose above the RSS before `run()` (the peak reset first: clear_refs 5)."""
    Path("/proc/self/clear_refs").write_text("5")
    before = _rss_mb("VmRSS")
    run()
    return _rss_mb("VmHWM") - before


class PageClock:
    """Remembers when the session's last `query` call (the page) returned."""

    def __init__(self, kernel: KernelSide) -> None:
        self.answered = 0.0
        milvus = kernel.session.catalog().connection.client
        query = milvus.query

        def timed_query(*args: Any, **kwargs: Any) -> Any:
            result = query(*args, **kwargs)
            if kwargs.get("output_fields") != ["count(*)"]:
                self.answered = time.perf_counter()
            return result

        milvus.query = timed_query


def run(uri: str, name: str, rows: int, rounds: int) -> Section:
    section = Section("6. Display of a huge SELECT")
    cell = f"SELECT * FROM {name}"
    kernel = KernelSide(uri)
    clock = PageClock(kernel)
    raw = client(uri)
    page = lambda: materialize(raw.query(name, filter="", output_fields=["*"], limit=10))  # noqa: E731
    counted = lambda: materialize(raw.query(name, filter="", output_fields=["count(*)"]))  # noqa: E731
    with_count: list[float] = []
    after_page: list[float] = []
    ours: list[float] = []
    theirs: list[float] = []
    own: list[float] = []
    order = random.Random(17)
    try:
        kernel.run(cell)
        page()
        for _ in range(rounds):
            sides = ["kernel", "raw"]
            order.shuffle(sides)
            for side in sides:
                if side == "raw":
                    theirs.append(timed(page))
                    with_count.append(theirs[-1] + timed(counted))
                    continue
                kernel.log.reset()
                start = time.perf_counter()
                kernel.run(cell)
                done = time.perf_counter()
                ours.append(done - start)
                after_page.append(done - clock.answered)
                own.append(done - start - kernel.log.seconds)
        size = len(json.dumps(kernel.last_bundles))
        growth = peak_growth(lambda: kernel.run(cell))
    finally:
        kernel.close()
        raw.close()
    shown = Spread.of(after_page)
    ratio = Spread.of(ours).median / Spread.of(with_count).median
    section.add(
        f"SELECT * over {rows:,} rows: first page / (pymilvus page + count(*))",
        f"{ratio:.2f}×",
        f"≤ {PAGE_GOAL}×",
        ratio <= PAGE_GOAL,
    )
    section.add(
        "  its peak RSS growth (in-process)",
        f"{growth:.0f} MB",
        f"< {RSS_GOAL} MB",
        growth < RSS_GOAL,
    )
    section.add(
        f"SELECT * over {rows:,} rows: first page shown after Milvus answered it (in-process)",
        f"{shown.median * 1e3:.1f} ms (max {max(after_page) * 1e3:.1f})",
        f"≤ {AFTER_PAGE_GOAL * 1e3:.0f} ms",
        max(after_page) <= AFTER_PAGE_GOAL,
    )
    section.add(
        "  its output (mime bundle, in-process)",
        f"{size / 1024:.1f} KB",
        f"< {SIZE_GOAL // 1024} KB",
        size < SIZE_GOAL,
    )
    protocol_size, protocol_time = _over_protocol(uri, cell, max(2, rounds // 2))
    section.add(
        "  its output over the protocol (iopub message contents)",
        f"{protocol_size / 1024:.1f} KB",
        f"< {SIZE_GOAL // 1024} KB",
        protocol_size < SIZE_GOAL,
    )
    section.note(
        f"in-process, {rounds} interleaved rounds: the kernel's whole statement "
        f"{Spread.of(ours).ms()}"
        f" — of which outside Milvus calls {Spread.of(own).ms()} — against pymilvus's page "
        f"(`query(limit=10, output_fields=['*'])`, rows read) {Spread.of(theirs).ms()}, "
        f"and that page plus its count(*) query (the footer's 'showing 10 of N rows') "
        f"{Spread.of(with_count).ms()}: the ratio is of the medians; the peak RSS growth is "
        "VmHWM after one more run minus VmRSS before it (peak reset by /proc/self/clear_refs)"
    )
    section.note(
        f"over the protocol (Milvus kernel, execute_request → execute_result): {protocol_time.ms()}"
    )
    return section


def _over_protocol(uri: str, cell: str, rounds: int) -> tuple[int, Spread]:
    with tempfile.TemporaryDirectory(prefix="bench-display-") as workdir:
        manager, env = kernels.milvus_manager(uri)
        milvus = kernels.start(manager, env, Path(workdir))
        try:
            kernels.run(milvus, cell)
            runs = [kernels.timed_run(milvus, cell) for _ in range(rounds)]
        finally:
            kernels.stop((manager, milvus))
    return max(size for _, _, size in runs), Spread.of([first for _, first, _ in runs])
