"""The Pygments lexer `milvus-sql` (nbconvert's HTML, Sphinx): found by name through its entry
point, named by the kernel's language_info, and its tokens on a set of statements."""

from __future__ import annotations

import pytest
from pygments.lexers import get_lexer_by_name
from pygments.token import Comment, Keyword, Name, Number, String, Token

from milvus_kernel.frontends.kernel import MilvusKernel
from milvus_kernel.frontends.pygments_lexer import MilvusSqlLexer, grammar_keywords


def tokens(text: str) -> list[tuple[object, str]]:
    lexer = get_lexer_by_name("milvus-sql")
    return [(t, v) for t, v in lexer.get_tokens(text) if t is not Token.Text.Whitespace]


def test_found_by_its_name_and_named_by_the_kernel():
    assert isinstance(get_lexer_by_name("milvus-sql"), MilvusSqlLexer)
    assert MilvusKernel.language_info["pygments_lexer"] == "milvus-sql"


def test_keywords_are_the_grammars():
    words = set(grammar_keywords())
    assert {"SEARCH", "RERANK", "USING", "CONNECT", "SELECT"} <= words
    assert "FLOAT_VECTOR" not in words  # a type, not a literal of the grammar


@pytest.mark.parametrize(
    ("statement", "expected"),
    [
        (
            "SEARCH docs FOR [0.1, -2e3] USING vec RERANK BY rrf() LIMIT 3;",
            [
                (Keyword, "SEARCH"),
                (Name, "docs"),
                (Keyword, "FOR"),
                (Token.Punctuation, "["),
                (Number, "0.1"),
                (Token.Punctuation, ","),
                (Token.Operator, "-"),
                (Number, "2e3"),
                (Token.Punctuation, "]"),
                (Keyword, "USING"),
                (Name, "vec"),
                (Keyword, "RERANK"),
                (Keyword, "BY"),
                (Name, "rrf"),
                (Token.Punctuation, "("),
                (Token.Punctuation, ")"),
                (Keyword, "LIMIT"),
                (Number, "3"),
                (Token.Punctuation, ";"),
            ],
        ),
        (
            "create table `my t` (pk int64 primary key, v float_vector(4));",
            [
                (Keyword, "create"),
                (Keyword, "table"),
                (Name.Quoted, "`my t`"),
                (Token.Punctuation, "("),
                (Name, "pk"),
                (Name.Builtin, "int64"),
                (Keyword, "primary"),
                (Keyword, "key"),
                (Token.Punctuation, ","),
                (Name, "v"),
                (Name.Builtin, "float_vector"),
                (Token.Punctuation, "("),
                (Number, "4"),
                (Token.Punctuation, ")"),
                (Token.Punctuation, ")"),
                (Token.Punctuation, ";"),
            ],
        ),
        (
            "SELECT * FROM t WHERE a = 'it''s' AND b = \"x\\\"y\" OR c IN :ids -- done\n/* a\nb */",
            [
                (Keyword, "SELECT"),
                (Token.Operator, "*"),
                (Keyword, "FROM"),
                (Name, "t"),
                (Keyword, "WHERE"),
                (Name, "a"),
                (Token.Operator, "="),
                (String.Single, "'it''s'"),
                (Keyword, "AND"),
                (Name, "b"),
                (Token.Operator, "="),
                (String.Double, '"x\\"y"'),
                (Keyword, "OR"),
                (Name, "c"),
                (Keyword, "IN"),
                (Name.Variable, ":ids"),
                (Comment.Single, "-- done"),
                (Comment.Multiline, "/* a\nb */"),
            ],
        ),
        (
            "SEARCH t FOR [1, 0] WHERE v <-> [0, 1] < 2",
            [
                (Keyword, "SEARCH"),
                (Name, "t"),
                (Keyword, "FOR"),
                (Token.Punctuation, "["),
                (Number, "1"),
                (Token.Punctuation, ","),
                (Number, "0"),
                (Token.Punctuation, "]"),
                (Keyword, "WHERE"),
                (Name, "v"),
                (Token.Operator, "<->"),
                (Token.Punctuation, "["),
                (Number, "0"),
                (Token.Punctuation, ","),
                (Number, "1"),
                (Token.Punctuation, "]"),
                (Token.Operator, "<"),
                (Number, "2"),
            ],
        ),
    ],
)
def test_tokens(statement: str, expected: list[tuple[object, str]]):
    assert tokens(statement) == expected


def test_a_keyword_inside_a_name_is_a_name():
    assert tokens("SELECT searchable, user_id FROM t") == [
        (Keyword, "SELECT"),
        (Name, "searchable"),
        (Token.Punctuation, ","),
        (Name, "user_id"),
        (Keyword, "FROM"),
        (Name, "t"),
    ]


def test_nbconvert_html_highlights_the_dialect():
    """nbconvert finds the lexer by the name language_info gives (SQL would leave RERANK plain)."""
    nbformat = pytest.importorskip("nbformat")
    exporters = pytest.importorskip("nbconvert")
    nb = nbformat.v4.new_notebook()
    nb.metadata.language_info = dict(MilvusKernel.language_info)
    nb.cells = [nbformat.v4.new_code_cell("SEARCH t FOR [1, 2] RERANK RRF LIMIT 3;")]
    html, _ = exporters.HTMLExporter().from_notebook_node(nb)
    for word in ("SEARCH", "FOR", "RERANK", "LIMIT"):
        assert f'<span class="k">{word}</span>' in html, word
    assert '<span class="m">3</span>' in html
