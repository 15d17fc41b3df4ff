"""HELP topics of the data: writing (INSERT, UPSERT, DELETE), reading and searching."""

from __future__ import annotations

from milvus_kernel.engine.tools.help_topics.topic import Topic, grouped

WRITING = grouped(
    "writing data",
    Topic(
        "INSERT",
        "add rows, from values or from a file",
        "INSERT INTO table [PARTITION p] [(column, ...)] VALUES (...), (...);\n"
        "INSERT INTO table [PARTITION p] FROM 'rows.parquet' | 'rows.csv' | 'rows.jsonl' | "
        "'rows.npy' [WITH (batch_size = 5000)];\n"
        "%milvus INSERT INTO table FROM :df   -- Python: a DataFrame, Arrow table, list of dicts, "
        "dict of columns",
        (
            "INSERT INTO docs VALUES (1, 'red', [0.1, 0.2, 0.3, 0.4]), "
            "(2, 'blue', [0.9, 0.8, 0.7, 0.6]);",
            "INSERT INTO docs FROM 'rows.parquet' WITH (batch_size = 5000);",
            "INSERT INTO notes (id, body) VALUES (1, 'the cat sat on the mat');",
        ),
        "FROM :df (the %milvus magic) is a file import whose source is the Python object: the "
        "same checks, batches and counts. A column declared EMBED(text) USING '...' gets its "
        "vectors computed from the text for every row that has none.",
    ),
    Topic(
        "UPSERT",
        "insert rows, replacing those with the same primary key",
        "UPSERT INTO table ... (the same two forms as INSERT);\n"
        "UPSERT INTO table (key, column, ...) VALUES (...), ... WITH (partial = true);",
        (
            "UPSERT INTO docs VALUES (1, 'green', [0.1, 0.2, 0.3, 0.5]);",
            "UPSERT INTO docs (id, label) VALUES (1, 'x') WITH (partial = true);",
        ),
        "WITH (partial = true) changes only the columns named (pymilvus partial_update): the "
        "other fields, vectors too, keep their values. Milvus Lite and Milvus 2.6+ have it.",
    ),
    Topic(
        "UPDATE",
        "change the rows a filter matches: constants, array append / remove",
        "UPDATE table [PARTITION p] SET column = constant, ... WHERE filter;\n"
        "UPDATE table SET tags = ARRAY_APPEND(tags, [v, ...]) | ARRAY_REMOVE(tags, v) WHERE ...;",
        (
            "UPDATE docs SET label = 'red', meta = {\"k\": 1} WHERE id > 10;",
            "UPDATE docs SET tags = ARRAY_APPEND(tags, ['x']) WHERE id = 3;",
            "UPDATE docs SET note = NULL WHERE TRUE;",
        ),
        "Exactly the matching rows change (their keys read by iterator, then partial upserts in "
        "batches, with progress); vectors and the columns not named keep their values. WHERE is "
        "required: WHERE TRUE changes every row. The primary key cannot be SET.",
    ),
    Topic(
        "DELETE",
        "delete the rows a filter matches",
        "DELETE FROM table [PARTITION p] WHERE filter;   -- every row: TRUNCATE TABLE table",
        ("DELETE FROM docs WHERE id IN (1, 2);", "DELETE FROM docs WHERE label = 'red';"),
    ),
)

READING = grouped(
    "reading and searching",
    Topic(
        "SELECT",
        "read rows; order them; count, group and aggregate them; get by key; search the SQL way",
        "SELECT field, ... | * FROM table [PARTITION p, ...] [WHERE filter]\n"
        "  [ORDER BY field | json['key'][0] | dynamic_key [ASC | DESC], ...]\n"
        "  [LIMIT n [OFFSET m]];\n"
        "SELECT COUNT(*) FROM table [WHERE filter];\n"
        "SELECT key, ..., COUNT(*) | COUNT([DISTINCT] f) | AVG(f) | MIN(f) | MAX(f) | SUM(f), ...\n"
        "  FROM table [WHERE filter] [GROUP BY key, ...]\n"
        "  [ORDER BY key | aggregate [ASC | DESC], ...] [LIMIT n [OFFSET m]];\n"
        "SELECT field, ..., distance FROM table [WHERE filter]\n"
        "  ORDER BY vector <-> [...] LIMIT k [WITH (param = value, ...)];  -- <-> L2, <=> "
        "COSINE, <#> IP",
        (
            "SELECT id, label FROM docs WHERE label = 'red' LIMIT 10;",
            "SELECT COUNT(*) FROM docs;",
            "SELECT * FROM docs WHERE id IN (1, 2, 3);",
            "SELECT id, price FROM items ORDER BY price DESC, id LIMIT 10 OFFSET 5;",
            "SELECT id, meta FROM shop ORDER BY meta['price'] DESC LIMIT 3;",
            "SELECT label, COUNT(*), AVG(price), MIN(price), MAX(price), SUM(price) FROM items "
            "GROUP BY label ORDER BY COUNT(*) DESC LIMIT 3;",
            "SELECT COUNT(DISTINCT label) FROM items;",
            "SELECT id, label, distance FROM docs ORDER BY vector <-> [0.1, 0.2, 0.3, 0.4] "
            "LIMIT 5;",
            "SELECT id, at FROM events WHERE at > '2025-03-01T00:00:00Z' AND "
            "ST_WITHIN(place, 'POLYGON ((0 0, 20 0, 20 60, 0 60, 0 0))');",
        ),
        "Without LIMIT every matching row is read (past Milvus's 16384-row window, by "
        "iterator); display_limit rows are shown. ORDER BY fields and aggregates are computed "
        "by the kernel over the streamed rows (exact on every server; Milvus Lite ignores "
        "them): NULLs sort last, ties go by primary key; JSON paths and dynamic keys sort by "
        "kind (numbers, text, booleans, the rest), a missing key is NULL; aggregates skip "
        "NULLs, a NULL key is a group of its own.",
        aliases=("ORDER BY", "AGGREGATES", "COUNT", "DISTINCT"),
    ),
    Topic(
        "SEARCH",
        "similarity search: by vector, by stored entity, by vectors from a file, or by text",
        "SEARCH table [USING field] FOR [...] | [[...], ...] | ID k | IDS (k, ...)\n"
        "                            | VECTOR FROM 'q.npy' | VECTORS FROM 'q.npy'\n"
        "SEARCH table TEXT 'words' [USING bm25_or_embed_field] [EMBEDDED BY 'provider:model']\n"
        "    [IN PARTITION p, ...] [WHERE filter] [RETURN field, ...]\n"
        "    [GROUP BY field [SIZE n]] [ORDER BY field [ASC | DESC], ...] [LIMIT k [OFFSET m]]\n"
        "    [WITH (metric_type = '...', nprobe = n, ef = n, radius = r, range_filter = f,\n"
        "           consistency_level = '...')];",
        (
            "SEARCH docs FOR [0.1, 0.2, 0.3, 0.4] RETURN label LIMIT 5;",
            "SEARCH docs FOR ID 17 LIMIT 5;",
            "SEARCH docs FOR IDS (17, 18) WHERE label = 'red' LIMIT 3;",
            "SEARCH docs FOR VECTORS FROM 'queries.npy' LIMIT 3;",
            "SEARCH docs FOR [0.1, 0.2, 0.3, 0.4] GROUP BY label SIZE 2 LIMIT 3;",
            "SEARCH items FOR [0.1, 0.2, 0.3, 0.4] ORDER BY price DESC LIMIT 10;",
            "SEARCH orders USING items[emb] FOR [0.1, 0.2, 0.3, 0.4] LIMIT 5;  -- in structs",
            "SEARCH docs FOR [0.1, 0.2, 0.3, 0.4] LIMIT 100 WITH (radius = 1.0, "
            "range_filter = 0.1);",
            "SEARCH articles TEXT 'how to tune hnsw' RETURN body LIMIT 5;",
            "SEARCH notes TEXT 'a sleeping cat' USING vector LIMIT 5;",
            "SEARCH docs TEXT 'a sleeping cat' USING vector "
            "EMBEDDED BY 'sentence-transformers:all-MiniLM-L6-v2' LIMIT 5;",
            "SELECT id, distance FROM notes ORDER BY vector <=> EMBED('a sleeping cat') LIMIT 5;",
        ),
        "One row per hit: query (with several query vectors), rank, the primary key, distance "
        "(score for TEXT), the RETURN fields. FOR ID searches with the stored vector of entity "
        "17 (find similar). A range search keeps, for L2, distances in [range_filter, radius); "
        "for IP and COSINE, scores in (radius, range_filter]. TEXT on a field with an EMBED "
        "binding (or EMBEDDED BY) embeds the words with that model. ORDER BY sorts the top k "
        "hits by a field (NULLs last; rank stays the place by distance). A hybrid search: HELP "
        "HYBRID.",
        aliases=("TEXT", "FOR ID", "GROUP BY", "RANGE", "VECTOR FROM", "FULL TEXT"),
    ),
    Topic(
        "AGGREGATE BY",
        "a search's hits in buckets: counts, metrics, top hits, nested levels (Milvus 3.0+)",
        "SEARCH table FOR [...] [WHERE filter] [RETURN field, ...] [WITH (...)]\n"
        "  AGGREGATE BY field [, field ...] SIZE n\n"
        "      [METRICS (alias = COUNT(*) | COUNT(f) | SUM(f) | AVG(f) | MIN(f) | MAX(f), ...)]\n"
        "      [ORDER BY alias | COUNT(*) | field | _key [ASC | DESC], ...]\n"
        "      [TOP n HITS [ORDER BY score | field [ASC | DESC], ...]]\n"
        "  [THEN BY field [, field ...] SIZE n ...]   -- up to 4 levels",
        (
            "SEARCH products FOR [0.1, 0.2, 0.3, 0.4] AGGREGATE BY brand SIZE 4 TOP 3 HITS;",
            "SEARCH products FOR [0.1, 0.2, 0.3, 0.4] WHERE in_stock = true "
            "AGGREGATE BY category SIZE 3 METRICS (revenue = SUM(price), n = COUNT(*)) "
            "ORDER BY revenue DESC TOP 2 HITS ORDER BY score DESC "
            "THEN BY brand SIZE 2 METRICS (stars = AVG(rating)) ORDER BY stars DESC "
            "TOP 2 HITS ORDER BY price;",
        ),
        "Milvus's search aggregation (pymilvus SearchAggregation): the server groups the "
        "candidates its search retains by the key fields and returns SIZE buckets per level, "
        "each with its count, metrics and top hits; THEN BY groups each bucket again. Rows: "
        "each bucket (query, level, its keys and its parents', count, metrics), then its top "
        "hits (key, distance, RETURN fields), then its sub-buckets. `score` is the hit's "
        "score (_score); a search's LIMIT means nothing here (SIZE counts buckets). Milvus "
        "Lite and servers before 3.0 ignore the request and are refused in one line; EXPLAIN "
        "prints the code on any server.",
        aliases=("SEARCH AGGREGATE", "AGGREGATE", "SEARCH AGGREGATION", "TOP HITS"),
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
