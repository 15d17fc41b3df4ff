"""The SQL habits, HELP topics before a comment and long-line syntax errors as a notebook sees
them: through jupyter_client against a real kernel on embedded Milvus Lite, every iopub message
checked, and the collection checked with raw pymilvus after the kernel has let the database go.
"""

from __future__ import annotations

from pathlib import Path

from kernel_harness import execute, plain_texts, running_kernel
from pymilvus import DataType, MilvusClient


def _error_text(reply: dict, outputs: list[dict]) -> str:
    assert reply["status"] == "error", reply
    errors = [m for m in outputs if m["msg_type"] == "error"]
    assert len(errors) == 1 and errors[0]["content"]["evalue"] == reply["evalue"]
    return "\n".join(reply["traceback"])


def test_habits_help_and_long_lines_in_a_real_kernel(tmp_path: Path) -> None:
    with running_kernel(tmp_path) as (_km, kc):
        _, plain = execute(kc, "HELP SEARCH")
        reply, noted = execute(kc, "HELP SEARCH -- what does FOR take?")
        assert reply["status"] == "ok"
        assert plain_texts(noted)[-1] == plain_texts(plain)[-1]
        assert plain_texts(noted)[-1].startswith("SEARCH")
        _, commented = execute(kc, "HELP SEARCH /* c */")
        assert plain_texts(commented)[-1] == plain_texts(plain)[-1]

        reply, outputs = execute(
            kc,
            "CREATE TABLE h (id INT PRIMARY KEY, n INT, name TEXT, v VECTOR(2));\n"
            "INSERT INTO h VALUES (1, 1, 'a', [0.1, 0.2]), (2, 2, 'b', [0.3, 0.4]);\n"
            "CREATE INDEX ON h (v) USING FLAT WITH (metric_type = 'L2');\n"
            "SHOW INDEXES h",
        )
        assert reply["status"] == "ok", reply
        shown = plain_texts(outputs)[-1]
        assert "FLAT" in shown and "L2" in shown

        reply, outputs = execute(kc, "INSERT INTO h VALUES (3, 3, 'c', [0.5, 0.6]);\nDELETE FROM h")
        report = _error_text(reply, outputs)
        assert "DELETE needs a WHERE clause" in report
        assert "hint: to delete every row: TRUNCATE TABLE h (the schema stays)" in report
        assert [m["msg_type"] for m in outputs] == ["error"]  # the INSERT did not run

        numbers = ", ".join(f"0.{i:03d}" for i in range(128))
        reply, outputs = execute(kc, f"SEARCH h FOR [{numbers}] LIMT 3")
        report = _error_text(reply, outputs)
        assert max(len(line) for line in report.splitlines()) <= 200, report
        assert "did you mean LIMIT?" in report and "LIMT 3" in report

        reply, outputs = execute(kc, "SEARCH h FOR 'q.npy' LIMIT 3")
        assert "VECTOR FROM 'q.npy'" in _error_text(reply, outputs)
        reply, outputs = execute(kc, "CREATE TABLE h2 (id INT PRIMARY KEY AUTO_INCREMENT)")
        assert "AUTO_ID" in _error_text(reply, outputs)

    client = MilvusClient(str(tmp_path / "milvus_kernel.db"))
    try:
        fields = {f["name"]: f for f in client.describe_collection("h")["fields"]}
        assert fields["id"]["type"] == DataType.INT64 and fields["id"].get("is_primary")
        assert fields["n"]["type"] == DataType.INT32
        assert fields["name"]["type"] == DataType.VARCHAR
        client.load_collection("h")
        count = client.query("h", filter="", output_fields=["count(*)"])[0]["count(*)"]
        assert count == 2  # neither the INSERT nor the DELETE of the refused cell ran
        assert not client.has_collection("h2")
    finally:
        client.close()
