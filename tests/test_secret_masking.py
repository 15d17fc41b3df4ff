"""The secret masker (`milvus_kernel.language.secrets`): the exact masked text of every spelling of
a password or token the grammar accepts, only the secret field masked (`http://` stays whole with
a one-letter password), carets moved with the text, broken statements, and a 50 MB cell.
"""

from __future__ import annotations

import time

import pytest

from milvus_kernel.display import render_error
from milvus_kernel.errors import ExecutionError, MilvusSyntaxError
from milvus_kernel.language.known_secrets import known_secrets, mask_known, mask_known_at
from milvus_kernel.language.parser import parse_cell
from milvus_kernel.language.secret_uris import secret_fields
from milvus_kernel.language.secrets import mask_secrets, mask_secrets_at

MASKED = [
    # the string the parser takes after PASSWORD / TOKEN, however it is spaced or commented
    ("CONNECT 'h:1' USER 'u' PASSWORD 'pw';", "CONNECT 'h:1' USER 'u' PASSWORD '***';"),
    ("CONNECT 'h:1' PASSWORD /* c */ 'pw'", "CONNECT 'h:1' PASSWORD /* c */ '***'"),
    ("CONNECT 'h:1' TOKEN'tk'", "CONNECT 'h:1' TOKEN'***'"),
    ("CONNECT 'h:1' token\"tk\"", "CONNECT 'h:1' token\"***\""),
    (
        "CONNECT 'h:1' PASSWORD\n-- the password:\n'pw'",
        "CONNECT 'h:1' PASSWORD\n-- the password:\n'***'",
    ),
    ("CONNECT 'h:1' TOKEN -- c\n /* d */ 'u:pw'", "CONNECT 'h:1' TOKEN -- c\n /* d */ '***'"),
    ("CONNECT 'h:1' PASSWORD 'it''s'", "CONNECT 'h:1' PASSWORD '***'"),
    ("CREATE USER bob PASSWORD 'pw'", "CREATE USER bob PASSWORD '***'"),
    (
        "ALTER USER bob PASSWORD 'new' OLD PASSWORD 'old'",
        "ALTER USER bob PASSWORD '***' OLD PASSWORD '***'",
    ),
    # a URI: only its password, whatever characters it holds
    ("CONNECT 'http://u:p@h:19530'", "CONNECT 'http://u:***@h:19530'"),
    ("CONNECT 'http://p:p@p:1'", "CONNECT 'http://p:***@p:1'"),
    ("CONNECT 'https://u:a:b@h'", "CONNECT 'https://u:***@h'"),
    ("CONNECT 'http://u:p@ss@h:1'", "CONNECT 'http://u:***@h:1'"),
    ("CONNECT 'http://u%40x:p%40ss@h:1'", "CONNECT 'http://u%40x:***@h:1'"),
    ("CONNECT 'http://u:it''s\"q@h:1'", "CONNECT 'http://u:***@h:1'"),
    ("CONNECT 'http://u:pa/ss@h:1'", "CONNECT 'http://u:***@h:1'"),
    ("CONNECT 'http://u:p?w#d@h:1'", "CONNECT 'http://u:***@h:1'"),
    ("CONNECT 'http://a@b:c%40d''e/f@h:1/db'", "CONNECT 'http://a@b:***@h:1/db'"),
    ('CONNECT "http://u:p@h:1"', 'CONNECT "http://u:***@h:1"'),
    ("CONNECT 'u:pw@h:19530'", "CONNECT 'u:***@h:19530'"),
    ("CONNECT 'http://u@h:1'", "CONNECT 'http://u@h:1'"),
    # secret query parameters, and only them
    ("CONNECT 'https://h?token=abc'", "CONNECT 'https://h?token=***'"),
    (
        "CONNECT 'https://h:1/db?a=1&password=p&key=k&api_key=x&TOKEN=t&db=d#f'",
        "CONNECT 'https://h:1/db?a=1&password=***&key=***&api_key=***&TOKEN=***&db=d#f'",
    ),
    ("CONNECT 'https://u:p@h/?token=t'", "CONNECT 'https://u:***@h/?token=***'"),
    # the legacy dialect's connect, with and without a semicolon, among other lines
    ("milvus://u:p@h:19530", "milvus://u:***@h:19530"),
    ("milvus://u:p@h:1\nlist tables", "milvus://u:***@h:1\nlist tables"),
    ("milvus://u:p@h:1 --\n", "milvus://u:***@h:1 --\n"),
    # options whose names say they are secret
    (
        "CREATE TABLE t (id INT64 PRIMARY KEY) WITH (token = 'tk', api_key='k', x = 'y')",
        "CREATE TABLE t (id INT64 PRIMARY KEY) WITH (token = '***', api_key='***', x = 'y')",
    ),
    # secret-named keys of an object or of JSON text in an option (an external table's extfs)
    (
        'REFRESH EXTERNAL TABLE t WITH (extfs = {"access_key_id": "AK", '
        '"secret_access_key": "sk1"})',
        'REFRESH EXTERNAL TABLE t WITH (extfs = {"access_key_id": "AK", '
        '"secret_access_key": "***"})',
    ),
    (
        'REFRESH EXTERNAL TABLE t WITH (spec = \'{"extfs": {"secret_access_key": "sk1"}}\')',
        'REFRESH EXTERNAL TABLE t WITH (spec = \'{"extfs": {"secret_access_key": "***"}}\')',
    ),
    ("SET password = 'pw'", "SET password = '***'"),
    ("SET a.token TO 'tk'", "SET a.token TO '***'"),
    # data is not a credential: a column named password, a string saying PASSWORD
    ("SELECT * FROM t WHERE password = 'q'", "SELECT * FROM t WHERE password = 'q'"),
    ("SELECT * FROM t WHERE s = 'PASSWORD'", "SELECT * FROM t WHERE s = 'PASSWORD'"),
    ("CREATE TABLE t (key INT64 PRIMARY KEY)", "CREATE TABLE t (key INT64 PRIMARY KEY)"),
    (
        'INSERT INTO t VALUES (1, \'{"token": "a"}\')',
        'INSERT INTO t VALUES (1, \'{"token": "a"}\')',
    ),
    # URIs in data are masked too (an echo never needs them)
    ("INSERT INTO t VALUES (1, 'http://u:p@h')", "INSERT INTO t VALUES (1, 'http://u:***@h')"),
    # several statements: each one read on its own
    (
        "SHOW TABLES; CONNECT 'h:1' TOKEN 'a;b'; SHOW TABLES",
        "SHOW TABLES; CONNECT 'h:1' TOKEN '***'; SHOW TABLES",
    ),
]

BROKEN = [
    ("connect milvus://u:p@h:19530", "connect milvus://u:***@h:19530"),
    ("connect milvus://u:p@h:1\nlist tables", "connect milvus://u:***@h:1\nlist tables"),
    ("SELECT 'PASSWORD', 'x' FROM t", "SELECT 'PASSWORD', 'x' FROM t"),
    # statements that do not parse: the parser's tokens up to the error, then a careful scan
    ("CONNECT 'h:1' PASSWORD 'pw' DATABSE 'x'", "CONNECT 'h:1' PASSWORD '***' DATABSE 'x'"),
    ("CONNECT 'h:1' PASSWORD 'unterminated", "CONNECT 'h:1' PASSWORD '***"),
    ("CONNECT 'h:1' PASSWORD \"open", "CONNECT 'h:1' PASSWORD \"***"),
    ("CONNECT http://u:pw@h:1 TOKEN 'tk'", "CONNECT http://u:***@h:1 TOKEN '***'"),
    ("PASSWORD 'pw' (((", "PASSWORD '***' ((("),
    ("http://u:it's\"q@h:1 is a URI, not SQL", "http://u:***@h:1 is a URI, not SQL"),
    ("x = 1 password = 'pw'", "x = 1 password = '***'"),
    (
        "CONNECT 'h:1' USER 'u' PASSWORD /* c */ 'pw' ,",
        "CONNECT 'h:1' USER 'u' PASSWORD /* c */ '***' ,",
    ),
    (
        "connect milvus://u:p@h:1\ncreate table t where dim = 2\nbad 'x'",
        "connect milvus://u:***@h:1\ncreate table t where dim = 2\nbad 'x'",
    ),
    (
        "CONNECT 'x' PASSWORD /* unterminated comment 'pw'",
        "CONNECT 'x' PASSWORD /* unterminated comment 'pw'",
    ),
]


@pytest.mark.parametrize(("text", "masked"), MASKED + BROKEN)
def test_exact_masked_text(text: str, masked: str) -> None:
    assert mask_secrets(text) == masked


@pytest.mark.parametrize(("text", "masked"), MASKED)
def test_statement_text_of_the_parse_is_masked(text: str, masked: str) -> None:
    """What a statement carries for its error reports and EXPLAIN is the masked text."""
    statements = parse_cell(text)
    secret_free = mask_secrets(text)
    for statement in statements:
        assert statement.text in secret_free


def test_one_letter_password_keeps_the_scheme_whole() -> None:
    for scheme in ("http", "https", "tcp", "grpc", "milvus"):
        assert mask_secrets(f"'{scheme}://p:p@h:1'") == f"'{scheme}://p:***@h:1'"
        assert mask_secrets(f"CONNECT '{scheme}://h:h@h'") == f"CONNECT '{scheme}://h:***@h'"
    assert (
        mask_secrets("CONNECT 'http://t:t@t?t=t&token=t'")
        == "CONNECT 'http://t:***@t?t=t&token=***'"
    )


def test_uri_fields() -> None:
    uri = "http://user:pw@host:1/?token=tk&x=1"
    assert [uri[a:b] for a, b in secret_fields(uri)] == ["pw", "tk"]
    assert secret_fields("http://host:19530") == []
    assert secret_fields("no uri here") == []
    assert secret_fields("u:pw@h", assume_authority=True) == [(2, 4)]
    assert secret_fields("/tmp/a@b/milvus.db", assume_authority=True) == []


def test_caret_positions_move_with_the_text() -> None:
    text = "CONNECT 'h' PASSWORD 'longsecret' DATABSE x"
    caret = text.index("DATABSE")
    masked, moved = mask_secrets_at(text, caret)
    assert masked[moved:].startswith("DATABSE")
    inside = text.index("longsecret") + 4
    masked, moved = mask_secrets_at(text, inside)
    assert masked[moved:].startswith("***'")  # a caret inside the secret points at the mask
    assert mask_secrets_at(text, 3) == (masked, 3)
    uri = "CONNECT 'http://u:secret@h' x"
    masked, moved = mask_secrets_at(uri, uri.index(" x"))
    assert masked == "CONNECT 'http://u:***@h' x" and masked[moved:] == " x"


def test_fragment_of_a_cell_is_masked_with_the_cell_secrets() -> None:
    """An error shows one line of a statement: the password on a line of its own is known."""
    cell = "CONNECT 'h:1' PASSWORD\n-- c\n'Secret-1' DATABSE 'x'"
    known = known_secrets(cell)
    line = "'Secret-1' DATABSE 'x'"
    assert mask_secrets(line) == line  # alone, the line says nothing of a password
    masked, caret = mask_known_at(line, line.index("DATABSE"), known)
    assert masked == "'***' DATABSE 'x'" and masked[caret:].startswith("DATABSE")
    shown = mask_known("server said: bad password Secret-1", known)
    assert shown == "server said: bad password ***"


def test_error_report_masks_the_cell_secrets() -> None:
    cell = "CONNECT 'h:1' PASSWORD\n-- c\n'Secret-2' DATABSE 'x'"
    with pytest.raises(MilvusSyntaxError) as raised:
        parse_cell(cell)
    ename, evalue, lines = render_error(raised.value, color=False, source=cell)
    report = "\n".join([ename, evalue, *lines])
    assert "Secret-2" not in report and "'***' DATABSE" in report, report
    caret_line = next(i for i, line in enumerate(lines) if line.strip() == "^")
    assert lines[caret_line - 1][lines[caret_line].index("^") :].startswith("DATABSE")
    failure = ExecutionError("login refused for u with Secret-2")
    assert "Secret-2" not in "".join(render_error(failure, source=cell)[2])


def test_nothing_is_masked_in_text_without_secrets() -> None:
    for text in ("SELECT * FROM t WHERE id > 0", "", "-- PASSWORD\n", "SHOW TABLES", "'''"):
        assert mask_secrets_at(text, 2) == (text, 2)


def test_fifty_megabytes_in_linear_time() -> None:
    """Measured, not asserted tightly: a 50 MB cell of INSERTs, with and without a secret."""
    row = "INSERT INTO t (id, name, vector) VALUES (1, 'abc', [0.1, 0.2, 0.3, 0.4]);\n"
    cell = row * (50_000_000 // len(row))
    secret = "CONNECT 'http://u:Tail-Pw@h:1' USER 'u' PASSWORD /* c */ 'Tail-Pw';"
    legacy = "connect milvus://u:Tail-Pw@h:1\n" + cell.replace(";", "")
    masked_secret = "CONNECT 'http://u:***@h:1' USER 'u' PASSWORD /* c */ '***';"
    for label, text, expected in (
        ("no secret", cell, cell),
        ("secret at the end", cell + secret, cell + masked_secret),
        ("legacy lines, no semicolons", legacy, legacy.replace("Tail-Pw", "***")),
    ):
        start = time.perf_counter()
        masked = mask_secrets(text)
        elapsed = time.perf_counter() - start
        print(f"mask_secrets, {len(text) / 1e6:.0f} MB, {label}: {elapsed:.2f} s")
        assert masked == expected
        assert elapsed < 120  # generous: only a runaway (quadratic) masker fails


def test_magic_error_masks_the_cell_secrets(tmp_path) -> None:
    """The `%%milvus` magic's report (its text and IPython's traceback lines) masks them too."""
    from milvus_kernel.engine.session import Session
    from milvus_kernel.frontends.magic import MilvusMagicError, run_magic

    cell = "CONNECT 'h:1' PASSWORD\n-- c\n'Secret-3' DATABSE 'x'"
    with pytest.raises(MilvusMagicError) as raised:
        run_magic(Session(workdir=tmp_path), cell)
    shown = str(raised.value) + "\n".join(raised.value._render_traceback_())
    assert "Secret-3" not in shown and "'***' DATABSE" in shown, shown


def test_garbage_never_breaks_the_masker() -> None:
    """Random text made of the characters that matter: the masker always answers, its caret stays
    in the text, masking twice changes nothing, and a password after the garbage is masked."""
    import random

    pieces = [
        "'",
        '"',
        "--",
        "/*",
        "*/",
        "\n",
        ";",
        " ",
        "PASSWORD",
        "TOKEN",
        "=",
        "token",
        "(",
        ")",
        "://",
        "http",
        "@",
        ":",
        "?",
        "#",
        "&",
        "key=",
        "WITH",
        "CONNECT",
        "milvus",
        "x",
    ]
    chooser = random.Random(11)
    for _ in range(3000):
        text = "".join(chooser.choice(pieces) for _ in range(chooser.randint(1, 30)))
        masked, caret = mask_secrets_at(text, len(text) // 2)
        assert 0 <= caret <= len(masked), text
        assert mask_secrets(masked) == masked, text
        plain = "".join(
            p for p in text.split("'") if '"' not in p and "--" not in p and "/*" not in p
        )
        cell = plain + "\nCONNECT 'h' PASSWORD 'Zq9-secret'"  # no string or comment left open
        assert "Zq9-secret" not in mask_secrets(cell), cell


def test_commented_out_connect_is_masked() -> None:
    cell = "-- CONNECT 'h:1' PASSWORD 'pw1';\n/* CONNECT 'http://u:pw2@h' */ SHOW TABLES;"
    assert mask_secrets(cell) == (
        "-- CONNECT 'h:1' PASSWORD '***';\n/* CONNECT 'http://u:***@h' */ SHOW TABLES;"
    )
