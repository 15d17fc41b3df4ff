"""Benchmarks of the Milvus SQL kernel against raw pymilvus on the same server, in the same run.

`python -m bench [--quick]` runs every section, prints a table of ratios and writes
`bench/RESULTS.md`. Nothing here is a test: the test suite never asserts timings.
"""
