"""HELP topics of the connection and the session: CONNECT, DISCONNECT, SET, SHOW SETTINGS, ..."""

from __future__ import annotations

from milvus_kernel.engine.tools.help_topics.topic import Topic, grouped

SESSION = grouped(
    "connection and session",
    Topic(
        "CONNECT",
        "connect to a Milvus server, a Milvus Lite file, or a named connection",
        "CONNECT 'uri' [USER 'u' PASSWORD 'p' | TOKEN 'user:password'] [DATABASE 'db'] [AS name]\n"
        "        [WITH (secure = true, ca_pem_path = '...', client_pem_path = '...',\n"
        "               client_key_path = '...', server_pem_path = '...', server_name = '...')];\n"
        "CONNECT './file.db';\nCONNECT name;\nmilvus://host:port",
        (
            "CONNECT './demo.db';",
            "CONNECT 'http://localhost:19530' TOKEN 'root:Milvus' AS local;",
            "CONNECT 'https://milvus.example.com:19530' TOKEN 'root:Milvus' "
            "WITH (ca_pem_path = 'certs/ca.pem', client_pem_path = 'certs/client.pem', "
            "client_key_path = 'certs/client.key', server_name = 'milvus.example.com');",
        ),
        "Before any CONNECT the kernel uses MILVUS_URI (with MILVUS_TOKEN, or MILVUS_USER and "
        "MILVUS_PASSWORD, and MILVUS_DB), else the Lite file milvus_kernel.db next to the "
        "notebook. Named connections come from ~/.config/milvus-kernel/connections.toml. "
        "Passwords and tokens are never shown. WITH (...) takes MilvusClient's TLS arguments: "
        "one-way TLS with server_pem_path (or ca_pem_path), two-way with ca_pem_path, "
        "client_pem_path and client_key_path; paths are relative to the notebook's directory.",
    ),
    Topic("DISCONNECT", "close the current connection", "DISCONNECT;", ("DISCONNECT;",)),
    Topic(
        "SHOW CONNECTION",
        "the uri (credentials masked), server version, database and user",
        "SHOW CONNECTION;",
        ("SHOW CONNECTION;",),
    ),
    Topic(
        "SET",
        "change a setting of the session",
        "SET display_limit = n;      -- rows shown per result (0 = all)\n"
        "SET timeout = seconds;      -- per Milvus call (NULL = a default that fits it)\n"
        "SET consistency_level = 'Strong' | 'Bounded' | 'Session' | 'Eventually' | NULL;\n"
        "SET import_parallelism = n; -- insert calls an import keeps in flight (NULL: 2, Lite 1)\n"
        "SET timezone = 'Asia/Shanghai'; -- the zone TIMESTAMPTZ values are shown in (UTC)",
        (
            "SET display_limit = 20;",
            "SET consistency_level = 'Strong';",
            "SET timezone = 'Europe/Berlin';",
        ),
    ),
    Topic("SHOW SETTINGS", "the session's settings", "SHOW SETTINGS;", ("SHOW SETTINGS;",)),
)
