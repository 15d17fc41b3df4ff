"""The language layer: cell text → frozen statement dataclasses.

Pure and fast: no pymilvus, no Jupyter.
"""
