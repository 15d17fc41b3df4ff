"""The kernel's own error types: every failure a user can cause ends as one of these.

They are pure (no pymilvus, no Jupyter) so that every layer can raise and catch them; any other
exception reaching the runner is a bug, reported as `InternalError` (traceback in the kernel log).
`render()` gives the short text shown in the notebook; there is never a Python traceback.
"""

from __future__ import annotations


class KernelError(Exception):
    """A failure to report to the user: a name for `ename` and a message for `evalue`."""

    ename = "MilvusError"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message
        #: 1-based number of the statement in its cell, filled in by whoever runs the cell.
        self.statement_index: int | None = None
        #: the statement's text (first line shown in the report), filled in the same way.
        self.statement_text: str | None = None

    def render(self) -> str:
        """The report shown in the notebook: where it happened, then what happened."""
        head = ""
        if self.statement_index is not None:
            head = f"statement {self.statement_index}"
            if self.statement_text:
                lines = self.statement_text.strip().splitlines()
                first = lines[0] if lines else ""
                if len(first) > 80:
                    first = first[:77] + "..."
                head += f" ({first})"
            head += ": "
        return head + self.message


class MilvusSyntaxError(KernelError):
    """The text is not a statement of the language: where, what was expected, and a hint."""

    ename = "SyntaxError"

    def __init__(
        self,
        message: str,
        *,
        line: int,
        column: int,
        source_line: str = "",
        expected: tuple[str, ...] = (),
        hint: str | None = None,
        incomplete: bool = False,
    ) -> None:
        super().__init__(message)
        self.line = line
        self.column = column
        self.source_line = source_line
        self.expected = expected
        self.hint = hint
        #: True when the text is a valid beginning that ends too early (for is_complete).
        self.incomplete = incomplete

    def render(self) -> str:
        where = f"line {self.line}, column {self.column}"
        if self.statement_index is not None:
            where = f"statement {self.statement_index}, {where}"
        lines = [f"Syntax error in {where}: {self.message}"]
        if self.source_line:
            shown, caret = source_window(self.source_line.rstrip("\n").expandtabs(1), self.column)
            lines += ["  " + shown, "  " + " " * caret + "^"]
        if self.expected:
            lines.append("expected: " + ", ".join(self.expected))
        if self.hint:
            lines.append("hint: " + self.hint)
        return "\n".join(lines)


#: a source line longer than this is shown as a window of about that width around the caret
SOURCE_WINDOW = 160


def source_window(line: str, column: int) -> tuple[str, int]:
    """The part of `line` shown above the caret, and the caret's offset in it (0-based)."""
    caret = column - 1
    if len(line) <= SOURCE_WINDOW:
        return line, caret
    start = max(0, min(caret - SOURCE_WINDOW // 2, len(line) - SOURCE_WINDOW))
    end = start + SOURCE_WINDOW
    head = "..." if start > 0 else ""
    tail = "..." if end < len(line) else ""
    return head + line[start:end] + tail, caret - start + len(head)


class ExecutionError(KernelError):
    """Milvus refused or failed a statement; the message carries Milvus's own reason."""

    ename = "MilvusError"


class ConnectionFailure(KernelError):
    """The kernel cannot reach, or cannot open, the Milvus it was asked to use."""

    ename = "ConnectionError"


class NotSupported(KernelError):
    """The connected server does not have the feature the statement needs."""

    ename = "NotSupported"


class Interrupted(KernelError):
    """The user interrupted a statement; the message says what had been done."""

    ename = "Interrupted"


class InternalError(KernelError):
    """A bug in the kernel itself (an exception that is neither the kernel's own nor Milvus's):
    one line in the notebook, the traceback in the kernel log."""

    ename = "InternalError"

    @classmethod
    def of(cls, bug: BaseException) -> InternalError:
        # the type only: an exception's text may quote the cell (and a password)
        return cls(f"internal error: {type(bug).__name__} (details in the kernel log)")
