"""Finds the Lark grammar and builds the parser once.

The grammar lives in the source tree's top-level `grammar/`; a wheel carries it as
`milvus_kernel/grammar/`.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from lark import Lark

GRAMMAR_FILE = "milvus.lark"


def grammar_dir() -> Path:
    """`milvus_kernel/grammar` in an installed wheel; the repository's `grammar/` otherwise."""
    package = Path(__file__).resolve().parent.parent
    for candidate in (package / "grammar", package.parent / "grammar"):
        if (candidate / GRAMMAR_FILE).is_file():
            return candidate
    raise FileNotFoundError(f"cannot find {GRAMMAR_FILE} next to {package}")


@cache
def lark_parser() -> Lark:
    """The LALR parser for one statement (trees are turned into statements by `transformer.py`)."""
    path = grammar_dir() / GRAMMAR_FILE
    return Lark(
        path.read_text(encoding="utf-8"),
        parser="lalr",
        lexer="contextual",
        maybe_placeholders=True,  # an absent `[part]` is None: rules read their parts by name
        propagate_positions=False,
        cache=True,  # a pickled parse table in the temp dir, keyed by the grammar's hash
    )


@cache
def keyword_alternatives() -> dict[str, tuple[str, ...]]:
    """Terminal name → the keywords it stands for (`_TABLE` → TABLE, COLLECTION)."""
    words: dict[str, tuple[str, ...]] = {}
    for terminal in lark_parser().terminals:
        value = terminal.pattern.value
        if terminal.pattern.type == "str":
            if value.replace("_", "").isalpha():
                words[terminal.name] = (value.upper(),)
        else:
            alternatives = re.findall(r"\(\?i:([A-Za-z_]+)\)", value)
            if alternatives:
                words[terminal.name] = tuple(w.upper() for w in alternatives)
    return words


@cache
def terminal_text() -> dict[str, str]:
    """Terminal name → what a person would type (keywords upper-case, punctuation as is)."""
    shown: dict[str, str] = {}
    for terminal in lark_parser().terminals:
        pattern = terminal.pattern
        if pattern.type == "str":
            value = pattern.value
            shown[terminal.name] = (
                value.upper() if value.replace("_", "").isalnum() else f"'{value}'"
            )
    shown.update(DESCRIBED_TERMINALS)
    return shown


DESCRIBED_TERMINALS = {
    "NAME": "a name",
    "QUOTED_NAME": "a name",
    "SINGLE_QUOTED": "a string",
    "DOUBLE_QUOTED": "a string",
    "INT": "a whole number",
    "NUMBER": "a number",
    "FLOAT_LIST": "a vector",
    "COMPARE": "a comparison (=, <>, <, ...)",
    "VECTOR_OP": "<->, <=> or <#>",
    "LEGACY_URI": "milvus://host:port",
    "$END": "end of statement",
}
