"""The engine: runs statements against Milvus through `MilvusClient` and returns `Result` values.

`Session` (in `session.py`) is the public entry point; the other modules each hold one family of
statements or one concern (connection, settings, schema, errors).
"""

from __future__ import annotations
