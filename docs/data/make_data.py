"""Writes the small data files that docs/import-export.ipynb imports (run once; files committed).

    python docs/data/make_data.py

- products.parquet, products.csv, products.jsonl: the same 300 products (id, name, color,
  price, vector of 4 floats around a center per color), in three formats;
- more-products.csv: 5 more rows, two of them bad (a 3-dim vector, a name too long), to show
  how a bad row stops an import and how on_error = 'skip' sets it aside;
- vectors.npy: 200 vectors of 4 float32 numbers, for a collection whose ids Milvus generates.

Seeded (NumPy's default_rng(42)): running it again writes the same files.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as csv
import pyarrow.parquet as pq

HERE = Path(__file__).resolve().parent
CENTERS = {
    "red": (0.0, 0.0, 0.0, 0.0),
    "green": (5.0, 5.0, 5.0, 5.0),
    "blue": (-5.0, 5.0, -5.0, 5.0),
}
NOUNS = ("lamp", "chair", "table", "mug", "shelf", "rug")


def products(rng: np.random.Generator, count: int) -> pa.Table:
    colors = [list(CENTERS)[i % 3] for i in range(count)]
    vectors = np.array([np.array(CENTERS[c]) + rng.normal(0.0, 0.8, 4) for c in colors])
    return pa.table(
        {
            "id": pa.array(range(1, count + 1), type=pa.int64()),
            "name": [f"{c} {NOUNS[i % len(NOUNS)]} {i + 1}" for i, c in enumerate(colors)],
            "color": colors,
            "price": np.round(rng.uniform(5, 500, count), 2),
            "vector": pa.array(np.round(vectors, 4).tolist(), pa.list_(pa.float64())),
        }
    )


def write_csv(table: pa.Table, path: Path) -> None:
    """Vectors as JSON text, the way EXPORT writes them."""
    columns = {
        name: [json.dumps(v) for v in table.column(name).to_pylist()]
        if name == "vector"
        else table.column(name)
        for name in table.column_names
    }
    csv.write_csv(pa.table(columns), path)


def main() -> None:
    rng = np.random.default_rng(42)
    table = products(rng, 300)
    pq.write_table(table, HERE / "products.parquet")
    write_csv(table, HERE / "products.csv")
    with (HERE / "products.jsonl").open("w", encoding="utf-8") as out:
        for row in table.to_pylist():
            out.write(json.dumps(row) + "\n")
    more = products(rng, 5).to_pylist()
    for number, row in enumerate(more):
        row["id"] += 300
        if number == 1:
            row["vector"] = row["vector"][:3]  # a 3-dim vector
        if number == 3:
            row["name"] = "a name far too long for a field of at most forty bytes"
    write_csv(pa.Table.from_pylist(more, schema=table.schema), HERE / "more-products.csv")
    np.save(HERE / "vectors.npy", rng.normal(0.0, 1.0, (200, 4)).astype(np.float32))


if __name__ == "__main__":
    main()
