"""Embedding models by name: `provider:model`, loaded on first use and kept for the session.

- `sentence-transformers:NAME_OR_PATH` — a local folder, or a model already in the Hugging Face
  cache; never downloaded (offline), loaded by sentence-transformers itself on the CPU. Needs the
  extra: `pip install "milvus-sql-kernel[embed]"`.
- `openai:MODEL` — any OpenAI-compatible endpoint (`OPENAI_BASE_URL`, default the OpenAI API),
  the key from `OPENAI_API_KEY`; the key is never shown.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from milvus_kernel.errors import ExecutionError

PROVIDERS = ("sentence-transformers", "openai")
EXTRA = 'pip install "milvus-sql-kernel[embed]"'
_LOADED: dict[str, Any] = {}


class SentenceTransformerModel:
    """A sentence-transformers model from a local path or the local cache (no download)."""

    def __init__(self, name: str) -> None:
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError:
            raise ExecutionError(f"the sentence-transformers provider needs: {EXTRA}") from None
        try:
            from transformers.utils import logging as transformers_logging

            transformers_logging.disable_progress_bar()  # no "Loading weights" bar in a cell
        except ImportError:
            pass
        path = Path(name).expanduser()
        try:
            if path.exists():
                self.model = SentenceTransformer(str(path), device="cpu")
            else:
                self.model = SentenceTransformer(name, device="cpu", local_files_only=True)
        except Exception as error:
            where = str(path) if path.exists() else f"{path.resolve()} and the Hugging Face cache"
            raise ExecutionError(
                f"cannot load sentence-transformers model '{name}' (looked in {where}): "
                f"{str(error).splitlines()[0] if str(error) else type(error).__name__}"
            ) from None

    def encode(self, texts: Sequence[str]) -> Any:
        return self.model.encode(list(texts), convert_to_numpy=True).astype("float32")


class OpenAIModel:
    """An OpenAI-compatible /embeddings endpoint; the key comes from OPENAI_API_KEY."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.url = os.environ.get("OPENAI_BASE_URL", "https://api.openai.com/v1").rstrip("/")

    def encode(self, texts: Sequence[str]) -> Any:
        import urllib.request

        import numpy as np

        key = os.environ.get("OPENAI_API_KEY")
        if not key:
            raise ExecutionError("the openai provider takes its key from OPENAI_API_KEY: set it")
        body = json.dumps({"model": self.name, "input": list(texts)}).encode()
        request = urllib.request.Request(
            self.url + "/embeddings",
            data=body,
            headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                answer = json.load(response)
        except Exception as error:
            text = str(error).replace(key, "****")
            raise ExecutionError(f"embedding with openai:{self.name} failed: {text}") from None
        rows = sorted(answer["data"], key=lambda item: item["index"])
        return np.asarray([row["embedding"] for row in rows], dtype="float32")


def split(spec: str) -> tuple[str, str]:
    """('provider', 'model') of 'provider:model'; a clear error for an unknown provider."""
    provider, _, name = spec.partition(":")
    if provider not in PROVIDERS or not name:
        raise ExecutionError(
            f"an embedding model is 'provider:model' with provider one of {', '.join(PROVIDERS)}"
            f", not '{spec}'"
        )
    return provider, name


def model(spec: str) -> Any:
    """The model `spec` names, loaded once per process."""
    if spec not in _LOADED:
        provider, name = split(spec)
        kind = SentenceTransformerModel if provider == "sentence-transformers" else OpenAIModel
        _LOADED[spec] = kind(name)
    return _LOADED[spec]


def embed(spec: str, texts: Sequence[str], dim: int | None = None) -> Any:
    """The embeddings of `texts` (an n × dim float32 array); checks the width against `dim`."""
    vectors = model(spec).encode(texts)
    if dim is not None and vectors.shape[-1] != dim:
        raise ExecutionError(
            f"model '{spec}' makes vectors of {vectors.shape[-1]} dims, the field holds {dim}"
        )
    return vectors
