"""Fuzzing: generated and damaged statements through parse, execute and render on real Milvus Lite.

Each hypothesis example is a cell of ten statements, half from a walk of the grammar's parse
table and half byte-mutated valid statements; the default 1,000 examples push 10,000 statements
through. Every failure must be one of the kernel's own errors, carrying a position; nothing may
escape as a Python exception; a real kernel given the same kind of cells must stay alive.
A longer run: MILVUS_FUZZ_EXAMPLES=20000 python -m pytest tests/test_fuzz.py
"""

from __future__ import annotations

import os
import random
from collections import Counter
from pathlib import Path

import pytest
from fuzzing import grammar_statement, mutate, valid_statements
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from milvus_kernel.display import render, render_error
from milvus_kernel.engine.session import Session
from milvus_kernel.errors import KernelError, MilvusSyntaxError
from milvus_kernel.frontends.runner import run_cell
from milvus_kernel.language import statements as s
from milvus_kernel.language.parser import parse_statement

EXAMPLES = int(os.environ.get("MILVUS_FUZZ_EXAMPLES", "1000"))
PER_CELL = 10

# Not run: they reach outside the scratch database (other servers, files) or are slow by design.
NOT_RUN = (s.Connect, s.ImportFile, s.Export, s.Plot, s.CreateUser, s.AlterUser)

SETUP = """
DROP TABLE IF EXISTS docs;
CREATE TABLE docs (id INT64 PRIMARY KEY, label VARCHAR(20), n INT64, meta JSON,
                   tags ARRAY<VARCHAR(8)>(4), vector FLOAT_VECTOR(4));
CREATE PARTITION p1 ON docs;
INSERT INTO docs VALUES (1, 'red', 1, {"k": 1}, ['a'], [0.1, 0.2, 0.3, 0.4]),
  (2, 'green', 2, {"k": 2}, ['b'], [0.5, 0.1, 0.2, 0.3]), (3, NULL, 3, {}, [], [1, 1, 1, 1]);
CREATE INDEX ON docs (vector) USING FLAT WITH (metric_type = 'L2');
LOAD docs;
SET display_limit = 10;
SET timeout = 30
"""

TALLY: Counter[str] = Counter()


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> Session:
    session = Session(workdir=tmp_path_factory.mktemp("fuzz"), environ={})
    list(run_cell(session, SETUP))
    yield session
    session.close()


def _vector_file(statement: s.Statement) -> bool:
    return isinstance(statement, s.Search) and statement.vector_file is not None


def check(session: Session, text: str) -> None:
    """Parse, run and render one statement; only the kernel's own errors may come out."""
    TALLY["statements"] += 1
    try:
        statement = parse_statement(text)
    except MilvusSyntaxError as error:
        TALLY["syntax errors"] += 1
        assert error.line >= 1 and error.column >= 1
        assert "Traceback" not in render_error(error)[2][0]
        return
    except KernelError as error:  # e.g. "expected one statement, found 2"
        TALLY["other language errors"] += 1
        assert error.render()
        return
    if isinstance(statement, NOT_RUN) or _vector_file(statement):
        TALLY["parsed, not run"] += 1
        return
    try:
        for result in run_cell(session, text):
            bundle = render(result, session.settings.display_limit)
            assert bundle["text/plain"] is not None
        TALLY["ran"] += 1
    except KernelError as error:
        TALLY["Milvus or engine errors"] += 1
        assert error.statement_index == 1
        # the engine turns stray Python exceptions into "unexpected ..." errors: those are bugs
        assert not error.message.startswith("unexpected "), (text, error.message)
        ename, evalue, lines = render_error(error)
        assert ename and evalue and not any("Traceback" in line for line in lines)


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(seed=st.integers(min_value=0, max_value=2**32 - 1))
def test_fuzzed_statements_fail_only_with_kernel_errors(scratch: Session, seed: int) -> None:
    rng = random.Random(seed)
    valid = valid_statements()
    for i in range(PER_CELL):
        text = grammar_statement(rng) if i % 2 else mutate(rng.choice(valid), rng)
        check(scratch, text)
    if "docs" not in scratch.collection_names():  # a fuzzed DROP or RENAME: start over
        list(run_cell(scratch, SETUP))


def test_fuzz_volume(scratch: Session) -> None:
    """At least 10,000 statements went through (run alone, it runs the fuzz test first)."""
    if not TALLY["statements"]:  # selected on its own (-k, a node id): nothing ran yet
        test_fuzzed_statements_fail_only_with_kernel_errors(scratch)
    print("fuzz tally:", dict(TALLY))
    assert TALLY["statements"] >= EXAMPLES * PER_CELL
    assert TALLY["syntax errors"] > 0 and TALLY["ran"] > 0 and TALLY["Milvus or engine errors"] > 0


def test_a_real_kernel_survives_fuzzed_cells(tmp_path: Path) -> None:
    """Whole fuzzed cells through the Jupyter protocol: every reply ok or error, never a crash."""
    from kernel_harness import execute, install_kernelspec, running_kernel

    data_dir = install_kernelspec()
    rng = random.Random(20261121)
    valid = valid_statements()
    with running_kernel(tmp_path, data_dir=data_dir) as (km, kc):
        reply, _ = execute(kc, SETUP)
        assert reply["status"] == "ok", reply
        for _ in range(60):
            pieces = []
            for i in range(5):
                text = grammar_statement(rng) if i % 2 else mutate(rng.choice(valid), rng)
                try:
                    statement = parse_statement(text)
                    if isinstance(statement, NOT_RUN) or _vector_file(statement):
                        continue
                except KernelError:
                    pass
                pieces.append(text)
            reply, _ = execute(kc, ";\n".join(pieces), timeout=120)
            assert reply["status"] in ("ok", "error"), reply
            if reply["status"] == "error":
                assert reply["ename"] in {
                    "SyntaxError",
                    "MilvusError",
                    "ConnectionError",
                    "NotSupported",
                    "Interrupted",
                }, reply
                assert not any("Traceback" in line for line in reply["traceback"])
            assert km.is_alive()
        reply, _outputs = execute(kc, "SHOW TABLES")
        assert reply["status"] == "ok"
