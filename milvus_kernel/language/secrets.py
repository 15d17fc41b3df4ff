"""Masks secrets in statement text before it is shown anywhere (errors, history, EXPLAIN).

A password or token is the string literal after PASSWORD or TOKEN, or the `user:password@` part
of a URI. What the user typed stays in their cell; no output repeats it.
"""

from __future__ import annotations

import re

MASK = "***"

_AFTER_KEYWORD = re.compile(
    r"""(?P<keyword>\b(?:PASSWORD|TOKEN)\s+)(?P<value>'(?:[^']|'')*'?|"(?:[^"\\]|\\.)*"?)""",
    re.IGNORECASE | re.DOTALL,
)
_URI_CREDENTIALS = re.compile(r"(?P<scheme>\b[A-Za-z][A-Za-z0-9+.-]*://[^/\s:@'\"]*):[^@\s'\"]*@")


def mask_secrets(text: str) -> str:
    """`text` with every password, token and URI password replaced by ***."""
    if not _might_hold_secret(text):
        return text
    text = _AFTER_KEYWORD.sub(lambda m: f"{m['keyword']}{m['value'][0]}{MASK}{m['value'][0]}", text)
    return _URI_CREDENTIALS.sub(lambda m: f"{m['scheme']}:{MASK}@", text)


def _might_hold_secret(text: str) -> bool:
    upper = text[:100_000].upper() if len(text) > 100_000 else text.upper()
    return "PASSWORD" in upper or "TOKEN" in upper or "@" in text
