"""Statements about statements and pictures: EXPLAIN (and its Python writer), HELP, PLOT."""
