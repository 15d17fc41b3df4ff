"""No name and no value rewrites a filter (issue 11, items 1 and 7).

A backticked name is always exactly one name in the Milvus filter (bare when it is a plain
identifier, else the dynamic key `$meta["..."]`); a backticked function name, or an output field
that Milvus would read as more than a name (`count(*)`, `$meta`, `a[0]`), is refused. A Python
value bound by the magic is quoted by its value, whatever its `__str__`, `__repr__` or
`__format__` say. A key read by primary key never reaches pymilvus's own unescaped key filter.
Strings with NUL and other control characters are found again by `=`, `IN` and `LIKE`; a lone
surrogate gets a clear error at the value's position.

Ground truth is raw pymilvus on the same data: counts and ids after the kernel's statement. The
DELETE and SELECT cases of item 1 and the NUL round trip also run in a real kernel (jupyter_client)
on a Milvus Lite server, which the test reads with its own MilvusClient.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from jupyter_client.session import json_default
from kernel_harness import execute, plain_texts, running_kernel

from milvus_kernel.engine.session import Session
from milvus_kernel.errors import ExecutionError, MilvusSyntaxError
from milvus_kernel.frontends.magic import run_magic
from milvus_kernel.frontends.runner import run_cell
from milvus_kernel.language.filters import key_expression, packs_safely, render_name
from milvus_kernel.language.parser import parse_cell
from milvus_kernel.results import Table

#: dynamic keys whose names are not identifiers, or are words Milvus reads as operators
HOSTILE_NAMES = [
    "id > 0 or id",
    'k"] or id',
    "k'] or id",
    "back\\slash",
    "x y",
    "not",
    "or",
    "TRUE",
    "null",
    "$x",
    "中文 ☃",
    "a\tb",
]
#: string values with NUL and control characters (each is row 200 + its index)
CONTROL = [
    "a\u0000b",
    "\u0000",
    "x\x01y\x02z",
    "del\x7f",
    "line\u2028sep\u2029",
    "bs\b ff\f vt\v",
    "esc\x1b[31m",
    "nel\x85 bom\ufeff",
    "nul\u0000 quote' dq\" bs\\ nl\n",
]


def _run(session: Session, cell: str, params: dict[str, Any] | None = None) -> list[Any]:
    return list(run_cell(session, cell, params))


def _ids(session: Session, cell: str, params: dict[str, Any] | None = None) -> set[Any]:
    result = _run(session, cell, params)[-1]
    assert isinstance(result, Table)
    names = [c.name for c in result.columns]
    key = "id" if "id" in names else "pk"
    rows = list(result.all_rows()) if result.all_rows else list(result.rows)
    return {row[names.index(key)] for row in rows}


def _client(session: Session) -> Any:
    return session.catalog().connection.client


def _raw_ids(session: Session, table: str, expression: str) -> set[Any]:
    rows = _client(session).query(table, filter=expression, output_fields=["id"], limit=1000)
    return {row["id"] for row in rows}


def _backticked(name: str) -> str:
    return f"`{name}`"


@pytest.fixture(scope="module")
def dyn(session: Session) -> Session:
    """`dyn`: dynamic field on; row i holds key HOSTILE_NAMES[i] = 7 and `j` = {"a": i}; every
    row holds `id > 0 or id` = 100 only on row 3; `ctl`: the CONTROL strings."""
    _run(
        session,
        "DROP TABLE IF EXISTS dyn; DROP TABLE IF EXISTS ctl; DROP TABLE IF EXISTS vpk;"
        "CREATE TABLE dyn (id INT64 PRIMARY KEY, s VARCHAR(64), v FLOAT_VECTOR(2))"
        " WITH (dynamic_field = true);"
        "CREATE TABLE ctl (id INT64 PRIMARY KEY, s VARCHAR(200), v FLOAT_VECTOR(2));"
        "CREATE TABLE vpk (pk VARCHAR(64) PRIMARY KEY, v FLOAT_VECTOR(2));"
        "CREATE INDEX ON dyn (v) USING FLAT WITH (metric_type = 'L2');"
        "CREATE INDEX ON ctl (v) USING FLAT WITH (metric_type = 'L2');"
        "CREATE INDEX ON vpk (v) USING FLAT WITH (metric_type = 'L2')",
    )
    client = _client(session)
    rows = [
        {"id": i, "s": f"s{i}", "v": [0.1, float(i)], name: 7, "j": {"a": i}}
        for i, name in enumerate(HOSTILE_NAMES)
    ]
    for row in rows:
        row.setdefault("id > 0 or id", 0)
    rows[3]["id > 0 or id"] = 100
    client.insert("dyn", rows)
    _run(session, "INSERT INTO vpk VALUES ('k0', [0.1, 0.2]), ('k1', [0.2, 0.2])")
    _run(session, "INSERT INTO vpk VALUES ('q''x', [0.3, 0.2]), ('b\\s', [0.4, 0.2])")
    _run(session, "LOAD dyn; LOAD ctl; LOAD vpk")
    return session


# ---- item 1: names ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", HOSTILE_NAMES, ids=[repr(n) for n in HOSTILE_NAMES])
def test_a_hostile_name_selects_only_its_own_key(dyn: Session, name: str) -> None:
    own = HOSTILE_NAMES.index(name)
    found = _ids(dyn, f"SELECT id FROM dyn WHERE {_backticked(name)} = 7 LIMIT 100")
    assert found == {own} == _raw_ids(dyn, "dyn", f"{render_name(name)} == 7")
    expression = parse_cell(f"SELECT id FROM dyn WHERE {_backticked(name)} = 7")[0].where
    assert expression.expression.startswith('$meta["')


def test_a_plain_name_stays_bare(dyn: Session) -> None:
    where = parse_cell("SELECT id FROM dyn WHERE `s` = 's1' AND j['a'] = 1")[0].where
    assert where.expression == '(s == "s1") and (j["a"] == 1)'
    assert _ids(dyn, "SELECT id FROM dyn WHERE `s` = 's1' AND j['a'] = 1 LIMIT 10") == {1}


def test_json_path_steps_stay_keys(dyn: Session) -> None:
    """A hostile path step is one quoted key; a hostile name with a path is one dynamic key."""
    assert _ids(dyn, "SELECT id FROM dyn WHERE j['a'] = 4 LIMIT 10") == {4}
    hostile = "SELECT id FROM dyn WHERE j['a\"] == 4 or j[\"a'] = 4 LIMIT 10"
    assert _ids(dyn, hostile) == set()
    step = 'SELECT id FROM dyn WHERE `j`["a"] >= 10 LIMIT 100'
    assert _ids(dyn, step) == {10, 11} == _raw_ids(dyn, "dyn", 'j["a"] >= 10')


def test_select_and_delete_with_a_hostile_name_touch_one_row(session: Session) -> None:
    _run(
        session,
        "DROP TABLE IF EXISTS d; CREATE TABLE d (id INT64 PRIMARY KEY, v FLOAT_VECTOR(2))"
        " WITH (dynamic_field = true); CREATE INDEX ON d (v) USING FLAT WITH (metric_type='L2')",
    )
    rows = [{"id": i, "v": [0.1, 0.2], "id > 0 or id": 100 if i == 3 else 0} for i in range(10)]
    _client(session).insert("d", rows)
    assert _ids(session, "SELECT id FROM d WHERE `id > 0 or id` = 100 LIMIT 100") == {3}
    _run(session, "DELETE FROM d WHERE `id > 0 or id` = 100")
    assert _raw_ids(session, "d", "id >= 0") == set(range(10)) - {3}


def test_a_backticked_function_name_is_refused_at_its_position() -> None:
    with pytest.raises(MilvusSyntaxError) as caught:
        parse_cell("SELECT id FROM dyn\nWHERE `id > 0 or array_length`(j) > 0")
    error = caught.value
    assert (error.line, error.column) == (2, 7)
    assert "is not a function name" in error.message


def test_output_names_are_names(dyn: Session) -> None:
    """Milvus reads output fields `count(*)`, `$meta`, `a[0]` as more than a name: refused. Any
    other spelling is one dynamic key (Lite returns exactly that key's value)."""
    table = _run(dyn, "SELECT id, `id > 0 or id` FROM dyn WHERE id = 3")[-1]
    assert list(table.rows) == [(3, 100)]
    raw = _client(dyn).query("dyn", filter="id == 3", output_fields=["id > 0 or id"])
    assert [row["id > 0 or id"] for row in raw] == [100]
    for cell in (
        "SELECT `count(*)` FROM dyn",
        "SELECT id, `$meta` FROM dyn WHERE id = 1",
        "SELECT `j[0]` FROM dyn",
        "SEARCH dyn FOR [0.1, 0.2] RETURN `count(*)` LIMIT 3",
        "SEARCH dyn FOR [0.1, 0.2] GROUP BY `s(x)` LIMIT 3",
    ):
        with pytest.raises(ExecutionError, match=r"cannot be read as a column"):
            _run(dyn, cell)
    for cell in (  # the field to search by must be a vector field of the schema
        "SELECT id FROM dyn ORDER BY `v or id` <-> [0.1, 0.2] LIMIT 3",
        "SEARCH dyn USING `v or id` FOR [0.1, 0.2] LIMIT 3",
    ):
        with pytest.raises(ExecutionError, match=r"has no field 'v or id'"):
            _run(dyn, cell)


class HostileStr(str):
    """A str whose every text hook says something else."""

    def __str__(self) -> str:
        return '" or id >= 0 or s == "'

    __repr__ = __str__

    def __format__(self, spec: str) -> str:
        return str(self)


class HostileInt(int):
    def __str__(self) -> str:
        return "0 or id >= 0"

    __repr__ = __str__


class HostileFloat(float):
    def __repr__(self) -> str:
        return "0 or id >= 0"

    __str__ = __repr__


def test_bound_subclasses_are_quoted_by_their_value(dyn: Session) -> None:
    params = {"s": HostileStr("s5"), "n": HostileInt(6), "f": HostileFloat(7.0)}
    assert _ids(dyn, "SELECT id FROM dyn WHERE s = :s LIMIT 100", params) == {5}
    assert _ids(dyn, "SELECT id FROM dyn WHERE id = :n LIMIT 100", params) == {6}
    assert _ids(dyn, "SELECT id FROM dyn WHERE id < :f AND id >= 6 LIMIT 100", params) == {6}
    assert _ids(dyn, "SELECT id FROM dyn WHERE s IN :l LIMIT 100", {"l": [HostileStr("s1")]}) == {1}
    shown: list[dict[str, Any]] = []
    frame = run_magic(dyn, "SELECT id FROM dyn WHERE s = :s AND id <> :n", params, shown.append)
    assert list(frame["id"]) == [5]
    where = parse_cell("DELETE FROM dyn WHERE s = :s", params)[0].where
    assert where.expression == 's == "s5"'


# ---- item 1: values read by primary key ------------------------------------------------------


def test_a_key_value_cannot_break_out_of_the_key_filter(dyn: Session) -> None:
    """pymilvus's get(ids=...) writes keys between quotes unescaped: the kernel never lets it."""
    breakout = "x'] or not pk in ['"
    assert not packs_safely([breakout], varchar=True)
    raw = _client(dyn).get("vpk", ids=[breakout], output_fields=["pk"])
    assert len(raw) == 4  # what pymilvus alone does with it: every row
    assert _ids(dyn, f"SELECT pk FROM vpk WHERE pk = {_double(breakout)}") == set()
    assert _ids(dyn, "SELECT pk FROM vpk WHERE pk = 'q''x'") == {"q'x"}
    assert _ids(dyn, "SELECT pk FROM vpk WHERE pk IN ('b\\s', 'k1')") == {"b\\s", "k1"}
    assert key_expression("pk", ["q'x"]) == 'pk in ["q\'x"]'
    hits = _run(dyn, "SEARCH vpk FOR ID 'q''x' LIMIT 1")[-1]
    assert [row[1] for row in hits.rows] == ["q'x"]


def _double(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


# ---- item 7: control characters and lone surrogates ------------------------------------------


def _escaped(value: str) -> str:
    """`value` typed as a double-quoted literal with \\uXXXX escapes for every control char."""
    out = []
    for ch in value:
        if ch in '"\\':
            out.append("\\" + ch)
        elif not ch.isprintable():
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def test_control_characters_round_trip_through_filters(dyn: Session) -> None:
    values = ", ".join(f"({200 + i}, {_escaped(v)}, [0.1, 0.2])" for i, v in enumerate(CONTROL))
    _run(dyn, f"INSERT INTO ctl VALUES {values}")
    stored = _client(dyn).query("ctl", filter="id >= 200", output_fields=["s"])
    assert {row["id"]: row["s"] for row in stored} == {200 + i: v for i, v in enumerate(CONTROL)}
    for i, value in enumerate(CONTROL):
        own = {200 + i}
        typed = _escaped(value)
        assert _ids(dyn, f"SELECT id FROM ctl WHERE s = {typed} LIMIT 100") == own, value
        assert _ids(dyn, f"SELECT id FROM ctl WHERE s IN ({typed}, 'zz') LIMIT 100") == own
        assert _ids(dyn, "SELECT id FROM ctl WHERE s = :s LIMIT 100", {"s": value}) == own
        if "%" not in value and "_" not in value and "\\" not in value:
            assert _ids(dyn, f"SELECT id FROM ctl WHERE s LIKE {typed} LIMIT 100") == own
    prefix = _ids(dyn, 'SELECT id FROM ctl WHERE s LIKE "a\\u0000%" LIMIT 100')
    assert prefix == {200}
    nul = {200 + i for i, v in enumerate(CONTROL) if "\0" in v}
    assert _ids(dyn, 'SELECT id FROM ctl WHERE s LIKE "%\\u0000%" LIMIT 100') == nul
    deleted = _run(dyn, 'DELETE FROM ctl WHERE s = "\\u0000"')
    assert deleted and _raw_ids(dyn, "ctl", "id >= 200") == {200 + i for i in range(9)} - {201}


def test_a_lone_surrogate_is_refused_at_its_value(dyn: Session) -> None:
    with pytest.raises(MilvusSyntaxError) as caught:
        _run(dyn, "SELECT id FROM ctl\nWHERE id > 0 AND s = :s", {"s": "ok\ud800"})
    error = caught.value
    assert (error.line, error.column) == (2, 22)
    assert "the string 'ok\\ud800' in :s holds a lone surrogate (U+D800" in error.message
    with pytest.raises(MilvusSyntaxError, match=r"lone surrogate \(U\+DC00 at character 2\)"):
        _run(dyn, "SELECT id FROM ctl WHERE s IN :l", {"l": ["fine", "x\udc00"]})
    with pytest.raises(MilvusSyntaxError, match=r"lone surrogate"):
        _run(dyn, 'SELECT id FROM ctl WHERE s = "\\ud800"')
    with pytest.raises(MilvusSyntaxError) as bound_insert:
        _run(dyn, "INSERT INTO ctl VALUES (300, :s, [0.1, 0.2])", {"s": "\udfff"})
    assert (bound_insert.value.line, bound_insert.value.column) == (1, 30)
    typed = {  # a cell as typed, and the column of the value the error points at
        'INSERT INTO ctl VALUES (300, "a\\ud800", [0.1, 0.2])': 30,
        'INSERT INTO ctl (id, s, v) VALUES (300, "ok", [0.1, 0.2]), (301, "\\udfff", [1, 2])': 66,
        'INSERT INTO dyn (id, s, v, j) VALUES (300, "x", [0.1, 0.2], {"k": ["\\udc00"]})': 68,
        "INSERT INTO dyn (id, s, v, `k\udc00`) VALUES (300, 'x', [0.1, 0.2], 1)": 28,
    }
    for cell, column in typed.items():
        with pytest.raises(MilvusSyntaxError) as caught:
            _run(dyn, cell)
        error = caught.value
        assert "lone surrogate" in error.message and error.hint, cell
        assert (error.line, error.column) == (1, column), (cell, error.column)
        assert "Traceback" not in error.render()
    assert _raw_ids(dyn, "ctl", "id >= 300") == set() == _raw_ids(dyn, "dyn", "id >= 300")


# ---- the same through a real kernel ----------------------------------------------------------


def _ok(kc: Any, code: str) -> list[str]:
    reply, outputs = execute(kc, code, timeout=120)
    assert reply["status"] == "ok", reply.get("evalue")
    return plain_texts(outputs)


def test_kernel_delete_and_select_with_hostile_names(tmp_path: Path, lite_server: str) -> None:
    from pymilvus import MilvusClient

    raw = MilvusClient(uri=lite_server)
    try:
        raw.drop_collection("inj")
        with running_kernel(tmp_path) as (_, kc):
            _ok(kc, f"CONNECT '{lite_server}'; SET consistency_level = 'Strong';")
            _ok(
                kc,
                "CREATE TABLE inj (id INT64 PRIMARY KEY, s VARCHAR(64), v FLOAT_VECTOR(2))"
                " WITH (dynamic_field = true);"
                "CREATE INDEX ON inj (v) USING FLAT WITH (metric_type = 'L2'); LOAD inj;",
            )
            values = ", ".join(
                f"({i}, 's{i}', [0.1, 0.2], {100 if i == 3 else 0})" for i in range(10)
            )
            _ok(kc, f"INSERT INTO inj (id, s, v, `id > 0 or id`) VALUES {values};")
            _ok(kc, 'INSERT INTO inj (id, s, v) VALUES (20, "a\\u0000b", [0.1, 0.2]);')
            assert len(raw.query("inj", filter="id >= 0", output_fields=["id"])) == 11
            texts = _ok(kc, "SELECT id, s FROM inj WHERE `id > 0 or id` = 100;")
            assert re.findall(r"^\s*(\d+) \| s\d+$", texts[-1], re.M) == ["3"], texts
            texts = _ok(kc, 'SELECT COUNT(*) FROM inj WHERE s = "a\\u0000b";')
            assert re.search(r"-+\n\s*1\n", texts[-1]), texts
            _ok(kc, "DELETE FROM inj WHERE `id > 0 or id` = 100;")
            left = raw.query("inj", filter="id >= 0", output_fields=["id"])
            assert sorted(row["id"] for row in left) == [0, 1, 2, 4, 5, 6, 7, 8, 9, 20]
            _ok(kc, 'DELETE FROM inj WHERE s IN ("a\\u0000b");')
            assert len(raw.query("inj", filter="id >= 0", output_fields=["id"])) == 9
            reply, outputs = execute(kc, "SELECT id FROM inj WHERE `id > 0 or f`(s) = 1;")
            assert reply["status"] == "error" and reply["ename"] == "SyntaxError", reply
            assert "is not a function name" in reply["evalue"]
            assert [m["content"]["ename"] for m in outputs] == ["SyntaxError"]
            reply, outputs = execute(kc, 'SELECT id FROM inj WHERE s = "\\udc00";')
            assert reply["status"] == "error" and reply["ename"] == "SyntaxError", reply
            assert "lone surrogate" in reply["evalue"]
            assert [m["msg_type"] for m in outputs] == ["error"]
            assert "Traceback" not in "".join(outputs[0]["content"]["traceback"])
            # a cell whose JSON holds a raw lone surrogate (as a browser may send it): the
            # echo and the error are sendable, the kernel answers and carries on
            kc.session.pack = lambda obj: json.dumps(
                obj, default=json_default, ensure_ascii=True
            ).encode()
            reply, outputs = execute(kc, "SELECT id FROM inj WHERE s = 'x\udc00';", timeout=30)
            assert reply["status"] == "error" and reply["ename"] == "SyntaxError", reply
            assert "lone surrogate (U+DC00 at character 2)" in reply["evalue"]
            assert "x\\udc00" in "".join(outputs[0]["content"]["traceback"])
            assert len(raw.query("inj", filter="id >= 0", output_fields=["id"])) == 9
            texts = _ok(kc, "SELECT COUNT(*) FROM inj;")
            assert re.search(r"-+\n\s*9\n", texts[-1]), texts
    finally:
        raw.drop_collection("inj")
        raw.close()
