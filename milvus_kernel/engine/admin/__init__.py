"""Administration: databases, aliases, collection maintenance, users, roles and privileges."""
