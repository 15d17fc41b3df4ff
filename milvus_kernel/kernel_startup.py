"""What the kernel does once at start: keep library logs out of the notebook, and warm up."""

from __future__ import annotations

import logging
import sys

NOISY_LOGGERS = ("pymilvus", "milvus_lite", "grpc")


def warm_up() -> None:
    """Import pymilvus and load the statement parser while the kernel waits for its first cell
    (a person is still typing it), so the first statement does not pay for them."""
    try:
        import pymilvus  # noqa: F401

        import milvus_kernel.runner  # noqa: F401  (the engine)
        from milvus_kernel.language.grammar import lark_parser

        lark_parser()
    except Exception:  # the first statement will do it again and report any real problem
        pass


def quiet_library_logs() -> None:
    """Send pymilvus, Milvus Lite and gRPC log records to the kernel's log, not the notebook."""
    handler = logging.StreamHandler(sys.__stderr__)
    handler.setFormatter(logging.Formatter("[%(name)s %(levelname)s] %(message)s"))
    for name in NOISY_LOGGERS:
        logger = logging.getLogger(name)
        logger.handlers = [handler]
        logger.propagate = False
    logging.captureWarnings(True)
    warnings_logger = logging.getLogger("py.warnings")
    warnings_logger.handlers = [handler]
    warnings_logger.propagate = False
