"""HELP: a table of every statement, or one statement's syntax, notes and examples.

`HELP` lists the statements by family; `HELP SEARCH` (any case, any spacing, quoted or not) shows
one; a word that starts several topics (`HELP CREATE`) shows them all; `help -metric` and
`help -index` (the old kernel's forms) list the metric types and the index types. The text lives
in `help_topics/`, one module per family; every example there parses (tests/test_help.py).
"""

from __future__ import annotations

import textwrap

from milvus_kernel.engine.catalog import Catalog
from milvus_kernel.engine.tools.help_topics import INDEX_TYPES, METRICS, TOPICS, Topic
from milvus_kernel.language.statements import Help
from milvus_kernel.results import Message, Result

METRIC_TOPICS = ("-METRIC", "METRIC", "METRICS", "METRIC TYPES", "METRIC_TYPE")
INDEX_TOPICS = ("-INDEX", "INDEX TYPES", "INDEX_TYPE", "INDEXES", "INDEX")


def normalize(topic: str) -> str:
    """`'create  table';` → `CREATE TABLE`."""
    text = topic.strip().rstrip(";").strip()
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"`":
        text = text[1:-1]
    return " ".join(text.upper().split())


def find(topic: str) -> list[Topic]:
    """The topics `topic` names: an exact name or alias, else every topic it starts."""
    wanted = normalize(topic)
    exact = [t for t in TOPICS if wanted == t.name or wanted in t.aliases]
    if exact:
        return exact
    return [t for t in TOPICS if t.name.startswith(wanted + " ") or t.name.startswith(wanted)]


def columns_text(headers: tuple[str, ...], rows: list[tuple[str, ...]]) -> str:
    """Rows as aligned text columns under a header (a Message: no row limit, nothing cut)."""
    widths = [max(len(r[i]) for r in [headers, *rows]) for i in range(len(headers))]

    def line(row: tuple[str, ...]) -> str:
        return "  ".join(
            cell.ljust(width) for cell, width in zip(row, widths, strict=True)
        ).rstrip()

    rule = "  ".join("-" * width for width in widths)
    return "\n".join([line(headers), rule, *(line(row) for row in rows)])


def statement_list() -> Message:
    """Every statement, by family, with what it does."""
    width = max(len(t.name) for t in TOPICS)
    parts = [
        "Milvus SQL statements. HELP <statement> shows its syntax and examples;",
        "help -metric lists the metric types, help -index the index types.",
    ]
    group = None
    for topic in TOPICS:
        if topic.group != group:
            group = topic.group
            parts += ["", group]
        parts.append(f"  {topic.name.ljust(width)}  {topic.summary}")
    return Message("\n".join(parts))


def show(topic: Topic) -> str:
    parts = [f"{topic.name} — {topic.summary}", "", textwrap.indent(topic.syntax, "  ")]
    if topic.notes:
        parts += ["", textwrap.fill(topic.notes, width=96)]
    parts += ["", "Example" + ("s:" if len(topic.examples) > 1 else ":")]
    parts += [textwrap.indent(example, "  ") for example in topic.examples]
    return "\n".join(parts)


def metric_table() -> Message:
    headers = ("metric_type", "for", "closer is", "measures")
    return Message("metric types\n\n" + columns_text(headers, list(METRICS)))


def index_table() -> Message:
    headers = ("index_type", "for", "build parameters", "search parameters", "on Milvus Lite")
    return Message("index types\n\n" + columns_text(headers, list(INDEX_TYPES)))


def help_statement(catalog: Catalog | None, statement: Help) -> Result:
    if statement.topic is None or not normalize(statement.topic):
        return statement_list()
    wanted = normalize(statement.topic)
    if wanted in METRIC_TOPICS:
        return metric_table()
    if wanted in INDEX_TOPICS:
        return index_table()
    found = find(statement.topic)
    if not found:
        return Message(
            f"no help on '{statement.topic.strip()}'. HELP lists the statements; "
            "for example HELP SEARCH, HELP CREATE TABLE, help -metric, help -index."
        )
    return Message("\n\n".join(show(topic) for topic in found))


HANDLERS = {Help: help_statement}
