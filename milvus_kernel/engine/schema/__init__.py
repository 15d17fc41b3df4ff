"""Schema statements: collections (CREATE TABLE and its schema), partitions, indexes, SHOW CREATE
TABLE, the fields of a collection, and the vector types only a server has."""
