"""Timing helpers: interleaved A/B rounds, medians and spreads (the machine is shared and noisy)."""

from __future__ import annotations

import random
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Spread:
    """The median of some timings (seconds) and their quartiles."""

    median: float
    low: float  # first quartile
    high: float  # third quartile
    count: int
    mean: float = 0.0

    @classmethod
    def of(cls, values: Sequence[float]) -> Spread:
        ordered = sorted(values)
        mean = statistics.fmean(ordered)
        if len(ordered) < 4:
            return cls(statistics.median(ordered), ordered[0], ordered[-1], len(ordered), mean)
        q1, _, q3 = statistics.quantiles(ordered, n=4)
        return cls(statistics.median(ordered), q1, q3, len(ordered), mean)

    def ms(self) -> str:
        """`12.3 ms (IQR 11.9-13.0, n=40)`."""
        return (
            f"{self.median * 1e3:.1f} ms (IQR {self.low * 1e3:.1f}-{self.high * 1e3:.1f}, "
            f"n={self.count})"
        )


def timed(action: Callable[[], object]) -> float:
    """Seconds `action()` takes."""
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


@dataclass(frozen=True)
class Paired:
    """Timings of two sides measured in alternating rounds, and their per-round ratios."""

    a: Spread
    b: Spread
    ratio: Spread  # of b / a, round by round

    @property
    def ratio_text(self) -> str:
        r = self.ratio
        return f"{r.median:.3f}× (IQR {r.low:.3f}-{r.high:.3f})"


def interleaved(
    side_a: Callable[[], object], side_b: Callable[[], object], rounds: int, seed: int = 7
) -> Paired:
    """Run both sides `rounds` times, in a random order within each round (so drift and
    neighbours' load hit both alike); the ratio is b / a per round, then its median."""
    order = random.Random(seed)
    times_a: list[float] = []
    times_b: list[float] = []
    for _ in range(rounds):
        if order.random() < 0.5:
            times_a.append(timed(side_a))
            times_b.append(timed(side_b))
        else:
            times_b.append(timed(side_b))
            times_a.append(timed(side_a))
    ratios = [b / a for a, b in zip(times_a, times_b, strict=True) if a > 0]
    return Paired(Spread.of(times_a), Spread.of(times_b), Spread.of(ratios))


def percentile(values: Sequence[float], fraction: float) -> float:
    """The `fraction` (0-1) percentile by the nearest-rank method."""
    ordered = sorted(values)
    index = max(0, min(len(ordered) - 1, round(fraction * len(ordered) + 0.5) - 1))
    return ordered[index]
