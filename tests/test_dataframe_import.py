"""`INSERT | UPSERT INTO t FROM :df` in the magic: a pandas DataFrame, a pyarrow Table or
RecordBatch, a list of dicts, a dict of columns (numpy 1-D and 2-D arrays) go through the file
import's pipeline: the stored rows equal the object's, counts are exact, bad rows say "row N",
and the magic's `VALUES :X` means the same as `FROM :X`.
"""

from __future__ import annotations

import numpy as np
import pytest

from milvus_kernel.frontends.magic import MilvusMagicError, run_magic

pd = pytest.importorskip("pandas")
pa = pytest.importorskip("pyarrow")

N, DIM = 2_500, 8
SCHEMA = "id INT64 PRIMARY KEY, label VARCHAR(12), score DOUBLE, vector FLOAT_VECTOR(8)"


def data(seed: int = 3) -> dict:
    rng = np.random.default_rng(seed)
    return {
        "id": np.arange(N, dtype=np.int64),
        "label": [("red", "green", "blue")[i % 3] for i in range(N)],
        "score": rng.random(N),
        "vector": rng.normal(size=(N, DIM)).astype(np.float32),
    }


def magic(session, code: str, **params):
    shown: list = []
    return run_magic(session, code, params, shown.append), shown


def stored(session, table: str) -> dict:
    client = session.catalog().client
    client.load_collection(table)
    iterator = client.query_iterator(table, batch_size=1000, filter="", output_fields=["*"])
    rows = {}
    while batch := iterator.next():
        rows.update({row["id"]: row for row in batch})
    iterator.close()
    return rows


def check(session, table: str, expected: dict) -> None:
    rows = stored(session, table)
    assert sorted(rows) == expected["id"].tolist()
    for i in range(N):
        assert rows[i]["label"] == expected["label"][i]
        assert rows[i]["score"] == pytest.approx(expected["score"][i], rel=1e-12)
        got = np.asarray(rows[i]["vector"], dtype=np.float32)
        assert np.array_equal(got, expected["vector"][i])


def message(session, code: str, **params) -> str:
    _, shown = magic(session, code, **params)
    return shown[-1]["text/plain"]


def objects(d: dict) -> dict:
    frame = pd.DataFrame({k: v for k, v in d.items() if k != "vector"})
    frame["vector"] = list(d["vector"])
    vectors = pa.FixedSizeListArray.from_arrays(pa.array(d["vector"].ravel()), DIM)
    table = pa.table({"id": d["id"], "label": d["label"], "score": d["score"], "vector": vectors})
    rows = [
        {"id": int(d["id"][i]), "label": d["label"][i], "score": float(d["score"][i]),
         "vector": d["vector"][i].tolist()}
        for i in range(N)
    ]  # fmt: skip
    return {
        "frame": frame,
        "table": table,
        "batch": table.to_batches()[0],
        "rows": rows,
        "columns": d,
    }


@pytest.mark.parametrize("kind", ["frame", "table", "batch", "rows", "columns"])
def test_every_kind_of_object_stores_exactly_its_rows(session, kind: str):
    expected = data()
    obj = objects(expected)[kind]
    magic(session, f"CREATE TABLE obj_{kind} ({SCHEMA})")
    text = message(session, f"INSERT INTO obj_{kind} FROM :obj WITH (batch_size = 700)", obj=obj)
    assert text == f"inserted {N} rows into obj_{kind} from :obj"
    check(session, f"obj_{kind}", expected)


def test_upsert_and_values_param(session):
    expected = data(5)
    magic(session, f"CREATE TABLE obj_up ({SCHEMA})")
    assert message(session, "INSERT INTO obj_up VALUES :d", d=expected).startswith("inserted 2500")
    changed = data(6)
    text = message(session, "UPSERT INTO obj_up FROM :d", d=changed)
    assert text.startswith(f"upserted {N} rows into obj_up from :d")
    check(session, "obj_up", changed)


def test_bad_row_names_its_number_and_the_exact_count(session):
    expected = data(7)
    expected["vector"][1234, 3] = np.nan
    magic(session, f"CREATE TABLE obj_bad ({SCHEMA})")
    with pytest.raises(MilvusMagicError) as raised:
        magic(session, "INSERT INTO obj_bad FROM :d WITH (batch_size = 500)", d=expected)
    text = str(raised.value)
    assert "row 1235:" in text and "1234 rows" in text
    assert len(stored(session, "obj_bad")) == 1234


def test_wrong_columns_and_objects_are_refused_before_writing(session):
    magic(session, f"CREATE TABLE obj_cols ({SCHEMA})")
    frame = pd.DataFrame({"id": [1], "colour": ["x"], "vector": [np.zeros(DIM)]})
    with pytest.raises(MilvusMagicError, match=r"no field 'colour'.*nothing was written"):
        magic(session, "INSERT INTO obj_cols FROM :f", f=frame)
    with pytest.raises(MilvusMagicError, match=":n holds int"):
        magic(session, "INSERT INTO obj_cols FROM :n", n=3)
    with pytest.raises(MilvusMagicError, match="different lengths"):
        magic(session, "INSERT INTO obj_cols FROM :d", d={"id": [1, 2], "label": ["a"]})
    with pytest.raises(MilvusMagicError, match="no value is bound to :missing"):
        magic(session, "INSERT INTO obj_cols FROM :missing")


def test_a_frame_is_read_a_batch_at_a_time(session, monkeypatch):
    """The import takes the frame in slices of batch_size rows: no pandas conversion ever sees
    more rows than one batch (no `to_dict('records')`, `to_numpy()` or `tolist()` of the whole
    frame or of a whole column), and each insert call carries one batch."""
    expected = data(9)
    frame = objects(expected)["frame"]
    magic(session, f"CREATE TABLE obj_slices ({SCHEMA})")
    batch, seen = 700, []

    def bounded(method):
        def call(self, *args, **kwargs):
            seen.append((method.__name__, len(self)))
            assert len(self) <= batch, f"{method.__name__} of {len(self)} rows"
            return method(self, *args, **kwargs)

        return call

    for owner, names in (
        (pd.DataFrame, ("to_dict", "to_numpy", "itertuples", "iterrows", "to_records")),
        (pd.Series, ("to_numpy", "tolist", "to_list")),
    ):
        for name in names:
            monkeypatch.setattr(owner, name, bounded(getattr(owner, name)))
    client = session.catalog().client
    sizes: list[int] = []
    real_insert = client.insert

    def insert(collection_name, data, *args, **kwargs):
        sizes.append(len(data))
        return real_insert(collection_name, data, *args, **kwargs)

    monkeypatch.setattr(client, "insert", insert)
    text = message(session, f"INSERT INTO obj_slices FROM :f WITH (batch_size = {batch})", f=frame)
    assert text == f"inserted {N} rows into obj_slices from :f"
    assert sorted(sizes) == sorted([batch] * (N // batch) + [N % batch])
    assert seen and max(rows for _, rows in seen) <= batch  # the slices were converted
    monkeypatch.undo()
    check(session, "obj_slices", expected)


def test_a_bare_2d_array_says_what_it_takes_and_its_columns_go_in(session):
    """`VALUES :X` with a 2-D array: one plain line (no internal token name), nothing written;
    the same array as a named column fills the vector field."""
    X = data(2)["vector"]
    magic(session, "CREATE TABLE obj_bare (id INT64 PRIMARY KEY AUTO_ID, vector FLOAT_VECTOR(8))")
    for statement in ("INSERT INTO obj_bare VALUES :X", "INSERT INTO obj_bare FROM :X"):
        with pytest.raises(MilvusMagicError) as raised:
            magic(session, statement, X=X)
        text = str(raised.value)
        assert ":X holds ndarray" in text and "a dict of columns" in text, text
        assert "PARAM" not in text and "__" not in text, text
    assert stored(session, "obj_bare") == {}
    text = message(session, "INSERT INTO obj_bare VALUES :d", d={"vector": X})
    assert text.startswith(f"inserted {N} rows into obj_bare from :d")
    got = np.stack(
        [
            np.asarray(row["vector"], dtype=np.float32)
            for row in stored(session, "obj_bare").values()
        ]
    )
    assert sorted(map(tuple, got.tolist())) == sorted(map(tuple, X.tolist()))
