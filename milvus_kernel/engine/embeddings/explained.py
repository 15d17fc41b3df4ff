"""EXPLAIN of an INSERT into EMBED fields: the rows of an insert call that know which of their
vectors a model computed, and the Python that loads the model and computes them.

EXPLAIN prints such rows as the statement gave them (the texts, no vectors), then the model's
load and the encode of the rows' texts, then the insert call with those rows: the code the
kernel runs, and run, it stores the same vectors.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from milvus_kernel.engine.embeddings.binding import Binding
from milvus_kernel.engine.embeddings.providers import split


class EmbeddedRows(list):
    """The rows of one insert call; the vectors of `fills` were computed from their texts."""

    def __init__(self, rows: Sequence[dict[str, Any]], fills: Sequence[Binding]) -> None:
        super().__init__(rows)
        self.fills = tuple(fills)

    def given(self) -> list[dict[str, Any]]:
        """The rows without the vectors a model computed (a row whose text is NULL has none)."""
        out = []
        for row in self:
            row = dict(row)
            for binding in self.fills:
                if isinstance(row.get(binding.source), str):
                    row.pop(binding.field, None)
            out.append(row)
        return out


def model_import(spec: str) -> str:
    """The import line the code of model `spec` needs."""
    if split(spec)[0] == "sentence-transformers":
        return "from sentence_transformers import SentenceTransformer"
    return "import openai  # the key from OPENAI_API_KEY"


def model_load(spec: str, variable: str) -> str | None:
    """`variable = <the model>`, or None for a provider with nothing to load."""
    provider, name = split(spec)
    if provider == "sentence-transformers":
        return f"{variable} = SentenceTransformer({name!r})"
    return None


def encode_lines(binding: Binding, rows: str, model: str) -> list[str]:
    """The lines that give each row of `rows` without `binding.field` its vector."""
    provider, name = split(binding.model)
    texts = f"[row[{binding.source!r}] for row in todo]"
    if provider == "sentence-transformers":
        vectors = f"vectors = {model}.encode({texts}).tolist()"
    else:
        vectors = (
            f"answer = openai.OpenAI().embeddings.create(model={name!r}, input={texts})\n"
            "vectors = [item.embedding for item in answer.data]"
        )
    return [
        f"todo = [row for row in {rows} if {binding.field!r} not in row]",
        *vectors.splitlines(),
        "for row, vector in zip(todo, vectors):",
        f"    row[{binding.field!r}] = vector",
    ]
