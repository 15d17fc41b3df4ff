"""The front ends: the Jupyter kernel, the IPython magic, and what they share (the cell runner,
history, progress displays, DataFrames, keyword help, log masking)."""
