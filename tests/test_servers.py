"""The test servers themselves: the standalone server answers through its relay from a network
namespace of its own that has nothing but loopback; the authenticated one refuses a wrong password.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from pymilvus import MilvusClient
from pymilvus.exceptions import MilvusException
from servers import StandaloneServer


def interfaces(pid: int) -> set[str]:
    """The network interfaces that process `pid` sees."""
    lines = Path(f"/proc/{pid}/net/dev").read_text().splitlines()[2:]
    return {line.split(":", 1)[0].strip() for line in lines}


def listening_ports(pid: int) -> set[int]:
    """TCP ports in LISTEN state in the network namespace of process `pid`."""
    ports = set()
    for table in ("tcp", "tcp6"):
        for line in Path(f"/proc/{pid}/net/{table}").read_text().splitlines()[1:]:
            fields = line.split()
            if fields[3] == "0A":  # LISTEN
                ports.add(int(fields[1].rsplit(":", 1)[1], 16))
    return ports


def test_standalone_is_confined_to_its_namespace(milvus_server: StandaloneServer) -> None:
    client = MilvusClient(milvus_server.uri, timeout=30)
    try:
        assert client.get_server_version().startswith("v2.3.5")
    finally:
        client.close()
    assert milvus_server.process is not None
    pid = milvus_server.process.pid
    assert interfaces(pid) == {"lo"}
    inside = listening_ports(pid)
    assert StandaloneServer.PROXY_PORT in inside
    assert os.readlink(f"/proc/{pid}/ns/net") != os.readlink("/proc/self/ns/net")


def test_authentication_is_on(milvus_server_auth: StandaloneServer) -> None:
    client = MilvusClient(milvus_server_auth.uri, token=milvus_server_auth.token, timeout=30)
    try:
        assert "root" in client.list_users()
    finally:
        client.close()
    with pytest.raises(MilvusException):
        MilvusClient(milvus_server_auth.uri, token="root:wrong", timeout=10)
