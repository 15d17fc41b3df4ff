"""What the kernel does once at start: the warm-up, while the first cell is being typed."""

from __future__ import annotations

from milvus_kernel.engine.library_logs import quiet_library_logs


def warm_up() -> None:
    """Import pymilvus and load the statement parser while the kernel waits for its first cell
    (a person is still typing it), so the first statement does not pay for them."""
    try:
        import pymilvus  # noqa: F401

        quiet_library_logs(kernel=False)  # importing pymilvus reset its loggers
        import milvus_kernel.frontends.runner  # noqa: F401  (the engine)
        from milvus_kernel.language.grammar import lark_parser

        lark_parser()
    except Exception:  # the first statement will do it again and report any real problem
        pass
