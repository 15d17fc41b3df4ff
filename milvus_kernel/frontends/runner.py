"""One path for every front end: cell text → statements → results, stopping at the first error.

The Jupyter kernel, the IPython magic and the tests all call `run_cell`; each renders the results
it gets (see `display`). Errors come out as `KernelError`s carrying the statement's number; any
other exception is a bug of the kernel: its traceback goes to the kernel log (logger
`milvus_kernel.frontends.runner`) and it comes out as an `InternalError`. A message that repeats
a secret of the cell (EXPLAIN's code of CREATE USER ... PASSWORD, of an api_key option) shows it
masked, as errors do.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping
from typing import Any

from milvus_kernel.engine.session import Session
from milvus_kernel.errors import InternalError, KernelError
from milvus_kernel.language.known_secrets import known_secrets, mask_known
from milvus_kernel.language.parser import parse_cell
from milvus_kernel.results import Message, Result

_LOG = logging.getLogger(__name__)


def run_cell(
    session: Session, code: str, params: Mapping[str, Any] | None = None
) -> Iterator[Result]:
    """Parse the whole cell (nothing runs if any statement is malformed), then run each statement.

    Yields one result per statement, preceded by any notice the session has (such as which
    database the kernel connected to by default). Raises the first `KernelError`, numbered.
    `params` are the Python values `:name` may refer to (the IPython magic passes its namespace).
    """
    statements = parse_cell(code, params)
    known = None  # the cell's secrets, read at the first message
    for index, statement in enumerate(statements, start=1):
        try:
            result = session.execute(statement)
        except Exception as caught:
            error = caught if isinstance(caught, KernelError) else _internal(caught, index)
            if error.statement_index is None:
                error.statement_index = index
                error.statement_text = statement.text
            for notice in session.take_notices():
                yield Message(notice)
            raise error from None
        for notice in session.take_notices():
            yield Message(notice)
        if isinstance(result, Message):
            known = known_secrets(code) if known is None else known
            result = Message(mask_known(result.text, known)) if known else result
        yield result


def _internal(bug: Exception, index: int) -> InternalError:
    """A bug of the kernel: its traceback to the kernel log, one line for the notebook."""
    _LOG.error("internal error in statement %d", index, exc_info=bug)
    return InternalError.of(bug)
