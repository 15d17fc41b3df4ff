"""`render_error`: a failure as the `ename`, `evalue` and `traceback` of Jupyter's error message.

The "traceback" is the error's own short report (`KernelError.render()`), one entry per line,
the first in red. A Python traceback never appears, not even for an unexpected exception.
"""

from __future__ import annotations

from milvus_kernel.errors import KernelError

RED = "\x1b[0;31m"
RESET = "\x1b[0m"
#: Longest `evalue`, in characters.
MAX_EVALUE = 200


def render_error(error: BaseException, color: bool = True) -> tuple[str, str, list[str]]:
    """`(ename, evalue, traceback lines)` for `error`.

    `error` is normally a `KernelError`; any other exception is reported by its type name and
    message alone, so a front end can use this for every failure.
    """
    if isinstance(error, KernelError):
        ename = error.ename
        try:
            report = error.render()
        except Exception:  # a broken report must not hide the error itself
            report = error.message
        summary = report
    else:
        ename = type(error).__name__
        summary = _safe_str(error)
        report = f"{ename}: {summary}" if summary else ename
    lines = report.splitlines() or [ename]
    evalue = next((line.strip() for line in summary.splitlines() if line.strip()), ename)
    if len(evalue) > MAX_EVALUE:
        evalue = evalue[: MAX_EVALUE - 1] + "…"
    if color:
        lines = [RED + lines[0] + RESET, *lines[1:]]
    return ename, evalue, lines


def _safe_str(error: BaseException) -> str:
    try:
        return str(error)
    except Exception:
        return ""
