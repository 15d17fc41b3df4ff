"""HELP topics of the tools: EXPORT, PLOT, EVALUATE, EXPLAIN and HELP itself."""

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
        "an interactive map of the vectors, colored by a field, with a search's hits ringed",
        "PLOT table [USING field] [WHERE filter] [COLOR BY field] [METHOD TSNE | PCA | UMAP]\n"
        "     [DIMENSIONS 3] [RETURN field, ...] [HIGHLIGHT (SEARCH ...)] [LIMIT n]\n"
        "     [TO 'map.html' | 'map.png'];",
        (
            "PLOT docs COLOR BY label METHOD PCA LIMIT 2000;",
            "PLOT docs COLOR BY label HIGHLIGHT (SEARCH docs FOR [0.1, 0.2, 0.3, 0.4] LIMIT 8);",
            "PLOT docs METHOD PCA DIMENSIONS 3 TO 'map.html';",
        ),
        "Hover a point for its id, COLOR BY and RETURN values; a PNG and a text summary go "
        "along for viewers without JavaScript. LIMIT (default 2000) draws a seeded sample "
        "and says so.",
    ),
    Topic(
        "EVALUATE",
        "recall@k and latency of a search at each value of a search parameter",
        "EVALUATE SEARCH table [USING field] FOR SAMPLE n | FOR VECTORS FROM 'q.npy'\n"
        "     [WHERE filter] LIMIT k WITH (param = (v1, v2, ...) [, exclude_self = true]);",
        (
            "EVALUATE SEARCH docs FOR SAMPLE 100 LIMIT 10 WITH (nprobe = (1, 8, 32));",
            "EVALUATE SEARCH docs FOR VECTORS FROM 'q.npy' LIMIT 10 WITH (ef = (16, 64, 256));",
        ),
        "Recall is measured against the kernel's exact brute force over every stored vector "
        "(streamed) under the index's metric; latency p50/p95 per query in ms.",
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
