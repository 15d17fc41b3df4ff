"""Where the secrets of one URI are: its password and its secret query parameters; and those of
JSON text (an external collection's spec, a function's params): the values of secret-named keys.

`secret_fields(uri)` gives the `(start, end)` offsets to mask, found with `urllib.parse.urlsplit`
(the password is what follows the first `:` of the user-info before the host's `@`, as urlsplit
reads it); only those fields are masked, so `http://u:p@h` becomes `http://u:***@h`.

A password holding a character the user should have percent-encoded (`/`, `?`, `#`) ends
urlsplit's host part early; when an `@` followed by a host name comes later, everything between
the first `:` of the user-info and that `@` is taken as the password, so no piece of it shows
(an `@host` later in a path or query is read the same way: more is masked, never less).
"""

from __future__ import annotations

import re
from urllib.parse import unquote, urlsplit

#: Names of options and query parameters whose values are secrets (`token`, `api_key`, ...).
SECRET_NAME = re.compile(
    r"(?:^|[_.-])(?:password|passwd|pwd|token|secret|api_?key|access_?key|secret_?key"
    r"|credentials?|auth)$|^key$",
    re.IGNORECASE,
)
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://")
_HOST_AFTER = re.compile(r"@[A-Za-z0-9._\-\[\]:]+(?=[/?#]|$)")
_PARAMETER = re.compile(r"[^&;#]+")
_JSON_PAIR = re.compile(r'"((?:[^"\\]|\\.)*)"\s*:\s*"((?:[^"\\]|\\.)*)"')


def has_scheme(text: str) -> bool:
    """True when `text` holds `scheme://` somewhere."""
    return _SCHEME.search(text) is not None


def secret_fields(uri: str, assume_authority: bool = False) -> list[tuple[int, int]]:
    """The offsets of every secret in `uri` (a URI, or a text holding one, e.g. `' http://…'`).

    With `assume_authority` a text without `scheme://` is read as `user:password@host` (the
    target of CONNECT). The result is sorted and never overlaps.
    """
    found = _SCHEME.search(uri)
    if found:
        authority = found.end()
    elif assume_authority:
        authority = len(uri) - len(uri.lstrip())
    else:
        return []
    fields: list[tuple[int, int]] = []
    host_end = _authority_end(uri, authority)
    password = _password(uri, authority, host_end)
    query_from = host_end
    if password is not None:
        fields.append(password)
        query_from = max(query_from, password[1])
    fields += _secret_parameters(uri, query_from)
    return [field for field in fields if field[1] > field[0]]


def _authority_end(uri: str, authority: int) -> int:
    """Where urlsplit's `netloc` ends (the first `/`, `?` or `#` after the `//`)."""
    try:
        netloc = urlsplit("//" + uri[authority:]).netloc
    except ValueError:  # an invalid IPv6 host: take the netloc up to the first delimiter
        netloc = re.match(r"[^/?#]*", uri[authority:]).group()  # type: ignore[union-attr]
    if not uri.startswith(netloc, authority):  # urlsplit dropped a tab or newline
        netloc = re.match(r"[^/?#]*", uri[authority:]).group()  # type: ignore[union-attr]
    return authority + len(netloc)


def _password(uri: str, authority: int, host_end: int) -> tuple[int, int] | None:
    """The password's offsets: after the first `:` of the user-info, up to the host's `@`."""
    at = uri.rfind("@", authority, host_end)
    later = _HOST_AFTER.search(uri, host_end)
    if later:  # `/`, `?` or `#` in the password ended urlsplit's netloc early
        at = later.start()
    if at < 0:
        return None
    colon = uri.find(":", authority, at)
    if colon < 0:
        return None
    return colon + 1, at


def _secret_parameters(uri: str, start: int) -> list[tuple[int, int]]:
    """The values of `token=`, `password=`, `key=`, `api_key=`, ... in the query after `start`."""
    question = uri.find("?", start)
    if question < 0:
        return []
    end = uri.find("#", question)
    end = len(uri) if end < 0 else end
    fields = []
    for parameter in _PARAMETER.finditer(uri, question + 1, end):
        name, equals, _value = parameter.group().partition("=")
        if equals and SECRET_NAME.search(unquote(name.strip())):
            fields.append((parameter.start() + len(name) + 1, parameter.end()))
    return fields


_URI_IN_TEXT = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://\S+")


def secret_fields_in_text(text: str) -> list[tuple[int, int]]:
    """`secret_fields` of every URI in free text (a message, a log line), as offsets in `text`.

    A URI in free text ends only at white space (quotes may belong to its password); in a
    statement, `secrets.mask_secrets` reads the string tokens instead.
    """
    if "://" not in text:
        return []
    return [
        (match.start() + start, match.start() + end)
        for match in _URI_IN_TEXT.finditer(text)
        for start, end in secret_fields(match.group())
    ]


def mask_uris_in_text(text: str, mask: str = "***") -> str:
    """Free text with the secrets of each URI in it masked (see `secret_fields_in_text`)."""
    pieces: list[str] = []
    last = 0
    for start, end in secret_fields_in_text(text):
        pieces += [text[last:start], mask]
        last = end
    return "".join([*pieces, text[last:]])


def secret_json_fields(text: str) -> list[tuple[int, int]]:
    """The string values in JSON text whose key names a secret (`{"secret_access_key": "..."}`),
    as offsets in `text`."""
    if ":" not in text:
        return []
    return [match.span(2) for match in _JSON_PAIR.finditer(text) if SECRET_NAME.search(match[1])]


def mask_json_secrets(text: str, mask: str = "***") -> str:
    """JSON text with the value of each secret-named key masked (see `secret_json_fields`)."""
    pieces: list[str] = []
    last = 0
    for start, end in secret_json_fields(text):
        pieces += [text[last:start], mask]
        last = end
    return "".join([*pieces, text[last:]])
