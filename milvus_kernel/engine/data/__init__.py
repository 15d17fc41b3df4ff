"""Writing data: INSERT / UPSERT / DELETE, file imports (plan, readers, column conversion,
read-ahead), the batch writer that counts what landed, and value conversion per field type."""
