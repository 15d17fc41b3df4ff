"""A private network namespace with only a loopback device, and a relay into it, for tests.

Some servers (Milvus standalone) listen on every interface; tests run them inside a namespace
of their own so that nothing is ever exposed beyond loopback:

    test process ── 127.0.0.1:<free port> ── `Relay` thread ──(socket made inside the namespace)──▶
        127.0.0.1:<port> inside the namespace ── the server

`NetNamespace` is held by a tiny process (`unshare(CLONE_NEWNET)`, loopback up, then it waits for
its stdin to close). `spawn()` starts processes (in a namespace or not) that die with the test
process (`PR_SET_PDEATHSIG`), in their own process group; everything started here is also stopped
at exit. `skip_reason()` says in one line why a machine cannot make a namespace.
"""

from __future__ import annotations

import atexit
import contextlib
import ctypes
import os
import queue
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from typing import Any

CLONE_NEWNET = 0x40000000

# Runs in a fresh process: a private network namespace with loopback up, held until stdin closes.
_HOLDER = r"""
import ctypes, fcntl, os, socket, struct, sys
libc = ctypes.CDLL(None, use_errno=True)
if libc.unshare(0x40000000) != 0:
    sys.stdout.write("error: unshare(CLONE_NEWNET): " + os.strerror(ctypes.get_errno()) + "\n")
    sys.exit(1)
with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
    flags = struct.unpack("16sH14x", fcntl.ioctl(s, 0x8913, struct.pack("16sH14x", b"lo", 0)))[1]
    fcntl.ioctl(s, 0x8914, struct.pack("16sH14x", b"lo", flags | 1))
sys.stdout.write("ready\n")
sys.stdout.flush()
sys.stdin.read()
"""

# Runs in a fresh process: enter the namespace at argv[1] (unless "-"), die with the parent,
# exec argv[2:].
_ENTER = r"""
import ctypes, os, sys
libc = ctypes.CDLL(None, use_errno=True)
if sys.argv[1] != "-":
    fd = os.open(sys.argv[1], os.O_RDONLY)
    if libc.setns(fd, 0x40000000) != 0:
        sys.exit("setns: " + os.strerror(ctypes.get_errno()))
    os.close(fd)
libc.prctl(1, 9)  # PR_SET_PDEATHSIG, SIGKILL: never outlive the test process
if os.getppid() == 1:
    sys.exit("parent already gone")
os.execvp(sys.argv[2], sys.argv[2:])
"""

live: set[Any] = set()  # everything started here, stopped at exit even if a finalizer is skipped


@atexit.register
def _stop_everything() -> None:
    for thing in list(live):
        with contextlib.suppress(Exception):
            thing.stop()


def free_port() -> int:
    """A TCP port that is free on 127.0.0.1 right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def spawn(command: list[str], namespace: str = "-", **kwargs: Any) -> subprocess.Popen[bytes]:
    """Start `command` (inside the network namespace at path `namespace`, if given) in a new
    session; Linux kills it (PR_SET_PDEATHSIG) if the test process dies first."""
    enter = [sys.executable, "-c", _ENTER, namespace]
    return subprocess.Popen(enter + command, start_new_session=True, **kwargs)


def stop_process(process: subprocess.Popen[Any] | None, grace: float = 5) -> None:
    """SIGTERM, then SIGKILL after `grace` seconds."""
    if process is None or process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


def wait_for(
    check: Callable[[], bool], alive: Callable[[], bool], timeout: float, what: str
) -> None:
    """Poll `check` until true; fail early if `alive` turns false, or after `timeout` s."""
    deadline = time.monotonic() + timeout
    while not check():
        if not alive():
            raise RuntimeError(f"{what} exited while starting")
        if time.monotonic() > deadline:
            raise RuntimeError(f"{what} did not start within {timeout:.0f} s")
        time.sleep(0.1)


def _libc() -> Any:
    return ctypes.CDLL(None, use_errno=True)


def skip_reason() -> str | None:
    """Why this machine cannot run a server in a private network namespace, or None."""
    if not sys.platform.startswith("linux"):
        return "private network namespaces need Linux"
    probe = subprocess.run(
        [sys.executable, "-c", _HOLDER], input="", capture_output=True, text=True, timeout=30
    )
    if probe.returncode != 0 or "ready" not in probe.stdout:
        why = (probe.stdout + probe.stderr).strip().splitlines()
        return "cannot create a network namespace here: " + (why[-1] if why else "unknown error")
    return None


class NetNamespace:
    """A private network namespace (loopback only), alive until `stop()`."""

    def __init__(self) -> None:
        self.holder = subprocess.Popen(
            [sys.executable, "-c", _HOLDER],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        live.add(self)
        line = self.holder.stdout.readline() if self.holder.stdout else ""
        if line.strip() != "ready":
            self.stop()
            raise RuntimeError(f"cannot create a network namespace: {line.strip()}")
        self.path = f"/proc/{self.holder.pid}/ns/net"
        self._fd = os.open(self.path, os.O_RDONLY)
        self._requests: queue.Queue[Any] = queue.Queue()
        self._worker = threading.Thread(target=self._serve, name="netns-sockets", daemon=True)
        self._worker.start()

    def _serve(self) -> None:
        """A thread inside the namespace that opens sockets on request (netns is per thread)."""
        if _libc().setns(self._fd, CLONE_NEWNET) != 0:
            error = OSError(ctypes.get_errno(), "setns failed")
            while True:
                request = self._requests.get()
                if request is None:
                    return
                request[2].put(error)
        while True:
            request = self._requests.get()
            if request is None:
                return
            port, timeout, reply = request
            try:
                reply.put(socket.create_connection(("127.0.0.1", port), timeout=timeout))
            except OSError as error:
                reply.put(error)

    def connect(self, port: int, timeout: float = 2) -> socket.socket:
        """A socket connected to 127.0.0.1:`port` inside the namespace."""
        reply: queue.Queue[Any] = queue.Queue()
        self._requests.put((port, timeout, reply))
        result = reply.get(timeout=timeout + 5)
        if isinstance(result, BaseException):
            raise result
        result.settimeout(None)
        return result

    def popen(self, command: list[str], **kwargs: Any) -> subprocess.Popen[bytes]:
        """Start `command` inside the namespace; it dies with the test process."""
        return spawn(command, self.path, **kwargs)

    def stop(self) -> None:
        if getattr(self, "_requests", None) is not None:
            self._requests.put(None)
        if getattr(self, "_fd", None) is not None:
            os.close(self._fd)
            self._fd = None
        for pipe in (self.holder.stdin, self.holder.stdout):
            if pipe:
                with contextlib.suppress(OSError):
                    pipe.close()  # the holder's stdin closing is its signal to exit
        stop_process(self.holder, grace=2)
        live.discard(self)


class Relay:
    """Listens on 127.0.0.1:`port` in this namespace; each connection goes to `target_port`
    on the loopback of `namespace`. A connection finds the target gone: it is closed at once."""

    def __init__(self, namespace: NetNamespace, target_port: int, port: int | None = None) -> None:
        self.namespace = namespace
        self.target_port = target_port
        self.listener = socket.socket()
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", port or 0))
        self.listener.listen(64)
        self.port = int(self.listener.getsockname()[1])
        self._open: set[socket.socket] = set()
        self._lock = threading.Lock()
        threading.Thread(target=self._accept, name=f"relay-{self.port}", daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return  # listener closed
            try:
                upstream = self.namespace.connect(self.target_port)
            except OSError:
                client.close()
                continue
            with self._lock:
                self._open.update((client, upstream))
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        for sock in (source, sink):
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
        with self._lock:
            for sock in (source, sink):
                if sock in self._open:
                    self._open.discard(sock)
                    sock.close()

    def drop_connections(self) -> None:
        """Cut every relayed connection (what a client sees when the server dies)."""
        with self._lock:
            for sock in self._open:
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)

    def stop(self) -> None:
        with contextlib.suppress(OSError):
            self.listener.shutdown(socket.SHUT_RDWR)
        self.listener.close()
        self.drop_connections()
