"""Target 4: parse throughput — a 10,000-row × 128-dim INSERT ... VALUES cell against
`json.loads` of the same numbers, and how per-row time scales from 1,000 to 10,000 rows."""

from __future__ import annotations

import gc
import json

import numpy as np

from bench.report import Section
from bench.timing import Spread, timed

GOAL = 1.25  # issue 13: a long numeric VALUES list is read by one json.loads
SCALING_GOAL = 1.25  # per-row time at 10,000 rows over per-row time at 1,000: linear is 1.0


def texts(rows: int, dim: int = 128) -> tuple[str, str]:
    """The INSERT cell and a JSON array of the same rows (`[id, [vector]]`), same number text."""
    vectors = np.random.default_rng(rows).random((rows, dim), dtype=np.float32)
    lists = [", ".join(f"{x:.4f}" for x in vector) for vector in vectors]
    cell = "INSERT INTO docs (id, vector) VALUES\n" + ",\n".join(
        f"({i}, [{numbers}])" for i, numbers in enumerate(lists)
    )
    document = "[" + ",\n".join(f"[{i}, [{numbers}]]" for i, numbers in enumerate(lists)) + "]"
    return cell, document


def _pair(rows: int, repeats: int) -> tuple[Spread, Spread, Spread, int]:
    """(parse, json.loads, per-repeat ratio) timings, interleaved; and the cell's size."""
    from milvus_kernel.language.parser import parse_cell

    cell, document = texts(rows)
    parsed = parse_cell(cell)[0]
    assert len(parsed.rows) == rows and parsed.rows[-1][1] == json.loads(document)[-1][1]
    parse_times, json_times = [], []
    for index in range(repeats):
        gc.collect()  # each side starts from the same heap; the collector stays on for both
        first, second = (parse_cell, json.loads) if index % 2 else (json.loads, parse_cell)
        a = timed(lambda f=first: f(cell if f is parse_cell else document))
        gc.collect()
        b = timed(lambda f=second: f(cell if f is parse_cell else document))
        parse_time, json_time = (b, a) if first is json.loads else (a, b)
        parse_times.append(parse_time)
        json_times.append(json_time)
    ratios = [p / j for p, j in zip(parse_times, json_times, strict=True)]
    return Spread.of(parse_times), Spread.of(json_times), Spread.of(ratios), len(cell)


def run(repeats: int) -> Section:
    section = Section("4. Parse throughput")
    small = _pair(1_000, repeats * 2)
    big = _pair(10_000, repeats)
    parse, loads, ratio, size = big
    section.add(
        "10,000 × 128 INSERT: parse_cell / json.loads",
        f"{ratio.median:.2f}× (IQR {ratio.low:.2f}-{ratio.high:.2f})",
        f"≤ {GOAL}×",
        ratio.median <= GOAL,
    )
    per_row_small = small[0].median / 1_000
    per_row_big = parse.median / 10_000
    scaling = per_row_big / per_row_small
    section.add(
        "per-row parse time, 10,000 rows / 1,000 rows",
        f"{scaling:.2f} ({per_row_small * 1e6:.0f} → {per_row_big * 1e6:.0f} µs/row)",
        f"≤ {SCALING_GOAL} (linear = 1.0)",
        scaling <= SCALING_GOAL,
    )
    section.note(
        f"the 10,000-row cell is {size / 1e6:.1f} MB (4 decimals per number); parse_cell "
        f"{parse.ms()}, json.loads of the same numbers as [[id, [vector]], ...] {loads.ms()}; "
        f"1,000 rows: parse_cell {small[0].ms()}, json.loads {small[1].ms()}; json.loads's own "
        f"per-row scaling from 1,000 to 10,000 rows: {loads.median / 10 / small[1].median:.2f}"
    )
    section.note(
        "parse_cell is the whole language front end (split, lex, LALR parse, transform into an "
        "Insert dataclass with Python floats); the two are timed alternately, each after "
        "gc.collect(), the ratio is the median of the per-repeat ratios"
    )
    return section
