"""Short help for the language's keywords, shown by the kernel's inspect (Shift+Tab in Jupyter).

A statement keyword (SELECT, ALTER, SHOW …) answers with the first syntax line of every HELP
topic it begins, taken from the HELP topics themselves (`engine.tools.help_topics.TOPICS`), so
the two never disagree; `HELP <statement>;` gives the full syntax and examples. The words that
only appear inside statements (WHERE, LIMIT, WITH …) have a line of their own here.
"""

from __future__ import annotations

from milvus_kernel.engine.tools.help_topics import TOPICS, Topic

#: Words that begin no statement, with what they mean where they appear.
CLAUSE_HELP: dict[str, str] = {
    "WHERE": "WHERE filter — SQL or Milvus filter syntax (=, <>, IN, LIKE, BETWEEN, JSON paths, …)",
    "LIMIT": "LIMIT n [OFFSET m] — at most n rows or hits",
    "ORDER": "ORDER BY field [ASC | DESC], … — rows in that order (NULLs last)",
    "GROUP": "GROUP BY field — one row per group (SELECT) or hits per group (SEARCH)",
    "RERANK": "RERANK RRF(k) | WEIGHTED(w, …) | DECAY(…) | BOOST(…) | MODEL(…) — how hits rank",
    "RETURN": "RETURN fields — the fields shown with each search hit",
    "WITH": "WITH (name = value, …) — options: index or search parameters, properties",
    "TABLE": "TABLE (synonym COLLECTION) — a Milvus collection",
    "COLLECTION": "COLLECTION (synonym TABLE) — a Milvus collection",
    "PARTITION": "PARTITION p ON coll — a named part of a collection",
    "INDEX": "CREATE INDEX [name] ON coll (field) USING type [WITH (params)] — an index on a field",
    "ALIAS": "CREATE ALIAS a FOR coll — another name for a collection",
    "DATABASE": "CREATE DATABASE d; USE d — a namespace of collections",
}


def _first_syntax_line(topic: Topic) -> str:
    line = topic.syntax.strip().splitlines()[0].split("--")[0].strip().removesuffix(";")
    return f"{line} — {topic.summary}" if topic.summary else line


def _statement_help() -> dict[str, str]:
    """Keyword → the first syntax line of each topic it begins (in HELP's order)."""
    lines: dict[str, list[str]] = {}
    for topic in TOPICS:
        for name in (topic.name, *topic.aliases):
            first = name.split()[0]
            if first == topic.name.split()[0] or " " not in name:
                entry = lines.setdefault(first, [])
                if _first_syntax_line(topic) not in entry:
                    entry.append(_first_syntax_line(topic))
    return {word: "\n".join(entries) for word, entries in lines.items()}


#: Keyword (upper case) → its help text: the statements it begins, or its clause line.
KEYWORD_HELP: dict[str, str] = {**_statement_help(), **CLAUSE_HELP}
