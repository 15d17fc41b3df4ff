"""Shared fixtures: a real Milvus Lite database per test module, unique collection names.

Engine tests build statement dataclasses directly and run them on an in-process Milvus Lite
(no mocks). One `.db` directory is shared by the tests of a module to keep the suite fast; each
test uses its own collection names (`unique_name`).
"""

from __future__ import annotations

import itertools
import socket
import subprocess
import sys
import time
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


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def lite_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A Milvus Lite server over TCP on 127.0.0.1 (a separate process); yields its http URI."""
    port = _free_port()
    data_dir = tmp_path_factory.mktemp("lite-server")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "milvus_lite",
            "server",
            "--data-dir",
            str(data_dir / "data"),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    pytest.skip("could not start a Milvus Lite server")
                time.sleep(0.1)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


# --- server fixtures, from tests/servers.py (Lite over TCP; Milvus standalone in a netns) ---
from servers import (  # noqa: E402, F401
    lite_tcp_server,
    milvus_binaries,
    milvus_server,
    milvus_server_auth,
    netns_available,
)
