"""Duplicate primary keys in a write, and keys a table already holds, through a real kernel.

Milvus Lite keeps one row per key (the last of a write; an INSERT of an existing key overwrites
it); a Milvus server (the 2.3.5 standalone) keeps every copy. The kernel must say how many rows
landed and why, for INSERT ... VALUES, UPSERT and INSERT ... FROM a file. Ground truth is raw
pymilvus (COUNT(*) and the rows of a key) on the same server.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kernel_harness import execute, plain_texts, running_kernel
from pymilvus import MilvusClient
from servers import LiteServer, StandaloneServer

REPEATS = "(1, [0, 1]), (1, [1, 1]), (2, [0, 2]), (2, [1, 2]), (3, [0, 3])"  # 1 and 2 twice
FILE = 'id,v\n1,"[9, 1]"\n9,"[9, 9]"\n9,"[9, 8]"\n10,"[1, 1]"\n'  # 1 exists; 9 twice


def say(kc: Any, code: str) -> str:
    reply, outputs = execute(kc, code, timeout=120)
    assert reply["status"] == "ok", reply.get("evalue")
    texts = plain_texts(outputs)
    return texts[-1] if texts else ""


class Truth:
    """What raw pymilvus reads on the server the kernel writes to."""

    def __init__(self, uri: str, table: str) -> None:
        self.client = MilvusClient(uri=uri)
        self.table = table

    def count(self, where: str = "") -> int:
        """COUNT(*) (of the rows matching `where`): a server's query of a key returns one row
        even when it holds several, its count does not."""
        self.client.load_collection(self.table)
        rows = self.client.query(
            self.table, filter=where, output_fields=["count(*)"], consistency_level="Strong"
        )
        return int(rows[0]["count(*)"])

    def load_state(self) -> str:
        return self.client.get_load_state(self.table)["state"].name

    def vectors(self, key: int) -> list[list[float]]:
        rows = self.client.query(
            self.table, filter=f"id == {key}", output_fields=["v"], consistency_level="Strong"
        )
        return sorted([float(x) for x in row["v"]] for row in rows)


def start(kc: Any, uri: str, table: str, tmp_path: Path) -> Truth:
    say(kc, f"CONNECT '{uri}'; SET consistency_level = 'Strong';")
    say(kc, f"CREATE TABLE {table} (id INT64 PRIMARY KEY, v FLOAT_VECTOR(2));")
    (tmp_path / "keys.csv").write_text(FILE)
    return Truth(uri, table)


def test_duplicate_and_existing_keys_on_milvus_lite(
    tmp_path: Path, lite_tcp_server: LiteServer
) -> None:
    with running_kernel(tmp_path) as (_, kc):
        truth = start(kc, lite_tcp_server.uri, "d", tmp_path)
        text = say(kc, f"INSERT INTO d VALUES {REPEATS};")
        assert text == (
            "inserted 3 rows into d (5 rows given: 2 duplicate keys (1, 2) in this write "
            "collapsed into 1 row each, the last one kept)"
        )
        assert truth.count() == 3 and truth.vectors(1) == [[1.0, 1.0]]

        text = say(kc, "INSERT INTO d VALUES (3, [5, 5]), (4, [4, 4]);")
        assert text == (
            "inserted 2 rows into d; 1 key (3) already existed: Milvus Lite overwrote it, so d "
            "has 1 row more; a Milvus server keeps both rows — use UPSERT to replace"
        )
        assert truth.count() == 4 and truth.vectors(3) == [[5.0, 5.0]]

        text = say(kc, "UPSERT INTO d VALUES (4, [7, 7]), (5, [5, 5]), (5, [6, 6]);")
        assert text == (
            "upserted 2 rows into d (3 rows given: 1 duplicate key (5) in this write collapsed "
            "into 1 row, the last one kept)"
        )
        assert truth.count() == 5 and truth.vectors(5) == [[6.0, 6.0]]

        text = say(kc, "INSERT INTO d FROM 'keys.csv';")
        assert text == (
            "inserted 3 rows into d from 'keys.csv' (4 rows given: 1 duplicate key (9) in this "
            "write collapsed into 1 row, the last one kept); 1 key (1) already existed: Milvus "
            "Lite overwrote it, so d has 2 rows more; a Milvus server keeps both rows — use "
            "UPSERT to replace"
        )
        assert truth.count() == 7 and truth.vectors(9) == [[9.0, 8.0]]

        assert say(kc, "INSERT INTO d VALUES (11, [1, 1]);") == "inserted 1 row into d"
        assert truth.count() == 8


def test_duplicate_and_existing_keys_on_a_milvus_server(
    tmp_path: Path, milvus_server: StandaloneServer
) -> None:
    table = "dup_keys"
    with running_kernel(tmp_path) as (_, kc):
        truth = start(kc, milvus_server.uri, table, tmp_path)
        # Not loaded (a server cannot load it without an index): its keys go unchecked, and the
        # INSERT neither loads it nor says more than what it wrote.
        assert say(kc, f"INSERT INTO {table} VALUES (0, [0, 0]);") == f"inserted 1 row into {table}"
        assert truth.load_state() == "NotLoad"
        say(kc, f"CREATE INDEX ON {table} (v) USING FLAT WITH (metric_type = 'L2');")
        say(kc, f"DELETE FROM {table} WHERE id == 0;")
        text = say(kc, f"INSERT INTO {table} VALUES {REPEATS};")
        assert text == (
            f"inserted 5 rows into {table} (2 duplicate keys (1, 2) in this write: a Milvus "
            "server keeps every copy as its own row)"
        )
        assert truth.count() == 5 and truth.count("id == 1") == 2

        text = say(kc, f"INSERT INTO {table} VALUES (3, [5, 5]), (4, [4, 4]);")
        assert text == (
            f"inserted 2 rows into {table}; 1 key (3) already existed: a Milvus server keeps "
            "both rows, the old and the new — use UPSERT to replace"
        )
        assert truth.count() == 7 and truth.count("id == 3") == 2

        text = say(kc, f"UPSERT INTO {table} VALUES (4, [7, 7]), (6, [6, 6]), (6, [6, 7]);")
        assert text == (
            f"upserted 3 rows into {table} (1 duplicate key (6) in this write: a Milvus server "
            "keeps every copy as its own row)"
        )
        assert truth.count() == 9 and truth.count("id == 4") == 1 and truth.count("id == 6") == 2

        text = say(kc, f"INSERT INTO {table} FROM 'keys.csv';")
        assert text == (
            f"inserted 4 rows into {table} from 'keys.csv' (1 duplicate key (9) in this write: "
            "a Milvus server keeps every copy as its own row); 1 key (1) already existed: a "
            "Milvus server keeps both rows, the old and the new — use UPSERT to replace"
        )
        assert truth.count() == 13 and truth.count("id == 1") == 3
