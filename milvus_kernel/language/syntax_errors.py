"""Turns Lark's exceptions into `MilvusSyntaxError`: cell line and column, expected tokens, a hint.

With LALR, end of input arrives as an `UnexpectedToken` of type `$END` positioned at the last
token: the caret goes to the end of the statement instead, and the error is marked incomplete
(which is how `is_complete` knows to wait for more lines).
"""

from __future__ import annotations

import difflib
import re

from lark import Token
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken

from milvus_kernel.errors import MilvusSyntaxError
from milvus_kernel.language.grammar import DESCRIBED_TERMINALS, lark_parser, terminal_text
from milvus_kernel.language.splitter import Chunk

#: what "expected" shows at the start of a statement (the full list is long; HELP has it)
COMMON_STATEMENTS = ("SELECT", "SEARCH", "INSERT", "CREATE", "DROP", "SHOW", "DESCRIBE", "CONNECT")
_MAX_EXPECTED = 12
_GREEDY = {"HELP_TOPIC"}  # terminals that would swallow the rest of a line in error reports
_WORD = re.compile(r"\w+|\S")
#: what "expected" says for the terminals `grammar.terminal_text` leaves as internal names
_SHOWN_AS = {
    "SIMPLE_ROW": "'('",
    "PARAM": ":name",
    "IN_PARTITION": "IN PARTITION",
    "NEXT_LEG": "', USING'",
    "HELP_TOPIC": "a topic",
}
#: SQL words of other dialects, and where Milvus SQL says the same thing
SQL_HABITS = {
    "AUTO_INCREMENT": "Milvus makes the keys itself with AUTO_ID: id INT64 PRIMARY KEY AUTO_ID",
    "AUTOINCREMENT": "Milvus makes the keys itself with AUTO_ID: id INT64 PRIMARY KEY AUTO_ID",
    "IDENTITY": "Milvus makes the keys itself with AUTO_ID: id INT64 PRIMARY KEY AUTO_ID",
    "UNIQUE": "only the PRIMARY KEY is unique in Milvus",
}


class Located:
    """Maps offsets inside a chunk to the cell's lines and columns."""

    def __init__(self, code: str, chunk: Chunk) -> None:
        self.code = code
        self.chunk = chunk

    def at_offset(self, offset: int) -> tuple[int, int, str]:
        """(line, column, source line) of an offset inside the chunk."""
        absolute = self.chunk.offset + min(offset, len(self.chunk.text))
        line = self.code.count("\n", 0, absolute) + 1
        line_start = self.code.rfind("\n", 0, absolute) + 1
        line_end = self.code.find("\n", absolute)
        source = self.code[line_start : line_end if line_end >= 0 else len(self.code)]
        return line, absolute - line_start + 1, source

    def end(self) -> tuple[int, int, str]:
        """Just past the last non-blank character of the statement (comments excluded)."""
        return self.at_offset(_content_end(self.chunk.text))

    def error(self, message: str, offset: int | None, **details: object) -> MilvusSyntaxError:
        line, column, source = self.end() if offset is None else self.at_offset(offset)
        return MilvusSyntaxError(message, line=line, column=column, source_line=source, **details)


def _content_end(text: str) -> int:
    end = len(text.rstrip())
    # a trailing line comment is not content: step back over it
    while True:
        line_start = text.rfind("\n", 0, end) + 1
        line = text[line_start:end]
        cut = _comment_start(line)
        if cut is None:
            return end
        end = len(text[: line_start + cut].rstrip())


def _comment_start(line: str) -> int | None:
    quote = None
    for i, ch in enumerate(line):
        if quote:
            if ch == quote:
                quote = None
        elif ch in "'\"`":
            quote = ch
        elif line.startswith("--", i):
            return i
    return None


def from_lark(error: UnexpectedInput, where: Located) -> MilvusSyntaxError:
    """The friendly form of a Lark parse or lex error."""
    if (isinstance(error, UnexpectedToken) and error.token.type == "$END") or isinstance(
        error, UnexpectedEOF
    ):
        expected = _expected(error)
        return where.error(
            "the statement ends too early",
            None,
            expected=expected,
            hint=_hint_at_end(expected),
            incomplete=True,
        )
    if isinstance(error, UnexpectedToken) and error.token.type in _GREEDY:
        # a greedy terminal of another context matched while reporting: show the text itself
        pos = error.token.start_pos
        text = where.chunk.text
        relexed = _relex(text, pos)
        if relexed is None and text[pos] in "'\"`":
            return where.error(
                f"unterminated {'name' if text[pos] == '`' else 'string'}",
                pos,
                hint=f"close it with {text[pos]}",
                incomplete=True,
            )
        if relexed is None:
            word = _WORD.match(text, pos).group()  # type: ignore[union-attr]
            relexed = Token("CHARACTER", word, start_pos=pos)
        error.token = relexed  # and report it as the token it is elsewhere
    if isinstance(error, UnexpectedToken):
        token = error.token
        expected = _expected(error)
        text = where.chunk.text
        if token.start_pos == len(text) - len(text.lstrip()):  # the statement's first word
            words = [e for e in _expected(error, limit=None) if e.replace("_", "").isalpha()]
            close = difflib.get_close_matches(str(token).upper(), words, n=1, cutoff=0.6)
            return where.error(
                f"unexpected {_describe(token)} at the start of a statement",
                token.start_pos,
                expected=(*COMMON_STATEMENTS, "…"),
                hint=f"did you mean {close[0]}?" if close else "HELP lists every statement",
            )
        return where.error(
            f"unexpected {_describe(token)}",
            token.start_pos,
            expected=expected,
            hint=_hint(token, expected, where.chunk.text),
        )
    if isinstance(error, UnexpectedCharacters):
        char = where.chunk.text[error.pos_in_stream]
        expected = _expected(error)
        if char in "'\"`":
            return where.error(
                f"unterminated {'name' if char == '`' else 'string'}",
                error.pos_in_stream,
                hint=f"close it with {char}",
                incomplete=True,
            )
        return where.error(
            f"unexpected character {char!r}",
            error.pos_in_stream,
            expected=expected,
            hint=_hint_for_char(char),
        )
    return where.error(str(error).splitlines()[0], getattr(error, "pos_in_stream", None))


def _relex(text: str, pos: int) -> Token | None:
    """The longest token of a terminal other than the greedy ones at `pos` (None if none)."""
    best: Token | None = None
    for terminal in lark_parser().terminals:
        if terminal.name in _GREEDY:
            continue
        match = re.compile(terminal.pattern.to_regexp()).match(text, pos)
        if match and match.end() > pos and (best is None or match.end() > best.end_pos):
            kind = terminal.name if terminal.name in DESCRIBED_TERMINALS else "CHARACTER"
            best = Token(kind, match.group(), start_pos=pos, end_pos=match.end())
    return best


def _expected(error: UnexpectedInput, limit: int | None = _MAX_EXPECTED) -> tuple[str, ...]:
    names = getattr(error, "accepts", None) or getattr(error, "expected", None) or set()
    shown = {**terminal_text(), **_SHOWN_AS}
    # a terminal with no text a person would type is left out rather than shown by its name
    texts = sorted({shown[name] for name in names if name in shown})
    keywords = [t for t in texts if t[0].isupper()]
    others = [t for t in texts if not t[0].isupper()]
    ordered = keywords + others
    if limit is not None and len(ordered) > limit:
        ordered = [*ordered[:limit], "…"]
    return tuple(ordered)


def _describe(token: Token) -> str:
    text = str(token)
    if len(text) > 30:
        text = text[:27] + "..."
    if token.type == "NAME":
        return f"word {text!r}"
    if token.type in ("SINGLE_QUOTED", "DOUBLE_QUOTED"):
        return f"string {text}"
    if token.type in ("NUMBER", "INT"):
        return f"number {text}"
    if token.type == "FLOAT_LIST":
        return "vector " + text
    return repr(text)


def _hint(token: Token, expected: tuple[str, ...], text: str) -> str | None:
    word = str(token).upper()
    if token.type == "NAME" and word in SQL_HABITS:
        return SQL_HABITS[word]
    keywords = [e for e in expected if e.isupper() and e.isalpha()]
    close = (
        difflib.get_close_matches(word, keywords, n=1, cutoff=0.7) if token.type == "NAME" else []
    )
    if close:
        return f"did you mean {close[0]}?"
    if token.type == "NAME" and "FROM" in expected and "','" in expected:
        return "separate column names with commas"
    if token.type == "NAME" and "','" in expected and "')'" in expected:
        return "separate items with commas"
    if token.type == "DOUBLE_QUOTED" and "a name" in expected:
        return "names go bare or in `backticks`; quotes make a string"
    if token.type in ("SINGLE_QUOTED", "DOUBLE_QUOTED") and "VECTOR" in expected:
        path = str(token) if len(token) <= 60 else "'file.npy'"
        return f"a file of vectors is read with VECTOR FROM {path} (every row: VECTORS FROM)"
    return None


def _hint_at_end(expected: tuple[str, ...]) -> str | None:
    if "a vector" in expected and not {"a name", "a number"} & set(expected):
        return "a vector is written [0.1, 0.2, ...]"
    if "')'" in expected:
        return "a parenthesis is still open"
    if "']'" in expected:
        return "a bracket is still open"
    return None


def _hint_for_char(char: str) -> str | None:
    if char == "[":
        return "vectors hold numbers only: [0.1, 0.2, 0.3]"
    if char in "<>=!":
        return "comparisons: = == <> != < <= > >="
    return None
