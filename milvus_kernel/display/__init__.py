"""Results as notebook output: `render` (mime bundles), `render_error` (error messages) and
`render_progress` (a bar to update in place).

Pure: imports neither pymilvus nor ipykernel. See `bundle`, `error_report`, `progress`, and for
the pieces `values` (one cell), `window` (the rows shown), `text_table`, `html_table`,
`dataresource`.
"""

from milvus_kernel.display.bundle import DATA_RESOURCE, render
from milvus_kernel.display.error_report import render_error
from milvus_kernel.display.progress_bar import render_progress

__all__ = ["DATA_RESOURCE", "render", "render_error", "render_progress"]
