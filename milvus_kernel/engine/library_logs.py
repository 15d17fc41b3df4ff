"""The one log policy: library records go to the kernel's log, never to the notebook.

`quiet_library_logs`: records of pymilvus, Milvus Lite and gRPC, and the kernel's own
(`milvus_kernel`, where internal errors write their traceback), go to the kernel's log (the
process's original stderr, which Jupyter shows in its terminal), never to the notebook. pymilvus's
per-RPC error tracebacks are dropped: the kernel reports each failure to the user in one line.
Importing pymilvus configures its loggers again, so the policy is applied again once it is
imported (the kernel's warm-up, and `open_connection` before the first call); applying it twice
is harmless.
"""

from __future__ import annotations

import logging
import sys

#: the library loggers and the least level each sends to the kernel's log
LIBRARY_LEVELS = {
    "pymilvus": logging.CRITICAL,  # its ERROR records are the per-RPC tracebacks
    "milvus_lite": logging.WARNING,
    "grpc": logging.WARNING,
    # the embedded Lite server's per-call exceptions, which its client reports to the user anyway
    "grpc._server": logging.CRITICAL,
}
#: the kernel's own logger: internal errors are logged on it with their traceback
KERNEL_LOGGER = "milvus_kernel"
_FORMAT = "[%(name)s %(levelname)s] %(message)s"
_handler: logging.Handler | None = None


def kernel_log_handler() -> logging.Handler:
    """The one handler writing to the kernel's log (the original stderr, not the notebook's)."""
    global _handler
    if _handler is None:
        _handler = logging.StreamHandler(sys.__stderr__)
        _handler.setFormatter(logging.Formatter(_FORMAT))
    return _handler


def quiet_library_logs(kernel: bool = True) -> None:
    """Apply the log policy (see the module doc); with `kernel` (the Jupyter kernel, at start)
    also to Python warnings. The engine calls it with `kernel=False`, so the IPython magic
    leaves the user's warnings alone."""
    handler = kernel_log_handler()
    for name, level in LIBRARY_LEVELS.items():
        _route(logging.getLogger(name), handler, level)
        prefix = name + "."
        for other, logger in list(logging.Logger.manager.loggerDict.items()):
            # pymilvus gives some of its loggers their own console handler (to the notebook)
            if other.startswith(prefix) and isinstance(logger, logging.Logger) and logger.handlers:
                _route(logger, handler, level)
    own = logging.getLogger(KERNEL_LOGGER)  # propagates still: a test's log capture sees it
    own.setLevel(logging.ERROR)
    if handler not in own.handlers:
        own.addHandler(handler)
    if kernel:
        logging.captureWarnings(True)
        _route(logging.getLogger("py.warnings"), handler, logging.WARNING)


def _route(logger: logging.Logger, handler: logging.Handler, level: int) -> None:
    logger.handlers = [handler]
    logger.setLevel(level)
    logger.propagate = False
