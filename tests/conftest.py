"""Shared fixtures: a real Milvus Lite database per test module, unique collection names.

Engine tests build statement dataclasses directly and run them on an in-process Milvus Lite
(no mocks). One `.db` directory is shared by the tests of a module to keep the suite fast; each
test uses its own collection names (`unique_name`).
"""

from __future__ import annotations

import itertools
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # the package is importable from the repo root without install
    sys.path.insert(0, str(ROOT))

from milvus_kernel.engine.session import Session  # noqa: E402

_counter = itertools.count(1)


@pytest.fixture(scope="module")
def lite_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A working directory for one test module's Milvus Lite database."""
    return tmp_path_factory.mktemp("lite")


@pytest.fixture(scope="module")
def session(lite_dir: Path) -> Iterator[Session]:
    """A Session on the embedded Milvus Lite default (`milvus_kernel.db` in `lite_dir`)."""
    s = Session(workdir=lite_dir, environ={})
    yield s
    s.close()


@pytest.fixture
def unique_name() -> str:
    """A collection name no other test uses."""
    return f"t{next(_counter)}"


@pytest.fixture(scope="session")
def lite_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A Milvus Lite server over TCP on 127.0.0.1 (a separate process); yields its http URI."""
    from servers import LiteServer

    data_dir = tmp_path_factory.mktemp("lite-server") / "data"
    data_dir.mkdir()
    server = LiteServer(data_dir)
    try:
        server.start(timeout=30)
    except RuntimeError as error:
        server.stop()
        pytest.skip(f"could not start a Milvus Lite server: {error}")
    try:
        yield server.uri
    finally:
        server.stop()


# --- server fixtures, from tests/servers.py (Lite over TCP; Milvus standalone in a netns) ---
from servers import (  # noqa: E402, F401
    lite_tcp_server,
    milvus_binaries,
    milvus_server,
    milvus_server_auth,
    netns_available,
)
