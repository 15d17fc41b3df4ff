"""The text of HELP, one module per statement family; `TOPICS` lists them all in HELP's order."""

from __future__ import annotations

from milvus_kernel.engine.tools.help_topics.admin import ALIASES, DATABASES, USERS
from milvus_kernel.engine.tools.help_topics.data import READING, WRITING
from milvus_kernel.engine.tools.help_topics.legacy import DIALECT, INDEX_TYPES, METRICS
from milvus_kernel.engine.tools.help_topics.schema import COLLECTIONS, INDEXES, PARTITIONS
from milvus_kernel.engine.tools.help_topics.server import PRIVILEGE_GROUPS, RESOURCE_GROUPS, SERVER
from milvus_kernel.engine.tools.help_topics.session import SESSION
from milvus_kernel.engine.tools.help_topics.text import TEXT
from milvus_kernel.engine.tools.help_topics.tools import TOOLS
from milvus_kernel.engine.tools.help_topics.topic import Topic

TOPICS: tuple[Topic, ...] = (
    SESSION
    + DATABASES
    + COLLECTIONS
    + PARTITIONS
    + ALIASES
    + INDEXES
    + WRITING
    + READING
    + TEXT
    + TOOLS
    + USERS
    + PRIVILEGE_GROUPS
    + RESOURCE_GROUPS
    + SERVER
    + DIALECT
)

__all__ = ["INDEX_TYPES", "METRICS", "TOPICS", "Topic"]
