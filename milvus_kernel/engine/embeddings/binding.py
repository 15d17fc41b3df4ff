"""The EMBED binding of a vector field, kept in the collection's properties.

`vector FLOAT_VECTOR(384) EMBED(body) USING 'sentence-transformers:all-MiniLM-L6-v2'` stores
the property `kernel.embed.vector = body|sentence-transformers:all-MiniLM-L6-v2`, so a new kernel,
or a colleague's, finds the binding with the collection (DESCRIBE and SHOW CREATE TABLE show it).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

PREFIX = "kernel.embed."


@dataclass(frozen=True)
class Binding:
    """Field `field` holds the embedding of text field `source` by model `model`."""

    field: str
    source: str
    model: str

    @property
    def entry(self) -> tuple[str, str]:
        return PREFIX + self.field, f"{self.source}|{self.model}"


def bindings(properties: Mapping[str, Any] | None) -> dict[str, Binding]:
    """The bindings held in a collection's properties, by vector field."""
    found: dict[str, Binding] = {}
    for key, value in (properties or {}).items():
        if str(key).startswith(PREFIX) and "|" in str(value):
            source, model = str(value).split("|", 1)
            field = str(key)[len(PREFIX) :]
            found[field] = Binding(field, source, model)
    return found


def is_binding(key: str) -> bool:
    """Whether a property is a binding (DESCRIBE shows it with its field, not as a property)."""
    return str(key).startswith(PREFIX)
