"""The outcome of each benchmark as table rows, printed and written to `bench/RESULTS.md`."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class Row:
    """One target: what was measured, the goal, and whether it was met."""

    target: str
    measured: str
    goal: str
    passed: bool | None  # None: not measured (skipped or failed)


@dataclass
class Section:
    """A benchmark's rows and the notes that explain its figures."""

    title: str
    rows: list[Row] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def add(self, target: str, measured: str, goal: str, passed: bool | None) -> None:
        self.rows.append(Row(target, measured, goal, passed))

    def note(self, text: str) -> None:
        self.notes.append(text)


def verdict(passed: bool | None) -> str:
    return "—" if passed is None else "pass" if passed else "MISS"


def markdown_table(sections: list[Section]) -> list[str]:
    lines = ["| # | target | measured | goal | result |", "|---|---|---|---|---|"]
    for section in sections:
        for row in section.rows:
            number = section.title.split(".")[0]
            cells = (number, row.target, row.measured, row.goal, verdict(row.passed))
            lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    return lines


def plain_table(sections: list[Section]) -> str:
    rows = [("#", "target", "measured", "goal", "result")]
    for section in sections:
        number = section.title.split(".")[0]
        rows += [(number, r.target, r.measured, r.goal, verdict(r.passed)) for r in section.rows]
    widths = [min(max(len(r[i]) for r in rows), 70) for i in range(5)]
    return "\n".join("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) for r in rows)


def write_results(
    path: Path,
    command: str,
    machine: list[str],
    sections: list[Section],
    preamble: list[str],
    appendix: str = "",
) -> None:
    """RESULTS.md: how it was run, on what, the table, each section's notes, then `appendix`
    (the hand-kept history of fixes with their before/after figures, `bench/fixes.md`)."""
    lines = ["# Benchmark results", "", *preamble, "", "## Command", "", f"    {command}", ""]
    lines += ["## Machine", "", *machine, "", "## Results", "", *markdown_table(sections), ""]
    for section in sections:
        if section.notes:
            lines += [f"### {section.title}", "", *(f"- {n}" for n in section.notes), ""]
    if appendix:
        lines += [appendix.rstrip(), ""]
    path.write_text("\n".join(lines))
