"""HELP topics of the tools: EXPORT, PLOT, EXPLAIN and HELP itself."""

from __future__ import annotations

from milvus_kernel.engine.tools.help_topics.topic import Topic, grouped

TOOLS = grouped(
    "export, visualize, explain, help",
    Topic(
        "EXPORT",
        "write a query's rows to a file, streamed",
        "EXPORT (SELECT ...) TO 'file.parquet' | 'file.csv' | 'file.jsonl';",
        ("EXPORT (SELECT * FROM docs WHERE label = 'red') TO 'red.parquet';",),
    ),
    Topic(
        "PLOT",
        "a 2-D picture of the vectors, colored by a field, with a search's hits outlined",
        "PLOT table [USING field] [WHERE filter] [COLOR BY field] [METHOD TSNE | PCA]\n"
        "     [HIGHLIGHT (SEARCH ...)] [LIMIT n];",
        (
            "PLOT docs COLOR BY label METHOD PCA LIMIT 2000;",
            "PLOT docs COLOR BY label HIGHLIGHT (SEARCH docs FOR [0.1, 0.2, 0.3, 0.4] LIMIT 8);",
        ),
    ),
    Topic(
        "EXPLAIN",
        "the pymilvus Python code the kernel runs for a statement, without running it",
        "EXPLAIN statement;",
        ("EXPLAIN SEARCH docs FOR [0.1, 0.2, 0.3, 0.4] LIMIT 3;",),
        "Metadata calls (describe_collection, list_indexes, ...) run; the calls shown do not. "
        "Credentials are masked.",
    ),
    Topic(
        "HELP",
        "the list of statements, or one statement's syntax and examples",
        "HELP;\nHELP statement;\nhelp -metric\nhelp -index",
        ("HELP;", "HELP SEARCH;", "HELP CREATE TABLE;"),
    ),
)
