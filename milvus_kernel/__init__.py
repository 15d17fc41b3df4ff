"""Milvus SQL: a Jupyter kernel that turns SQL-like cells into pymilvus MilvusClient calls."""

__version__ = "0.1.0"
