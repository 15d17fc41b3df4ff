"""docs/reference/coverage.md is honest: every public MilvusClient method is in its method
table; each one marked reached is called by the engine (its name passed as a string to
`catalog.call` / `fetch`, or called on the client or on `MilvusClient` itself), with a statement
that parses; each one not reached says why; the count it states is the count of the table.
In the examples table every statement parses and every test file it names exists."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pymilvus import MilvusClient

from milvus_kernel.language.parser import parse_cell

ROOT = Path(__file__).resolve().parent.parent
PAGE = ROOT / "docs" / "reference" / "coverage.md"
ENGINE = ROOT / "milvus_kernel" / "engine"
#: Modules that name methods without calling them: deadlines by method, EXPLAIN's recorder and
#: its code writer.
NOT_CALLS = ("connection/settings.py", "tools/explain.py", "tools/python_code.py")
STATEMENT_WORDS = [
    "CREATE",
    "DROP",
    "ALTER",
    "SHOW",
    "DESCRIBE",
    "SELECT",
    "SEARCH",
    "INSERT",
    "UPSERT",
    "UPDATE",
    "DELETE",
    "GRANT",
    "REVOKE",
    "CONNECT",
    "DISCONNECT",
    "USE",
    "LOAD",
    "RELEASE",
    "FLUSH",
    "COMPACT",
    "TRUNCATE",
    "EXPORT",
    "IMPORT",
    "RESTORE",
    "REFRESH",
    "PIN",
    "UNPIN",
    "TRANSFER",
    "OPTIMIZE",
    "SET",
    "EXPLAIN",
]


def public_methods() -> set[str]:
    return {
        name
        for name in dir(MilvusClient)
        if not name.startswith("_") and callable(getattr(MilvusClient, name))
    }


def table(section: str) -> list[list[str]]:
    """The rows (cells stripped) of the first table after the heading `## section`."""
    text = PAGE.read_text(encoding="utf-8")
    body = text.split(f"\n## {section}\n", 1)[1].split("\n## ", 1)[0]
    lines = [line for line in body.splitlines() if line.startswith("|")]
    return [[cell.strip() for cell in line.strip("|").split("|")] for line in lines[2:]]


def statements(cell: str) -> list[str]:
    return [s for s in re.findall(r"`([^`]+)`", cell) if s.split()[0] in STATEMENT_WORDS]


def engine_sources() -> dict[str, str]:
    return {
        path.relative_to(ENGINE).as_posix(): path.read_text(encoding="utf-8")
        for path in ENGINE.rglob("*.py")
        if path.relative_to(ENGINE).as_posix() not in NOT_CALLS
    }


def calls_of(method: str, sources: dict[str, str]) -> list[str]:
    pattern = re.compile(rf"[\"']{method}[\"']|(?:client|MilvusClient)\.{method}\(")
    return [name for name, text in sources.items() if pattern.search(text)]


def test_every_public_method_is_in_the_table_once():
    names = [re.sub(r"`", "", row[0]) for row in table("MilvusClient methods")]
    assert len(names) == len(set(names))
    assert set(names) == public_methods()


def test_methods_marked_reached_are_called_and_the_others_say_why():
    sources = engine_sources()
    rows = table("MilvusClient methods")
    reached = 0
    for row in rows:
        method, mark, statement, why = row[0].strip("`"), row[1], row[2], row[3]
        assert mark in ("yes", "no"), row
        if mark == "yes":
            reached += 1
            assert calls_of(method, sources), (
                f"{method} is marked reached; the engine never calls it"
            )
            assert statements(statement), f"{method}: no statement"
            for text in statements(statement):
                assert parse_cell(text), text
        else:
            assert len(why) > 20, f"{method}: say why no statement calls it"
    stated = re.search(r"\*\*(\d+) of (\d+)\*\*", PAGE.read_text(encoding="utf-8"))
    assert stated is not None
    assert (int(stated[1]), int(stated[2])) == (reached, len(rows))
    print(f"MilvusClient methods reached: {reached} of {len(rows)}")
    assert reached >= 110


EXAMPLES = table("pymilvus examples")


def test_every_example_has_one_row():
    names = [row[0] for row in EXAMPLES]
    assert len(names) == len(set(names)) and len(names) >= 69
    assert all(row[2] for row in EXAMPLES)


@pytest.mark.parametrize("row", EXAMPLES, ids=[row[0].strip("`") for row in EXAMPLES])
def test_example_statements_parse_and_tests_exist(row: list[str]):
    for text in statements(row[1]):
        assert parse_cell(text), text
    for name in re.findall(r"(test_\w+)\.py", row[2]):
        assert (ROOT / "tests" / f"{name}.py").is_file(), f"{row[0]}: no tests/{name}.py"
