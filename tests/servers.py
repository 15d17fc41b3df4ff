"""Real Milvus servers for tests, started and stopped by the tests, reachable on loopback only.

`LiteServer` runs `milvus-lite server --host 127.0.0.1` as a separate process; it can be killed
and started again on the same port and data directory (for fault tests).

`StandaloneServer` runs the Milvus 2.3.5 standalone binary that ships (lzma-compressed, unpacked
locally, never downloaded at run time) in the PyPI package `milvus`, configured by that package's
own `MilvusServerConfig`. The binary listens on every interface, so it runs only inside a private
network namespace (see `netns.py`) and tests reach it at `http://127.0.0.1:<port>` through a
relay. `kill()` then `start()` keeps the namespace, the port and the data. `admin_user` makes a
user an admin of the authenticated server and waits until the grant holds.

Fixtures: `lite_tcp_server` (function scope, yours to kill and restart), `milvus_server` and
`milvus_server_auth` (session scope; the latter has authentication on, `root`/`Milvus`).
Tests that need a namespace are skipped, with the reason in one line, where none can be made.
"""

from __future__ import annotations

import importlib.util
import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from netns import NetNamespace, Relay, free_port, live, skip_reason, spawn, stop_process, wait_for

ROOT_TOKEN = "root:Milvus"  # the standalone server's default credentials


# --- Milvus Lite over TCP ----------------------------------------------------------------------


class LiteServer:
    """`milvus-lite server` on 127.0.0.1:`port` with data in `data_dir`; restartable in place."""

    def __init__(self, data_dir: Path, port: int | None = None) -> None:
        self.data_dir = Path(data_dir)
        self.port = port or free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def uri(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 60) -> None:
        command = [sys.executable, "-m", "milvus_lite", "server", "--data-dir", str(self.data_dir)]
        command += ["--host", "127.0.0.1", "--port", str(self.port)]
        log = open(self.data_dir.parent / f"{self.data_dir.name}.log", "ab")  # noqa: SIM115
        with log:
            self.process = spawn(command, stdout=log, stderr=log)
        live.add(self)
        wait_for(self._listening, lambda: self.process.poll() is None, timeout, "milvus-lite")

    def _listening(self) -> bool:
        try:
            socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
        except OSError:
            return False
        return True

    def kill(self) -> None:
        """SIGKILL: the server vanishes mid-session, as in a crash."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)

    def stop(self) -> None:
        stop_process(self.process)
        live.discard(self)


# --- Milvus standalone 2.3.5 --------------------------------------------------------------------


def _milvus_binaries(cache: Path) -> Path:
    """The `bin` directory of the standalone server, unpacked from the `milvus` wheel once."""
    from milvus import _initialize_data_files

    _initialize_data_files(str(cache))  # skips files whose .lzma checksum is unchanged
    return cache / "bin"


class StandaloneServer:
    """Milvus 2.3.5 standalone in its own network namespace, reached at `uri` through a relay.

    `kill()` and `start()` again keep the namespace, the relay's port and the data directory.
    """

    PROXY_PORT = 19530  # inside the namespace
    HEALTH_PORT = 9091

    def __init__(self, base_dir: Path, bin_dir: Path, authentication: bool = False) -> None:
        self.base_dir = Path(base_dir)
        self.bin_dir = bin_dir
        self.authentication = authentication
        self.namespace = NetNamespace()
        self.relay = Relay(self.namespace, self.PROXY_PORT)
        self.process: subprocess.Popen[bytes] | None = None
        self._write_config()
        live.add(self)

    @property
    def uri(self) -> str:
        return f"http://127.0.0.1:{self.relay.port}"

    @property
    def token(self) -> str | None:
        return ROOT_TOKEN if self.authentication else None

    def _write_config(self) -> None:
        from milvus import MilvusServerConfig

        config = MilvusServerConfig(data_dir=str(self.base_dir))
        config.set("authorization_enabled", self.authentication)
        config.set("proxy_port", self.PROXY_PORT)
        config.resolve_storage()
        config.set("common.session.ttl", 10)  # a killed server's sessions expire sooner
        config.write_config()

    def start(self, timeout: float = 120) -> None:
        env = dict(os.environ)
        env.update(
            DEPLOY_MODE="STANDALONE",
            METRICS_PORT=str(self.HEALTH_PORT),
            MILVUS_RUN_DIR=str(self.base_dir / "run"),
            LD_LIBRARY_PATH=f"{self.bin_dir}:{env.get('LD_LIBRARY_PATH', '')}",
        )
        logs = self.base_dir / "logs"
        with (
            open(logs / "milvus-stdout.log", "ab") as out,
            open(logs / "milvus-stderr.log", "ab") as err,
        ):
            self.process = self.namespace.popen(
                [str(self.bin_dir / "milvus"), "run", "standalone"],
                cwd=self.base_dir,
                env=env,
                stdout=out,
                stderr=err,
            )
        wait_for(self._healthy, lambda: self.process.poll() is None, timeout, "milvus standalone")

    def _healthy(self) -> bool:
        try:
            with self.namespace.connect(self.HEALTH_PORT, timeout=1) as sock:
                sock.settimeout(2)
                sock.sendall(b"GET /healthz HTTP/1.0\r\nHost: localhost\r\n\r\n")
                answer = b""
                while chunk := sock.recv(4096):
                    answer += chunk
        except OSError:
            return False
        if not (answer.startswith(b"HTTP/1.") and b" 200 " in answer.split(b"\r\n", 1)[0]):
            return False
        try:  # healthy, and the proxy takes connections
            self.namespace.connect(self.PROXY_PORT, timeout=1).close()
        except OSError:
            return False
        return True

    def admin_user(self, user: str, password: str) -> None:
        """Make `user` (with `password`) an admin of this authenticated server, and wait until
        the grant holds: the proxy's caches learn of a new user and a grant a few seconds later
        (3 s here), so a statement right after them was at times refused ("permission deny").
        The role is granted again every 10 s in case a cache refresh was lost; 60 s at most."""
        import time

        from pymilvus import MilvusClient

        root = MilvusClient(self.uri, token=self.token, timeout=30)
        probe = f"grant_probe_{user}"
        try:
            if user not in root.list_users():
                root.create_user(user, password)
            if "admin" not in root.describe_user(user).get("roles", ()):
                root.grant_role(user, "admin")
            started = granted = time.monotonic()
            while True:
                try:  # refused: a MilvusException, gRPC's own PERMISSION_DENIED, or (a user
                    # just made) UNAUTHENTICATED
                    client = MilvusClient(self.uri, token=f"{user}:{password}", timeout=30)
                    try:
                        client.create_collection(probe, dimension=2)
                        client.drop_collection(probe)
                        return
                    finally:
                        client.close()
                except Exception as error:
                    text = str(error).lower()
                    if "permission deny" not in text and "auth check failure" not in text:
                        raise
                    if time.monotonic() > started + 60:
                        raise
                if time.monotonic() - granted > 10:
                    root.revoke_role(user, "admin")
                    root.grant_role(user, "admin")
                    granted = time.monotonic()
                time.sleep(0.5)
        finally:
            root.close()

    def kill(self) -> None:
        """SIGKILL the server; the namespace and the relay stay, so clients see it vanish."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)
        self.relay.drop_connections()

    def stop(self) -> None:
        stop_process(self.process, grace=2)
        self.relay.stop()
        self.namespace.stop()
        live.discard(self)


# --- fixtures ------------------------------------------------------------------------------------


@pytest.fixture
def lite_tcp_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiteServer]:
    """A Milvus Lite server over TCP of the test's own, which the test may kill and restart."""
    base = tmp_path_factory.mktemp("lite-tcp")
    server = LiteServer(base / "data")
    try:
        server.start()
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def netns_available() -> None:
    """Skip (saying why, in one line) where no private network namespace can be made."""
    reason = skip_reason()
    if reason:
        pytest.skip(reason)


@pytest.fixture(scope="session")
def milvus_binaries(tmp_path_factory: pytest.TempPathFactory, netns_available: None) -> Path:
    """The unpacked standalone binaries, shared by the servers of a test session."""
    if importlib.util.find_spec("milvus") is None:
        pytest.skip("PyPI milvus 2.3.5 (the standalone server) exists for x86-64 Linux only")
    return _milvus_binaries(tmp_path_factory.mktemp("milvus-2.3.5"))


def standalone(
    tmp_path_factory: pytest.TempPathFactory, bin_dir: Path, authentication: bool
) -> Iterator[StandaloneServer]:
    """Start a standalone server for a fixture; always stopped, even when the tests fail."""
    server = StandaloneServer(tmp_path_factory.mktemp("milvus-standalone"), bin_dir, authentication)
    try:
        server.start()
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def milvus_server(
    tmp_path_factory: pytest.TempPathFactory, milvus_binaries: Path
) -> Iterator[StandaloneServer]:
    """Milvus 2.3.5 standalone without authentication; `.uri` is http://127.0.0.1:<port>."""
    yield from standalone(tmp_path_factory, milvus_binaries, authentication=False)


@pytest.fixture(scope="session")
def milvus_server_auth(
    tmp_path_factory: pytest.TempPathFactory, milvus_binaries: Path
) -> Iterator[StandaloneServer]:
    """Milvus 2.3.5 standalone with authentication on; `.token` is the default `root:Milvus`."""
    yield from standalone(tmp_path_factory, milvus_binaries, authentication=True)
