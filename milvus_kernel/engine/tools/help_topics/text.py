"""HELP topics of ranking and text analysis: RERANK DECAY / BOOST / MODEL and CHAIN, analyzers,
server functions (EMBEDDING, ADD / ALTER / DROP FUNCTION), tokens."""

from __future__ import annotations

from milvus_kernel.engine.tools.help_topics.topic import Topic, grouped

TEXT = grouped(
    "rankers and text analysis",
    Topic(
        "RERANKERS",
        "rescore a search's hits: by a field's distance from a value, a filter, a model",
        "SEARCH table FOR [...] RERANK ranker [, ranker ...] [RETURN ...] LIMIT k;\n"
        "SEARCH table USING a FOR [...], USING b ... RERANK RRF(k) | ranker [, ranker ...] ...;\n"
        "  DECAY(field = 'f', function = 'gauss' | 'exp' | 'linear', origin = x, scale = s\n"
        "        [, offset = o] [, decay = 0.5])\n"
        "  BOOST([WHERE filter,] weight = w [, random_score = (seed = n, field = 'f')])\n"
        "  MODEL(field = 'text_field', provider = 'tei' | 'vllm' | 'cohere' | ...,\n"
        "        queries = ('...'), endpoint = '...', ...)",
        (
            "SEARCH articles FOR [0.1, 0.2, 0.3, 0.4] RERANK DECAY(field = 'year', "
            "function = 'gauss', origin = 2024, scale = 5, decay = 0.5) RETURN year LIMIT 5;",
            "SEARCH articles FOR [0.1, 0.2, 0.3, 0.4] RERANK BOOST(WHERE label = 'red', "
            "weight = 2.0) LIMIT 5;",
            "SEARCH articles USING vector FOR [0.1, 0.2, 0.3, 0.4], USING body_bm25 TEXT 'hnsw' "
            "RERANK RRF(60), DECAY(field = 'year', function = 'exp', origin = 2024, scale = 3) "
            "LIMIT 5;",
            "SEARCH articles FOR [0.1, 0.2, 0.3, 0.4] RERANK MODEL(field = 'body', "
            "provider = 'tei', endpoint = 'http://localhost:8080', queries = ('tune hnsw')) "
            "LIMIT 5;",
        ),
        "DECAY multiplies a hit's score by a factor that is 1 within `offset` of `origin` and "
        "`decay` at `scale` past it. BOOST multiplies the score of the hits its filter matches "
        "by `weight`. Each is a pymilvus Function (RERANK); a chain on one search is a "
        "FunctionScore. After a hybrid search's first ranker, DECAY and BOOST rescore the fused "
        "hits in the kernel. Milvus Lite runs DECAY and BOOST; servers older than 2.6 have none.",
        aliases=("DECAY", "BOOST", "RERANK DECAY", "RERANK BOOST", "RERANK MODEL"),
    ),
    Topic(
        "RERANK CHAIN",
        "rerank one search's hits step by step: a pymilvus FunctionChain",
        "SEARCH table FOR [...] LIMIT candidates RERANK CHAIN (step [, step ...]) [RETURN ...];\n"
        "  name = DECAY(f, function = 'gauss' | 'exp' | 'linear', origin = x, scale = s\n"
        "               [, offset = o] [, decay = 0.5])\n"
        "  name = COMBINE(a, b [, ...] [, mode = 'sum' | 'multiply' | 'max' | 'min' | 'avg'\n"
        "                 | 'weighted', weights = (w1, w2, ...)])\n"
        "  name = ROUND(a, decimals)\n"
        "  name = XGBOOST(f1 [, f2 ...], model_resource = 'file resource' [, output = 'raw'])\n"
        "  name = MODEL(text_field, queries = ('...'), provider = '...', ...)\n"
        "  ORDER BY a [ASC | DESC] [, tie_break_key]\n"
        "  LIMIT n [OFFSET m]",
        (
            "SEARCH news FOR [0.1, 0.2, 0.3, 0.4] LIMIT 20 RERANK CHAIN (freshness = "
            "DECAY(published_at, function = 'exp', origin = 1700000000, scale = 86400), "
            "score = COMBINE(score, freshness, popularity, mode = 'weighted', "
            "weights = (0.7, 0.2, 0.1)), score = ROUND(score, 4), ORDER BY score DESC, id, "
            "LIMIT 3) RETURN title;",
            "SEARCH products FOR [0.1, 0.2, 0.3, 0.4] LIMIT 100 RERANK CHAIN (score = "
            "XGBOOST(price, ctr, freshness, model_resource = 'xgb_ranker'), ORDER BY score DESC, "
            "LIMIT 10);",
        ),
        "Each step is one op of the chain, in order, on the search's candidates: `score` is the "
        "hit's score ($score), the primary key its key ($id); another name is a field or an "
        "earlier step's output (a step cannot write a field). ORDER BY is ascending unless DESC; "
        "the key after it breaks ties, ascending. The chain goes to search(function_chains=...); "
        "EXPLAIN prints it built op by op. Milvus Lite runs DECAY, COMBINE, ROUND and MODEL "
        "(provider 'cohere'); XGBOOST, an L0-stage model registered as a file resource, needs a "
        "Milvus 3.0 server, as does any chain (an older server would ignore it). Not on a hybrid "
        "search.",
        aliases=("CHAIN", "FUNCTION CHAIN", "COMBINE", "XGBOOST"),
    ),
    Topic(
        "ANALYZERS",
        "how a VARCHAR column's text becomes tokens (BM25, TEXT_MATCH) or a MinHash signature",
        "column VARCHAR(n) ANALYZER [(analyzer_params)]\n"
        "column VARCHAR(n) MULTI ANALYZER BY lang_field (lang = (...), ..., default = (...)\n"
        "                  [, alias = (name = 'lang', ...)])\n"
        "column BINARY_VECTOR(dim) GENERATED ALWAYS AS MINHASH(text_field) [WITH (...)]",
        (
            "CREATE TABLE notes (id INT64 PRIMARY KEY, lang VARCHAR(10), body VARCHAR(2000) "
            "MULTI ANALYZER BY lang (en = (type = 'english'), default = (tokenizer = 'standard')),"
            " v FLOAT_VECTOR(2));",
            "CREATE TABLE pages (id INT64 PRIMARY KEY, body VARCHAR(2000), sig BINARY_VECTOR(512) "
            "GENERATED ALWAYS AS MINHASH(body) WITH (num_hashes = 16, shingle_size = 3));",
        ),
        "ANALYZER takes any of Milvus's analyzer_params. MULTI ANALYZER picks an analyzer per "
        "row by the value of another field (multi_analyzer_params); Milvus Lite would drop it, "
        "so it is refused there. MINHASH is a MINHASH function (Milvus 2.6, binary vectors: not "
        "Milvus Lite). SHOW CREATE TABLE writes all three back.",
        aliases=("ANALYZER", "MULTI ANALYZER", "MINHASH"),
    ),
    Topic(
        "FUNCTIONS",
        "server functions: the server embeds a text column (EMBEDDING), BM25, MinHash",
        "column FLOAT_VECTOR(dim) GENERATED ALWAYS AS EMBEDDING(text_field)\n"
        "       WITH (provider = 'openai', model_name = '...', [dim = n, ...])\n"
        "ALTER TABLE t ADD FUNCTION name EMBEDDING | BM25 | MINHASH (input) TO output "
        "[WITH (...)];\n"
        "ALTER TABLE t ALTER FUNCTION name SET (param = value, ...);\n"
        "ALTER TABLE t DROP FUNCTION name;",
        (
            "CREATE TABLE docs (id INT64 PRIMARY KEY, body VARCHAR(2000), vector FLOAT_VECTOR(1536)"
            " GENERATED ALWAYS AS EMBEDDING(body) WITH (provider = 'openai', "
            "model_name = 'text-embedding-3-small'));",
            "SEARCH docs TEXT 'how to tune HNSW' USING vector LIMIT 5;",
            "ALTER TABLE docs ADD FUNCTION body_emb EMBEDDING(body) TO vector "
            "WITH (provider = 'openai', model_name = 'text-embedding-3-small');",
            "ALTER TABLE docs ALTER FUNCTION body_emb SET (model_name = 'text-embedding-3-large');",
            "ALTER TABLE docs DROP FUNCTION body_emb;",
        ),
        "EMBEDDING is a pymilvus TEXTEMBEDDING Function: the server calls the provider, so an "
        "INSERT leaves the vector out and SEARCH ... TEXT '...' on that field sends the words "
        "(not the kernel's EMBED ... USING). ADD / ALTER / DROP FUNCTION call "
        "add_collection_function, alter_collection_function (the params merged into the "
        "function as described) and drop_collection_function. Milvus 2.6 only: Milvus Lite "
        "(it would reach the provider over the network) and older servers refuse them.",
        aliases=("EMBEDDING", "ADD FUNCTION", "ALTER FUNCTION", "DROP FUNCTION"),
    ),
    Topic(
        "SHOW TOKENS",
        "the tokens Milvus's analyzer makes of a text",
        "SHOW TOKENS FOR 'text' [USING ANALYZER (type = 'english', ...) | ON table.field];",
        (
            "SHOW TOKENS FOR 'The quick brown foxes';",
            "SHOW TOKENS FOR 'The quick brown foxes' USING ANALYZER (type = 'english');",
            "SHOW TOKENS FOR 'Tuning HNSW indexes' ON articles.body;",
        ),
        "One row per token: position, token, start_offset, end_offset. Any analyzer_params "
        "Milvus takes (tokenizer, filter, type, ...) go in USING ANALYZER; ON table.field uses "
        "that field's analyzer. Runs client.run_analyzer: Milvus 2.5 and later (not Milvus Lite).",
        aliases=("RUN_ANALYZER", "TOKENS"),
    ),
)
