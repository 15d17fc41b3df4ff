"""On Milvus Lite, the kernel's own background listing never overlaps a statement.

Milvus Lite 3.2.2 opens a collection on its first use after the server starts, without a lock:
two calls that first touch the same collection at once make two copies, and a LOAD that lands
on one while the server keeps the other is never seen as finished (pymilvus then waits for the
whole load deadline: a notebook hung for an hour in CI). The kernel lists the collection names
for Tab when it connects; on Lite that listing must be over before the first statement runs.

Each round starts a fresh session (and so a fresh Lite server) on a file with several indexed
(so released) collections, opening a collection made slow (a slow disk) so overlaps cannot
hide, and records when each call into the server starts and ends on which thread.
"""

from __future__ import annotations

import itertools
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from admin_helpers import one, run
from milvus_lite.db import MilvusLite
from milvus_lite.engine.collection import Collection
from pymilvus import DataType, MilvusClient

from milvus_kernel.engine.session import Session

COLLECTIONS, ROUNDS = 6, 4


def make_collections(path: Path) -> list[str]:
    client = MilvusClient(str(path))
    names = [f"c{i:02d}" for i in range(COLLECTIONS)]
    for i, name in enumerate(names):
        schema = client.create_schema()
        schema.add_field("id", DataType.INT64, is_primary=True)
        schema.add_field("v", DataType.FLOAT_VECTOR, dim=2)
        client.create_collection(name, schema=schema)
        index = client.prepare_index_params()
        index.add_index("v", index_type="FLAT", metric_type="L2")
        client.create_index(name, index)
        client.insert(name, [{"id": j, "v": [float(j), 1.0]} for j in range(i + 1)])
    client.close()
    from milvus_lite.server_manager import server_manager_instance

    server_manager_instance.release_server(str(path))
    return names


def test_no_call_overlaps_the_first_statement(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    names = make_collections(tmp_path / "milvus_kernel.db")
    opened, looked_up = Collection.__init__, MilvusLite.get_collection
    spans: list[tuple[float, float, int]] = []

    def slow_open(self: Collection, *args: Any, **kwargs: Any) -> None:
        time.sleep(0.05)
        opened(self, *args, **kwargs)

    def timed_lookup(self: MilvusLite, *args: Any, **kwargs: Any) -> Collection:
        started = time.monotonic()
        try:
            return looked_up(self, *args, **kwargs)
        finally:
            spans.append((started, time.monotonic(), threading.get_ident()))

    monkeypatch.setattr(Collection, "__init__", slow_open)
    monkeypatch.setattr(MilvusLite, "get_collection", timed_lookup)
    for round_ in range(ROUNDS):
        name = names[round_ % len(names)]
        spans.clear()
        session = Session(workdir=tmp_path, environ={})
        try:
            run(session, "SET timeout = 20")  # a raced load waits 20 s, not an hour
            # the first statement connects (and so starts the listing) itself
            count = one(session, f"SELECT COUNT(*) FROM {name}").rows[0][0]
            one(session, f"SELECT COUNT(*) FROM {names[-1]}")
        finally:
            session.close()
        assert count == int(name[1:]) + 1
        ordered = sorted(spans)
        overlaps = [(a, b) for a, b in itertools.pairwise(ordered) if b[0] < a[1] and a[2] != b[2]]
        assert not overlaps, f"round {round_}: calls into Lite overlapped: {overlaps[:3]}"
