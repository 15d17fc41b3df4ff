"""`render_error`: a failure as the `ename`, `evalue` and `traceback` of Jupyter's error message.

The "traceback" is the error's own short report (`KernelError.render()`), one entry per line,
the first in red. A Python traceback never appears, not even for an unexpected exception.
Given the cell's text, every secret of the cell (a password, a token, a URI's password) is masked
wherever the report repeats it: in the line shown above the caret (which moves with it), the
message, the hint, the summary.
"""

from __future__ import annotations

from milvus_kernel.errors import KernelError, MilvusSyntaxError
from milvus_kernel.language.known_secrets import (
    KnownSecrets,
    known_secrets,
    mask_known,
    mask_known_at,
)

RED = "\x1b[0;31m"
RESET = "\x1b[0m"
#: Longest `evalue`, in characters.
MAX_EVALUE = 200


def render_error(
    error: BaseException, color: bool = True, source: str | None = None
) -> tuple[str, str, list[str]]:
    """`(ename, evalue, traceback lines)` for `error`.

    `error` is normally a `KernelError`; any other exception is reported by its type name and
    message alone, so a front end can use this for every failure. `source` is the cell that
    failed: its secrets are masked in the report.
    """
    known = known_secrets(source) if source else KnownSecrets()
    if known and isinstance(error, KernelError):
        error = masked_copy(error, known)
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
    if known:
        report = mask_known(report, known)
        summary = mask_known(summary, known)
    lines = report.splitlines() or [ename]
    evalue = next((line.strip() for line in summary.splitlines() if line.strip()), ename)
    if len(evalue) > MAX_EVALUE:
        evalue = evalue[: MAX_EVALUE - 1] + "…"
    if color:
        lines = [RED + lines[0] + RESET, *lines[1:]]
    return ename, evalue, lines


def masked_copy(error: KernelError, known: KnownSecrets) -> KernelError:
    """A copy of `error` whose texts repeat none of the cell's `known` secrets."""
    masked = type(error).__new__(type(error))  # not copy.copy: __init__ takes keyword arguments
    masked.__dict__.update(error.__dict__)
    masked.message = mask_known(error.message, known)
    if error.statement_text:
        masked.statement_text = mask_known(error.statement_text, known)
    if isinstance(masked, MilvusSyntaxError):
        line, caret = mask_known_at(masked.source_line, masked.column - 1, known)
        masked.source_line, masked.column = line, caret + 1
        if masked.hint:
            masked.hint = mask_known(masked.hint, known)
    masked.args = (masked.message,)
    return masked


def _safe_str(error: BaseException) -> str:
    try:
        return str(error)
    except Exception:
        return ""
