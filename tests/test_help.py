"""HELP covers every statement of the language, and every example it shows parses."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from milvus_kernel.engine.session import Session
from milvus_kernel.engine.tools.help import TOPICS, find, normalize
from milvus_kernel.frontends.runner import run_cell
from milvus_kernel.language.parser import parse_cell
from milvus_kernel.results import Message

LANGUAGE = Path(__file__).resolve().parents[1] / "docs" / "reference"
EXAMPLES = [
    pytest.param(topic.name, example, id=f"{topic.name}#{number}")
    for topic in TOPICS
    for number, example in enumerate(topic.examples, start=1)
]

# Every statement of the language (docs/reference/) has a topic: statement → HELP word(s).
STATEMENTS = {
    "CONNECT 'x.db'": "CONNECT",
    "DISCONNECT": "DISCONNECT",
    "SHOW CONNECTION": "SHOW CONNECTION",
    "SET display_limit = 3": "SET",
    "SHOW SETTINGS": "SHOW SETTINGS",
    "CREATE DATABASE d": "CREATE DATABASE",
    "DROP DATABASE d": "DROP DATABASE",
    "USE d": "USE",
    "SHOW DATABASES": "SHOW DATABASES",
    "ALTER DATABASE d SET (a = 1)": "ALTER DATABASE",
    "DESCRIBE DATABASE d": "DESCRIBE DATABASE",
    "CREATE TABLE t WITH (dimension = 2)": "CREATE TABLE",
    "DROP TABLE t": "DROP TABLE",
    "SHOW TABLES": "SHOW TABLES",
    "DESCRIBE t": "DESCRIBE",
    "SHOW CREATE TABLE t": "SHOW CREATE TABLE",
    "ALTER TABLE t ADD FUNCTION f BM25(b) TO s": "FUNCTIONS",
    "ALTER TABLE t RENAME TO u": "ALTER TABLE",
    "ALTER TABLE t DROP COLUMN c": "ALTER TABLE",
    "SEARCH t USING s[v] FOR EMBEDDINGS ([1.0], [2.0])": "STRUCT ARRAYS",
    "TRUNCATE TABLE t": "TRUNCATE TABLE",
    "SHOW STATS t": "SHOW STATS",
    "LOAD t": "LOAD",
    "RELEASE t": "RELEASE",
    "SHOW LOAD STATE t": "SHOW LOAD STATE",
    "FLUSH t": "FLUSH",
    "COMPACT t": "COMPACT",
    "CREATE PARTITION p ON t": "CREATE PARTITION",
    "DROP PARTITION p ON t": "DROP PARTITION",
    "SHOW PARTITIONS t": "SHOW PARTITIONS",
    "LOAD PARTITION p ON t": "LOAD PARTITION",
    "RELEASE PARTITION p ON t": "RELEASE PARTITION",
    "CREATE ALIAS a FOR t": "CREATE ALIAS",
    "ALTER ALIAS a FOR t": "ALTER ALIAS",
    "DROP ALIAS a": "DROP ALIAS",
    "SHOW ALIASES": "SHOW ALIASES",
    "CREATE INDEX ON t (v)": "CREATE INDEX",
    "DROP INDEX i ON t": "DROP INDEX",
    "SHOW INDEXES ON t": "SHOW INDEXES",
    "DESCRIBE INDEX i ON t": "DESCRIBE INDEX",
    "ALTER INDEX i ON t SET (mmap.enabled = true)": "ALTER INDEX",
    "INSERT INTO t VALUES (1)": "INSERT",
    "UPSERT INTO t VALUES (1)": "UPSERT",
    "DELETE FROM t WHERE id = 1": "DELETE",
    "UPDATE t SET a = 1 WHERE TRUE": "UPDATE",
    "SELECT * FROM t": "SELECT",
    "SEARCH t FOR [1.0]": "SEARCH",
    "SEARCH t USING a FOR [1.0], USING b TEXT 'x' RERANK RRF(60)": "HYBRID",
    "SEARCH t FOR [1.0] RERANK BOOST(weight = 2)": "RERANKERS",
    "SEARCH t FOR [1.0] RERANK CHAIN (LIMIT 1)": "RERANK CHAIN",
    "SEARCH t FOR [1.0] AGGREGATE BY a SIZE 2": "AGGREGATE BY",
    "SHOW TOKENS FOR 'x'": "SHOW TOKENS",
    "CREATE TABLE t (i INT64 PRIMARY KEY, b VARCHAR(9) MULTI ANALYZER BY l (default = (a = 1)))": (
        "ANALYZERS"
    ),
    "EXPORT (SELECT * FROM t) TO 'x.csv'": "EXPORT",
    "PLOT t": "PLOT",
    "EVALUATE SEARCH t FOR SAMPLE 5 LIMIT 3 WITH (ef = (8, 16))": "EVALUATE",
    "EXPLAIN SHOW TABLES": "EXPLAIN",
    "HELP": "HELP",
    "CREATE USER u PASSWORD 'p'": "CREATE USER",
    "DROP USER u": "DROP USER",
    "SHOW USERS": "SHOW USERS",
    "ALTER USER u PASSWORD 'p'": "ALTER USER",
    "CREATE ROLE r": "CREATE ROLE",
    "DROP ROLE r": "DROP ROLE",
    "SHOW ROLES": "SHOW ROLES",
    "GRANT ROLE r TO u": "GRANT",
    "REVOKE ROLE r FROM u": "REVOKE",
    "SHOW GRANTS FOR r": "SHOW GRANTS",
    "CREATE PRIVILEGE GROUP g": "CREATE PRIVILEGE GROUP",
    "ALTER PRIVILEGE GROUP g ADD PRIVILEGES (Search)": "ALTER PRIVILEGE GROUP",
    "DROP PRIVILEGE GROUP g": "DROP PRIVILEGE GROUP",
    "SHOW PRIVILEGE GROUPS": "SHOW PRIVILEGE GROUPS",
    "CREATE RESOURCE GROUP rg": "CREATE RESOURCE GROUP",
    "ALTER RESOURCE GROUP rg SET (requests = 1)": "ALTER RESOURCE GROUP",
    "DROP RESOURCE GROUP rg": "DROP RESOURCE GROUP",
    "SHOW RESOURCE GROUPS": "SHOW RESOURCE GROUPS",
    "DESCRIBE RESOURCE GROUP rg": "DESCRIBE RESOURCE GROUP",
    "TRANSFER REPLICA OF t FROM a TO b": "TRANSFER REPLICA",
    "LOAD t WITH (replicas = 2)": "LOAD WITH",
    "SHOW REPLICAS OF t": "SHOW REPLICAS",
    "IMPORT INTO t FROM 'a.parquet'": "IMPORT INTO",
    "SHOW IMPORT JOBS": "SHOW IMPORT JOBS",
    "CREATE SNAPSHOT s ON t": "CREATE SNAPSHOT",
    "RESTORE SNAPSHOT s ON t TO t2": "RESTORE SNAPSHOT",
    "CREATE EXTERNAL TABLE t (k INT64 EXTERNAL 'k') FROM 'p/'": "CREATE EXTERNAL TABLE",
    "REFRESH EXTERNAL TABLE t": "REFRESH EXTERNAL TABLE",
    "SHOW SERVER VERSION": "SHOW SERVER VERSION",
    "SHOW SEGMENTS OF t": "SHOW SEGMENTS",
    "SHOW COMPACTION 1": "SHOW COMPACTION",
    "FLUSH ALL": "FLUSH ALL",
    "PIN SNAPSHOT s ON t": "PIN SNAPSHOT",
    "CREATE FILE RESOURCE f FROM 'p'": "CREATE FILE RESOURCE",
    "SHOW REPLICATION": "SHOW REPLICATION",
    "OPTIMIZE TABLE t": "OPTIMIZE TABLE",
    "ALTER ROLE r COMMENT 'c'": "COMMENT",
    "list tables": "OLD DIALECT",
}


@pytest.mark.parametrize(("topic", "example"), EXAMPLES)
def test_every_help_example_parses(topic: str, example: str):
    assert parse_cell(example), f"HELP {topic}: {example}"


@pytest.mark.parametrize(("statement", "topic"), STATEMENTS.items())
def test_every_statement_has_a_topic(statement: str, topic: str):
    assert parse_cell(statement)
    assert [t.name for t in find(topic)][:1] == [topic]
    assert any(parse_cell(e) for e in find(topic)[0].examples)


def test_topics_are_unique_and_complete():
    names = [t.name for t in TOPICS]
    assert len(names) == len(set(names))
    assert set(STATEMENTS.values()) == set(names)


@pytest.fixture
def offline(tmp_path) -> Session:
    return Session(workdir=tmp_path, environ={"MILVUS_URI": "http://127.0.0.1:9"})


def texts(session: Session, code: str) -> list[str]:
    results = list(run_cell(session, code))
    assert all(isinstance(r, Message) for r in results)
    return [r.text for r in results]


def test_help_lists_every_statement_without_connecting(offline):
    (text,) = texts(offline, "HELP")
    for topic in TOPICS:
        assert re.search(rf"^  {re.escape(topic.name)} +{re.escape(topic.summary)}$", text, re.M)
    assert offline._catalog is None, "HELP must not connect"


def test_help_topic_spellings(offline):
    one, two, three = texts(offline, "help search; HELP  'create   table'; HELP Text")
    assert one.startswith("SEARCH — ") and "SEARCH docs FOR ID 17 LIMIT 5;" in one
    assert two.startswith("CREATE TABLE — ") and "GENERATED ALWAYS AS BM25" in two
    assert three == one
    (several,) = texts(offline, "HELP DROP")
    assert [line.split(" — ")[0] for line in several.splitlines() if " — " in line] == [
        t.name for t in TOPICS if t.name.startswith("DROP ")
    ]
    (unknown,) = texts(offline, "HELP frobnicate")
    assert unknown.startswith("no help on 'frobnicate'")
    assert normalize(" 'show  tables' ;") == "SHOW TABLES"


def test_old_dialect_metric_and_index_help(offline):
    metric, index = texts(offline, "help -metric;\nhelp -index")
    for name in ("L2", "IP", "COSINE", "HAMMING", "JACCARD", "BM25"):
        assert re.search(rf"^{name} ", metric, re.M), name
    for name in ("FLAT", "IVF_FLAT", "HNSW", "SPARSE_INVERTED_INDEX", "INVERTED", "AUTOINDEX"):
        assert re.search(rf"^{name} ", index, re.M), name
    (old,) = texts(offline, "HELP OLD DIALECT")
    assert "help -metric" in old and "select 2,3,5 from old_t where top_k=1" in old


def test_help_examples_are_not_stale_against_the_reference():
    """The statements HELP names appear in the manual (docs/reference) too."""
    manual = " ".join(p.read_text(encoding="utf-8") for p in LANGUAGE.glob("*.md")).upper()
    for word in ("SEARCH", "SELECT", "CREATE TABLE", "CREATE INDEX", "INSERT", "EXPLAIN", "HELP"):
        assert word in manual
