"""What the figures were measured on: the machine and the versions of everything involved."""

from __future__ import annotations

import contextlib
import os
import platform
import sys
from importlib import metadata

PACKAGES = ("pymilvus", "milvus-lite", "lark", "ipykernel", "jupyter_client", "numpy", "pyarrow")


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as info:
            for line in info:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def memory_gb() -> float:
    try:
        with open("/proc/meminfo") as info:
            for line in info:
                if line.startswith("MemTotal:"):
                    return int(line.split()[1]) / 1024 / 1024
    except OSError:
        pass
    return 0.0


def load_average() -> str:
    try:
        return " / ".join(f"{x:.1f}" for x in os.getloadavg())
    except OSError:
        return "unknown"


def versions() -> dict[str, str]:
    found = {"Python": sys.version.split()[0]}
    for name in PACKAGES:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = "not installed"
    with contextlib.suppress(metadata.PackageNotFoundError):
        found["milvus-sql-kernel"] = metadata.version("milvus-sql-kernel")
    return found


def describe() -> list[str]:
    """Lines for the report: machine, load, versions."""
    lines = [
        f"- CPU: {cpu_model()}, {os.cpu_count()} logical cores",
        f"- memory: {memory_gb():.1f} GB",
        f"- OS: {platform.platform()}",
        f"- load average (1/5/15 min) at the start: {load_average()}",
    ]
    lines.append("- versions: " + ", ".join(f"{k} {v}" for k, v in versions().items()))
    return lines
