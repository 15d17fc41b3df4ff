"""CONNECT ... WITH (TLS options): the options reach MilvusClient as its own keyword arguments
(paths made absolute, relative to the working directory), SHOW CONNECTION and EXPLAIN show the
paths and never a file's contents, bad options fail before connecting, and a TLS handshake with
a plaintext server (Milvus Lite over TCP) fails in one line. And one-way TLS for real: the 2.3.5
standalone with tlsMode 1 and a certificate openssl makes here, and two-way TLS (tlsMode 2: a CA,
the server's and a client's certificate), each reached over TLS only."""

from __future__ import annotations

import inspect
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pymilvus
import pytest
from admin_helpers import fails, rows, text

from milvus_kernel.engine.session import Session
from milvus_kernel.language.parser import parse_cell

KEY_MATERIAL = "-----BEGIN PRIVATE KEY-----\nTOP-SECRET-KEY-BYTES\n-----END PRIVATE KEY-----\n"


@pytest.fixture
def certs(tmp_path: Path) -> Path:
    folder = tmp_path / "certs"
    folder.mkdir()
    for name in ("ca.pem", "client.pem", "server.pem"):
        (folder / name).write_text("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n")
    (folder / "client.key").write_text(KEY_MATERIAL)
    return folder


def two_way(uri: str) -> str:
    return (
        f"CONNECT '{uri}' TOKEN 'root:Milvus' WITH (ca_pem_path = 'certs/ca.pem', "
        "client_pem_path = 'certs/client.pem', client_key_path = 'certs/client.key', "
        "server_name = 'localhost')"
    )


def test_the_options_parse():
    [statement] = parse_cell(two_way("https://milvus.example.com:19530"))
    assert statement.tls == {
        "ca_pem_path": "certs/ca.pem",
        "client_pem_path": "certs/client.pem",
        "client_key_path": "certs/client.key",
        "server_name": "localhost",
    }
    assert "Milvus" not in repr(statement)  # the token stays hidden


def test_the_options_reach_milvus_client(
    certs: Path, lite_server: str, monkeypatch: pytest.MonkeyPatch
):
    """The client is opened with MilvusClient's TLS keywords; the test then lets it connect to a
    plaintext Lite server without them, to read SHOW CONNECTION and EXPLAIN."""
    real = pymilvus.MilvusClient
    given: list[dict[str, Any]] = []

    def recording(uri: str, **kwargs: Any) -> Any:
        given.append({"uri": uri, **kwargs})
        tls = ("secure", "ca_pem_path", "client_pem_path", "client_key_path", "server_name")
        return real(uri, **{k: v for k, v in kwargs.items() if k not in tls and k != "token"})

    monkeypatch.setattr(pymilvus, "MilvusClient", recording)
    session = Session(workdir=certs.parent, environ={})
    try:
        assert text(session, two_way(lite_server)).startswith("connected to")
        [kwargs] = given
        expected = {
            "secure": True,
            "ca_pem_path": str(certs / "ca.pem"),
            "client_pem_path": str(certs / "client.pem"),
            "client_key_path": str(certs / "client.key"),
            "server_name": "localhost",
        }
        assert {k: kwargs[k] for k in expected} == expected
        inspect.signature(real).bind(**kwargs)  # every keyword is MilvusClient's
        shown = dict(rows(session, "SHOW CONNECTION"))
        assert shown["tls client_key_path"] == str(certs / "client.key")
        assert shown["tls secure"] == "true"
        script = text(session, "EXPLAIN SHOW TABLES")
        assert f"client_key_path={str(certs / 'client.key')!r}" in script
        assert "secure=True" in script
        everything = str(shown) + script
        assert "TOP-SECRET" not in everything and "root:Milvus" not in everything
    finally:
        session.close()


def test_bad_options_fail_before_connecting(certs: Path):
    session = Session(workdir=certs.parent, environ={})
    try:
        missing = fails(session, "CONNECT 'https://h:19530' WITH (ca_pem_path = 'certs/nope.pem')")
        assert f"ca_pem_path: {certs / 'nope.pem'} does not exist" in missing
        assert "unknown CONNECT option 'pem'" in fails(
            session, "CONNECT 'https://h:19530' WITH (pem = 'x')"
        )
        assert "need secure = true" in fails(
            session,
            "CONNECT 'http://h:19530' WITH (secure = false, server_pem_path = 'certs/server.pem')",
        )
        assert "not a Lite file" in fails(session, "CONNECT 'x.db' WITH (secure = true)")
    finally:
        session.close()


def test_tls_to_a_plaintext_server_fails_in_one_line(lite_server: str, tmp_path: Path):
    session = Session(workdir=tmp_path, environ={})
    session.settings.set("timeout", 3)
    try:
        report = fails(session, f"CONNECT '{lite_server}' WITH (secure = true)")
        assert report.count("\n") == 0 and "cannot" in report, report
        assert "Traceback" not in report
    finally:
        session.close()


def test_a_named_connection_takes_the_tls_options(certs: Path, tmp_path: Path):
    from milvus_kernel.engine.connection.targets import named_target

    (tmp_path / "connections.toml").write_text(
        '[secure]\nuri = "https://milvus.example.com:19530"\ntoken = "root:Milvus"\n'
        'ca_pem_path = "certs/ca.pem"\nserver_name = "milvus.example.com"\n'
    )
    target = named_target("secure", {"MILVUS_KERNEL_CONFIG_DIR": str(tmp_path)}, certs.parent)
    assert dict(target.tls) == {
        "ca_pem_path": str(certs / "ca.pem"),
        "server_name": "milvus.example.com",
        "secure": True,
    }
    assert "root:Milvus" not in repr(target)


# --- a real TLS server: the 2.3.5 standalone with tlsMode 1 and a certificate made here ----------


def make_certificate(folder: Path) -> None:
    """A self-signed certificate for localhost (and 127.0.0.1), made by openssl on the spot."""
    folder.mkdir(parents=True, exist_ok=True)
    command = "openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=localhost"
    command += " -addext subjectAltName=DNS:localhost,IP:127.0.0.1"
    keys = ["-keyout", str(folder / "server.key"), "-out", str(folder / "server.pem")]
    subprocess.run([*command.split(), *keys], check=True, capture_output=True)


def make_two_way_certificates(folder: Path) -> None:
    """A CA, and a server (localhost, 127.0.0.1) and a client certificate it signs."""
    folder.mkdir(parents=True, exist_ok=True)

    def openssl(command: str) -> None:
        subprocess.run(["openssl", *command.split()], check=True, capture_output=True, cwd=folder)

    openssl(
        "req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=test-ca -keyout ca.key -out ca.pem"
    )
    (folder / "san.cnf").write_text("subjectAltName=DNS:localhost,IP:127.0.0.1\n")
    for name, subject in (("server", "/CN=localhost"), ("client", "/CN=client")):
        openssl(f"req -newkey rsa:2048 -nodes -subj {subject} -keyout {name}.key -out {name}.csr")
        openssl(
            f"x509 -req -in {name}.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 "
            f"-out {name}.pem -extfile san.cnf"
        )


def tls_standalone(base: Path, binaries: Path, certs: Path, mode: int) -> Any:
    """A started 2.3.5 standalone that speaks TLS only: one-way (mode 1) or two-way (mode 2)."""
    from servers import StandaloneServer

    class TlsServer(StandaloneServer):
        def _write_config(self) -> None:
            from milvus import MilvusServerConfig

            config = MilvusServerConfig(data_dir=str(self.base_dir))
            config.set("proxy_port", self.PROXY_PORT)
            config.set("tls_mode", mode)
            config.set("server_pem_path", str(certs / "server.pem"))
            config.set("server_key_path", str(certs / "server.key"))
            if mode == 2:
                config.set("ca_pem_path", str(certs / "ca.pem"))
            config.resolve_storage()
            config.write_config()

    server = TlsServer(base, binaries)
    try:
        server.start()
    except BaseException:
        server.stop()
        raise
    return server


@pytest.fixture(scope="module")
def tls_server(
    tmp_path_factory: pytest.TempPathFactory, milvus_binaries: Path
) -> Iterator[tuple[Any, Path]]:
    if shutil.which("openssl") is None:
        pytest.skip("making a certificate needs openssl")
    certs = tmp_path_factory.mktemp("tls") / "certs"
    make_certificate(certs)
    server = tls_standalone(tmp_path_factory.mktemp("milvus-tls"), milvus_binaries, certs, 1)
    yield server, certs
    server.stop()


@pytest.fixture(scope="module")
def two_way_server(
    tmp_path_factory: pytest.TempPathFactory, milvus_binaries: Path
) -> Iterator[tuple[Any, Path]]:
    if shutil.which("openssl") is None:
        pytest.skip("making a certificate needs openssl")
    certs = tmp_path_factory.mktemp("tls2") / "certs"
    make_two_way_certificates(certs)
    server = tls_standalone(tmp_path_factory.mktemp("milvus-tls2"), milvus_binaries, certs, 2)
    yield server, certs
    server.stop()


def test_one_way_tls_to_a_real_server(tls_server: tuple[Any, Path]):
    server, certs = tls_server
    https = server.uri.replace("http://", "https://")
    session = Session(workdir=certs.parent, environ={})
    session.settings.set("timeout", 10)
    try:
        options = "server_pem_path = 'certs/server.pem', server_name = 'localhost'"
        connect = f"CONNECT '{https}' WITH ({options})"
        assert text(session, connect).startswith("connected to")
        run_all = (
            "CREATE TABLE tls_docs WITH (dimension = 2); INSERT INTO tls_docs VALUES (1, [1, 0])"
        )
        text(session, run_all)
        client = session.catalog().client
        counted = client.query(
            "tls_docs", filter="id >= 0", output_fields=["count(*)"], consistency_level="Strong"
        )
        assert counted[0]["count(*)"] == 1
        assert dict(rows(session, "SHOW CONNECTION"))["tls server_name"] == "localhost"
        # without TLS the server refuses the plaintext client: one line, no traceback
        session.settings.set("timeout", 3)
        report = fails(session, f"CONNECT '{server.uri}'")
        assert report.count("\n") == 0 and "Traceback" not in report, report
    finally:
        session.close()


def test_two_way_tls_to_a_real_server(two_way_server: tuple[Any, Path]):
    server, certs = two_way_server
    https = server.uri.replace("http://", "https://")
    session = Session(workdir=certs.parent, environ={})
    session.settings.set("timeout", 10)
    try:
        options = (
            "ca_pem_path = 'certs/ca.pem', client_pem_path = 'certs/client.pem', "
            "client_key_path = 'certs/client.key', server_name = 'localhost'"
        )
        assert text(session, f"CONNECT '{https}' WITH ({options})").startswith("connected to")
        assert text(session, "CREATE TABLE tls2_docs WITH (dimension = 2)") == (
            "created collection tls2_docs"
        )
        assert "tls2_docs" in session.catalog().client.list_collections()
        # the server asks for a client certificate: one-way TLS is refused, in one line
        session.settings.set("timeout", 3)
        one_way = (
            f"CONNECT '{https}' WITH (ca_pem_path = 'certs/ca.pem', server_name = 'localhost')"
        )
        report = fails(session, one_way)
        assert report.count("\n") == 0 and "Traceback" not in report, report
    finally:
        session.close()
