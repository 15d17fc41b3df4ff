"""The Jupyter kernel: the messaging protocol around `run_cell`, and nothing else.

Every statement's result goes to the notebook as an `execute_result` as soon as it is ready; the
first failure ends the cell with a short `error` (no Python traceback) while earlier results stay.
An interrupt or an unexpected exception is reported and the kernel carries on. Long statements
(imports, exports, index builds) show one progress display each, updated in place.
"""

from __future__ import annotations

import re
import threading
import traceback as tracebacks
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ipykernel.kernelbase import Kernel

from milvus_kernel import __version__
from milvus_kernel.display import render, render_error
from milvus_kernel.engine.library_logs import kernel_log_handler, quiet_library_logs
from milvus_kernel.errors import InternalError, Interrupted, KernelError
from milvus_kernel.frontends.history import History
from milvus_kernel.frontends.keyword_help import KEYWORD_HELP
from milvus_kernel.frontends.log_masking import SecretMaskingFilter
from milvus_kernel.frontends.progress_updates import ProgressDisplay
from milvus_kernel.frontends.startup import warm_up
from milvus_kernel.language.completion import completion_context, is_complete, word_at
from milvus_kernel.language.filters import utf8_safe
from milvus_kernel.language.known_secrets import known_secrets, mask_known
from milvus_kernel.language.secrets import mask_secrets
from milvus_kernel.results import Result

if TYPE_CHECKING:  # the engine is imported on first use (or by the warm-up thread)
    from milvus_kernel.engine.session import Session

IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


class _CountingSession:
    """Wraps the session for one cell, counting the statements started (to report interrupts)."""

    def __init__(self, session: Session) -> None:
        self._session = session
        self.started = 0

    def execute(self, statement: Any) -> Result:
        self.started += 1
        return self._session.execute(statement)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._session, name)


def _quote(name: str) -> str:
    return name if IDENTIFIER.fullmatch(name) else f"`{name}`"


def _interrupted(started: int) -> Interrupted:
    if started == 0:
        return Interrupted("interrupted before any statement ran")
    done = started - 1
    completed = (
        "no statement was completed"
        if done == 0
        else "statement 1 was completed"
        if done == 1
        else f"statements 1-{done} were completed"
    )
    error = Interrupted(f"interrupted during statement {started}; {completed}")
    return error


class MilvusKernel(Kernel):
    implementation = "milvus_kernel"
    implementation_version = __version__
    banner = (
        f"Milvus SQL kernel {__version__}: SQL-like statements for Milvus "
        "(embedded Milvus Lite by default). Type HELP; for the list of statements."
    )
    language_info = {  # noqa: RUF012 - the protocol's fixed description of the language
        "name": "sql",
        "version": __version__,
        "mimetype": "text/x-sql",
        "file_extension": ".sql",
        # JupyterLab finds a mode by name, then by mime: with the labextension the dialect's
        # own mode, without it (and in VS Code, which reads `name`) plain SQL.
        "codemirror_mode": {"name": "milvus-sql", "mime": "text/x-sql"},
        "pygments_lexer": "milvus-sql",
    }
    help_links = [  # noqa: RUF012
        {"text": "Milvus documentation", "url": "https://milvus.io/docs"},
        {"text": "Milvus Lite", "url": "https://milvus.io/docs/milvus_lite.md"},
        {"text": "Milvus filter expressions", "url": "https://milvus.io/docs/boolean.md"},
    ]

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._milvus: Session | None = None
        self.history = History()
        quiet_library_logs()
        self.log_filter = SecretMaskingFilter()  # the kernel's stderr repeats no secret
        self.log_filter.attach(kernel_log_handler(), *getattr(self.log, "handlers", ()))
        threading.Thread(target=warm_up, name="milvus-warm-up", daemon=True).start()
        self._register_schema_comm()

    def _register_schema_comm(self) -> None:
        """The schema browser's comm target (the labextension's side panel asks through it)."""
        from milvus_kernel.frontends.schema_comm import register_schema_target

        register_schema_target(self, lambda: self.milvus)

    @property
    def milvus(self) -> Session:
        """The Milvus session, created on first use in the kernel's working directory."""
        if self._milvus is None:
            from milvus_kernel.engine.session import Session

            self._milvus = Session(workdir=Path.cwd())
        return self._milvus

    @property
    def kernel_info(self) -> dict[str, Any]:
        info = dict(super().kernel_info)
        # One statement at a time on one session: no subshells, and no Python debugger.
        info["supported_features"] = []
        return info

    # -- execute ---------------------------------------------------------------------------

    async def do_execute(
        self,
        code: str,
        silent: bool,
        store_history: bool = True,
        user_expressions: dict[str, Any] | None = None,
        allow_stdin: bool = False,
    ) -> dict[str, Any]:
        self.log_filter.set_cell(code)
        entry = self.history.add(self.execution_count, code) if store_history else None
        if not code.strip():
            return self._ok()
        from milvus_kernel.frontends.runner import run_cell

        counting: _CountingSession | None = None
        try:
            counting = _CountingSession(self.milvus)
            self.milvus.progress = None if silent else ProgressDisplay(self).show
            for result in run_cell(counting, code):  # type: ignore[arg-type]
                bundle = render(result, self.milvus.settings.display_limit)
                if entry is not None:
                    entry.output = bundle.get("text/plain")
                if not silent:
                    self._publish_result(bundle)
        except KernelError as error:
            return self._error(error, silent, code)
        except KeyboardInterrupt:
            return self._error(_interrupted(counting.started if counting else 0), silent)
        except Exception as exc:  # the kernel must survive its own bugs
            # the traceback goes to the log with the cell's secrets masked (a message may quote it)
            logged = mask_known(tracebacks.format_exc(), known_secrets(code))
            self.log.error("internal error while running a cell\n%s", logged)
            where = f" in statement {counting.started}" if counting and counting.started else ""
            return self._error(
                InternalError(
                    # the type only: an exception's text may quote the cell (and a password)
                    f"internal error{where}: {type(exc).__name__} (details in the kernel log)"
                ),
                silent,
            )
        finally:
            if self._milvus is not None:
                self._milvus.progress = None
        return self._ok()

    def _publish_execute_input(self, code: str, parent: Any, execution_count: int) -> None:
        """Echo the cell to other clients with its passwords and tokens masked."""
        super()._publish_execute_input(utf8_safe(mask_secrets(code)), parent, execution_count)

    def _ok(self) -> dict[str, Any]:
        return {
            "status": "ok",
            "execution_count": self.execution_count,
            "payload": [],
            "user_expressions": {},
        }

    def _publish_result(self, bundle: dict[str, Any]) -> None:
        content = {"execution_count": self.execution_count, "data": bundle, "metadata": {}}
        self.send_response(self.iopub_socket, "execute_result", content)

    def _error(self, error: KernelError, silent: bool, code: str = "") -> dict[str, Any]:
        """Report `error`; every secret of the cell `code` is masked wherever the report has it."""
        try:
            ename, evalue, traceback = render_error(error, source=code)
        except Exception:
            self.log.error("render_error failed")
            shown = mask_known(error.message, known_secrets(code))
            ename, evalue, traceback = error.ename, shown, [shown]
        content = {
            "ename": ename,
            "evalue": utf8_safe(evalue),
            "traceback": [utf8_safe(line) for line in traceback],
        }
        if not silent:
            self.send_response(self.iopub_socket, "error", content)
        return {"status": "error", "execution_count": self.execution_count, **content}

    # -- completion, inspection, is_complete ------------------------------------------------

    async def do_complete(self, code: str, cursor_pos: int) -> dict[str, Any]:
        reply: dict[str, Any] = {
            "status": "ok",
            "matches": [],
            "cursor_start": cursor_pos,
            "cursor_end": cursor_pos,
            "metadata": {},
        }
        try:
            context = completion_context(code, cursor_pos)
            words: list[tuple[str, str]] = []
            if context.vocabulary is not None:  # index types, metrics, column types, options
                from milvus_kernel.engine.lookups import completion_words

                words = completion_words(context.vocabulary, context.prefix)
            matches = self._names_for(context) + words + self._keywords_for(context)
        except Exception:
            self.log.exception("completion failed")
            return reply
        seen: set[str] = set()
        unique = [m for m in matches if not (m[0] in seen or seen.add(m[0]))]
        reply.update(
            matches=[text for text, _ in unique],
            cursor_start=context.start,
            cursor_end=context.end,
            metadata={
                "_jupyter_types_experimental": [
                    {"start": context.start, "end": context.end, "text": text, "type": kind}
                    for text, kind in unique
                ]
            },
        )
        return reply

    def _names_for(self, context: Any) -> list[tuple[str, str]]:
        prefix = context.prefix.strip("`").casefold()
        found: list[tuple[str, str]] = []
        if "table" in context.wants:
            names = self.milvus.collection_names()
            found += [(_quote(n), "table") for n in names if n.casefold().startswith(prefix)]
        if "field" in context.wants and context.table:
            try:
                names = self.milvus.field_names(context.table)
            except Exception:  # an unknown collection has no fields to offer
                names = []
            found += [(_quote(n), "field") for n in names if n.casefold().startswith(prefix)]
        return sorted(found)

    @staticmethod
    def _keywords_for(context: Any) -> list[tuple[str, str]]:
        prefix = context.prefix.upper()
        return [(k.upper(), "keyword") for k in context.keywords if k.upper().startswith(prefix)]

    async def do_inspect(
        self, code: str, cursor_pos: int, detail_level: int = 0, omit_sections: Any = ()
    ) -> dict[str, Any]:
        reply: dict[str, Any] = {"status": "ok", "found": False, "data": {}, "metadata": {}}
        try:
            located = word_at(code, cursor_pos)
            if located is None:
                return reply
            word = located[0].strip("`")
            table = self.milvus.describe_for_inspect(word) if word in self._known_names() else None
            if table is not None:
                reply.update(found=True, data=render(table, 0))
            elif word.upper() in KEYWORD_HELP:
                reply.update(found=True, data={"text/plain": KEYWORD_HELP[word.upper()]})
        except Exception:
            self.log.exception("inspect failed")
        return reply

    def _known_names(self) -> set[str]:
        try:
            return set(self.milvus.collection_names())
        except Exception:
            return set()

    async def do_is_complete(self, code: str) -> dict[str, Any]:
        try:
            status = is_complete(code)
        except Exception:
            self.log.exception("is_complete failed")
            return {"status": "unknown"}
        if status == "incomplete":
            return {"status": "incomplete", "indent": ""}
        if status in ("complete", "invalid"):
            return {"status": status}
        return {"status": "unknown"}

    # -- history and shutdown ---------------------------------------------------------------

    async def do_history(
        self, hist_access_type: str, output: bool, raw: bool, **kwargs: Any
    ) -> dict[str, Any]:
        rows = self.history.query(hist_access_type, output=output, raw=raw, **kwargs)
        return {"status": "ok", "history": rows}

    async def do_shutdown(self, restart: bool) -> dict[str, Any]:
        if self._milvus is not None:
            try:
                self._milvus.close()
            except Exception:
                self.log.exception("closing the Milvus session failed")
            self._milvus = None
        return {"status": "ok", "restart": restart}
