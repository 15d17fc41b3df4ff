"""`python -m bench [--quick] [--only 1,4] [--data-dir DIR]`: every benchmark, one table.

Starts one Milvus Lite server over TCP on a data directory that later runs reuse (the
collections are created once), runs the sections in order, prints the table of ratios and
writes `bench/RESULTS.md`. `--quick` uses fewer rounds and smaller sizes where noted.
"""

from __future__ import annotations

import argparse
import shlex
import sys
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from bench import dataset, machine
from bench.report import Section, plain_table, write_results
from bench.server import lite_server

HERE = Path(__file__).resolve().parent


@dataclass(frozen=True)
class Sizes:
    """How much each section does; `--quick` shrinks them."""

    vector_rows: int = 100_000
    statement_rounds: int = 40
    protocol_rounds: int = 25
    startup_rounds: int = 5
    parse_repeats: int = 7
    import_rows: int = 1_000_000
    display_rows: int = 1_000_000
    display_rounds: int = 7
    collections: int = 1_000
    completions: int = 300
    cold_completions: int = 5


QUICK = Sizes(
    statement_rounds=12,
    protocol_rounds=8,
    startup_rounds=2,
    parse_repeats=3,
    import_rows=100_000,
    display_rows=200_000,
    display_rounds=3,
    completions=100,
    cold_completions=2,
)


def log(text: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {text}", flush=True)


def sections(uri: str, sizes: Sizes, workdir: Path) -> dict[str, Callable[[], Section]]:
    """Each benchmark by number, ready to run against the server at `uri`."""
    from bench import completion, display_bench, importing, parsing, roundtrip, statements

    def display() -> Section:
        name = dataset.ensure_display(uri, sizes.display_rows, log)
        return display_bench.run(uri, name, sizes.display_rows, sizes.display_rounds)

    def complete() -> Section:
        database = dataset.ensure_names(uri, sizes.collections, log)
        return completion.run(
            uri, database, sizes.collections, sizes.completions, sizes.cold_completions
        )

    return {
        "1": lambda: statements.run(uri, sizes.vector_rows, sizes.statement_rounds),
        "2": lambda: roundtrip.run_cells(uri, sizes.protocol_rounds),
        "3": lambda: roundtrip.run_startup(uri, sizes.startup_rounds),
        "4": lambda: parsing.run(sizes.parse_repeats),
        "5": lambda: importing.run(uri, sizes.import_rows, workdir / "import", log),
        "6": display,
        "7": complete,
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer rounds, smaller sizes")
    parser.add_argument("--only", default="", help="comma-separated section numbers (1-7)")
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=Path("/tmp/milvus-kernel-bench"),
        help="where the server's data (reused by later runs) and import files live",
    )
    parser.add_argument("--results", type=Path, default=HERE / "RESULTS.md")
    args = parser.parse_args(argv)
    sizes = QUICK if args.quick else Sizes()
    wanted = {s.strip() for s in args.only.split(",") if s.strip()}
    command = "python -m bench" + (" " + shlex.join(argv or sys.argv[1:])).rstrip()
    machine_lines = machine.describe()
    started = time.monotonic()
    done: list[Section] = []
    args.data_dir.mkdir(parents=True, exist_ok=True)
    with lite_server(args.data_dir / "server") as uri:
        log(f"Milvus Lite server at {uri}")
        dataset.ensure_vectors(uri, sizes.vector_rows, log)
        for number, section in sections(uri, sizes, args.data_dir).items():
            if wanted and number not in wanted:
                continue
            log(f"section {number}")
            try:
                done.append(section())
            except Exception:
                traceback.print_exc()
                failed = Section(f"{number}. (failed)")
                failed.add(f"section {number}", "failed: see the console", "—", None)
                done.append(failed)
    elapsed = time.monotonic() - started
    print()
    print(plain_table(done))
    preamble = [
        f"Written by `{command}` in {elapsed / 60:.1f} minutes. Every ratio compares the kernel "
        "with raw pymilvus (or a Python kernel running pymilvus) on the same Milvus Lite server "
        "over TCP, measured in the same run, the two sides interleaved. The machine is shared "
        "(2 cores, other processes running): medians with interquartile ranges (IQR).",
    ]
    fixes = HERE / "fixes.md"
    appendix = fixes.read_text() if fixes.exists() else ""
    write_results(args.results, command, machine_lines, done, preamble, appendix)
    log(f"wrote {args.results} ({elapsed / 60:.1f} min)")
