"""The kernel starts light and warms up behind the person typing the first cell: importing the
kernel does not import the engine or pymilvus; the warm-up thread does, and builds the parser."""

from __future__ import annotations

import subprocess
import sys


def test_importing_the_kernel_leaves_the_engine_and_pymilvus_for_later():
    code = (
        "import sys, milvus_kernel.frontends.kernel\n"
        "print('milvus_kernel.engine.session' in sys.modules, 'pymilvus' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]


def test_warm_up_imports_the_engine_and_builds_the_parser():
    code = (
        "import sys, milvus_kernel.frontends.kernel as k\n"
        "from milvus_kernel.language.grammar import lark_parser\n"
        "k.warm_up()\n"
        "print('milvus_kernel.frontends.runner' in sys.modules, 'pymilvus' in sys.modules,"
        " lark_parser.cache_info().currsize)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["True", "True", "1"]
