"""`render_progress`: a progress bar as a mime bundle, for `display_data` / `update_display_data`.

Long imports, exports and index builds report `done` of `total` units; the front end shows the
bundle once with a display id and updates it in place. With no known total, a count is shown.
"""

from __future__ import annotations

from html import escape
from typing import Any

#: Characters of the plain bar between its brackets.
BAR_WIDTH = 30


def render_progress(
    done: int, total: int | None = None, unit: str = "rows", label: str = ""
) -> dict[str, Any]:
    """`{"text/plain", "text/html"}` for `done` of `total` units.

    Plain: `import: [###############               ] 5,000 / 10,000 rows (50%)`;
    HTML: a `<progress>` element and the same counts.
    """
    done = max(0, done)
    prefix = f"{label}: " if label else ""
    if total is None or total <= 0:
        counts = f"{done:,} {unit}"
        plain_bar, html_bar = "", "<progress></progress>"  # indeterminate
    else:
        fraction = min(1.0, done / total)
        filled = round(fraction * BAR_WIDTH)
        counts = f"{done:,} / {total:,} {unit} ({int(fraction * 100)}%)"
        plain_bar = "[" + "#" * filled + " " * (BAR_WIDTH - filled) + "] "
        html_bar = f'<progress value="{min(done, total)}" max="{total}"></progress>'
    return {
        "text/plain": prefix + plain_bar + counts,
        "text/html": (
            f'<div class="milvus-progress">{escape(prefix)}{html_bar} {escape(counts)}</div>'
        ),
    }
