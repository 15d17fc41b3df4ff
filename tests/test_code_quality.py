"""The code stays as the developers' guide asks: ruff clean and formatted, one docstring at the
top of every module, and no module grown past what one reader holds in mind."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "milvus_kernel"
MAX_LINES = 350  # "about 300": past this a module wants splitting by statement family


def _ruff(*args: str) -> subprocess.CompletedProcess[str]:
    ruff = shutil.which("ruff") or str(Path(sys.executable).parent / "ruff")
    if not Path(ruff).exists():
        pytest.skip("ruff is not installed (it is in the test extra)")
    return subprocess.run([ruff, *args], cwd=ROOT, capture_output=True, text=True)


def test_ruff_check_is_clean() -> None:
    result = _ruff("check", "milvus_kernel", "tests", "bench")
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_format_is_clean() -> None:
    result = _ruff("format", "--check", "milvus_kernel", "tests", "bench")
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    "module", sorted(PACKAGE.rglob("*.py")), ids=lambda p: str(p.relative_to(ROOT))
)
def test_module_has_a_docstring_and_a_readable_size(module: Path) -> None:
    text = module.read_text(encoding="utf-8")
    assert ast.get_docstring(ast.parse(text)), f"{module} has no module docstring"
    assert len(text.splitlines()) <= MAX_LINES, f"{module} has grown past {MAX_LINES} lines"


# --- the layout: folders a reader takes in at a glance, no cycles, no private reach ---------

MAX_MODULES_PER_FOLDER = 20
#: What the package root holds: the entry points and the contracts every layer shares.
ROOT_MODULES = {"__init__.py", "__main__.py", "install.py", "errors.py", "results.py"}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _modules() -> dict[str, ast.Module]:
    return {_module_name(p): ast.parse(p.read_text("utf-8")) for p in PACKAGE.rglob("*.py")}


def _imports(tree: ast.Module, modules: dict[str, ast.Module]) -> set[str]:
    """The package's modules `tree` imports anywhere (top level or inside a function)."""
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("milvus_kernel"):
            for alias in node.names:
                name = f"{node.module}.{alias.name}"
                found.add(name if name in modules else node.module)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("milvus_kernel"))
    return {name for name in found if name in modules}


def test_no_folder_holds_more_than_about_twenty_modules() -> None:
    for folder in [PACKAGE, *(p for p in PACKAGE.rglob("*") if p.is_dir())]:
        if folder.name == "__pycache__" or not (folder / "__init__.py").exists():
            continue
        count = len([p for p in folder.glob("*.py") if p.name != "__init__.py"])
        assert count <= MAX_MODULES_PER_FOLDER, f"{folder} holds {count} modules"


def test_the_package_root_keeps_only_entry_points_and_shared_contracts() -> None:
    assert {p.name for p in PACKAGE.glob("*.py")} <= ROOT_MODULES


def test_no_import_cycle_lazy_ones_included() -> None:
    modules = _modules()
    graph = {name: _imports(tree, modules) - {name} for name, tree in modules.items()}
    # A package's __init__ that re-exports its modules is not a cycle with them.
    for name in graph:
        graph[name] = {d for d in graph[name] if not name.startswith(d + ".")}
    done: set[str] = set()

    def visit(name: str, path: list[str]) -> None:
        if name in path:
            cycle = [*path[path.index(name) :], name]
            pytest.fail("import cycle: " + " → ".join(cycle))
        if name in done:
            return
        for dep in sorted(graph[name]):
            visit(dep, [*path, name])
        done.add(name)

    for name in sorted(graph):
        visit(name, [])


def test_layers_import_only_downwards() -> None:
    """language imports no engine, display or front end; display and engine no front end."""
    forbidden = {
        "milvus_kernel.language": ("engine", "display", "frontends"),
        "milvus_kernel.engine": ("display", "frontends"),
        "milvus_kernel.display": ("engine", "frontends"),
    }
    modules = _modules()
    for name, tree in modules.items():
        for layer, banned in forbidden.items():
            if name.startswith(layer):
                for dep in _imports(tree, modules):
                    assert not dep.startswith(tuple(f"milvus_kernel.{b}" for b in banned)), (
                        f"{name} imports {dep}"
                    )


def test_no_module_takes_another_modules_private_names() -> None:
    modules = _modules()
    for name, tree in modules.items():
        imported = set()  # local names bound to the package's modules
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("milvus_kernel"):
                for alias in node.names:
                    assert not alias.name.startswith("_") or alias.name.startswith("__"), (
                        f"{name} imports the private {node.module}.{alias.name}"
                    )
                    if f"{node.module}.{alias.name}" in modules:
                        imported.add(alias.asname or alias.name)
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Name)
                and node.value.id in imported
                and node.attr.startswith("_")
                and not node.attr.startswith("__")
            ):
                pytest.fail(f"{name} reaches into {node.value.id}.{node.attr}")
