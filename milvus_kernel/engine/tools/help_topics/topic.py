"""A topic of HELP: one statement (or family of forms), its syntax, a sentence or two, and
examples that parse (tests/test_help.py parses every one)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Topic:
    """One statement (or family of forms) of the language."""

    name: str  # what HELP <name> answers to, upper case
    summary: str
    syntax: str
    examples: tuple[str, ...]
    notes: str = ""
    aliases: tuple[str, ...] = ()
    group: str = ""


def grouped(group: str, *topics: Topic) -> tuple[Topic, ...]:
    """`topics` as members of the family `group` (HELP lists them under it)."""
    return tuple(
        Topic(t.name, t.summary, t.syntax, t.examples, t.notes, t.aliases, group) for t in topics
    )
