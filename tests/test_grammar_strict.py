"""The grammar builds under Lark's strict mode: no two terminals a lexer state can meet match the
same text (a HELP topic once swallowed `/* ... */`), and no LALR conflict is resolved silently.
The collision check needs the `interegular` package (in the test extra).
"""

from __future__ import annotations

import interegular  # noqa: F401 - Lark's strict mode needs it; missing, the test must fail
import pytest
from lark import Lark

from milvus_kernel.language.grammar import GRAMMAR_FILE, grammar_dir


def test_a_strict_build_finds_no_terminal_collision() -> None:
    text = (grammar_dir() / GRAMMAR_FILE).read_text(encoding="utf-8")
    parser = Lark(text, parser="lalr", lexer="contextual", maybe_placeholders=True, strict=True)
    assert "HELP_TOPIC" in {t.name for t in parser.terminals}


def test_strict_mode_does_catch_a_collision() -> None:
    """The check above can fail: a topic that may hold a comment is refused."""
    text = (grammar_dir() / GRAMMAR_FILE).read_text(encoding="utf-8")
    greedy = "\n".join(
        "HELP_TOPIC: /[^;\\s][^;\\n]*/" if line.startswith("HELP_TOPIC") else line
        for line in text.splitlines()
    )
    with pytest.raises(Exception, match="Collision between Terminals"):
        Lark(greedy, parser="lalr", lexer="contextual", maybe_placeholders=True, strict=True)
