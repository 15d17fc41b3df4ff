"""Places in a statement where Tab offers a word of a fixed vocabulary rather than a keyword or
a name: an index type after CREATE INDEX ... USING, a metric after `metric_type =`, a column type
in CREATE TABLE's column list, an option name inside WITH (...).

`vocabulary_at(before)` reads the statement's text up to the word being typed; the words
themselves come from the engine's lists (`engine.lookups`), which know what each statement takes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_FLAGS = re.I | re.S
_NAME = r"(?:[A-Za-z_]\w*|`[^`]*`)"
_INDEX_USING = re.compile(r"^\s*CREATE\s+INDEX\b.*\bUSING\s+\Z", _FLAGS)
_USING_TYPE = re.compile(r"\bUSING\s+([A-Za-z_]\w*)", re.I)
_VALUE_OF = re.compile(r"\b(metric_type|index_type)\s*=\s*(['\"]?)\Z", re.I)
_TABLE_COLUMNS = re.compile(
    rf"^\s*CREATE\s+(?:TABLE|COLLECTION)\s+(?:IF\s+NOT\s+EXISTS\s+)?{_NAME}\s*\(", _FLAGS
)
_COLUMN_NAME_DONE = re.compile(rf"^\s*{_NAME}\s+\Z")
_ELEMENT_TYPE = re.compile(r"<\s*\Z")
_WITH_OPEN = re.compile(r"\bWITH\s*\(", re.I)
#: after RERANK, or after a ranker's closing parenthesis and a comma: a ranker's name
_RANKER = re.compile(r"\bRERANK\s+([^;]*\)\s*,\s*)?\Z", _FLAGS)
#: inside RERANK CHAIN (...): after a step's `name =` comes a chain function's name
_CHAIN = re.compile(r"\bRERANK\s+CHAIN\s*\(", re.I)
_CHAIN_OUTPUT = re.compile(rf"\s*{_NAME}\s*=\s*\Z")
_STRINGS = re.compile(r"'(?:[^']|'')*'|\"(?:[^\"\\]|\\.)*\"|`[^`]*`")


@dataclass(frozen=True)
class Vocabulary:
    """Which list the word at the cursor comes from, and what narrows it.

    `kind` is index_type, metric_type, column_type, ranker, chain_function or option; `statement`
    (for options) is create_index, create_table, quick_table, search, import or export ("first"
    for the ranker right after RERANK); `index_type` is the CREATE INDEX's USING type when given;
    `quote` says to offer the words as strings.
    """

    kind: str
    statement: str | None = None
    index_type: str | None = None
    quote: bool = False


def vocabulary_at(before: str) -> Vocabulary | None:
    """The vocabulary of the word that starts right after `before` (a statement's beginning)."""
    value = _VALUE_OF.search(before)
    if value:
        return Vocabulary(value.group(1).lower(), quote=not value.group(2))
    if _INDEX_USING.match(before):
        return Vocabulary("index_type")
    chain = list(_CHAIN.finditer(before))
    step = _open_part(before, chain[-1].end()) if chain else None
    if step is not None:  # inside the chain's parentheses: no ranker
        return Vocabulary("chain_function") if _CHAIN_OUTPUT.match(step) else None
    ranker = _RANKER.search(before)
    if ranker:  # right after RERANK (no ranker before it) CHAIN (...) may come too
        return Vocabulary("ranker", None if ranker.group(1) else "first")
    blanked = _STRINGS.sub(lambda m: "'" + "_" * (len(m.group()) - 2) + "'", before)
    if _column_type_wanted(blanked):
        return Vocabulary("column_type")
    statement = _option_statement(blanked)
    if statement is not None:
        using = _USING_TYPE.search(blanked) if statement == "create_index" else None
        return Vocabulary("option", statement, using.group(1).upper() if using else None)
    return None


def _open_part(text: str, start: int) -> str | None:
    """What follows the last `(` or `,` at depth 1 after `start`, or None if `(` was closed."""
    depth, piece = 1, start
    for i in range(start, len(text)):
        ch = text[i]
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
            if depth == 0:
                return None
        elif ch == "," and depth == 1:
            piece = i + 1
    return text[piece:]


def _column_type_wanted(text: str) -> bool:
    match = _TABLE_COLUMNS.match(text)
    if match is None:
        return False
    part = _open_part(text, match.end())
    if part is None:
        return False
    return bool(_COLUMN_NAME_DONE.match(part) or _ELEMENT_TYPE.search(part))


def _option_statement(text: str) -> str | None:
    opened = list(_WITH_OPEN.finditer(text))
    if not opened:
        return None
    part = _open_part(text, opened[-1].end())
    if part is None or part.strip():
        return None
    head = text[: opened[-1].start()]
    words = head.split()
    first = words[0].upper() if words else ""
    if first == "CREATE" and len(words) > 1 and words[1].upper() == "INDEX":
        return "create_index"
    if first == "CREATE" and len(words) > 1 and words[1].upper() in ("TABLE", "COLLECTION"):
        return "create_table" if _TABLE_COLUMNS.match(head) else "quick_table"
    if first == "EXPORT":
        return "export"
    if first in ("INSERT", "UPSERT") and re.search(r"\bFROM\s+'", head, re.I):
        return "import"
    if first == "SEARCH" or (first == "SELECT" and re.search(r"\bORDER\s+BY\b", head, re.I)):
        return "search"
    return None
