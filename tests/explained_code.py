"""Checking EXPLAIN's code without a server that runs it: every call of the script is a real
pymilvus call — `client.<method>(...)` binds to MilvusClient's signature, `bulk_writer.<f>(...)`
to pymilvus.bulk_writer's function (read from its source: importing it needs the bulk_writer
extra). The arguments must be literals (they are, for the statements checked here).
`checked_calls` runs a script instead, for code whose arguments are variables (a schema, a
`Function`): each `client.<method>(...)` is bound to MilvusClient's signature, then recorded.
`run_explained` runs a statement's EXPLAIN code on the session's own client (Milvus Lite) and
gives back the variables it made (`rows`, `ordered`, ...), to compare with the statement's rows."""

from __future__ import annotations

import ast
import inspect
from pathlib import Path
from typing import Any

import pymilvus
from admin_helpers import one
from pymilvus import MilvusClient


def _bulk_writer_signatures() -> dict[str, inspect.Signature]:
    source = Path(pymilvus.__file__).parent / "bulk_writer" / "bulk_import.py"
    namespace: dict[str, Any] = {}
    for node in ast.parse(source.read_text()).body:
        if isinstance(node, ast.FunctionDef) and not node.name.startswith("_"):
            node.body = [ast.Pass()]
            node.returns = None
            for arg in node.args.args + node.args.kwonlyargs:
                arg.annotation = None
            module = ast.Module(body=[node], type_ignores=[])
            exec(compile(ast.fix_missing_locations(module), str(source), "exec"), namespace)
    return {name: inspect.signature(f) for name, f in namespace.items() if callable(f)}


BULK_WRITER = _bulk_writer_signatures()


def calls(script: str) -> list[tuple[str, str, tuple[Any, ...], dict[str, Any]]]:
    """(target, method, args, kwargs) of every call statement of `script`, each checked against
    its pymilvus signature."""
    found = []
    for node in ast.walk(ast.parse(script)):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        if not isinstance(node.func.value, ast.Name):
            continue
        target, method = node.func.value.id, node.func.attr
        args = tuple(ast.literal_eval(a) for a in node.args)
        kwargs = {k.arg: ast.literal_eval(k.value) for k in node.keywords if k.arg}
        if target == "client":
            inspect.signature(getattr(MilvusClient, method)).bind(None, *args, **kwargs)
        elif target == "bulk_writer":
            BULK_WRITER[method].bind(*args, **kwargs)
        else:
            continue
        found.append((target, method, args, kwargs))
    return found


def checked_first(script: str) -> list[str]:
    """The metadata calls EXPLAIN lists as "checked first" (each a MilvusClient method)."""
    names: list[str] = []
    lines = [line.lstrip("# ").strip() for line in script.splitlines() if line.startswith("#")]
    text = " ".join(lines)
    if "checked first:" in text:
        listed = text.split("checked first:", 1)[1].split("(no other call)")[0]
        names = [n.strip() for n in listed.split(",") if n.strip()]
    for name in names:
        assert callable(getattr(MilvusClient, name)), name
    return names


class Checker:
    """Stands in for a MilvusClient in EXPLAIN's code: every call is bound to pymilvus's own
    signature of that method (a wrong method or keyword fails), then recorded. The builders
    (`prepare_index_params`, `create_schema`: no RPC) are pymilvus's own, so what they build
    can be checked too."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, tuple[Any, ...], dict[str, Any]]] = []

    def __getattr__(self, name: str) -> Any:
        method = getattr(MilvusClient, name)
        if isinstance(inspect.getattr_static(MilvusClient, name), classmethod):
            return method  # a builder: IndexParams, CollectionSchema, FieldSchema

        def call(*args: Any, **kwargs: Any) -> Any:
            inspect.signature(method).bind(None, *args, **kwargs)
            self.calls.append((name, args, kwargs))
            return []

        return call


def checked_calls(code: str) -> list[tuple[str, tuple[Any, ...], dict[str, Any]]]:
    """The calls EXPLAIN's `code` makes, each bound to its MilvusClient signature."""
    lines = [line for line in code.splitlines() if not line.startswith("client = MilvusClient(")]
    checker = Checker()
    exec("\n".join(lines), {"client": checker})  # the kernel's own printed code
    return checker.calls


def run_explained(session: Any, sql: str) -> dict[str, Any]:
    """Run EXPLAIN's code of `sql` (kernel-side work included) on the session's client."""
    code = one(session, f"EXPLAIN {sql}").text
    assert "# computed by the kernel:" in code
    assert code.count("client.") >= 1
    scope: dict[str, Any] = {"MilvusClient": lambda **_: session.catalog().connection.client}
    body = "\n".join(line for line in code.splitlines() if not line.startswith("from pymilvus"))
    exec(compile(body, "<explain>", "exec"), scope)  # the kernel's own EXPLAIN
    return scope
