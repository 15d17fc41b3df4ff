"""HELP topics of the schema: collections, partitions and indexes."""

from __future__ import annotations

from milvus_kernel.engine.tools.help_topics.topic import Topic, grouped

COLLECTIONS = grouped(
    "collections",
    Topic(
        "CREATE TABLE",
        "create a collection (TABLE and COLLECTION are synonyms)",
        "CREATE TABLE [IF NOT EXISTS] name (\n"
        "  column TYPE [PRIMARY KEY [AUTO_ID]] [NOT NULL] [DEFAULT value] [PARTITION KEY],\n"
        "  text VARCHAR(n) ANALYZER [MATCH],\n"
        "  text_bm25 SPARSE_FLOAT_VECTOR GENERATED ALWAYS AS BM25(text),\n"
        "  vector FLOAT_VECTOR(dim) EMBED(text) USING 'provider:model', ...\n"
        ") [WITH (dynamic_field = true, consistency_level = 'Strong', description = '...', "
        "shards = 1)];\n"
        "CREATE TABLE name WITH (dimension = n [, metric_type = 'L2']);   -- quick form",
        (
            "CREATE TABLE docs (id INT64 PRIMARY KEY, label VARCHAR(20), vector FLOAT_VECTOR(4));",
            "CREATE TABLE articles (id INT64 PRIMARY KEY AUTO_ID, body VARCHAR(2000) ANALYZER "
            "MATCH, body_bm25 SPARSE_FLOAT_VECTOR GENERATED ALWAYS AS BM25(body));",
            "CREATE TABLE quick WITH (dimension = 128, metric_type = 'L2');",
            "CREATE TABLE notes (id INT64 PRIMARY KEY, body VARCHAR(2000), vector "
            "FLOAT_VECTOR(384) EMBED(body) USING 'sentence-transformers:all-MiniLM-L6-v2');",
            "CREATE TABLE events (id INT64 PRIMARY KEY, at TIMESTAMPTZ DEFAULT "
            "'2025-01-01T00:00:00Z', place GEOMETRY, vector FLOAT_VECTOR(4));",
            "CREATE TABLE orders (id INT64 PRIMARY KEY, items ARRAY<STRUCT<name VARCHAR(20), "
            "qty INT32, emb FLOAT_VECTOR(4)>>(8), vector FLOAT_VECTOR(4) NULL);",
        ),
        "Types: BOOL, INT8, INT16, INT32, INT64, FLOAT, DOUBLE, VARCHAR(n), JSON, "
        "ARRAY<type>(capacity), FLOAT_VECTOR(dim) (or VECTOR(dim)), SPARSE_FLOAT_VECTOR, "
        "BINARY_VECTOR(dim), FLOAT16_VECTOR(dim), BFLOAT16_VECTOR(dim), INT8_VECTOR(dim), "
        "TIMESTAMPTZ (ISO-8601 text or datetimes; without an offset, in the collection's "
        "timezone property or UTC; shown in SET timezone's "
        "zone; compared in WHERE as at > '2025-03-01T00:00:00Z'), GEOMETRY (WKT text, 'POINT "
        "(13.4 52.5)'; WHERE ST_WITHIN(place, 'POLYGON ((...))'), ST_CONTAINS, ST_INTERSECTS, "
        "ST_DWITHIN, and on a server ST_EQUALS, ST_TOUCHES, ST_OVERLAPS, ST_CROSSES), "
        "ARRAY<STRUCT<name TYPE, ...>>(capacity) and nullable vectors (vector FLOAT_VECTOR(4) "
        "NULL) on a Milvus 2.6 server (Milvus Lite refuses them: it would drop the one and "
        "ignore the other). "
        "SQL names work too: INT and INTEGER are INT32, BIGINT INT64, TEXT and STRING "
        "VARCHAR(65535), BOOLEAN BOOL, REAL FLOAT. A primary key is INT64 or VARCHAR(n): "
        "`id INT PRIMARY KEY` (or INTEGER) makes an INT64 key. Milvus generates keys with AUTO_ID "
        "(not AUTO_INCREMENT). EMBED(text) USING 'sentence-transformers:name-or-path' (or "
        "'openai:model', key from OPENAI_API_KEY) makes INSERT compute the vectors from the text "
        "and SEARCH ... TEXT embed the words; the binding is kept in the collection's properties "
        '(models: pip install "milvus-sql-kernel[embed]"; never downloaded).',
        aliases=("CREATE COLLECTION", "EMBED", "TIMESTAMPTZ", "GEOMETRY", "STRUCT", "TYPES"),
    ),
    Topic(
        "CREATE EXTERNAL TABLE",
        "a collection over files in object storage (external collection, Milvus 3.0)",
        "CREATE EXTERNAL TABLE [IF NOT EXISTS] name (\n"
        "  column TYPE [NULL] [COMMENT '...'] EXTERNAL 'files_column', ...\n"
        ") FROM 'path/' [WITH (format = 'parquet', spec_key = value, ..., "
        "consistency_level = '...')];",
        (
            "CREATE EXTERNAL TABLE products (product_id INT64 EXTERNAL 'id', product_name "
            "VARCHAR(256) EXTERNAL 'name', embedding FLOAT_VECTOR(128) EXTERNAL 'vector') "
            "FROM 'external-demo/' WITH (format = 'parquet');",
            "CREATE EXTERNAL TABLE lake (k INT64 EXTERNAL 'key', v FLOAT_VECTOR(4) EXTERNAL 'v') "
            "FROM 'lake/' WITH (spec = '{\"format\": \"iceberg-table\"}');",
        ),
        "Every column reads the files' column named by EXTERNAL; it has no PRIMARY KEY, AUTO_ID, "
        "PARTITION KEY, GENERATED function or dynamic field (Milvus reads the rows as the files "
        "have them), and is nullable only when written NULL. FROM is external_source: a path "
        "under the server's bucket. CREATE TABLE's options (consistency_level, description, "
        "shards) go to the collection; every other WITH option is a key of the external_spec "
        "JSON (format = 'parquet' | 'vortex' | 'lance-table' | 'iceberg-table', extfs = "
        "{...}), or spec = '{...}' gives it whole. Then REFRESH EXTERNAL TABLE name reads the "
        "files (SHOW REFRESH JOBS follows it), CREATE INDEX and LOAD as usual. Milvus Lite and "
        "servers before 3.0 have no external collections and refuse it; EXPLAIN shows the code.",
        aliases=("EXTERNAL", "EXTERNAL TABLE", "CREATE EXTERNAL COLLECTION"),
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
        "rename a collection, add a column, change a column or the properties",
        "ALTER TABLE name RENAME TO new_name;\nALTER TABLE name SET (property = value, ...);\n"
        "ALTER TABLE name DROP PROPERTIES ('property', ...);\n"
        "ALTER TABLE name ADD COLUMN column TYPE [NULL] [DEFAULT value];\n"
        "ALTER TABLE name ADD COLUMN column SPARSE_FLOAT_VECTOR GENERATED ALWAYS AS BM25(text)\n"
        "    | BINARY_VECTOR(n) GENERATED ALWAYS AS MINHASH(text) [WITH (...)]\n"
        "    [INDEX [USING index_type] [WITH (metric_type = '...', param = value, ...)]];\n"
        "ALTER TABLE name DROP COLUMN column;\n"
        "ALTER TABLE name ALTER COLUMN column SET (max_length = n | mmap.enabled = true, ...);",
        (
            "ALTER TABLE docs RENAME TO docs2;",
            "ALTER TABLE docs SET (collection.ttl.seconds = 3600);",
            "ALTER TABLE docs DROP PROPERTIES ('collection.ttl.seconds');",
            "ALTER TABLE docs ADD COLUMN note VARCHAR(100) NULL DEFAULT 'x';",
            "ALTER TABLE docs ADD COLUMN sparse SPARSE_FLOAT_VECTOR GENERATED ALWAYS AS "
            "BM25(body) INDEX USING SPARSE_INVERTED_INDEX WITH (bm25_k1 = 1.2, bm25_b = 0.75);",
            "ALTER TABLE docs ADD COLUMN mh BINARY_VECTOR(512) GENERATED ALWAYS AS MINHASH(body) "
            "WITH (num_hashes = 16, shingle_size = 3);",
            "ALTER TABLE orders ADD COLUMN extras ARRAY<STRUCT<note VARCHAR(200), emb "
            "FLOAT_VECTOR(4)>>(100) NULL;",
            "ALTER TABLE docs DROP COLUMN sparse;",
            "ALTER TABLE docs ALTER COLUMN label SET (max_length = 64);",
        ),
        "An added column is nullable (the rows already there get its DEFAULT, or NULL). ADD "
        "COLUMN and ALTER COLUMN need Milvus 2.6: Milvus Lite says they are not supported. A "
        "column GENERATED ALWAYS AS BM25 or MINHASH comes with its function and its index "
        "(default SPARSE_INVERTED_INDEX / BM25, MINHASH_LSH / MHJACCARD) in one schema change, "
        "add_function_field; the server fills the rows already there. DROP COLUMN drops a "
        "function's output with its function (drop_function_field), any other column with "
        "drop_collection_field. Both need Milvus 3.0 (AlterCollectionSchema). An added "
        "ARRAY<STRUCT<...>> column (add_collection_struct_field) needs Milvus 2.6.",
    ),
    Topic(
        "STRUCT ARRAYS",
        "element-level filters and embedding-list search in ARRAY<STRUCT<...>> columns",
        "... WHERE ELEMENT_FILTER(struct_column, condition on its sub-fields) ...\n"
        "SEARCH table USING column[vector] FOR EMBEDDINGS ([...], [...], ...)\n"
        "    [, EMBEDDINGS ([...], ...)] [WHERE ...] [RETURN ...] [LIMIT k];\n"
        "CREATE INDEX [name] ON table (column[vector]) USING HNSW\n"
        "    WITH (metric_type = 'MAX_SIM_IP' | 'MAX_SIM_COSINE' | 'COSINE' | ..., ...);",
        (
            "SELECT id FROM orders WHERE ELEMENT_FILTER(items, qty = 3 OR qty = 5) LIMIT 5;",
            "SEARCH orders USING items[emb] FOR [0.1, 0.2, 0.3, 0.4] WHERE content = 'aaa' AND "
            "ELEMENT_FILTER(items, qty > 50) LIMIT 10 WITH (hints = 'iterative_filter');",
            "SEARCH orders USING items[emb] FOR EMBEDDINGS ([0.1, 0.2, 0.3, 0.4], "
            "[0.4, 0.3, 0.2, 0.1]), EMBEDDINGS ([1, 0, 0, 0]) RETURN content LIMIT 10;",
            "CREATE INDEX items_emb ON orders (items[emb]) USING HNSW WITH (metric_type = "
            "'MAX_SIM_IP', M = 16, efConstruction = 200);",
        ),
        "Inside ELEMENT_FILTER the bare names are the struct's sub-fields (sent as $[qty]): a row "
        "matches when one of its elements does. EMBEDDINGS (...) is one query of several "
        "vectors (a pymilvus EmbeddingList), compared with each row's vectors by a MAX_SIM "
        "index. Struct arrays need a Milvus 2.6 server: Milvus Lite and older servers say these "
        "are not supported.",
        aliases=("ELEMENT_FILTER", "EMBEDDINGS", "EMBEDDING LIST", "MAX_SIM"),
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

PARTITIONS = grouped(
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

INDEXES = grouped(
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
        "ALTER INDEX",
        "set or drop an index's properties (mmap.enabled, ...)",
        "ALTER INDEX name ON table SET (property = value, ...);\n"
        "ALTER INDEX name ON table DROP PROPERTIES ('property', ...);",
        (
            "ALTER INDEX vector ON docs SET (mmap.enabled = true);",
            "ALTER INDEX vector ON docs DROP PROPERTIES ('mmap.enabled');",
        ),
        "Milvus Lite has no index properties: it says so.",
    ),
    Topic(
        "DESCRIBE INDEX",
        "an index's type, metric, build parameters and state",
        "DESCRIBE INDEX name ON table;",
        ("DESCRIBE INDEX vector ON docs;",),
    ),
)
