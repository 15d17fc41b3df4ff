"""The `text/plain` table: aligned columns under an underlined header, then the footer.

Like psql: ` id | label` over `----+------`, numbers right-aligned. Wide cells are cut to
`MAX_WIDTH` terminal columns with "…"; wide (CJK) characters count double; control characters
(newlines, ANSI escapes) are shown as escapes so a value can neither break the layout nor
color the output.
"""

from __future__ import annotations

import unicodedata

from milvus_kernel.display.cells import ELLIPSIS
from milvus_kernel.display.window import Window

#: Widest a column may be, in terminal columns.
MAX_WIDTH = 40

_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def text_table(window: Window) -> str:
    lines: list[str] = []
    if window.title:
        lines.append(flatten(window.title))
    if window.columns:
        header = [fit(flatten(column.name)) for column in window.columns]
        body = [[fit(flatten(cell.text)) for cell in row] for row in window.rows]
        widths = [
            max([width(name)] + [width(row[i]) for row in body]) for i, name in enumerate(header)
        ]
        right = [column.numeric for column in window.columns]
        lines.append(_line(header, widths, [False] * len(widths)))
        lines.append("+".join("-" * (w + 2) for w in widths))
        lines += [_line(row, widths, right) for row in body]
    lines.append(f"({window.footer})")
    if window.note:
        lines.append(flatten(window.note))
    return "\n".join(lines)


def _line(cells: list[str], widths: list[int], right: list[bool]) -> str:
    padded = [
        pad(cell, w, align_right) for cell, w, align_right in zip(cells, widths, right, strict=True)
    ]
    return (" " + " | ".join(padded) + " ").rstrip()


def flatten(text: str) -> str:
    """`text` on one line, with control characters shown as escapes (`\\n`, `\\x1b`)."""
    if text.isprintable():
        return text
    return "".join(
        _ESCAPES.get(ch) or (f"\\x{ord(ch):02x}" if _is_control(ch) else ch) for ch in text
    )


def _is_control(ch: str) -> bool:
    return unicodedata.category(ch) in ("Cc", "Cf") and ch not in "\u200d"


def width(text: str) -> int:
    """Terminal columns `text` takes: wide East Asian characters 2, combining marks 0."""
    if text.isascii():
        return len(text)
    return sum(_char_width(ch) for ch in text)


def _char_width(ch: str) -> int:
    if unicodedata.combining(ch) or ch == "\u200d":
        return 0
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1


def fit(text: str, limit: int = MAX_WIDTH) -> str:
    """`text` cut to at most `limit` terminal columns, ending with "…" when cut."""
    if width(text) <= limit:
        return text
    used = 0
    kept: list[str] = []
    for ch in text:
        w = _char_width(ch)
        if used + w > limit - 1:
            break
        kept.append(ch)
        used += w
    return "".join(kept) + ELLIPSIS


def pad(text: str, to: int, right: bool = False) -> str:
    space = " " * max(0, to - width(text))
    return space + text if right else text + space
