"""The text of HELP, part 2: writing, reading and searching, export and tools, users and roles,
the old kernel's dialect, and the tables of metric types (`help -metric`) and index types
(`help -index`).
"""

from __future__ import annotations

from milvus_kernel.engine.tools.help_topics import Topic, _t

WRITING = _t(
    "writing data",
    Topic(
        "INSERT",
        "add rows, from values or from a file",
        "INSERT INTO table [PARTITION p] [(column, ...)] VALUES (...), (...);\n"
        "INSERT INTO table [PARTITION p] FROM 'rows.parquet' | 'rows.csv' | 'rows.jsonl' | "
        "'rows.npy' [WITH (batch_size = 5000)];",
        (
            "INSERT INTO docs VALUES (1, 'red', [0.1, 0.2, 0.3, 0.4]), "
            "(2, 'blue', [0.9, 0.8, 0.7, 0.6]);",
            "INSERT INTO docs FROM 'rows.parquet' WITH (batch_size = 5000);",
        ),
    ),
    Topic(
        "UPSERT",
        "insert rows, replacing those with the same primary key",
        "UPSERT INTO table ... (the same two forms as INSERT)",
        ("UPSERT INTO docs VALUES (1, 'green', [0.1, 0.2, 0.3, 0.5]);",),
    ),
    Topic(
        "DELETE",
        "delete the rows a filter matches",
        "DELETE FROM table [PARTITION p] WHERE filter;   -- every row: TRUNCATE TABLE table",
        ("DELETE FROM docs WHERE id IN (1, 2);", "DELETE FROM docs WHERE label = 'red';"),
    ),
)

READING = _t(
    "reading and searching",
    Topic(
        "SELECT",
        "read rows; count them; get by primary key; search the SQL way",
        "SELECT field, ... | * FROM table [PARTITION p, ...] [WHERE filter] [LIMIT n [OFFSET m]];\n"
        "SELECT COUNT(*) FROM table [WHERE filter];\n"
        "SELECT field, ..., distance FROM table [WHERE filter]\n"
        "  ORDER BY vector <-> [...] LIMIT k [WITH (param = value, ...)];  -- <-> L2, <=> "
        "COSINE, <#> IP",
        (
            "SELECT id, label FROM docs WHERE label = 'red' LIMIT 10;",
            "SELECT COUNT(*) FROM docs;",
            "SELECT * FROM docs WHERE id IN (1, 2, 3);",
            "SELECT id, label, distance FROM docs ORDER BY vector <-> [0.1, 0.2, 0.3, 0.4] "
            "LIMIT 5;",
        ),
        "Without LIMIT every matching row is read (past Milvus's 16384-row window, by "
        "iterator); display_limit rows are shown.",
    ),
    Topic(
        "SEARCH",
        "similarity search: by vector, by stored entity, by vectors from a file, or by text",
        "SEARCH table [USING field] FOR [...] | [[...], ...] | ID k | IDS (k, ...)\n"
        "                            | VECTOR FROM 'q.npy' | VECTORS FROM 'q.npy'\n"
        "SEARCH table TEXT 'words' [USING bm25_field]\n"
        "    [IN PARTITION p, ...] [WHERE filter] [RETURN field, ...]\n"
        "    [GROUP BY field [SIZE n]] [LIMIT k [OFFSET m]]\n"
        "    [WITH (metric_type = '...', nprobe = n, ef = n, radius = r, range_filter = f,\n"
        "           consistency_level = '...')];",
        (
            "SEARCH docs FOR [0.1, 0.2, 0.3, 0.4] RETURN label LIMIT 5;",
            "SEARCH docs FOR ID 17 LIMIT 5;",
            "SEARCH docs FOR IDS (17, 18) WHERE label = 'red' LIMIT 3;",
            "SEARCH docs FOR VECTORS FROM 'queries.npy' LIMIT 3;",
            "SEARCH docs FOR [0.1, 0.2, 0.3, 0.4] GROUP BY label SIZE 2 LIMIT 3;",
            "SEARCH docs FOR [0.1, 0.2, 0.3, 0.4] LIMIT 100 WITH (radius = 1.0, "
            "range_filter = 0.1);",
            "SEARCH articles TEXT 'how to tune hnsw' RETURN body LIMIT 5;",
        ),
        "One row per hit: query (with several query vectors), rank, the primary key, distance "
        "(score for TEXT), the RETURN fields. FOR ID searches with the stored vector of entity "
        "17 (find similar). A range search keeps, for L2, distances in [range_filter, radius); "
        "for IP and COSINE, scores in (radius, range_filter]. A hybrid search: HELP HYBRID.",
        aliases=("TEXT", "FOR ID", "GROUP BY", "RANGE", "VECTOR FROM", "FULL TEXT"),
    ),
    Topic(
        "HYBRID",
        "several searches of one collection fused by a ranker",
        "SEARCH table\n"
        "    USING field FOR [...] | TEXT '...' [WHERE filter] [LIMIT n] [WITH (...)],\n"
        "    USING field FOR ... [, ...]\n"
        "  RERANK RRF(k) | RERANK WEIGHTED(w1, w2, ...)\n"
        "  [IN PARTITION p, ...] [RETURN field, ...] [GROUP BY field [SIZE n]] [LIMIT k];",
        (
            "SEARCH articles USING vector FOR [0.1, 0.2, 0.3, 0.4] LIMIT 20, USING body_bm25 "
            "TEXT 'tune hnsw' LIMIT 20 RERANK RRF(60) RETURN body LIMIT 10;",
            "SEARCH articles USING vector FOR [0.1, 0.2, 0.3, 0.4], USING body_bm25 TEXT "
            "'hnsw' RERANK WEIGHTED(0.7, 0.3) LIMIT 5;",
        ),
        "RRF(k) scores a hit 1/(k + rank) in each search where it appears; WEIGHTED needs one "
        "weight (0 to 1) per search, in order.",
        aliases=("HYBRID SEARCH", "RERANK"),
    ),
)

TOOLS = _t(
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

USERS = _t(
    "users and roles (servers with authentication)",
    Topic(
        "CREATE USER",
        "create a user",
        "CREATE USER u PASSWORD 'secret';",
        ("CREATE USER alice PASSWORD 'S3cret-pass';",),
    ),
    Topic(
        "ALTER USER",
        "change a password",
        "ALTER USER u PASSWORD 'new';",
        ("ALTER USER alice PASSWORD 'N3w-pass';",),
    ),
    Topic("DROP USER", "drop a user", "DROP USER u;", ("DROP USER alice;",)),
    Topic("SHOW USERS", "list users", "SHOW USERS;", ("SHOW USERS;",)),
    Topic("CREATE ROLE", "create a role", "CREATE ROLE r;", ("CREATE ROLE reader;",)),
    Topic("DROP ROLE", "drop a role", "DROP ROLE r;", ("DROP ROLE reader;",)),
    Topic("SHOW ROLES", "list roles", "SHOW ROLES;", ("SHOW ROLES;",)),
    Topic(
        "GRANT",
        "give a role to a user, or a privilege to a role",
        "GRANT ROLE r TO u;\nGRANT privilege ON table TO r;",
        ("GRANT ROLE reader TO alice;", "GRANT Search ON docs TO reader;"),
    ),
    Topic(
        "REVOKE",
        "take a role or a privilege back",
        "REVOKE ROLE r FROM u;\nREVOKE privilege ON table FROM r;",
        ("REVOKE ROLE reader FROM alice;", "REVOKE Search ON docs FROM reader;"),
    ),
    Topic("SHOW GRANTS", "a role's privileges", "SHOW GRANTS FOR r;", ("SHOW GRANTS FOR reader;",)),
)

DIALECT = _t(
    "the old kernel's dialect (one statement per line)",
    Topic(
        "OLD DIALECT",
        "cells written for the older milvus_kernel keep working",
        "milvus://host:port\n"
        "create table t where dimension=128 and metric_type='L2'\n"
        "drop table t | list tables | desc t | stats t\n"
        "create partition t where partition_tag='p' | drop partition t where partition_tag='p'\n"
        "list partitions t\n"
        "create index t where index_type='IVF_FLAT' and nlist=4096 | drop index t\n"
        "insert 2,3,5 from t [where partition_tag='p'] [by id=0]\n"
        "select 2,3,5 from t where top_k=1 [and partition_tags='p'] [and nprobe=16]\n"
        "select t by id=1,2,3 | delete t by id=1,2 | flush t | compact t\n"
        "help | help -metric | help -index",
        (
            "create table old_t where dimension=3 and metric_type='L2'",
            "insert 2,3,5 from old_t by id=0",
            "select 2,3,5 from old_t where top_k=1",
            "select old_t by id=0",
        ),
        aliases=("DIALECT", "LEGACY", "OLD"),
    ),
)

METRICS = (
    ("L2", "float vectors", "smaller", "squared Euclidean distance"),
    ("IP", "float and sparse vectors", "larger", "inner product"),
    ("COSINE", "float vectors", "larger", "cosine similarity"),
    ("HAMMING", "binary vectors", "smaller", "number of differing bits"),
    ("JACCARD", "binary vectors", "smaller", "1 - |A∩B| / |A∪B|"),
    ("BM25", "BM25 fields (full text)", "larger", "relevance of a text to the query"),
)

INDEX_TYPES = (
    ("FLAT", "float", "exact search", "", "yes"),
    ("IVF_FLAT", "float", "nlist", "nprobe", "yes"),
    ("IVF_SQ8", "float", "nlist", "nprobe", "yes"),
    ("IVF_PQ", "float", "nlist, m, nbits", "nprobe", "no"),
    ("HNSW", "float", "M, efConstruction", "ef", "yes"),
    ("HNSW_SQ", "float", "M, efConstruction, sq_type", "ef", "yes"),
    ("DISKANN", "float", "", "search_list", "no"),
    ("SCANN", "float", "nlist, with_raw_data", "nprobe, reorder_k", "no"),
    ("AUTOINDEX", "float", "", "", "yes"),
    ("SPARSE_INVERTED_INDEX", "sparse", "inverted_index_algo", "drop_ratio_search", "yes"),
    ("SPARSE_WAND", "sparse", "inverted_index_algo", "drop_ratio_search", "no"),
    ("BIN_FLAT", "binary", "exact search", "", "no"),
    ("BIN_IVF_FLAT", "binary", "nlist", "nprobe", "no"),
    ("INVERTED", "scalar", "", "", "yes"),
    ("STL_SORT", "numeric scalar", "", "", "no"),
    ("BITMAP", "low-cardinality scalar", "", "", "no"),
    ("TRIE", "VARCHAR", "", "", "no"),
)
