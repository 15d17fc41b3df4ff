"""Masks secrets in statement text before it is shown anywhere (echoes, errors, history, EXPLAIN).

A secret is what the parser takes as a credential: the string after the PASSWORD or TOKEN
keyword (comments are ignored tokens, so `PASSWORD /* c */ '…'` and a `--` line between them
change nothing), the password and secret query parameters (`token=`, `password=`, `key=`,
`api_key=`, ...) of a URI — a string holding `scheme://`, the target of CONNECT, or the legacy
dialect's `milvus://…` token — and a string option whose name says it is secret
(`WITH (token = '…')`, `SET password = '…'`). Only that field is masked: `http://u:***@host`.

Statements holding a candidate word are run through the grammar's own contextual lexer and
LALR parser (`parse_interactive`), so a keyword counts only where the grammar reads one. Where the
parser stops (the broken statement of an error echo), a conservative scan reads the rest: every
string after a word PASSWORD or TOKEN, every `scheme://`, even an unterminated string; it reads
comments too (a commented-out CONNECT still holds its password). A cell
without a candidate word costs a `str.lower` and a few `str.find` calls, so every character of
even a 50 MB cell is looked at, in linear time.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterator
from dataclasses import dataclass, field

from milvus_kernel.language.grammar import lark_parser
from milvus_kernel.language.secret_uris import (
    SECRET_NAME,
    has_scheme,
    secret_fields,
    secret_json_fields,
)

MASK = "***"

#: Every secret involves one of these (lower-case); a statement without any is not lexed.
_NEEDLES = (
    "password",
    "passwd",
    "pwd",
    "token",
    "secret",
    "key",
    "auth",
    "credential",
    "connect",
    "://",
)
#: `;` outside strings, quoted names and comments ends a statement (as `splitter.py` reads it).
#: (No capturing groups: with one, `finditer` is four times slower.)
_BOUNDARY = re.compile(
    r"'[^']*(?:''[^']*)*'?|\"[^\"\\]*(?:\\[\s\S][^\"\\]*)*\"?|`[^`]*`?|--[^\n]*"
    r"|/\*[\s\S]*?(?:\*/|\Z)|;"
)
#: The conservative scan: `://` (its scheme is the word before), comments, strings (also
#: unterminated) ...
_QUOTED = re.compile(
    r"://[^\s;]*|--[^\n]*|/\*[\s\S]*?(?:\*/|\Z)"
    r"|'[^']*(?:''[^']*)*'?|\"[^\"\\]*(?:\\[\s\S][^\"\\]*)*\"?"
)
_SCHEME_BEFORE = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*\Z")
#: ... and the last words before each of them (PASSWORD, `token =`, CONNECT), if any may count.
_WORDS = re.compile(r"(?P<word>[A-Za-z_][A-Za-z0-9_]*)|(?P<eq>=)|(?P<other>[^A-Za-z_=\s]+)")
_WORD_NEEDLES = tuple(needle for needle in _NEEDLES if needle != "://")
_LOOK_BACK = 80
#: A candidate word that may name a secret option counts when a value may follow it.
_VALUE_FOLLOWS = re.compile(r"[a-z0-9_]*[\"']?\s*(?:=|:|to\b|--|/\*)")
_KEYWORDS = ("password", "token", "connect")
_STRING_TYPES = {"SINGLE_QUOTED": "string", "DOUBLE_QUOTED": "string", "LEGACY_URI": "uri"}
_WORD_KINDS = {"PASSWORD": "credential", "TOKEN": "credential", "CONNECT": "connect", "TO": "eq"}
_STRICT_KINDS = {
    **_WORD_KINDS,
    "EQ": "eq",
    "COLON": "colon",
    "NAME": "name",
    "LPAR": "(",
    "RPAR": ")",
    "WITH": "options",
    "ANALYZER": "options",
    "SET": "set",
}


@dataclass(frozen=True)
class Span:
    """`text[start:end]` is a secret, shown as `replacement`."""

    start: int
    end: int
    replacement: str = MASK


@dataclass(frozen=True)
class SecretToken:
    """A token holding secrets: `typed` as in the cell, `masked` as shown, `values` the secrets."""

    typed: str
    masked: str
    values: tuple[str, ...]


@dataclass
class _Spotter:
    """Reads a statement's tokens one at a time and notes the secrets among them."""

    spans: list[Span] = field(default_factory=list)
    tokens: list[tuple[int, SecretToken]] = field(default_factory=list)
    recent: list[tuple[str, str, int]] = field(default_factory=list)
    depth: int = 0  # inside WITH ( … ) or ANALYZER ( … )
    setting: bool = False  # in SET …

    def feed(self, kind: str, value: str, at: int, strict: bool) -> None:
        if kind == "opaque":  # a token with strings inside (a row of values): scan them
            for sub_kind, sub_value, sub_at in scan(value):
                self.feed(sub_kind, sub_value, at + sub_at, strict=False)
            self.recent = [*self.recent[-2:], ("other", value, at)]
            return
        if kind == "string":
            self._string(value, at, strict)
        elif kind == "uri":
            self._mark(value, at, secret_fields(value))
        if strict:
            previous = self.recent[-1][0] if self.recent else ""
            if kind == "(" and (self.depth or previous == "options"):
                self.depth += 1
            elif kind == ")" and self.depth:
                self.depth -= 1
            elif kind == "set":
                self.setting = True
        self.recent = [*self.recent[-2:], (kind, value, at)]

    def forget_from(self, start: int) -> None:
        """Drop what was noted at or after `start` (the conservative scan reads it again)."""
        self.spans = [span for span in self.spans if span.start < start]
        self.recent = [token for token in self.recent if token[2] < start]
        self.tokens = [token for token in self.tokens if token[0] < start]

    def _string(self, value: str, at: int, strict: bool) -> None:
        quote = value[0]
        end = len(value) - 1 if len(value) > 1 and value.endswith(quote) else len(value)
        previous = self.recent[-1][0] if self.recent else ""
        named = previous == "eq" and self._named(strict)
        keyed = previous == "colon" and self.depth and self._keyed()  # {"secret_key": "..."}
        if previous == "credential" or named or keyed:
            self._mark(value, at, [(1, end)])
        elif previous == "connect" or ("://" in value and has_scheme(value)):
            inner = value[1:end]
            fields = secret_fields(inner, assume_authority=previous == "connect")
            self._mark(value, at, [(start + 1, stop + 1) for start, stop in fields])
        elif ":" in value and self.depth:  # JSON in an option: spec = '{"secret_key": "..."}'
            self._mark(value, at, secret_json_fields(value[:end]))

    def _keyed(self) -> bool:
        """True after `"key":` in an object literal when the key says it is secret."""
        key = self.recent[-2] if len(self.recent) >= 2 else ("", "", 0)
        return key[0] == "string" and SECRET_NAME.search(key[1].strip("'\"")) is not None

    def _named(self, strict: bool) -> bool:
        """True after `name =` when the name says it is secret (strictly: in options or SET)."""
        if len(self.recent) < 2 or self.recent[-2][0] not in ("name", "word", "credential"):
            return False
        if strict and not (self.depth or self.setting):
            return False
        return SECRET_NAME.search(self.recent[-2][1]) is not None

    def _mark(self, value: str, at: int, fields: list[tuple[int, int]]) -> None:
        fields = [(start, stop) for start, stop in fields if stop > start]
        if not fields:
            return
        self.spans += [Span(at + start, at + stop) for start, stop in fields]
        masked = apply_spans(value, [Span(start, stop) for start, stop in fields], 0)[0]
        values = [value[start:stop] for start, stop in fields]
        if value[:1] in "'\"":  # also as the engine and the server see them: unescaped
            values += [_unescaped(value[0], found) for found in values]
        self.tokens.append((at, SecretToken(value, masked, tuple(dict.fromkeys(values)))))


def _unescaped(quote: str, text: str) -> str:
    if quote == "'":
        return text.replace("''", "'")
    return re.sub(r"\\(.)", r"\1", text, flags=re.S)


def mask_secrets(text: str) -> str:
    """`text` with every password, token and URI password replaced by ***."""
    return mask_secrets_at(text, 0)[0]


def mask_secrets_at(text: str, position: int) -> tuple[str, int]:
    """The masked text, and where `position` of the original text lands in it (for a caret)."""
    return apply_spans(text, secret_spans(text), position)


def secret_spans(text: str) -> list[Span]:
    """Every secret of `text` (a cell, a statement, or a piece of one), in order."""
    spans: list[Span] = []
    for spotter, offset in _remembered(text):
        spans += [Span(s.start + offset, s.end + offset, s.replacement) for s in spotter.spans]
    return spans


def secret_tokens(text: str) -> list[SecretToken]:
    """Every token of `text` that holds a secret: as typed, masked, and its secret fields."""
    return [token for spotter, _ in _remembered(text) for _, token in spotter.tokens]


def apply_spans(text: str, spans: list[Span], position: int) -> tuple[str, int]:
    """`text` with each span replaced; `position` moved along (into a span: to its start)."""
    if not spans:
        return text, position
    pieces: list[str] = []
    last = shift = 0
    moved: int | None = None
    for span in spans:
        pieces += [text[last : span.start], span.replacement]
        if span.end <= position:
            shift += len(span.replacement) - (span.end - span.start)
        elif moved is None:
            moved = min(position, span.start) + shift
        last = span.end
    pieces.append(text[last:])
    return "".join(pieces), position + shift if moved is None else moved


_LARGE = 1_000_000
_last_large: list[tuple[str, list[tuple[_Spotter, int]]]] = []


def _remembered(text: str) -> list[tuple[_Spotter, int]]:
    """`_spotted(text)`; the last large text's answer is kept, for the kernel reads a big cell
    three times (its echo, its history entry, an error report)."""
    if _last_large and _last_large[0][0] == text:
        return _last_large[0][1]
    found = list(_spotted(text))
    if len(text) >= _LARGE:
        _last_large[:] = [(text, found)]
    return found


def _spotted(text: str) -> Iterator[tuple[_Spotter, int]]:
    """A spotter for each statement of `text` that holds a candidate word, and its offset."""
    lower = text.lower()
    candidates = sorted(at for needle in _NEEDLES for at in _candidates(lower, needle))
    if not candidates:
        return
    semicolons = [match.start() for match in _BOUNDARY.finditer(text) if match.group() == ";"]
    starts = [0, *(at + 1 for at in semicolons)]
    ends = [*semicolons, len(text)]
    done = -1
    for at in candidates:
        index = bisect_right(starts, at) - 1
        if index != done:
            done = index
            yield _statement(text[starts[index] : ends[index]]), starts[index]


def _candidates(lower: str, needle: str) -> Iterator[int]:
    """Where `needle` is a keyword (PASSWORD, TOKEN, CONNECT), a name a value follows, or `://`."""
    at = lower.find(needle)
    while at >= 0:
        after = at + len(needle)
        keyword = needle in _KEYWORDS and not _is_word_char(lower, at - 1, after)
        if needle == "://" or keyword or _VALUE_FOLLOWS.match(lower, after):
            yield at
        at = lower.find(needle, after)


def _is_word_char(lower: str, before: int, after: int) -> bool:
    """True when a letter, digit or `_` touches the needle (it is part of a longer word)."""
    touching = (lower[before] if before >= 0 else "") + (lower[after : after + 1])
    return any(char.isalnum() or char == "_" for char in touching)


def _statement(chunk: str) -> _Spotter:
    """The secrets of one statement: the parser's tokens, then a conservative scan of the rest."""
    spotter = _Spotter()
    starts = [0, 0]
    try:
        for token in lark_parser().parse_interactive(chunk).iter_parse():
            starts = [starts[1], token.start_pos or 0]
            kind = _STRING_TYPES.get(token.type) or _STRICT_KINDS.get(token.type, "")
            if not kind:
                kind = "opaque" if "'" in token or '"' in token else "other"
            spotter.feed(kind, str(token), token.start_pos or 0, strict=True)
    except Exception:  # lark's UnexpectedInput, or anything else: the scan reads the rest
        resume = starts[0]  # from the token before the one that failed (`http` of `http://`)
        spotter.forget_from(resume)
        for kind, value, at in scan(chunk, resume):
            spotter.feed(kind, value, at, strict=False)
    if "--" in chunk or "/*" in chunk:
        _comments(chunk, spotter)
    return spotter


def _comments(chunk: str, spotter: _Spotter) -> None:
    """A commented-out statement (`-- CONNECT … PASSWORD '…'`) is read by the scan too."""
    for match in _BOUNDARY.finditer(chunk):
        text = match.group()
        if text[:2] in ("--", "/*") and any(needle in text.lower() for needle in _NEEDLES):
            inner = _Spotter()
            closed = text.startswith("/*") and text.endswith("*/") and len(text) >= 4
            for kind, value, at in scan(text[2 : len(text) - 2 if closed else len(text)]):
                inner.feed(kind, value, match.start() + 2 + at, strict=False)
            spotter.spans = sorted([*spotter.spans, *inner.spans], key=lambda span: span.start)
            spotter.tokens += inner.tokens


def scan(text: str, start: int = 0) -> Iterator[tuple[str, str, int]]:
    """The conservative scan: `(kind, value, offset)`; words PASSWORD and TOKEN are credentials.

    Strings, comments and `://` are found by one regular expression; between them only the last
    words count (what comes before a string), so long stretches of text cost C speed.
    """
    last = start
    for match in _QUOTED.finditer(text, start):
        at = match.start()
        first = text[at]
        if first == ":":
            scheme = _SCHEME_BEFORE.search(text, max(last, at - _LOOK_BACK), at)
            at = scheme.start() if scheme else at
        if at > last:
            yield from _words_before(text, last, at)
        if first not in "-/":
            yield "uri" if first == ":" else "string", text[at : match.end()], at
        last = match.end()
    yield from _words_before(text, last, len(text))


def _words_before(text: str, start: int, end: int) -> Iterator[tuple[str, str, int]]:
    if end <= start:
        return
    tail_start = max(start, end - _LOOK_BACK)
    tail = text[tail_start:end]
    if tail.isspace():
        return
    lowered = tail.lower()
    if not any(needle in lowered for needle in _WORD_NEEDLES):
        yield "other", "", tail_start
        return
    found = list(_WORDS.finditer(text, tail_start, end))
    if len(found) > 3 or tail_start > start:
        yield "other", "", start
    for match in found[-3:]:
        kind, value = match.lastgroup or "other", match.group()
        if kind == "word":
            kind = _WORD_KINDS.get(value.upper(), "word")
        yield kind, value, match.start()
