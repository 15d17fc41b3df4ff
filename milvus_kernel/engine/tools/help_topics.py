"""The text of HELP, part 1: connection and session, databases, collections, partitions, aliases,
indexes. Each `Topic` has its syntax, a sentence or two, and examples that parse (tested).
"""

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


def _t(group: str, *topics: Topic) -> tuple[Topic, ...]:
    return tuple(
        Topic(t.name, t.summary, t.syntax, t.examples, t.notes, t.aliases, group) for t in topics
    )


SESSION = _t(
    "connection and session",
    Topic(
        "CONNECT",
        "connect to a Milvus server, a Milvus Lite file, or a named connection",
        "CONNECT 'uri' [USER 'u' PASSWORD 'p' | TOKEN 'user:password'] [DATABASE 'db'] [AS name];\n"
        "CONNECT './file.db';\nCONNECT name;\nmilvus://host:port",
        ("CONNECT './demo.db';", "CONNECT 'http://localhost:19530' TOKEN 'root:Milvus' AS local;"),
        "Before any CONNECT the kernel uses MILVUS_URI (with MILVUS_TOKEN, or MILVUS_USER and "
        "MILVUS_PASSWORD, and MILVUS_DB), else the Lite file milvus_kernel.db next to the "
        "notebook. Named connections come from ~/.config/milvus-kernel/connections.toml. "
        "Passwords and tokens are never shown.",
    ),
    Topic("DISCONNECT", "close the current connection", "DISCONNECT;", ("DISCONNECT;",)),
    Topic(
        "SHOW CONNECTION",
        "the uri (credentials masked), server version, database and user",
        "SHOW CONNECTION;",
        ("SHOW CONNECTION;",),
    ),
    Topic(
        "SET",
        "change a setting of the session",
        "SET display_limit = n;      -- rows shown per result (0 = all)\n"
        "SET timeout = seconds;      -- per Milvus call (NULL = a default that fits it)\n"
        "SET consistency_level = 'Strong' | 'Bounded' | 'Session' | 'Eventually' | NULL;",
        ("SET display_limit = 20;", "SET consistency_level = 'Strong';"),
    ),
    Topic("SHOW SETTINGS", "the session's settings", "SHOW SETTINGS;", ("SHOW SETTINGS;",)),
)

DATABASES = _t(
    "databases",
    Topic(
        "CREATE DATABASE",
        "create a database",
        "CREATE DATABASE [IF NOT EXISTS] name;",
        ("CREATE DATABASE IF NOT EXISTS analytics;",),
    ),
    Topic(
        "DROP DATABASE",
        "drop an empty database",
        "DROP DATABASE [IF EXISTS] name;",
        ("DROP DATABASE IF EXISTS analytics;",),
    ),
    Topic("USE", "switch to another database", "USE name;", ("USE analytics;",)),
    Topic("SHOW DATABASES", "list the databases", "SHOW DATABASES;", ("SHOW DATABASES;",)),
)

COLLECTIONS = _t(
    "collections",
    Topic(
        "CREATE TABLE",
        "create a collection (TABLE and COLLECTION are synonyms)",
        "CREATE TABLE [IF NOT EXISTS] name (\n"
        "  column TYPE [PRIMARY KEY [AUTO_ID]] [NOT NULL] [DEFAULT value] [PARTITION KEY],\n"
        "  text VARCHAR(n) ANALYZER [MATCH],\n"
        "  text_bm25 SPARSE_FLOAT_VECTOR GENERATED ALWAYS AS BM25(text), ...\n"
        ") [WITH (dynamic_field = true, consistency_level = 'Strong', description = '...', "
        "shards = 1)];\n"
        "CREATE TABLE name WITH (dimension = n [, metric_type = 'L2']);   -- quick form",
        (
            "CREATE TABLE docs (id INT64 PRIMARY KEY, label VARCHAR(20), vector FLOAT_VECTOR(4));",
            "CREATE TABLE articles (id INT64 PRIMARY KEY AUTO_ID, body VARCHAR(2000) ANALYZER "
            "MATCH, body_bm25 SPARSE_FLOAT_VECTOR GENERATED ALWAYS AS BM25(body));",
            "CREATE TABLE quick WITH (dimension = 128, metric_type = 'L2');",
        ),
        "Types: BOOL, INT8, INT16, INT32, INT64, FLOAT, DOUBLE, VARCHAR(n), JSON, "
        "ARRAY<type>(capacity), FLOAT_VECTOR(dim) (or VECTOR(dim)), SPARSE_FLOAT_VECTOR, "
        "BINARY_VECTOR(dim), FLOAT16_VECTOR(dim), BFLOAT16_VECTOR(dim), INT8_VECTOR(dim). "
        "SQL names work too: INT and INTEGER are INT32, BIGINT INT64, TEXT and STRING "
        "VARCHAR(65535), BOOLEAN BOOL, REAL FLOAT. A primary key is INT64 or VARCHAR(n): "
        "`id INT PRIMARY KEY` (or INTEGER) makes an INT64 key. Milvus generates keys with AUTO_ID "
        "(not AUTO_INCREMENT).",
        aliases=("CREATE COLLECTION",),
    ),
    Topic(
        "DROP TABLE",
        "drop a collection and its data",
        "DROP TABLE [IF EXISTS] name;",
        ("DROP TABLE IF EXISTS docs;",),
        aliases=("DROP COLLECTION",),
    ),
    Topic("SHOW TABLES", "list the collections", "SHOW TABLES;", ("SHOW TABLES;",)),
    Topic(
        "DESCRIBE",
        "the fields of a collection",
        "DESCRIBE name;",
        ("DESCRIBE docs;",),
        aliases=("DESC", "DESCRIBE TABLE"),
    ),
    Topic(
        "SHOW CREATE TABLE",
        "a CREATE TABLE statement that recreates the collection's schema",
        "SHOW CREATE TABLE name;",
        ("SHOW CREATE TABLE docs;",),
    ),
    Topic(
        "ALTER TABLE",
        "rename a collection or set its properties",
        "ALTER TABLE name RENAME TO new_name;\nALTER TABLE name SET (property = value, ...);",
        (
            "ALTER TABLE docs RENAME TO docs2;",
            "ALTER TABLE docs SET (collection.ttl.seconds = 3600);",
        ),
    ),
    Topic(
        "TRUNCATE TABLE",
        "delete every row of a collection",
        "TRUNCATE TABLE name;",
        ("TRUNCATE TABLE docs;",),
    ),
    Topic("SHOW STATS", "the row count of a collection", "SHOW STATS name;", ("SHOW STATS docs;",)),
    Topic(
        "LOAD",
        "load a collection into memory (reads load it when needed)",
        "LOAD name;",
        ("LOAD docs;",),
    ),
    Topic("RELEASE", "release a collection from memory", "RELEASE name;", ("RELEASE docs;",)),
    Topic(
        "SHOW LOAD STATE",
        "whether a collection is loaded",
        "SHOW LOAD STATE name;",
        ("SHOW LOAD STATE docs;",),
    ),
    Topic("FLUSH", "seal and persist pending writes", "FLUSH name [, name ...];", ("FLUSH docs;",)),
    Topic("COMPACT", "compact a collection's segments", "COMPACT name;", ("COMPACT docs;",)),
)

PARTITIONS = _t(
    "partitions",
    Topic(
        "CREATE PARTITION",
        "create a partition of a collection",
        "CREATE PARTITION [IF NOT EXISTS] p ON table;",
        ("CREATE PARTITION IF NOT EXISTS p2024 ON docs;",),
    ),
    Topic(
        "DROP PARTITION",
        "drop a partition and its rows",
        "DROP PARTITION [IF EXISTS] p ON table;",
        ("DROP PARTITION IF EXISTS p2024 ON docs;",),
    ),
    Topic(
        "SHOW PARTITIONS",
        "list the partitions of a collection",
        "SHOW PARTITIONS [FROM] table;",
        ("SHOW PARTITIONS docs;",),
    ),
    Topic(
        "LOAD PARTITION",
        "load partitions (not on Milvus Lite)",
        "LOAD PARTITION p [, ...] ON table;",
        ("LOAD PARTITION p2024 ON docs;",),
    ),
    Topic(
        "RELEASE PARTITION",
        "release partitions (not on Milvus Lite)",
        "RELEASE PARTITION p [, ...] ON table;",
        ("RELEASE PARTITION p2024 ON docs;",),
    ),
)

ALIASES = _t(
    "aliases",
    Topic(
        "CREATE ALIAS",
        "a second name for a collection",
        "CREATE ALIAS a FOR table;",
        ("CREATE ALIAS current_docs FOR docs;",),
    ),
    Topic(
        "ALTER ALIAS",
        "point an alias at another collection",
        "ALTER ALIAS a FOR table;",
        ("ALTER ALIAS current_docs FOR docs2;",),
    ),
    Topic("DROP ALIAS", "drop an alias", "DROP ALIAS a;", ("DROP ALIAS current_docs;",)),
    Topic("SHOW ALIASES", "list aliases", "SHOW ALIASES [ON table];", ("SHOW ALIASES ON docs;",)),
)

INDEXES = _t(
    "indexes",
    Topic(
        "CREATE INDEX",
        "build an index on a vector or scalar field",
        "CREATE INDEX [name] ON table (field) [USING type] [WITH (metric_type = '...', param = "
        "value, ...)];",
        (
            "CREATE INDEX ON docs (vector) USING HNSW WITH (metric_type = 'COSINE', M = 16, "
            "efConstruction = 200);",
            "CREATE INDEX ON docs (label) USING INVERTED;",
            "CREATE INDEX ON articles (body_bm25);",
        ),
        "Without USING: AUTOINDEX for dense vectors, SPARSE_INVERTED_INDEX for sparse ones (metric "
        "BM25 for a BM25 field, else IP), INVERTED for scalars. Without metric_type: COSINE. "
        "HELP -index lists the index types, HELP -metric the metrics.",
    ),
    Topic(
        "DROP INDEX", "drop an index", "DROP INDEX name ON table;", ("DROP INDEX vector ON docs;",)
    ),
    Topic(
        "SHOW INDEXES",
        "the indexes of a collection",
        "SHOW INDEXES [ON] table;   DESCRIBE INDEX table;   -- the same table",
        ("SHOW INDEXES ON docs;", "SHOW INDEXES docs;", "DESC INDEX docs;"),
    ),
    Topic(
        "DESCRIBE INDEX",
        "an index's type, metric, build parameters and state",
        "DESCRIBE INDEX name ON table;",
        ("DESCRIBE INDEX vector ON docs;",),
    ),
)
