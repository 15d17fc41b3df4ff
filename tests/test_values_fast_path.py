"""A long INSERT ... VALUES of numbers is decoded by one json.loads (parser._fast_insert): the
statement is exactly the one the grammar reads, and every error the grammar would report (its
message, line and column, the row number) is reported unchanged, because anything unusual is
left to the grammar."""

from __future__ import annotations

import numpy as np
import pytest

from milvus_kernel.errors import MilvusSyntaxError
from milvus_kernel.language import parser
from milvus_kernel.language.parser import parse_cell

ROWS = 200


def _rows(seed: int, rows: int = ROWS, dim: int = 16) -> list[str]:
    data = np.random.default_rng(seed).normal(size=(rows, dim))
    return [f"({i}, [{', '.join(f'{x:.5g}' for x in v)}])" for i, v in enumerate(data)]


def _by_grammar(cell: str, monkeypatch: pytest.MonkeyPatch):
    with monkeypatch.context() as patched:
        patched.setattr(parser, "FAST_VALUES", 10**12)
        return parse_cell(cell)


def _error(cell: str) -> MilvusSyntaxError:
    with pytest.raises(MilvusSyntaxError) as caught:
        parse_cell(cell)
    return caught.value


CELLS = [
    "INSERT INTO t VALUES " + ", ".join(_rows(1)),
    "UPSERT INTO t PARTITION p (id, v) VALUES\n" + ",\n".join(_rows(2)),
    "insert into t values "
    + ", ".join(f"({i}, -{i}.5e-3, 1E5, [], [0, -0, 7])" for i in range(ROWS)),
    "INSERT INTO t VALUES " + ", ".join(f"({i}, true, null, [1.5, false])" for i in range(ROWS)),
    "INSERT INTO t VALUES " + ", ".join(_rows(3, dim=300)) + ";\nSELECT * FROM t",
]


@pytest.mark.parametrize("cell", CELLS)
def test_the_fast_path_reads_what_the_grammar_reads(cell, monkeypatch):
    assert len(cell) > parser.FAST_VALUES
    fast = parse_cell(cell)
    assert fast == _by_grammar(cell, monkeypatch)
    assert [type(v) for v in fast[0].rows[5]] == [
        type(v) for v in _by_grammar(cell, monkeypatch)[0].rows[5]
    ]


def test_the_fast_path_is_taken(monkeypatch):
    """The grammar sees only the head and the first row of a long numeric VALUES list."""
    seen: list[int] = []
    real = parser.lark_parser

    def counting():
        lark = real()

        class Spy:
            def parse(self, text):
                seen.append(len(text))
                return lark.parse(text)

        return Spy()

    monkeypatch.setattr(parser, "lark_parser", counting)
    (statement,) = parse_cell(CELLS[0])
    assert len(statement.rows) == ROWS and seen and max(seen) < 200


def _broken(row: int, text: str, columns: str = "") -> str:
    rows = _rows(4)
    rows[row] = text
    return f"INSERT INTO t {columns}VALUES\n" + ",\n".join(rows)


ERRORS = [
    _broken(150, "(150, [0.1, 0.2.3])"),  # a number the grammar refuses
    _broken(150, "(150, [0.1, 0.2]) (151, [0.1])"),  # a missing comma between rows
    _broken(150, "(150, [[0.1], [0.2]])"),  # a nested list
    _broken(150, "(150, (0.1))"),  # a row in a row
    _broken(150, "[150, [0.1]]"),  # a list where a row should be
    _broken(150, "(150, [1e999])"),  # out of range
    _broken(150, "(150, NaN)"),
    _broken(150, "(150, [0.1],)"),  # a trailing comma in a row
    _broken(150, "(150, [0.1], 7)", columns="(id, v) "),  # 3 values for 2 columns
    _broken(150, "(150)", columns="(id, v) "),
    _broken(150, "(150, +1)"),
    _broken(150, '(150, "x\\n")'),
    _broken(ROWS - 1, "(199, [0.1]),"),  # a trailing comma after the last row
]


@pytest.mark.parametrize("cell", ERRORS)
def test_errors_keep_their_message_line_and_column(cell, monkeypatch):
    assert len(cell) > parser.FAST_VALUES
    try:
        expected = _by_grammar(cell, monkeypatch)
    except MilvusSyntaxError as error:
        got = _error(cell)
        assert (got.message, got.line, got.column) == (error.message, error.line, error.column)
        if "row 151" in error.message or "values for 2 columns" in error.message:
            assert "row 151" in got.message
    else:  # the grammar reads it (a string value): the fast path must read the same
        assert parse_cell(cell) == expected


def test_an_error_in_row_151_is_on_line_152():
    error = _error(_broken(150, "(150, [0.1, 0.2.3])"))
    assert error.line == 152 and error.column > 1
