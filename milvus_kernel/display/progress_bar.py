"""`render_progress`: a progress bar as a mime bundle, for `display_data` / `update_display_data`.

Long imports, exports and index builds report `done` of `total` units; the front end shows the
bundle once with a display id and updates it in place. With no known total, a count is shown.
Given the time elapsed, the rate and the time follow: `· 8,120 rows/s · 1.2 s`.
"""

from __future__ import annotations

from html import escape
from typing import Any

#: Characters of the plain bar between its brackets.
BAR_WIDTH = 30


def render_progress(
    done: int,
    total: int | None = None,
    unit: str = "rows",
    label: str = "",
    elapsed: float | None = None,
) -> dict[str, Any]:
    """`{"text/plain", "text/html"}` for `done` of `total` units, `elapsed` seconds in.

    Plain: `import: [###############               ] 5,000 / 10,000 rows (50%)`, then with
    `elapsed` ` · 8,120 rows/s · 0.6 s`; HTML: a `<progress>` element and the same counts.
    """
    done = max(0, done)
    prefix = f"{label}: " if label else ""
    if not unit and not done:  # a step that only knows its time (an index build)
        counts = "running" if elapsed is None else ""
        plain_bar, html_bar = "", "<progress></progress>"
    elif total is None or total <= 0:
        counts = f"{done:,} {unit}"
        plain_bar, html_bar = "", "<progress></progress>"  # indeterminate
    else:
        fraction = min(1.0, done / total)
        filled = round(fraction * BAR_WIDTH)
        counts = f"{done:,} / {total:,} {unit} ({int(fraction * 100)}%)"
        plain_bar = "[" + "#" * filled + " " * (BAR_WIDTH - filled) + "] "
        html_bar = f'<progress value="{min(done, total)}" max="{total}"></progress>'
    if elapsed is not None:
        counts = (counts + timing(done, unit, elapsed)).removeprefix(" · ")
    return {
        "text/plain": prefix + plain_bar + counts,
        "text/html": (
            f'<div class="milvus-progress">{escape(prefix)}{html_bar} {escape(counts)}</div>'
        ),
    }


def timing(done: int, unit: str, elapsed: float) -> str:
    """` · 8,120 rows/s · 1.2 s` (the rate once there is time enough to measure it)."""
    elapsed = max(0.0, elapsed)
    rate = f" · {done / elapsed:,.0f} {unit}/s" if elapsed >= 0.05 and done else ""
    return f"{rate} · {_duration(elapsed)}"


def _duration(seconds: float) -> str:
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, rest = divmod(int(seconds), 60)
    if minutes < 60:
        return f"{minutes} min {rest:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"
