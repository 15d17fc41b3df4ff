"""Target 1: statement overhead in-process — parse + translate + render around the same
MilvusClient call, for COUNT(*), a filtered query and a top-10 search, against raw pymilvus."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bench.dataset import VECTORS, client, query_vector
from bench.inprocess import KernelSide, materialize
from bench.report import Section
from bench.timing import interleaved

GOAL = 1.02


@dataclass(frozen=True)
class Case:
    """A statement, and the pymilvus call a person would write for it."""

    name: str
    sql: str
    python: str  # the same call as Python source, for the protocol benchmark
    call: Callable[[Any], Any]


def cases() -> list[Case]:
    vector = query_vector()
    literal = json.dumps(vector)
    count_filter = "cat == 7 and id < 20000"
    return [
        Case(
            "COUNT(*)",
            f"SELECT COUNT(*) FROM {VECTORS}",
            f'client.query("{VECTORS}", filter="", output_fields=["count(*)"])',
            lambda c: c.query(VECTORS, filter="", output_fields=["count(*)"]),
        ),
        Case(
            "filtered query",
            f"SELECT id, cat FROM {VECTORS} WHERE cat = 7 AND id < 20000 LIMIT 100",
            f'client.query("{VECTORS}", filter="{count_filter}", output_fields=["id", "cat"], '
            "limit=100)",
            lambda c: c.query(VECTORS, filter=count_filter, output_fields=["id", "cat"], limit=100),
        ),
        Case(
            "top-10 search",
            f"SEARCH {VECTORS} FOR {literal} LIMIT 10",
            f'client.search("{VECTORS}", data=[{literal}], limit=10)',
            lambda c: c.search(VECTORS, data=[vector], limit=10),
        ),
    ]


def run(uri: str, rows: int, rounds: int) -> Section:
    section = Section("1. Statement overhead, in-process")
    kernel = KernelSide(uri)
    raw = client(uri)
    try:
        for case in cases():
            for _ in range(3):  # warm both (schemas cached, collection known loaded)
                kernel.run(case.sql)
                materialize(case.call(raw))
            kernel.log.reset()
            paired = interleaved(
                lambda c=case: materialize(c.call(raw)), lambda c=case: kernel.run(c.sql), rounds
            )
            calls = len(kernel.log.calls) / rounds
            inside = kernel.log.seconds / rounds  # mean time inside MilvusClient calls
            outside = paired.b.mean - inside
            section.add(
                f"{case.name} (kernel / pymilvus)",
                paired.ratio_text,
                f"≤ {GOAL}×",
                paired.ratio.median <= GOAL,
            )
            section.note(
                f"{case.name}: pymilvus {paired.a.ms()}; kernel {paired.b.ms()}; "
                f"Milvus calls per statement: kernel {calls:.2f} "
                f"({_call_names(kernel.log.calls)}), pymilvus 1; the kernel's own time "
                f"(outside its MilvusClient calls, mean): {outside * 1e3:.2f} ms"
            )
    finally:
        kernel.close()
        raw.close()
    section.note(
        f"{rows:,} × 128 float32 rows, FLAT/L2 index, one Milvus Lite server over TCP for both "
        f"sides; {rounds} rounds, the two sides in random order within each round; the ratio is "
        "the median of the per-round ratios. pymilvus's side reads every returned row "
        "(dict(row)), as any caller must; the kernel's side is `run_cell` + `render`."
    )
    return section


def _call_names(calls: list[str]) -> str:
    counts: dict[str, int] = {}
    for name in calls:
        counts[name] = counts.get(name, 0) + 1
    return ", ".join(f"{name} ×{n}" for name, n in sorted(counts.items()))
