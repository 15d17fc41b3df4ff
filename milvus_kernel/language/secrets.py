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
    return mask_secrets_at(text, 0)[0]


def mask_secrets_at(text: str, position: int) -> tuple[str, int]:
    """The masked text, and where `position` of the original text lands in it (for a caret)."""
    if not _might_hold_secret(text):
        return text, position
    for pattern, replace in ((_AFTER_KEYWORD, _keyword_mask), (_URI_CREDENTIALS, _uri_mask)):
        pieces: list[str] = []
        last = shift = 0
        for match in pattern.finditer(text):
            replacement = replace(match)
            pieces += [text[last : match.start()], replacement]
            if match.end() <= position:
                shift += len(replacement) - (match.end() - match.start())
            last = match.end()
        text = "".join([*pieces, text[last:]])
        position += shift
    return text, position


def _keyword_mask(match: re.Match[str]) -> str:
    quote = match["value"][0]
    return f"{match['keyword']}{quote}{MASK}{quote}"


def _uri_mask(match: re.Match[str]) -> str:
    return f"{match['scheme']}:{MASK}@"


def _might_hold_secret(text: str) -> bool:
    upper = text[:100_000].upper() if len(text) > 100_000 else text.upper()
    return "PASSWORD" in upper or "TOKEN" in upper or "@" in text
