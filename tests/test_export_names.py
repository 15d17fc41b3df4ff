"""EXPORT of a result whose column names repeat: every file gets the names the data resource shows.

Columns id, id, id_2 are the case a naive suffix gets wrong (id, id_2, id_2: two columns under one
name, one of them lost in CSV readers and JSON lines). The file writers and the
`application/vnd.dataresource+json` view share `results.unique_names`; each file's header is read
back with csv / pyarrow / json and compared with the data resource's field names, and its values
with the rows given (or, through SQL, with what pymilvus returns for the same rows).
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from admin_helpers import one, run

from milvus_kernel.display import DATA_RESOURCE, render
from milvus_kernel.engine.reads.file_writers import open_writer
from milvus_kernel.engine.session import Session
from milvus_kernel.results import Column, Table

SELECT = "SELECT id, id, id_2, label, label, id FROM {t}"
REPEATED = ("id", "id", "id_2", "label", "label", "id")
EXPECTED = ["id", "id_3", "id_2", "label", "label_2", "id_4"]


@pytest.fixture(scope="module")
def named(session: Session) -> str:
    """A table with fields id, id_2 and label, holding three rows."""
    run(
        session,
        "CREATE TABLE names_t (id INT64 PRIMARY KEY, id_2 INT64, label VARCHAR(8), "
        "vector FLOAT_VECTOR(2));\n"
        "INSERT INTO names_t VALUES (1, 10, 'a', [0.1, 0.2]), (2, 20, 'b', [0.3, 0.4]), "
        "(3, 30, 'c', [0.5, 0.6])",
    )
    return "names_t"


def truth(session: Session, table: str) -> list[list[object]]:
    """The rows of `table` (id, id_2, label), from pymilvus."""
    client = session.catalog().client
    client.load_collection(table)
    got = client.query(table, filter="id >= 0", output_fields=["id", "id_2", "label"])
    return [[r["id"], r["id_2"], r["label"]] for r in sorted(got, key=lambda r: r["id"])]


def shown_names(session: Session, table: str) -> list[str]:
    bundle = render(one(session, SELECT.format(t=table)))
    return [f["name"] for f in bundle[DATA_RESOURCE]["schema"]["fields"]]


def read_back(path: Path, ext: str) -> tuple[list[str], list[list[object]]]:
    """(the header, the rows) of an exported file."""
    if ext == "csv":
        with path.open(newline="", encoding="utf-8") as f:
            lines = list(csv.reader(f))
        return lines[0], [[int(v) if v.isdigit() else v for v in line] for line in lines[1:]]
    if ext == "parquet":
        table = pq.read_table(path)
        return table.column_names, [list(row.values()) for row in table.to_pylist()]
    objects = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    return list(objects[0]), [list(o.values()) for o in objects]


@pytest.mark.parametrize("ext", ["csv", "parquet", "jsonl"])
def test_writers_use_the_data_resource_names(tmp_path: Path, ext: str):
    kinds = ["int", "int", "int", "str", "str", "int"]
    columns = tuple(Column(n, k) for n, k in zip(REPEATED, kinds, strict=True))  # type: ignore[arg-type]
    rows = [(1, 2, 3, "a", "b", 4), (5, 6, 7, "c", "d", 8)]
    shown = render(Table(columns, rows))[DATA_RESOURCE]
    assert [f["name"] for f in shown["schema"]["fields"]] == EXPECTED
    path = tmp_path / f"out.{ext}"
    writer = open_writer(path, ext, columns)
    writer.write(rows)
    writer.close()
    header, values = read_back(path, ext)
    assert header == EXPECTED
    assert values == [list(r) for r in rows]


def test_the_data_resource_names_through_sql(session: Session, named: str):
    # SELECT itself shows a column once however often it is named
    assert shown_names(session, named) == ["id", "id_2", "label"]


@pytest.mark.parametrize("ext", ["csv", "parquet", "jsonl"])
def test_export_writes_the_names_shown(session: Session, named: str, lite_dir: Path, ext: str):
    target = f"names.{ext}"
    message = one(session, f"EXPORT ({SELECT.format(t=named)}) TO '{target}'")
    assert message.text == f"exported 3 rows to '{target}'"
    header, values = read_back(lite_dir / target, ext)
    assert header == shown_names(session, named)
    assert sorted(values) == truth(session, named)
