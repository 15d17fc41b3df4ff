"""HELP topics of a Milvus server's own features: privilege and resource groups, replicas,
server-side bulk import, snapshots, external collections, segments, compactions, the version."""

from __future__ import annotations

from milvus_kernel.engine.tools.help_topics.topic import Topic, grouped

_LITE = "Milvus Lite has none of this: it says so in one line; EXPLAIN shows the code anyway."

PRIVILEGE_GROUPS = grouped(
    "privilege groups (Milvus 2.5+)",
    Topic(
        "CREATE PRIVILEGE GROUP",
        "a named set of privileges, granted as one",
        "CREATE PRIVILEGE GROUP g;",
        ("CREATE PRIVILEGE GROUP readers;",),
        "Grant it with GRANT g ON table TO role. " + _LITE,
    ),
    Topic(
        "ALTER PRIVILEGE GROUP",
        "add privileges to a group, or drop them from it",
        "ALTER PRIVILEGE GROUP g ADD | DROP PRIVILEGES (privilege, ...);",
        (
            "ALTER PRIVILEGE GROUP readers ADD PRIVILEGES (Search, Query);",
            "ALTER PRIVILEGE GROUP readers DROP PRIVILEGES (Query);",
        ),
    ),
    Topic(
        "DROP PRIVILEGE GROUP",
        "drop a group",
        "DROP PRIVILEGE GROUP g;",
        ("DROP PRIVILEGE GROUP readers;",),
    ),
    Topic(
        "SHOW PRIVILEGE GROUPS",
        "the groups and their privileges",
        "SHOW PRIVILEGE GROUPS;",
        ("SHOW PRIVILEGE GROUPS;",),
    ),
)

RESOURCE_GROUPS = grouped(
    "resource groups and replicas",
    Topic(
        "CREATE RESOURCE GROUP",
        "a group of query nodes that collections load into",
        "CREATE RESOURCE GROUP rg [WITH (requests = n, limits = n, transfer_from = 'rg2' | [...],\n"
        "                                transfer_to = 'rg2' | [...])];",
        (
            "CREATE RESOURCE GROUP rg1;",
            "CREATE RESOURCE GROUP rg2 WITH (requests = 1, limits = 2, "
            "transfer_from = '__default_resource_group');",
        ),
        "requests and limits count query nodes (ResourceGroupConfig, Milvus 2.4+; a 2.3 server "
        "refuses them). " + _LITE,
    ),
    Topic(
        "ALTER RESOURCE GROUP",
        "change a group's node requests, limits and transfers (update_resource_groups)",
        "ALTER RESOURCE GROUP rg SET (requests = n, limits = n, ...);",
        ("ALTER RESOURCE GROUP rg1 SET (requests = 2, limits = 4);",),
    ),
    Topic(
        "DROP RESOURCE GROUP",
        "drop an empty group",
        "DROP RESOURCE GROUP rg;",
        ("DROP RESOURCE GROUP rg1;",),
    ),
    Topic(
        "SHOW RESOURCE GROUPS",
        "every group: capacity, available nodes, loaded replicas",
        "SHOW RESOURCE GROUPS;",
        ("SHOW RESOURCE GROUPS;",),
    ),
    Topic(
        "DESCRIBE RESOURCE GROUP",
        "one group in full: nodes, replicas, config",
        "DESCRIBE RESOURCE GROUP rg;",
        ("DESCRIBE RESOURCE GROUP __default_resource_group;",),
    ),
    Topic(
        "TRANSFER REPLICA",
        "move loaded replicas of a collection to another group",
        "TRANSFER [n] REPLICA[S] OF table FROM rg TO rg2;",
        ("TRANSFER 1 REPLICA OF docs FROM __default_resource_group TO rg1;",),
    ),
    Topic(
        "LOAD WITH",
        "load with replicas in resource groups, only some fields, or refresh a load",
        "LOAD table WITH (replicas = n, resource_groups = ('rg', ...), fields = (a, b),\n"
        "                 skip_dynamic_field = true, refresh = true);",
        (
            "LOAD docs WITH (replicas = 1);",
            "LOAD docs WITH (replicas = 2, resource_groups = ('rg1', 'rg2'));",
            "LOAD docs WITH (refresh = true);",
        ),
        "refresh = true loads segments added since (refresh_load). Milvus Lite loads one replica "
        "of everything: it refuses the others.",
        aliases=("LOAD TABLE WITH",),
    ),
    Topic(
        "SHOW REPLICAS",
        "the replicas of a loaded collection: group, query nodes, shards",
        "SHOW REPLICAS OF table;",
        ("SHOW REPLICAS OF docs;",),
    ),
)

SERVER = grouped(
    "server jobs and state",
    Topic(
        "IMPORT INTO",
        "server-side bulk import of files on the server's object storage",
        "IMPORT INTO table [PARTITION p] FROM 'path' [, 'path' ...]\n"
        "    [WITH (url = '...', cluster_id = '...', option = value, ...)];",
        (
            "IMPORT INTO docs FROM 'bulk/part-0.parquet', 'bulk/part-1.parquet';",
            "IMPORT INTO docs FROM 'bulk/rows.json' WITH (timeout = '300s');",
        ),
        "The server reads the files (MinIO/S3 paths in its bucket), not the kernel: for a local "
        "file use INSERT INTO t FROM 'file'. pymilvus.bulk_writer's bulk_import (RESTful v2, "
        "Milvus 2.4+); it returns a job id. " + _LITE,
    ),
    Topic(
        "SHOW IMPORT JOBS",
        "the bulk import jobs, or one job's progress",
        "SHOW IMPORT JOBS [ON table];\nSHOW IMPORT JOB 'id';",
        ("SHOW IMPORT JOBS ON docs;", "SHOW IMPORT JOB '4571392';"),
        aliases=("SHOW IMPORT JOB",),
    ),
    Topic(
        "CREATE SNAPSHOT",
        "a snapshot of a collection (Milvus 2.6)",
        "CREATE SNAPSHOT s ON table [COMMENT '...'];\nDROP SNAPSHOT s ON table;\n"
        "DESCRIBE SNAPSHOT s ON table;\nSHOW SNAPSHOTS [ON table];",
        (
            "CREATE SNAPSHOT nightly ON docs COMMENT 'before the re-import';",
            "SHOW SNAPSHOTS ON docs;",
            "DESCRIBE SNAPSHOT nightly ON docs;",
            "DROP SNAPSHOT nightly ON docs;",
        ),
        _LITE,
        aliases=("DROP SNAPSHOT", "SHOW SNAPSHOTS", "DESCRIBE SNAPSHOT", "SNAPSHOT"),
    ),
    Topic(
        "RESTORE SNAPSHOT",
        "a new collection from a snapshot (a server job, followed until it ends)",
        "RESTORE SNAPSHOT s ON table TO new_table;\nSHOW RESTORE JOBS [ON table];",
        ("RESTORE SNAPSHOT nightly ON docs TO docs_restored;", "SHOW RESTORE JOBS;"),
        aliases=("SHOW RESTORE JOBS",),
    ),
    Topic(
        "REFRESH EXTERNAL TABLE",
        "re-read an external collection's source (Milvus 2.6)",
        "REFRESH EXTERNAL TABLE t [FROM 'source'] [WITH (spec = '{...}')];\n"
        "SHOW REFRESH JOBS [ON t];",
        ("REFRESH EXTERNAL TABLE products;", "SHOW REFRESH JOBS ON products;"),
        aliases=("SHOW REFRESH JOBS",),
    ),
    Topic(
        "SHOW SERVER VERSION",
        "the server's version, build and deployment",
        "SHOW SERVER VERSION;",
        ("SHOW SERVER VERSION;",),
    ),
    Topic(
        "SHOW SEGMENTS",
        "a collection's sealed segments, or the ones loaded in query nodes",
        "SHOW [LOADED] SEGMENTS OF table;",
        ("SHOW SEGMENTS OF docs;", "SHOW LOADED SEGMENTS OF docs;"),
    ),
    Topic(
        "SHOW COMPACTION",
        "a compaction's state and plans, or a collection's compaction tasks",
        "SHOW COMPACTION id;\nSHOW COMPACTIONS OF table;",
        ("SHOW COMPACTION 454500000000000001;", "SHOW COMPACTIONS OF docs;"),
        "COMPACT t says the id of the compaction it started.",
        aliases=("SHOW COMPACTIONS",),
    ),
    Topic("FLUSH ALL", "flush every collection of the database", "FLUSH ALL;", ("FLUSH ALL;",)),
    Topic(
        "PIN SNAPSHOT",
        "keep a snapshot's data from garbage collection while it is copied out",
        "PIN SNAPSHOT s ON table [FOR n SECONDS];\nUNPIN SNAPSHOT pin_id;",
        ("PIN SNAPSHOT nightly ON docs FOR 3600 SECONDS;", "UNPIN SNAPSHOT 7;"),
        aliases=("UNPIN SNAPSHOT",),
    ),
    Topic(
        "CREATE FILE RESOURCE",
        "name a file of the server's storage for analyzers (dictionaries, stop words)",
        "CREATE FILE RESOURCE name FROM 'path';\nDROP FILE RESOURCE name;\nSHOW FILE RESOURCES;",
        (
            "CREATE FILE RESOURCE jieba_dict FROM 'dicts/jieba.txt';",
            "SHOW FILE RESOURCES;",
            "DROP FILE RESOURCE jieba_dict;",
        ),
        "Milvus 2.6. " + _LITE,
        aliases=("DROP FILE RESOURCE", "SHOW FILE RESOURCES"),
    ),
    Topic(
        "SHOW REPLICATION",
        "the cross-cluster replication configuration, or one channel's checkpoint",
        "SHOW REPLICATION;\nSHOW REPLICATION OF 'source_cluster' CHANNEL 'pchannel';",
        ("SHOW REPLICATION;", "SHOW REPLICATION OF 'by-dev-a' CHANNEL 'by-dev-rootcoord-dml_0';"),
    ),
    Topic(
        "OPTIMIZE TABLE",
        "merge a collection's segments, rebuild its indexes and reload it (2.6 preview)",
        "OPTIMIZE [TABLE] t [WITH (target_size = '1GB')];",
        ("OPTIMIZE TABLE docs;", "OPTIMIZE TABLE docs WITH (target_size = '512MB');"),
        "MilvusClient.optimize, waiting until it is done. " + _LITE,
        aliases=("OPTIMIZE",),
    ),
    Topic(
        "COMMENT",
        "describe a role or a user",
        "ALTER ROLE r COMMENT '...';\nALTER USER u COMMENT '...';",
        ("ALTER ROLE reader COMMENT 'read-only analysts';", "ALTER USER alice COMMENT 'on call';"),
        "alter_role and update_user (Milvus 2.6).",
        aliases=("ALTER ROLE", "ALTER ROLE COMMENT", "ALTER USER COMMENT"),
    ),
)
