"""`render`: a `Result` as the mime bundle of an `execute_result` (plain, HTML, data resource;
a picture as PNG with its description as the plain text, and its plotly figure when it has
one: JupyterLab and VS Code draw that one, interactive; GitHub, nbconvert and consoles the PNG
or the text)."""

from __future__ import annotations

import base64
from typing import Any

from milvus_kernel.display.dataresource import data_resource
from milvus_kernel.display.html_table import html_message, html_table
from milvus_kernel.display.text_table import text_table
from milvus_kernel.display.window import take_window
from milvus_kernel.results import Image, Message, Result, Table

DATA_RESOURCE = "application/vnd.dataresource+json"
PLOTLY = "application/vnd.plotly.v1+json"


def render(result: Result, display_limit: int = 10) -> dict[str, Any]:
    """The mime bundle of `result`, showing at most `display_limit` rows of a table (0 = all).

    A message gives `text/plain` and `text/html`; a table also gives the data resource of the
    rows shown. Only the rows shown are read from the table.
    """
    if isinstance(result, Message):
        return {"text/plain": result.text, "text/html": html_message(result.text)}
    if isinstance(result, Table):
        window = take_window(result, display_limit)
        return {
            "text/plain": text_table(window),
            "text/html": html_table(window),
            DATA_RESOURCE: data_resource(window),
        }
    if isinstance(result, Image):
        bundle: dict[str, Any] = {
            "image/png": base64.b64encode(result.png).decode("ascii"),
            "text/plain": result.description,
        }
        if result.figure is not None:
            bundle[PLOTLY] = result.figure
        return bundle
    raise TypeError(f"cannot render {type(result).__name__}: expected Message, Table or Image")
