"""Register the kernel with Jupyter.

`python -m milvus_kernel.install [--user | --sys-prefix | --prefix DIR]` installs the spec `milvus`.

Small pure functions (the spec, writing it to a directory, installing it) under a thin argparse
CLI. Without an option the spec goes into the active virtual environment, else into the user's
Jupyter data directory. A permission error ends with a one-line hint, never a traceback.
"""

from __future__ import annotations

import argparse
import errno
import json
import shutil
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

KERNEL_NAME = "milvus"
DISPLAY_NAME = "Milvus SQL"
RESOURCES = Path(__file__).parent / "resources"
LOGOS = ("logo-32x32.png", "logo-64x64.png", "logo-svg.svg")


def kernel_cmd(executable: str | None = None) -> list[str]:
    """The command Jupyter runs to start the kernel; Jupyter fills in `{connection_file}`."""
    return [executable or sys.executable, "-m", "milvus_kernel", "-f", "{connection_file}"]


def kernel_spec(executable: str | None = None) -> dict[str, Any]:
    """The contents of kernel.json."""
    return {
        "argv": kernel_cmd(executable),
        "display_name": DISPLAY_NAME,
        "language": "sql",
        "interrupt_mode": "signal",
        "metadata": {"debugger": False},
    }


def write_kernel_spec(path: Path, executable: str | None = None) -> Path:
    """Write kernel.json and the logos into the directory `path` (created if needed)."""
    path.mkdir(parents=True, exist_ok=True)
    (path / "kernel.json").write_text(json.dumps(kernel_spec(executable), indent=2) + "\n")
    for logo in LOGOS:
        source = RESOURCES / logo
        if source.exists():
            shutil.copyfile(source, path / logo)
    return path


def in_virtualenv() -> bool:
    """True inside a venv/virtualenv or a conda environment other than base."""
    return sys.prefix != getattr(sys, "base_prefix", sys.prefix) or (
        Path(sys.prefix, "conda-meta").is_dir() and Path(sys.prefix).parent.name == "envs"
    )


def default_target() -> tuple[bool, str | None]:
    """(user, prefix) used when no option is given: the virtual environment, else the user."""
    if in_virtualenv():
        return False, sys.prefix
    return True, None


def install(user: bool = False, prefix: str | None = None, executable: str | None = None) -> str:
    """Install the kernel spec as `milvus`; returns the directory it was installed to."""
    from jupyter_client.kernelspec import KernelSpecManager

    with tempfile.TemporaryDirectory() as tmp:
        source = write_kernel_spec(Path(tmp) / KERNEL_NAME, executable)
        return KernelSpecManager().install_kernel_spec(
            str(source), kernel_name=KERNEL_NAME, user=user, prefix=prefix
        )


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m milvus_kernel.install",
        description="Install the Milvus SQL kernel spec for Jupyter.",
    )
    where = parser.add_mutually_exclusive_group()
    where.add_argument(
        "--user", action="store_true", help="install for the current user (~/.local/share/jupyter)"
    )
    where.add_argument(
        "--sys-prefix",
        action="store_const",
        const=sys.prefix,
        dest="prefix",
        help=f"install into this Python's prefix ({sys.prefix}), for virtualenv/conda",
    )
    where.add_argument("--prefix", metavar="DIR", help="install into DIR/share/jupyter/kernels")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    """CLI entry point; returns the process exit status."""
    args = parse_args(argv)
    user, prefix = (args.user, args.prefix) if args.user or args.prefix else default_target()
    try:
        path = install(user=user, prefix=prefix)
    except OSError as error:
        if isinstance(error, PermissionError) or error.errno in (errno.EACCES, errno.EPERM):
            where = error.filename or prefix or "the Jupyter data directory"
            print(
                f"Permission denied writing the kernel spec to {where}: try --user or --sys-prefix",
                file=sys.stderr,
            )
        else:
            print(
                f"Could not install the kernel spec: {error}; try --user or --sys-prefix",
                file=sys.stderr,
            )
        return 1
    print(f"Installed kernel spec '{KERNEL_NAME}' ({DISPLAY_NAME}) in {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
