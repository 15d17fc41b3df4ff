"""Reading data: SELECT, the rows of results, and EXPORT with its file writers."""
