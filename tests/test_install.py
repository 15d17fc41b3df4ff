"""The kernel spec and its installer: kernel.json contents, logos, `jupyter kernelspec list`,
the CLI's options and errors, and a non-editable install built from the wheel."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from milvus_kernel import install as installer

ROOT = Path(__file__).resolve().parent.parent
LOGOS = ("logo-32x32.png", "logo-64x64.png", "logo-svg.svg")


def run_cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "milvus_kernel.install", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


def test_kernel_spec_contents():
    spec = installer.kernel_spec()
    assert spec["argv"] == [sys.executable, "-m", "milvus_kernel", "-f", "{connection_file}"]
    assert spec["display_name"] == "Milvus SQL"
    assert spec["language"] == "sql"
    assert spec["interrupt_mode"] == "signal"


def test_resources_are_real_images():
    for logo in LOGOS:
        data = (installer.RESOURCES / logo).read_bytes()
        assert data
    assert (installer.RESOURCES / "logo-64x64.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert b"<svg" in (installer.RESOURCES / "logo-svg.svg").read_bytes()


def test_install_into_prefix(tmp_path):
    result = run_cli("--prefix", str(tmp_path))
    assert result.returncode == 0, result.stderr
    spec_dir = tmp_path / "share" / "jupyter" / "kernels" / "milvus"
    assert str(spec_dir) in result.stdout
    spec = json.loads((spec_dir / "kernel.json").read_text())
    assert spec["argv"] == [sys.executable, "-m", "milvus_kernel", "-f", "{connection_file}"]
    assert spec["display_name"] == "Milvus SQL"
    assert spec["language"] == "sql"
    for logo in LOGOS:
        assert (spec_dir / logo).read_bytes() == (installer.RESOURCES / logo).read_bytes()

    env = {**os.environ, "JUPYTER_PATH": str(tmp_path / "share" / "jupyter")}
    listed = subprocess.run(
        [sys.executable, "-m", "jupyter", "kernelspec", "list", "--json"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert listed.returncode == 0, listed.stderr
    specs = json.loads(listed.stdout)["kernelspecs"]
    assert Path(specs["milvus"]["resource_dir"]) == spec_dir
    assert specs["milvus"]["spec"]["display_name"] == "Milvus SQL"


def test_install_twice_replaces(tmp_path):
    assert run_cli("--prefix", str(tmp_path)).returncode == 0
    assert run_cli("--prefix", str(tmp_path)).returncode == 0


def test_options_are_mutually_exclusive(tmp_path):
    result = run_cli("--user", "--prefix", str(tmp_path))
    assert result.returncode == 2
    assert "not allowed with" in result.stderr


def test_sys_prefix_and_user_targets(monkeypatch):
    calls = []
    monkeypatch.setattr(installer, "install", lambda **kw: calls.append(kw) or "/x")
    assert installer.main(["--sys-prefix"]) == 0
    assert installer.main(["--user"]) == 0
    assert calls == [{"user": False, "prefix": sys.prefix}, {"user": True, "prefix": None}]


def test_default_target_follows_the_environment(monkeypatch):
    monkeypatch.setattr(installer.sys, "base_prefix", "/somewhere/else")
    assert installer.default_target() == (False, sys.prefix)
    monkeypatch.setattr(installer.sys, "prefix", "/usr")
    monkeypatch.setattr(installer.sys, "base_prefix", "/usr")
    assert installer.default_target() == (True, None)


def test_permission_error_gives_a_hint(monkeypatch, capsys):
    from jupyter_client.kernelspec import KernelSpecManager

    def refuse(self, *args, **kwargs):
        raise PermissionError(13, "Permission denied", "/usr/share/jupyter/kernels/milvus")

    monkeypatch.setattr(KernelSpecManager, "install_kernel_spec", refuse)
    assert installer.main([]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "Permission denied" in err and "try --user or --sys-prefix" in err
    assert "Traceback" not in err


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root ignores permissions")
def test_read_only_prefix_gives_a_hint(tmp_path):
    tmp_path.chmod(0o500)
    try:
        result = run_cli("--prefix", str(tmp_path / "p"))
    finally:
        tmp_path.chmod(0o700)
    assert result.returncode == 1
    assert "try --user or --sys-prefix" in result.stderr
    assert "Traceback" not in result.stderr


def test_unwritable_target_fails_in_one_line(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    result = run_cli("--prefix", str(blocker / "prefix"))
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1
    assert "try --user or --sys-prefix" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """The wheel built from this source tree by the project's own build backend."""
    out = tmp_path_factory.mktemp("wheel")
    built = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys, hatchling.build as b; print(b.build_wheel(sys.argv[1]))",
            str(out),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert built.returncode == 0, built.stderr
    return out / built.stdout.strip().splitlines()[-1]


def test_wheel_ships_grammar_and_resources(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    grammar = sorted(p.name for p in (ROOT / "grammar").glob("*.lark"))
    assert grammar, "the source tree has grammar files"
    for name in grammar:
        assert f"milvus_kernel/grammar/{name}" in names
    for logo in LOGOS:
        assert f"milvus_kernel/resources/{logo}" in names
    for module in ("__main__.py", "frontends/kernel.py", "install.py", "frontends/runner.py"):
        assert f"milvus_kernel/{module}" in names
    assert not any(n.startswith(("tests/", "docs/")) for n in names)


def test_kernel_runs_from_the_wheel(wheel, tmp_path):
    """A non-editable install: the package unpacked alone, the kernel spec installed from it,
    and a kernel started from it that parses and runs a statement (grammar found inside)."""
    from kernel_harness import execute, running_kernel

    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    env = {**os.environ, "PYTHONPATH": str(site)}
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    probe = subprocess.run(
        [
            sys.executable,
            "-c",
            "import milvus_kernel.language.grammar as g; print(g.grammar_dir())",
        ],
        capture_output=True,
        text=True,
        env=env,
        cwd=outside,
        timeout=120,
    )
    assert probe.returncode == 0, probe.stderr
    assert Path(probe.stdout.strip()) == site / "milvus_kernel" / "grammar"

    prefix = tmp_path / "prefix"
    result = run_cli("--prefix", str(prefix), env=env)
    assert result.returncode == 0, result.stderr
    data_dir = str(prefix / "share" / "jupyter")
    spec_dir = prefix / "share" / "jupyter" / "kernels" / "milvus"
    assert (spec_dir / "logo-64x64.png").exists()

    with running_kernel(outside, env={"PYTHONPATH": str(site)}, data_dir=data_dir) as (_, kc):
        reply, _outputs = execute(kc, "SHOW TABLES;")
        assert reply["status"] == "ok", reply
    assert (outside / "milvus_kernel.db").is_dir()
