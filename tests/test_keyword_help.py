"""Shift+Tab help for keywords comes from the HELP topics, so it names every statement form."""

from __future__ import annotations

from milvus_kernel.engine.tools.help_topics import TOPICS
from milvus_kernel.frontends.keyword_help import CLAUSE_HELP, KEYWORD_HELP


def test_every_topic_is_under_its_first_keyword():
    for topic in TOPICS:
        first_line = topic.syntax.strip().splitlines()[0].split("--")[0].strip().removesuffix(";")
        word = topic.name.split()[0]
        if word in CLAUSE_HELP:
            continue
        assert first_line in KEYWORD_HELP[word], (topic.name, KEYWORD_HELP[word])


def test_plot_shows_its_current_syntax():
    plot = next(t for t in TOPICS if t.name == "PLOT")
    first_line = plot.syntax.strip().splitlines()[0].split("--")[0].strip()
    assert KEYWORD_HELP["PLOT"].startswith(first_line)
    assert "UMAP" in KEYWORD_HELP["PLOT"]


def test_clause_words_keep_their_own_line():
    assert KEYWORD_HELP["WHERE"].startswith("WHERE filter")
    assert KEYWORD_HELP["RERANK"].startswith("RERANK ")
    assert "ALTER INDEX" in KEYWORD_HELP["ALTER"] and "ALTER TABLE" in KEYWORD_HELP["ALTER"]
