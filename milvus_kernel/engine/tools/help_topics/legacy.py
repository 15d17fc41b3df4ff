"""HELP topics of the legacy dialect (the old kernel's one-statement-per-line forms), and the
tables of its `help -metric` (metric types) and `help -index` (index types)."""

from __future__ import annotations

from milvus_kernel.engine.tools.help_topics.topic import Topic, grouped

DIALECT = grouped(
    "the old kernel's dialect (one statement per line)",
    Topic(
        "OLD DIALECT",
        "cells written for the older milvus_kernel keep working",
        "milvus://host:port\n"
        "create table t where dimension=128 and metric_type='L2'\n"
        "drop table t | list tables | desc t | stats t\n"
        "create partition t where partition_tag='p' | drop partition t where partition_tag='p'\n"
        "list partitions t\n"
        "create index t where index_type='IVF_FLAT' and nlist=4096 | drop index t\n"
        "insert 2,3,5 from t [where partition_tag='p'] [by id=0]\n"
        "select 2,3,5 from t where top_k=1 [and partition_tags='p'] [and nprobe=16]\n"
        "select t by id=1,2,3 | delete t by id=1,2 | flush t | compact t\n"
        "help | help -metric | help -index",
        (
            "create table old_t where dimension=3 and metric_type='L2'",
            "insert 2,3,5 from old_t by id=0",
            "select 2,3,5 from old_t where top_k=1",
            "select old_t by id=0",
        ),
        aliases=("DIALECT", "LEGACY", "OLD"),
    ),
)

METRICS = (
    ("L2", "float vectors", "smaller", "squared Euclidean distance"),
    ("IP", "float and sparse vectors", "larger", "inner product"),
    ("COSINE", "float vectors", "larger", "cosine similarity"),
    ("HAMMING", "binary vectors", "smaller", "number of differing bits"),
    ("JACCARD", "binary vectors", "smaller", "1 - |A∩B| / |A∪B|"),
    ("BM25", "BM25 fields (full text)", "larger", "relevance of a text to the query"),
)

INDEX_TYPES = (
    ("FLAT", "float", "exact search", "", "yes"),
    ("IVF_FLAT", "float", "nlist", "nprobe", "yes"),
    ("IVF_SQ8", "float", "nlist", "nprobe", "yes"),
    ("IVF_PQ", "float", "nlist, m, nbits", "nprobe", "no"),
    ("HNSW", "float", "M, efConstruction", "ef", "yes"),
    ("HNSW_SQ", "float", "M, efConstruction, sq_type", "ef", "yes"),
    ("DISKANN", "float", "", "search_list", "no"),
    ("SCANN", "float", "nlist, with_raw_data", "nprobe, reorder_k", "no"),
    ("AUTOINDEX", "float", "", "", "yes"),
    ("SPARSE_INVERTED_INDEX", "sparse", "inverted_index_algo", "drop_ratio_search", "yes"),
    ("SPARSE_WAND", "sparse", "inverted_index_algo", "drop_ratio_search", "no"),
    ("BIN_FLAT", "binary", "exact search", "", "no"),
    ("BIN_IVF_FLAT", "binary", "nlist", "nprobe", "no"),
    ("INVERTED", "scalar", "", "", "yes"),
    ("STL_SORT", "numeric scalar", "", "", "no"),
    ("BITMAP", "low-cardinality scalar", "", "", "no"),
    ("TRIE", "VARCHAR", "", "", "no"),
)
