"""A tiny sentence-transformers model built in a folder, so tests download nothing.

A random-initialised BERT (one layer, 8 wide: a few hundred parameters besides its word table)
with a vocabulary written here, mean pooling (seeded: the same every time), saved as a
sentence-transformers folder that the kernel loads by path through the same code a model name
goes through. docs/data/tiny-model is this model (docs/semantic-search.ipynb uses it).
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

WORDS = [
    "the",
    "a",
    "cat",
    "dog",
    "sat",
    "on",
    "mat",
    "sleeping",
    "sleeps",
    "runs",
    "park",
    "fish",
    "swims",
    "sea",
    "bird",
    "flies",
    "sky",
    "red",
    "blue",
    "green",
    "car",
    "road",
    "fast",
    "slow",
    "tree",
    "grows",
    "forest",
    "sun",
    "shines",
    "moon",
    "night",
]
DIM = 8


def build(folder: Path, seed: int = 0) -> Path:
    """Write the model into `folder` (once) and return its path."""
    import torch
    from sentence_transformers import SentenceTransformer, models
    from transformers import BertConfig, BertModel, BertTokenizer

    if (folder / "modules.json").exists():
        return folder
    bert = Path(tempfile.mkdtemp(prefix="tiny-bert-"))
    vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", *WORDS]
    (bert / "vocab.txt").write_text("\n".join(vocab) + "\n", encoding="utf-8")
    torch.manual_seed(seed)
    config = BertConfig(
        vocab_size=len(vocab),
        hidden_size=DIM,
        num_hidden_layers=1,
        num_attention_heads=2,
        intermediate_size=16,
        max_position_embeddings=32,
    )
    BertModel(config).save_pretrained(bert)
    BertTokenizer(str(bert / "vocab.txt")).save_pretrained(bert)
    word = models.Transformer(str(bert), max_seq_length=32)
    pooling = models.Pooling(DIM, pooling_mode="mean")
    SentenceTransformer(modules=[word, pooling], device="cpu").save(str(folder))
    shutil.rmtree(bert)
    (folder / "README.md").unlink(missing_ok=True)  # the generated model card
    return folder
