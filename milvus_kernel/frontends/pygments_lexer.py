"""The Pygments lexer `milvus-sql` (entry point `pygments.lexers`), named by the kernel's
`language_info.pygments_lexer`, so nbconvert's HTML and Sphinx pages highlight the dialect.

Its keywords are the grammar's case-insensitive literals (`"SEARCH"i`) and its types the column
types the parser accepts, read from the same sources the parser and the JupyterLab extension
use, so the three never drift apart.
"""

from __future__ import annotations

import re
from typing import ClassVar

from pygments.lexer import RegexLexer, words
from pygments.token import Comment, Keyword, Name, Number, Operator, Punctuation, String, Text

from milvus_kernel.language.grammar import GRAMMAR_FILE, grammar_dir
from milvus_kernel.language.rules.columns import TYPE_NAMES

LITERAL = re.compile(r'"([A-Za-z_][A-Za-z0-9_]*)"i')


def grammar_keywords() -> list[str]:
    """Every case-insensitive literal of the grammar, upper case, longest first."""
    text = (grammar_dir() / GRAMMAR_FILE).read_text("utf-8")
    found = {word.upper() for word in LITERAL.findall(text)}
    return sorted(found, key=lambda word: (-len(word), word))


class MilvusSqlLexer(RegexLexer):
    """Milvus SQL: the grammar's keywords, column types, strings in both quotings, numbers,
    `--` and `/* */` comments, `:name` binds, backtick names and vector operators."""

    name = "Milvus SQL"
    aliases: ClassVar[list[str]] = ["milvus-sql", "milvus_sql"]
    filenames: ClassVar[list[str]] = []
    mimetypes: ClassVar[list[str]] = ["text/x-milvus-sql"]
    flags = re.IGNORECASE

    tokens: ClassVar[dict[str, list]] = {
        "root": [
            (r"\s+", Text.Whitespace),
            (r"--[^\n]*", Comment.Single),
            (r"/\*[\s\S]*?\*/", Comment.Multiline),
            (r"'(?:[^']|'')*'", String.Single),
            (r'"(?:[^"\\]|\\.)*"', String.Double),
            (r"`[^`\n]+`", Name.Quoted),
            (r":[A-Za-z_][A-Za-z0-9_]*", Name.Variable),
            (r"(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?", Number),
            (words(sorted(TYPE_NAMES, key=len, reverse=True), suffix=r"\b"), Name.Builtin),
            (words(grammar_keywords(), prefix=r"\b", suffix=r"\b"), Keyword),
            (r"[A-Za-z_][A-Za-z0-9_]*", Name),
            (r"<->|<=>|<#>|==|!=|<>|<=|>=|&&|\|\||\*\*|[=<>+\-*/%!]", Operator),
            (r"[()\[\]{},;.:]", Punctuation),
        ]
    }
