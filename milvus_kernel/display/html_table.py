"""The `text/html` rendering: a `<table class="milvus-table">` and its footer; short messages.

Every text that came from data (cells, column names, title, note, messages) is escaped here,
exactly once, with `html.escape`; nothing is ever unescaped, so `<b>x</b>` and `&amp;` show
literally. Styling is one small scoped `<style>`; where a notebook strips it (untrusted
outputs) the table still reads.
"""

from __future__ import annotations

from html import escape

from milvus_kernel.display.cells import Shown
from milvus_kernel.display.window import Window

NULL_HTML = '<span class="milvus-null">NULL</span>'

#: One small stylesheet per result; numeric cells carry class "n". More specific than the
#: notebook's own `td` rules, which right-align everything (JupyterLab 4's
#: `:not(.jp-RenderedMarkdown).jp-RenderedHTMLCommon td` weighs two classes and an element).
STYLE = (
    "<style>"
    "div.milvus-result table.milvus-table th,div.milvus-result table.milvus-table td"
    "{text-align:left;vertical-align:top}"
    "div.milvus-result table.milvus-table th.n,div.milvus-result table.milvus-table td.n"
    "{text-align:right}"
    "span.milvus-null{color:#999;font-style:italic}"
    "div.milvus-footer,div.milvus-note{font-size:smaller;color:#666}"
    "</style>"
)
_N = ' class="n"'


def html_table(window: Window) -> str:
    parts = ['<div class="milvus-result">', STYLE, '<table class="milvus-table">']
    if window.title:
        parts.append(f"<caption>{escape(window.title)}</caption>")
    header = "".join(_th(column.name, column.numeric) for column in window.columns)
    parts.append(f"<thead><tr>{header}</tr></thead>")
    parts.append("<tbody>")
    numeric = [column.numeric for column in window.columns]
    for row in window.rows:
        cells = "".join(_td(cell, right) for cell, right in zip(row, numeric, strict=True))
        parts.append(f"<tr>{cells}</tr>")
    parts.append("</tbody>")
    parts.append("</table>")
    parts.append(f'<div class="milvus-footer">{escape(window.footer)}</div>')
    if window.note:
        parts.append(f'<div class="milvus-note">{escape(window.note)}</div>')
    parts.append("</div>")
    return "\n".join(parts)


def _th(name: str, right: bool) -> str:
    return f"<th{_N if right else ''}>{escape(name)}</th>"


def _td(cell: Shown, right: bool) -> str:
    content = NULL_HTML if cell.is_null else escape(cell.text)
    return f"<td{_N if right else ''}>{content}</td>"


def html_message(text: str) -> str:
    """A message as HTML: escaped, its line breaks kept."""
    return f'<pre class="milvus-message">{escape(text)}</pre>'
