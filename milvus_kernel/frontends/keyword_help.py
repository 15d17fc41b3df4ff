# ruff: noqa: E501 - one help line per keyword reads best unwrapped
"""One-line help for the language's keywords, shown by the kernel's inspect (Shift+Tab in Jupyter).

Each line names the statement form; `HELP <statement>;` gives the full syntax and an example.
"""

from __future__ import annotations

KEYWORD_HELP: dict[str, str] = {
    "SELECT": "SELECT fields FROM coll [WHERE filter] [ORDER BY vector <-> [..]] [LIMIT n [OFFSET m]] — read or search rows",
    "SEARCH": "SEARCH coll [USING field] FOR [..] | TEXT '..' [WHERE filter] [RETURN fields] [LIMIT k] [WITH (..)] — vector, full-text or hybrid search",
    "INSERT": "INSERT INTO coll [(fields)] VALUES (..), (..) | FROM 'file' — write rows",
    "UPSERT": "UPSERT INTO coll [(fields)] VALUES (..) | FROM 'file' — insert or replace rows by primary key",
    "DELETE": "DELETE FROM coll [PARTITION p] WHERE filter — delete matching rows",
    "CREATE": "CREATE DATABASE | TABLE | PARTITION | INDEX | ALIAS | USER | ROLE ... — create an object",
    "DROP": "DROP DATABASE | TABLE | PARTITION | INDEX | ALIAS | USER | ROLE ... — remove an object",
    "SHOW": "SHOW TABLES | DATABASES | PARTITIONS | INDEXES | ALIASES | CONNECTION | SETTINGS | ... — list things",
    "DESCRIBE": "DESCRIBE coll | DESCRIBE INDEX name ON coll | DESC INDEX coll — the schema of a collection, an index, its indexes",
    "ALTER": "ALTER TABLE coll RENAME TO new | SET (prop = value); ALTER ALIAS a FOR coll; ALTER USER u PASSWORD '..'",
    "TRUNCATE": "TRUNCATE TABLE coll — delete every row, keep the schema",
    "LOAD": "LOAD coll | LOAD PARTITION p ON coll — load into memory for search and query",
    "RELEASE": "RELEASE coll | RELEASE PARTITION p ON coll — release from memory",
    "FLUSH": "FLUSH coll [, other] — seal growing segments",
    "COMPACT": "COMPACT coll — merge small segments",
    "CONNECT": "CONNECT 'uri' [USER .. PASSWORD .. | TOKEN ..] [DATABASE 'db'] | CONNECT name — connect to Milvus",
    "DISCONNECT": "DISCONNECT — close the current connection",
    "USE": "USE db — switch the current database",
    "SET": "SET display_limit | timeout | consistency_level = value — change a session setting",
    "EXPORT": "EXPORT (SELECT ...) TO 'file.parquet' | '.csv' | '.jsonl' — stream a query to a file",
    "PLOT": "PLOT coll [USING field] [WHERE ..] [COLOR BY field] [METHOD TSNE | PCA] [HIGHLIGHT (SEARCH ..)] — 2-D picture of the vectors",
    "EXPLAIN": "EXPLAIN statement — the equivalent pymilvus code, not executed",
    "HELP": "HELP [statement] — the statement list, or one statement's syntax and an example",
    "GRANT": "GRANT ROLE r TO user | GRANT privilege ON coll TO role",
    "REVOKE": "REVOKE ROLE r FROM user | REVOKE privilege ON coll FROM role",
    "TABLE": "TABLE (synonym COLLECTION) — a Milvus collection",
    "COLLECTION": "COLLECTION (synonym TABLE) — a Milvus collection",
    "PARTITION": "PARTITION p ON coll — a named part of a collection",
    "INDEX": "CREATE INDEX [name] ON coll (field) USING type [WITH (params)] — an index on a field",
    "ALIAS": "CREATE ALIAS a FOR coll — another name for a collection",
    "DATABASE": "CREATE DATABASE d; USE d — a namespace of collections",
    "WHERE": "WHERE filter — SQL or Milvus filter syntax (=, <>, IN, LIKE, BETWEEN, JSON paths, ...)",
    "LIMIT": "LIMIT n [OFFSET m] — at most n rows or hits per query",
    "RERANK": "RERANK RRF(k) | WEIGHTED(w1, w2, ..) — combine the sub-searches of a hybrid search",
    "RETURN": "RETURN fields — the fields to return with each search hit",
    "WITH": "WITH (name = value, ...) — options: index or search parameters, collection properties",
}
