"""Results as notebook output: `render` (mime bundles) and `render_error` (error messages).

Pure: imports neither pymilvus nor ipykernel. See `bundle`, `error_report`, and for the pieces
`values` (one cell), `window` (the rows shown), `text_table`, `html_table`, `dataresource`.
"""

from milvus_kernel.display.bundle import DATA_RESOURCE, render
from milvus_kernel.display.error_report import render_error

__all__ = ["DATA_RESOURCE", "render", "render_error"]
