"""Masks a cell's secrets in text that repeats pieces of the cell: the one line an error shows,
a message that quotes a value, the kernel log of an internal error.

A line such as `'pw' DATABSE 'x'` says nothing of a password on its own (the PASSWORD keyword is
two lines up), so the secrets are found in the whole cell first (`known_secrets(cell)`) and then
masked wherever the text repeats them: the tokens as typed, the bare values (four characters or
more: a one-letter password is not masked inside every word), and any quoted piece of a value
(`'pa'`, when a URI parser complains about the port `pa` of `u:pa/ss@h`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from milvus_kernel.language.secret_uris import secret_fields_in_text
from milvus_kernel.language.secrets import (
    MASK,
    Span,
    apply_spans,
    mask_secrets_at,
    secret_tokens,
)

_SHORTEST_BARE_VALUE = 4
_QUOTED_PIECE = re.compile(r"'[^'\n]{1,200}'|\"[^\"\n]{1,200}\"")


@dataclass(frozen=True)
class KnownSecrets:
    """The secrets of one cell: `tokens` (as typed, masked), longest first, and bare `values`."""

    tokens: tuple[tuple[str, str], ...] = ()
    values: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.tokens)


def known_secrets(cell: str) -> KnownSecrets:
    """What `mask_known_at` looks for: every secret of `cell`."""
    found = secret_tokens(cell)
    pairs = {token.typed: token.masked for token in found}
    values = {value for token in found for value in token.values}
    pairs.update((value, MASK) for value in values if len(value) >= _SHORTEST_BARE_VALUE)
    return KnownSecrets(
        tuple(sorted(pairs.items(), key=lambda pair: len(pair[0]), reverse=True)),
        tuple(sorted(values, key=len, reverse=True)),
    )


def mask_known(text: str, known: KnownSecrets) -> str:
    """`text` with its own secrets and every secret of `known` masked."""
    return mask_known_at(text, 0, known)[0]


def mask_known_at(text: str, position: int, known: KnownSecrets) -> tuple[str, int]:
    """`mask_known`, and where `position` of `text` lands in the result (for a caret)."""
    text, position = mask_secrets_at(text, position)
    fields = secret_fields_in_text(text)  # free text: a URI ends at white space, quotes and all
    text, position = apply_spans(text, [Span(start, end) for start, end in fields], position)
    if not known:
        return text, position
    for typed, masked in known.tokens:
        if typed in text:
            spans, at = [], text.find(typed)
            while at >= 0:
                spans.append(Span(at, at + len(typed), masked))
                at = text.find(typed, at + len(typed))
            text, position = apply_spans(text, spans, position)
    pieces = [
        Span(match.start() + 1, match.end() - 1)
        for match in _QUOTED_PIECE.finditer(text)
        if _is_piece(match.group()[1:-1], known.values)
    ]
    return apply_spans(text, pieces, position)


def _is_piece(quoted: str, values: tuple[str, ...]) -> bool:
    """True when `quoted` is a secret value or a piece (two characters or more) of one."""
    if quoted == MASK:
        return False
    return any(quoted == value or (len(quoted) >= 2 and quoted in value) for value in values)
