"""HELP topics of administration: databases, aliases, users and roles."""

from __future__ import annotations

from milvus_kernel.engine.tools.help_topics.topic import Topic, grouped

DATABASES = grouped(
    "databases",
    Topic(
        "CREATE DATABASE",
        "create a database",
        "CREATE DATABASE [IF NOT EXISTS] name [WITH (property = value, ...)];",
        (
            "CREATE DATABASE IF NOT EXISTS analytics;",
            "CREATE DATABASE staging WITH (database.max.collections = 20);",
        ),
    ),
    Topic(
        "DROP DATABASE",
        "drop an empty database",
        "DROP DATABASE [IF EXISTS] name;",
        ("DROP DATABASE IF EXISTS analytics;",),
    ),
    Topic("USE", "switch to another database", "USE name;", ("USE analytics;",)),
    Topic("SHOW DATABASES", "list the databases", "SHOW DATABASES;", ("SHOW DATABASES;",)),
    Topic(
        "ALTER DATABASE",
        "set or drop a database's properties",
        "ALTER DATABASE name SET (property = value, ...);\n"
        "ALTER DATABASE name DROP PROPERTIES ('property', ...);",
        (
            "ALTER DATABASE analytics SET (database.max.collections = 10);",
            "ALTER DATABASE analytics DROP PROPERTIES ('database.max.collections');",
        ),
    ),
    Topic(
        "DESCRIBE DATABASE",
        "a database's name and properties",
        "DESCRIBE DATABASE name;",
        ("DESCRIBE DATABASE default;",),
    ),
)

ALIASES = grouped(
    "aliases",
    Topic(
        "CREATE ALIAS",
        "a second name for a collection",
        "CREATE ALIAS a FOR table;",
        ("CREATE ALIAS current_docs FOR docs;",),
    ),
    Topic(
        "ALTER ALIAS",
        "point an alias at another collection",
        "ALTER ALIAS a FOR table;",
        ("ALTER ALIAS current_docs FOR docs2;",),
    ),
    Topic("DROP ALIAS", "drop an alias", "DROP ALIAS a;", ("DROP ALIAS current_docs;",)),
    Topic("SHOW ALIASES", "list aliases", "SHOW ALIASES [ON table];", ("SHOW ALIASES ON docs;",)),
)

USERS = grouped(
    "users and roles (servers with authentication)",
    Topic(
        "CREATE USER",
        "create a user",
        "CREATE USER u PASSWORD 'secret';",
        ("CREATE USER alice PASSWORD 'S3cret-pass';",),
    ),
    Topic(
        "ALTER USER",
        "change a password",
        "ALTER USER u PASSWORD 'new';",
        ("ALTER USER alice PASSWORD 'N3w-pass';",),
    ),
    Topic("DROP USER", "drop a user", "DROP USER u;", ("DROP USER alice;",)),
    Topic("SHOW USERS", "list users", "SHOW USERS;", ("SHOW USERS;",)),
    Topic("CREATE ROLE", "create a role", "CREATE ROLE r;", ("CREATE ROLE reader;",)),
    Topic("DROP ROLE", "drop a role", "DROP ROLE r;", ("DROP ROLE reader;",)),
    Topic("SHOW ROLES", "list roles", "SHOW ROLES;", ("SHOW ROLES;",)),
    Topic(
        "GRANT",
        "give a role to a user, or a privilege to a role",
        "GRANT ROLE r TO u;\nGRANT privilege ON table TO r;\nGRANT privilege_group ON table TO r;",
        (
            "GRANT ROLE reader TO alice;",
            "GRANT Search ON docs TO reader;",
            "GRANT CollectionReadOnly ON docs TO reader;",
        ),
        "A name that is no privilege but a privilege group (CREATE PRIVILEGE GROUP, or a "
        "built-in one: CollectionReadOnly, DatabaseAdmin, ...) is granted with "
        "grant_privilege_v2 (Milvus 2.5+).",
    ),
    Topic(
        "REVOKE",
        "take a role or a privilege back",
        "REVOKE ROLE r FROM u;\nREVOKE privilege ON table FROM r;",
        ("REVOKE ROLE reader FROM alice;", "REVOKE Search ON docs FROM reader;"),
    ),
    Topic("SHOW GRANTS", "a role's privileges", "SHOW GRANTS FOR r;", ("SHOW GRANTS FOR reader;",)),
)
