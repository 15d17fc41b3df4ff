"""Milvus SQL: a Jupyter kernel that turns SQL-like cells into pymilvus MilvusClient calls.

`%load_ext milvus_kernel` in IPython adds the `%milvus` / `%%milvus` magic
(`milvus_kernel.frontends.magic`, imported only then).
"""

from __future__ import annotations

from typing import Any

__version__ = "0.1.0"


def load_ipython_extension(shell: Any) -> None:
    """Called by `%load_ext milvus_kernel`: registers `%milvus` and `%%milvus`."""
    from milvus_kernel.frontends.magic import load_ipython_extension as load

    load(shell)


def unload_ipython_extension(shell: Any) -> None:
    """Called by `%unload_ext milvus_kernel`: closes the magic's Milvus session."""
    from milvus_kernel.frontends.magic import unload_ipython_extension as unload

    unload(shell)
