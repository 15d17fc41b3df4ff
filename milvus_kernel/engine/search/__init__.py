"""SEARCH: vector, sparse and BM25 full-text search, hybrid search, and the query sources."""
