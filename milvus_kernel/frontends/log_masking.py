"""A logging filter that masks secrets in every record the kernel logs (its stderr).

Records are masked as they pass the kernel's log handlers: URI passwords anywhere, and every
secret of the cell being run (an internal error's traceback may quote a piece of a password, as
urllib does when it cannot read `u:pa/ss@h` and complains about the port `pa`).
"""

from __future__ import annotations

import logging
import traceback

from milvus_kernel.language.known_secrets import KnownSecrets, known_secrets, mask_known


class SecretMaskingFilter(logging.Filter):
    """Masks each record's message and traceback; `cell` is the code being run."""

    def __init__(self) -> None:
        super().__init__()
        self._cell = ""
        self._known: KnownSecrets | None = None

    def set_cell(self, code: str) -> None:
        """The cell now running (its secrets are found only if something is logged)."""
        self._cell, self._known = code, None

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            text = record.getMessage()
            if record.exc_info:
                text += "\n" + "".join(traceback.format_exception(*record.exc_info)).rstrip()
            elif record.exc_text:
                text += "\n" + record.exc_text
            if self._known is None:
                self._known = known_secrets(self._cell) if self._cell else KnownSecrets()
            record.msg, record.args = mask_known(text, self._known), ()
            record.exc_info, record.exc_text = None, None
        except Exception:  # a log record must never be lost, nor break the kernel
            pass
        return True

    def attach(self, *handlers: logging.Handler) -> None:
        """Filter every record these handlers write."""
        for handler in handlers:
            if self not in handler.filters:
                handler.addFilter(self)
